import type { StandoffState } from '../../../libs/domain/src/state';
import type { EventView } from '../../../libs/domain/src/timeline';
import { daysBetween } from './days';
import { h, type Child } from './dom';

/** How a state panel is rendered: a heading, its items, and what to say when there are none. */
function panel(id: string, title: string, items: readonly HTMLElement[], empty: string): HTMLElement {
  const headingId = `${id}-heading`;
  return h(
    'section',
    { class: 'card panel', id, 'aria-labelledby': headingId, 'data-count': String(items.length) },
    h('h3', { id: headingId }, title, ' ', h('span', { class: 'count' }, `(${items.length})`)),
    items.length === 0 ? h('p', { class: 'muted empty' }, empty) : h('ul', { class: 'items' }, items),
  );
}

function badge(text: string, kind: string, title?: string): HTMLElement {
  return h('span', { class: `badge badge-${kind}`, title }, text);
}

export interface Names {
  name(actorId: string): string;
}

function actor(names: Names, id: string): HTMLElement {
  return h('abbr', { class: 'actor', title: names.name(id) }, id);
}

function actorList(names: Names, ids: readonly string[]): Child[] {
  return ids.flatMap((id, i) => (i === 0 ? [actor(names, id)] : [', ', actor(names, id)]));
}

function item(dataKey: string, ...children: Child[]): HTMLElement {
  return h('li', { 'data-key': dataKey }, ...children);
}

/** Each addressee's answer to a demand: accepted, rejected or none yet. */
function stances(names: Names, demand: StandoffState['demands'][number]): HTMLElement {
  return h(
    'ul',
    { class: 'stances' },
    demand.addressees.map((addressee) => {
      const stance = demand.acceptedBy.includes(addressee)
        ? 'accepted'
        : demand.rejectedBy.includes(addressee)
          ? 'rejected'
          : 'no answer';
      return h(
        'li',
        { 'data-party': addressee, 'data-stance': stance },
        actor(names, addressee),
        ' ',
        badge(stance, stance.replace(' ', '-')),
      );
    }),
  );
}

/**
 * The state panels of DESIGN.md §8: demands with each party's stance, awaited replies and for how long,
 * meetings, pacts, forces and estimates, sanctions, disputed claims (void ones marked), and the rest of §5.
 * `asOfMs` is the instant the state is for; `events` the loaded timeline, to name disputed events.
 */
export function renderPanels(
  state: StandoffState,
  asOfMs: number,
  names: Names,
  events: ReadonlyMap<string, EventView>,
): HTMLElement[] {
  const demands = state.demands.map((d) =>
    item(
      d.demandId,
      h('div', { class: 'line' }, h('strong', {}, d.text ?? d.demandId), ' ', badge(d.status, d.status)),
      h(
        'div',
        { class: 'muted' },
        'by ',
        actor(names, d.issuer),
        `, tabled ${d.tabledAt}, last change ${d.updatedAt}`,
      ),
      stances(names, d),
    ),
  );
  const awaiting = state.awaiting.map((a) =>
    item(
      `${a.from}:${a.documentId}`,
      h(
        'div',
        { class: 'line' },
        actor(names, a.from),
        ' owes ',
        actor(names, a.to),
        ' a reply to ',
        h('code', {}, a.documentId),
      ),
      h(
        'div',
        { class: 'muted' },
        `since ${a.since}: `,
        h('strong', {}, `${daysBetween(a.since, asOfMs)} days`),
      ),
    ),
  );
  const documents = state.documents.map((d) =>
    item(
      d.documentId,
      h('div', { class: 'line' }, h('code', {}, d.documentId), ' ', badge(d.status, d.status)),
      h(
        'div',
        { class: 'muted' },
        d.kind ?? 'document',
        ' from ',
        actor(names, d.author),
        ' to ',
        actorList(names, d.recipients),
        `, ${d.deliveredAt}`,
        d.inReplyTo ? [', in reply to ', h('code', {}, d.inReplyTo)] : null,
      ),
    ),
  );
  const meetings = state.meetings.map((m) =>
    item(
      m.meetingId,
      h('div', { class: 'line' }, h('code', {}, m.meetingId), ' ', badge(m.status, m.status)),
      h(
        'div',
        { class: 'muted' },
        actorList(names, m.participants),
        m.place ? ` in ${m.place}` : null,
        m.heldAt
          ? `, held ${m.heldAt}`
          : m.scheduledFor
            ? `, for ${m.scheduledFor}`
            : m.proposedAt
              ? `, proposed ${m.proposedAt}`
              : null,
      ),
    ),
  );
  const pacts = state.pacts.map((p) =>
    item(
      p.pactId,
      h('div', { class: 'line' }, h('strong', {}, p.name ?? p.pactId), ' ', badge(p.status, p.status)),
      h('div', { class: 'muted' }, actorList(names, p.parties), `, since ${p.since}`),
    ),
  );
  const forces = [
    ...state.forces.map((f) =>
      item(
        `${f.actor}:${f.area}`,
        h(
          'div',
          { class: 'line' },
          actor(names, f.actor),
          ` ${f.posture} in ${f.area}`,
          f.troops !== null ? `: ${f.troops.toLocaleString('en')} troops` : null,
          f.disputedBy.length > 0
            ? [' ', badge('disputed', 'disputed', `by ${f.disputedBy.join(', ')}`)]
            : null,
        ),
        h('div', { class: 'muted' }, `since ${f.since}`),
      ),
    ),
    ...state.estimates.map((e) =>
      item(
        `${e.subject}:${e.area}:${e.estimator}`,
        h(
          'div',
          { class: 'line' },
          actor(names, e.estimator),
          ' estimates ',
          actor(names, e.subject),
          ` in ${e.area}: `,
          estimateRange(e.troops),
        ),
        h('div', { class: 'muted' }, `estimate of ${e.at}`),
      ),
    ),
  ];
  const sanctions = state.sanctions.map((s) =>
    item(
      `${s.by}:${s.against}`,
      h(
        'div',
        { class: 'line' },
        actor(names, s.by),
        ' on ',
        actor(names, s.against),
        ' ',
        badge(s.status, s.status),
      ),
      h('div', { class: 'muted' }, `since ${s.since}`),
    ),
  );
  const disputed = state.disputed.map((d) => {
    const event = events.get(d.eventId);
    return item(
      d.eventId,
      h(
        'div',
        { class: 'line' },
        event ? event.summary : h('code', {}, d.eventId),
        ' ',
        d.void
          ? badge('void', 'void', 'Denied by its own author: it no longer counts')
          : badge('disputed', 'disputed'),
      ),
      h(
        'div',
        { class: 'muted' },
        d.type,
        d.actor ? [' by ', actor(names, d.actor)] : null,
        d.disputedBy.length > 0 ? [', disputed by ', actorList(names, d.disputedBy)] : null,
        d.void ? ', denied by its own author' : null,
      ),
    );
  });
  const contacts = state.contacts.map((c) =>
    item(
      c.actors.join(':'),
      h(
        'div',
        { class: 'line' },
        actor(names, c.actors[0]),
        ' – ',
        actor(names, c.actors[1]),
        `: ${c.count}`,
      ),
      h(
        'div',
        { class: 'muted' },
        Object.entries(c.byMode)
          .filter(([, n]) => n > 0)
          .map(([mode, n]) => `${n} ${mode}`)
          .join(', '),
        `; last ${c.lastAt}`,
      ),
    ),
  );
  const positions = state.positions.map((p) =>
    item(
      `${p.actor}:${p.topic}`,
      h('div', { class: 'line' }, actor(names, p.actor), ' on ', h('code', {}, p.topic), `: ${p.stance}`),
      h('div', { class: 'muted' }, `stated ${p.statedAt}`),
    ),
  );
  return [
    panel('panel-demands', 'Demands', demands, 'No demand on the table.'),
    panel('panel-awaiting', 'Awaited replies', awaiting, 'Nobody owes a reply.'),
    panel('panel-meetings', 'Meetings', meetings, 'No meeting proposed.'),
    panel('panel-pacts', 'Pacts', pacts, 'No pact.'),
    panel('panel-forces', 'Forces and estimates', forces, 'No forces reported.'),
    panel('panel-sanctions', 'Sanctions', sanctions, 'No sanctions.'),
    panel('panel-disputed', 'Disputed claims', disputed, 'No claim disputed.'),
    panel('panel-documents', 'Documents', documents, 'No document delivered.'),
    panel('panel-contacts', 'Contacts', contacts, 'No contact.'),
    panel('panel-positions', 'Positions', positions, 'No position stated.'),
  ];
}

function estimateRange(troops: { readonly min: number | null; readonly max: number | null }): string {
  const format = (n: number) => n.toLocaleString('en');
  if (troops.min !== null && troops.max !== null && troops.min !== troops.max) {
    return `${format(troops.min)}–${format(troops.max)} troops`;
  }
  const one = troops.min ?? troops.max;
  return one === null ? 'troops unknown' : `${format(one)} troops`;
}
