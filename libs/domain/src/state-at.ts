import { actorName } from './actors';
import { foldEvents, initialState } from './fold';
import { isIncluded, knowledgeView, latestTitle, type KnowledgeView, type KnownEvent } from './knowledge';
import type { RecordedEvent } from './recorded-event';
import {
  compareCodePoints,
  goldsteinFigures,
  type DemandEntry,
  type DemandStatus,
  type FoldState,
  type StandoffState,
  type TensionWindow,
} from './state';
import { DAY_MS, formatTime, type TimePoint } from './time';

export interface StateQuery {
  readonly standoffId: string;
  /** Valid time: events with `occurredAt ≤ asOf` count. */
  readonly asOf: number;
  /** Knowledge time: events (and disputes, retractions, corrections) with `reportedAt ≤ knownAt` count. */
  readonly knownAt: number;
  /** The standoff's version the answer is computed from (DESIGN.md §5); reported as given. */
  readonly version: number;
}

/** What the projection of a fold state needs besides the state: the query and the title known then. */
export interface StateViewContext extends StateQuery {
  readonly title: string | null;
  /**
   * The tension windows when the caller has them from elsewhere (say, a tension read model), so that its
   * snapshots may drop `recentTension`; by default they come from the state's `recentTension`.
   */
  readonly tension?: StandoffState['tension'];
}

/**
 * Where the standoff stood at `asOf` as known at `knownAt` (DESIGN.md §5): the fold, in fold order, of the
 * included events. `events` are the standoff's accepted events, in any order.
 */
export function stateAt(events: readonly RecordedEvent[], query: StateQuery): StandoffState {
  const view = knowledgeView(events, query.knownAt);
  const state = foldEvents(initialState(), includedEvents(view, query.asOf));
  return toStandoffStateView(state, { ...query, title: latestTitle(view) });
}

/** The events a state at `asOf` folds, in fold order: included (`isIncluded`) with `occurredAt ≤ asOf`. */
export function includedEvents(view: KnowledgeView, asOf: number): KnownEvent[] {
  return view.events.filter((known) => isIncluded(known) && known.event.occurredAt <= asOf);
}

function time(point: TimePoint): string {
  return formatTime(point.ms, point.precision);
}

function optionalTime(point: TimePoint | null): string | null {
  return point === null ? null : time(point);
}

/** Sorts a list of things by its first time field, then by its id fields (EVENTS.md, "Lists"). */
function sortedBy<T>(items: T[], timeOf: (item: T) => number, idsOf: (item: T) => readonly string[]): T[] {
  return items.sort((a, b) => {
    const byTime = timeOf(a) - timeOf(b);
    if (byTime !== 0) return byTime;
    const ia = idsOf(a);
    const ib = idsOf(b);
    for (let i = 0; i < ia.length; i++) {
      const byId = compareCodePoints(ia[i], ib[i]);
      if (byId !== 0) return byId;
    }
    return 0;
  });
}

function demandStatus(demand: DemandEntry): DemandStatus {
  if (demand.withdrawn) return 'withdrawn';
  const rejected = demand.rejectedBy.length > 0;
  const accepted = demand.acceptedBy.length > 0;
  if (rejected && accepted) return 'contested';
  if (rejected) return 'rejected';
  return accepted ? 'accepted' : 'tabled';
}

/** Goldstein figures of the folded events in (`asOf − days`, `asOf`]. */
function tensionWindow(state: FoldState, asOf: number, days: number): TensionWindow {
  const after = asOf - days * DAY_MS;
  const { entries, start } = state.recentTension;
  let events = 0;
  let tenths = 0;
  for (let i = start; i < entries.length; i++) {
    const [at, count, sum] = entries[i];
    if (at > after && at <= asOf) {
      events += count;
      tenths += sum;
    }
  }
  return goldsteinFigures(events, tenths);
}

/**
 * The answer of `GET …/state` from a fold state: times formatted (DESIGN.md §3), sets and lists sorted
 * (EVENTS.md, "Lists"), the tension windows taken back from `asOf`. `asOf` and `knownAt` are given back as
 * RFC 3339 instants. Does not change `state`.
 */
export function toStandoffStateView(state: FoldState, context: StateViewContext): StandoffState {
  const values = <T>(record: Record<string, T>): T[] => Object.values(record);
  return {
    standoffId: context.standoffId,
    title: context.title,
    asOf: formatTime(context.asOf),
    knownAt: formatTime(context.knownAt),
    version: context.version,
    eventCount: state.eventCount,
    firstEventAt: optionalTime(state.firstEventAt),
    lastEventAt: optionalTime(state.lastEventAt),
    actors: values(state.actors)
      .map((a) => ({ id: a.id, name: actorName(a.id), eventCount: a.eventCount }))
      .sort((a, b) => compareCodePoints(a.id, b.id)),
    demands: sortedBy(
      values(state.demands),
      (d) => d.tabledAt.ms,
      (d) => [d.demandId],
    ).map((d) => ({
      demandId: d.demandId,
      issuer: d.issuer,
      addressees: [...d.addressees],
      text: d.text,
      status: demandStatus(d),
      tabledAt: time(d.tabledAt),
      rejectedBy: [...d.rejectedBy],
      acceptedBy: [...d.acceptedBy],
      updatedAt: time(d.updatedAt),
      origin: d.origin,
      lastChange: d.lastChange,
    })),
    documents: sortedBy(
      values(state.documents),
      (d) => d.deliveredAt.ms,
      (d) => [d.documentId],
    ).map((d) => ({
      documentId: d.documentId,
      author: d.author,
      recipients: [...d.recipients],
      kind: d.kind,
      inReplyTo: d.inReplyTo,
      deliveredAt: time(d.deliveredAt),
      status: d.void ? 'void' : d.disputedBy.length > 0 ? 'disputed' : 'delivered',
      disputedBy: [...d.disputedBy],
      origin: d.origin,
      lastChange: d.lastChange,
    })),
    awaiting: sortedBy(
      values(state.awaiting),
      (a) => a.since.ms,
      (a) => [a.from, a.to, a.documentId],
    ).map((a) => ({
      from: a.from,
      to: a.to,
      documentId: a.documentId,
      since: time(a.since),
      origin: a.origin,
      lastChange: a.lastChange,
    })),
    contacts: sortedBy(
      values(state.contacts),
      (c) => c.lastAt.ms,
      (c) => c.actors,
    ).map((c) => ({
      actors: [c.actors[0], c.actors[1]],
      count: c.count,
      lastAt: time(c.lastAt),
      byMode: { ...c.byMode },
      origin: c.origin,
      lastChange: c.lastChange,
    })),
    meetings: sortedBy(
      values(state.meetings),
      (m) => m.createdAt.ms,
      (m) => [m.meetingId],
    ).map((m) => ({
      meetingId: m.meetingId,
      participants: [...m.participants],
      status: m.status,
      proposedAt: optionalTime(m.proposedAt),
      proposedFor: m.proposedFor,
      scheduledFor: m.scheduledFor,
      heldAt: optionalTime(m.heldAt),
      cancelledAt: optionalTime(m.cancelledAt),
      place: m.place,
      conditions: m.conditions,
      origin: m.origin,
      lastChange: m.lastChange,
    })),
    pacts: sortedBy(
      values(state.pacts),
      (p) => p.since.ms,
      (p) => [p.pactId],
    ).map((p) => ({
      pactId: p.pactId,
      name: p.name,
      parties: [...p.parties],
      status: p.status,
      since: time(p.since),
      origin: p.origin,
      lastChange: p.lastChange,
    })),
    forces: sortedBy(
      values(state.forces),
      (f) => f.since.ms,
      (f) => [f.actor, f.area],
    ).map((f) => ({
      actor: f.actor,
      area: f.area,
      posture: f.posture,
      troops: f.troops,
      since: time(f.since),
      disputedBy: [...f.disputedBy],
      origin: f.origin,
      lastChange: f.lastChange,
    })),
    estimates: sortedBy(
      values(state.estimates),
      (e) => e.at.ms,
      (e) => [e.subject, e.area, e.estimator],
    ).map((e) => ({
      subject: e.subject,
      area: e.area,
      estimator: e.estimator,
      troops: { min: e.min, max: e.max },
      at: time(e.at),
      origin: e.origin,
      lastChange: e.lastChange,
    })),
    positions: sortedBy(
      values(state.positions),
      (p) => p.statedAt.ms,
      (p) => [p.actor, p.topic],
    ).map((p) => ({
      actor: p.actor,
      topic: p.topic,
      stance: p.stance,
      statedAt: time(p.statedAt),
      origin: p.origin,
      lastChange: p.lastChange,
    })),
    sanctions: sortedBy(
      values(state.sanctions),
      (s) => s.since.ms,
      (s) => [s.by, s.against],
    ).map((s) => ({
      by: s.by,
      against: s.against,
      status: s.status,
      measures: s.measures,
      since: time(s.since),
      origin: s.origin,
      lastChange: s.lastChange,
    })),
    disputed: sortedBy(
      values(state.disputed),
      () => 0,
      (d) => [d.eventId],
    ).map((d) => ({
      eventId: d.eventId,
      type: d.type,
      actor: d.actor,
      disputedBy: [...d.disputedBy],
      void: d.void,
      origin: d.origin,
      lastChange: d.lastChange,
    })),
    tension: context.tension ?? {
      last7Days: tensionWindow(state, context.asOf, 7),
      last30Days: tensionWindow(state, context.asOf, 30),
    },
  };
}
