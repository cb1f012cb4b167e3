import type { EventView } from '../../../libs/domain/src/timeline';
import { h, type Child } from './dom';
import type { Names } from './panels';

function mark(text: string, kind: string, title: string): HTMLElement {
  return h('span', { class: `badge badge-${kind}`, title }, text);
}

/** The marks an event carries as known at knownAt: retracted, void, disputed, corrected. */
export function marksOf(event: EventView): HTMLElement[] {
  const marks: HTMLElement[] = [];
  if (event.retracted) marks.push(mark('retracted', 'retracted', 'Withdrawn by whoever recorded it'));
  if (event.void) marks.push(mark('void', 'void', 'Denied by its own author: it no longer counts'));
  else if (event.disputedBy.length > 0) {
    marks.push(mark('disputed', 'disputed', `Disputed by ${event.disputedBy.join(', ')}`));
  }
  if (event.correctedBy.length > 0) marks.push(mark('corrected', 'corrected', 'Shown as corrected'));
  return marks;
}

function row(term: string, value: Child | readonly Child[]): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, value)];
}

function eventIds(ids: readonly string[], events: ReadonlyMap<string, EventView>): Child[] {
  return ids.map((id) => h('div', {}, events.get(id)?.summary ?? '', ' ', h('code', {}, id)));
}

/** One timeline entry: a disclosure whose summary is the line and whose body holds the details. */
export function renderEvent(
  event: EventView,
  asOfMs: number,
  names: Names,
  events: ReadonlyMap<string, EventView>,
): HTMLElement {
  // A date stands at the start of its day (§3), so an event of the asOf date is never later than it.
  const later = Date.parse(event.occurredAt) > asOfMs;
  const who = event.actor
    ? [
        h('abbr', { class: 'actor', title: names.name(event.actor) }, event.actor),
        event.target.length > 0 ? ` → ${event.target.join(', ')}` : null,
      ]
    : null;
  const source = event.source;
  const details = h(
    'dl',
    { class: 'details' },
    row('Type', h('code', {}, event.type)),
    row('Occurred', event.occurredAt),
    row('Reported', event.reportedAt),
    row('Recorded', event.recordedAt),
    row(
      'CAMEO',
      event.cameo === null ? '—' : `${event.cameo} (Goldstein ${event.goldstein}, ${event.quadClass})`,
    ),
    row(
      'Source',
      source === null
        ? '—'
        : source.url
          ? h(
              'a',
              { href: source.url, rel: 'noreferrer noopener', target: '_blank' },
              source.name ?? source.url,
            )
          : (source.name ?? '—'),
    ),
    event.void ? row('Void', 'denied by its own author') : null,
    event.disputedBy.length > 0 ? row('Disputed by', event.disputedBy.join(', ')) : null,
    event.correctedBy.length > 0 ? row('Corrected by', eventIds(event.correctedBy, events)) : null,
    row('Event id', h('code', {}, event.eventId)),
    row('Data', h('pre', {}, JSON.stringify(event.data, null, 2))),
  );
  return h(
    'li',
    {
      class: `event${later ? ' later' : ''}${event.retracted || event.void ? ' struck' : ''}`,
      'data-event-id': event.eventId,
      'data-type': event.type,
    },
    h(
      'details',
      {},
      h(
        'summary',
        {},
        h('time', { datetime: event.occurredAt }, event.occurredAt),
        ' ',
        who,
        ' ',
        h('span', { class: 'summary-text' }, event.summary),
        ' ',
        marksOf(event),
        later ? [' ', mark('after asOf', 'later', 'Happened after the chosen asOf')] : null,
      ),
      details,
    ),
  );
}
