import {
  DIFF_LISTS,
  itemKey,
  PROVENANCE_FIELDS,
  type DiffItem,
  type DiffListName,
} from '../../../libs/domain/src/diff';
import type { StandoffDiff } from '../../../libs/domain/src/diff-events';
import type { EventView } from '../../../libs/domain/src/timeline';
import { h, type Child } from './dom';
import type { Names } from './panels';

/*
 * "What changed" (DESIGN.md §9) on the page: one line per item added, removed or changed between the two
 * instants, each linked to the events that explain it: the item's own provenance (`origin`, `lastChange`)
 * when the API gives it, and the events of the diff that concern the item.
 */

type AnyItem = Readonly<Record<string, unknown>>;
type Kind = 'added' | 'removed' | 'changed';

const LIST_NAMES: Readonly<Record<DiffListName, string>> = {
  demands: 'Demand',
  documents: 'Document',
  awaiting: 'Awaited reply',
  contacts: 'Contacts',
  meetings: 'Meeting',
  pacts: 'Pact',
  forces: 'Forces',
  estimates: 'Estimate',
  positions: 'Position',
  sanctions: 'Sanctions',
  disputed: 'Disputed claim',
};

const KIND_MARKS: Readonly<Record<Kind, string>> = { added: 'added', removed: 'removed', changed: 'changed' };

const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
const list = (value: unknown): string =>
  Array.isArray(value) ? (value.length === 0 ? 'none' : value.join(', ')) : text(value);

/** A short description of an item of a list, in the words of the state panels. */
function describe(name: DiffListName, item: AnyItem, events: ReadonlyMap<string, EventView>): string {
  switch (name) {
    case 'demands':
      return `${text(item.text ?? item.demandId)} (${text(item.status)})`;
    case 'documents':
      return `${text(item.documentId)}, ${text(item.author)} → ${list(item.recipients)} (${text(item.status)})`;
    case 'awaiting':
      return `${text(item.from)} owes ${text(item.to)} a reply to ${text(item.documentId)}, since ${text(item.since)}`;
    case 'contacts':
      return `${list(item.actors)}: ${text(item.count)}, last ${text(item.lastAt)}`;
    case 'meetings':
      return `${text(item.meetingId)} (${text(item.status)})`;
    case 'pacts':
      return `${text(item.name ?? item.pactId)} (${text(item.status)})`;
    case 'forces':
      return `${text(item.actor)} in ${text(item.area)}: ${text(item.posture)}`;
    case 'estimates':
      return `${text(item.estimator)} on ${text(item.subject)} in ${text(item.area)}`;
    case 'positions':
      return `${text(item.actor)} on ${text(item.topic)}: ${text(item.stance)}`;
    case 'sanctions':
      return `${text(item.by)} → ${text(item.against)} (${text(item.status)})`;
    case 'disputed': {
      const summary = events.get(text(item.eventId))?.summary ?? text(item.eventId);
      return `${summary}${item.void === true ? ' (void)' : ''}, disputed by ${list(item.disputedBy)}`;
    }
  }
}

/** `field: before → after` for each field that differs, provenance aside. */
function fieldChanges(before: AnyItem, after: AnyItem): string[] {
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return fields
    .filter((f) => !PROVENANCE_FIELDS.includes(f) && JSON.stringify(before[f]) !== JSON.stringify(after[f]))
    .map((f) => `${f}: ${list(before[f])} → ${list(after[f])}`);
}

const idOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const takesPart = (event: EventView, actor: unknown) =>
  event.actor === actor || event.target.includes(String(actor));

/** Whether an event of the diff concerns the item directly (by the item's ids). */
function concerns(name: DiffListName, item: AnyItem, event: EventView): boolean {
  const data = event.data;
  switch (name) {
    case 'demands':
      return data.demandId === item.demandId;
    case 'documents':
      return data.documentId === item.documentId;
    case 'awaiting':
      return data.documentId === item.documentId || data.inReplyTo === item.documentId;
    case 'contacts': {
      const [a, b] = item.actors as readonly string[];
      return event.type === 'contact.held' && takesPart(event, a) && takesPart(event, b);
    }
    case 'meetings':
      return data.meetingId === item.meetingId;
    case 'pacts':
      return data.pactId === item.pactId;
    case 'forces':
      return event.type === 'forces.changed' && event.actor === item.actor && data.area === item.area;
    case 'estimates':
      return (
        event.type === 'forces.estimated' &&
        event.actor === item.estimator &&
        data.subject === item.subject &&
        data.area === item.area
      );
    case 'positions':
      return event.type === 'position.stated' && event.actor === item.actor && data.topic === item.topic;
    case 'sanctions':
      return (
        event.type.startsWith('sanctions.') &&
        event.actor === item.by &&
        event.target.includes(String(item.against))
      );
    case 'disputed':
      return event.eventId === item.eventId;
  }
}

/**
 * The diff's events that explain a line: those that concern the item, and the disputes, retractions and
 * corrections of an event that does (the named event looked up among the events the page has seen).
 */
function explaining(
  name: DiffListName,
  item: AnyItem,
  diffEvents: readonly EventView[],
  seen: ReadonlyMap<string, EventView>,
): EventView[] {
  return diffEvents.filter((event) => {
    if (concerns(name, item, event)) return true;
    const named = idOf(event.data.eventId);
    const target =
      named === undefined ? undefined : (seen.get(named) ?? diffEvents.find((e) => e.eventId === named));
    return target !== undefined && target.eventId !== event.eventId && concerns(name, item, target);
  });
}

export interface ChangeContext {
  readonly names: Names;
  /** Every event the page has seen, by id (to name events and judge what a dispute is about). */
  readonly seen: ReadonlyMap<string, EventView>;
  /** Where an event of the standoff can be read when the diff does not list it. */
  readonly eventHref: (eventId: string) => string;
}

export const changeEventAnchor = (eventId: string) => `change-event-${eventId}`;

function eventLink(eventId: string, label: string, diff: StandoffDiff, context: ChangeContext): HTMLElement {
  const listed = diff.events.find((e) => e.eventId === eventId);
  const summary = listed?.summary ?? context.seen.get(eventId)?.summary ?? eventId.slice(0, 8);
  return h(
    'a',
    {
      class: 'event-link',
      href: listed ? `#${changeEventAnchor(eventId)}` : context.eventHref(eventId),
      'data-event-id': eventId,
    },
    label === '' ? summary : `${label}: ${summary}`,
  );
}

function line(
  name: DiffListName,
  kind: Kind,
  key: string,
  shown: object,
  earlier: object | undefined,
  diff: StandoffDiff,
  context: ChangeContext,
): HTMLElement {
  const item: AnyItem = { ...shown };
  const before: AnyItem | undefined = earlier === undefined ? undefined : { ...earlier };
  const provenance: [string, string][] = [];
  const lastChange = idOf(item.lastChange);
  const origin = idOf(item.origin);
  if (lastChange !== undefined) provenance.push(['last change', lastChange]);
  if (origin !== undefined && origin !== lastChange) provenance.push(['origin', origin]);
  const provenanceIds = new Set(provenance.map(([, id]) => id));
  const because = explaining(name, item, diff.events, context.seen).filter(
    (e) => !provenanceIds.has(e.eventId),
  );
  const links: HTMLElement[] = [
    ...provenance.map(([label, id]) => eventLink(id, label, diff, context)),
    ...because.map((event) => eventLink(event.eventId, '', diff, context)),
  ];
  const details: Child[] = before ? fieldChanges(before, item).map((change) => h('li', {}, change)) : [];
  return h(
    'li',
    { class: `change change-${kind}`, 'data-list': name, 'data-kind': kind, 'data-key': key },
    h(
      'div',
      { class: 'line' },
      h('span', { class: `badge badge-${kind}` }, KIND_MARKS[kind]),
      ' ',
      h('strong', {}, LIST_NAMES[name]),
      ' ',
      describe(name, item, context.seen),
    ),
    details.length > 0 ? h('ul', { class: 'field-changes' }, details) : null,
    h(
      'div',
      { class: 'because muted' },
      links.length > 0
        ? ['Why: ', links.flatMap((link, i) => (i === 0 ? [link] : [' · ', link]))]
        : 'Why: no event of this window names it (see the events below)',
    ),
  );
}

function linesOf<N extends DiffListName>(name: N, diff: StandoffDiff, context: ChangeContext): HTMLElement[] {
  const key = (item: DiffItem<N>) => itemKey(name, item);
  const added: DiffItem<N>[] = diff.added[name];
  const removed: DiffItem<N>[] = diff.removed[name];
  return [
    ...added.map((item) => line(name, 'added', key(item), item, undefined, diff, context)),
    ...diff.changed[name].map(({ before, after }) =>
      line(name, 'changed', key(after), after, before, diff, context),
    ),
    ...removed.map((item) => line(name, 'removed', key(item), item, undefined, diff, context)),
  ];
}

/** The lines of a diff, list by list: added, then changed, then removed items. */
export function renderChange(diff: StandoffDiff, context: ChangeContext): HTMLElement[] {
  return DIFF_LISTS.flatMap((name) => linesOf(name, diff, context));
}
