import { cameoCode } from './cameo';
import { isMetaEvent, type KnownEvent } from './knowledge';
import type { RecordedEvent } from './recorded-event';
import {
  compareCodePoints,
  entityKey,
  sortedSet,
  type ContactsByMode,
  type DocumentEntry,
  type FoldState,
  type MeetingEntry,
  type SanctionStatus,
} from './state';
import { DAY_MS, formatTime, parseTime, type TimePoint } from './time';

/*
 * The fold of EVENTS.md. Choices the catalogue leaves open, made here:
 * - an entity id already present when a creating event is folded (`demand.tabled`, `document.delivered`,
 *   `meeting.proposed`, `pact.proposed`) keeps the first entity; the later event only counts;
 * - statuses follow the latest event in fold order: a cancelled meeting scheduled again is `scheduled`, a
 *   sanction threatened after its imposition is `threatened` again, a suspended pact signed again `signed`;
 *   `withdrawn` is the exception (for good), while stances taken after it are still recorded;
 * - `demand.withdrawn` by another actor than the issuer is skipped (the catalogue requires the issuer);
 * - a reply closes an awaited reply only for its exact author (`RUS.MIL` does not answer for `RUS`);
 * - a meeting's place, a pact's name and parties are updated by later events that give them;
 * - `proposedFor` and `scheduledFor` are given back in the response time form when they parse as times.
 */

/** What the fold reads of an event: the event as corrected and its dispute markers (see `knowledgeView`). */
export type IncludedEvent = Pick<KnownEvent, 'event' | 'disputedBy' | 'void'> & {
  readonly retracted?: boolean;
};

/** How far back the fold keeps Goldstein values: the longest tension window of the state. */
export const RECENT_TENSION_MS = 30 * DAY_MS;

const CONTACT_MODES: ReadonlySet<string> = new Set(['call', 'video', 'meeting', 'visit', 'multilateral']);

/** Kinds of document that open an awaited reply from each recipient. */
const AWAITING_KINDS: ReadonlySet<string> = new Set(['draft-treaty', 'proposal', 'response']);

export function initialState(): FoldState {
  return {
    eventCount: 0,
    firstEventAt: null,
    lastEventAt: null,
    actors: {},
    demands: {},
    documents: {},
    awaiting: {},
    contacts: {},
    meetings: {},
    pacts: {},
    forces: {},
    estimates: {},
    positions: {},
    sanctions: {},
    disputed: {},
    recentTension: { start: 0, latest: null, entries: [] },
  };
}

/**
 * The Decider's evolve: the state after one more included event, by the rules of EVENTS.md. Pure (the given
 * state is not touched) and total: a meta or retracted event, an unknown type, malformed data, or an effect on
 * an entity missing at this point of the fold leave the state as it was (a missing entity still lets the
 * event count). The caller folds in fold order (`compareFoldOrder`) and only events with `occurredAt ≤ asOf`.
 *
 * It copies the state once per call; to fold many events, `foldEvents` copies once for all of them.
 */
export function evolve(state: FoldState, included: IncludedEvent): FoldState {
  return foldEvents(state, [included]);
}

/** `evolve` over several events in the order given; pure, one copy of the state for the whole run. */
export function foldEvents(state: FoldState, events: Iterable<IncludedEvent>): FoldState {
  const draft = structuredClone(state);
  for (const included of events) applyTo(draft, included);
  return draft;
}

// ---------------------------------------------------------------------------------------------------------

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function finiteNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function actorIds(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
}

/** A time given in data (`proposedFor`, `scheduledFor`), in the response form when it parses; else as given. */
function dataTime(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const point = parseTime(value);
  return point ? formatTime(point.ms, point.precision) : value;
}

function occurred(event: RecordedEvent): TimePoint {
  return { ms: event.occurredAt, precision: event.occurredPrecision };
}

/** The actor and the targets, as a set. */
function takingPart(event: RecordedEvent): string[] {
  const { actor, target } = event;
  if (actor !== null && target.length <= 1) {
    // The common shapes, without building a set.
    if (target.length === 0 || target[0] === actor) return [actor];
    return compareCodePoints(actor, target[0]) < 0 ? [actor, target[0]] : [target[0], actor];
  }
  return sortedSet(actor === null ? target : [actor, ...target]);
}

function applyTo(state: FoldState, included: IncludedEvent): void {
  const { event } = included;
  if (included.retracted === true || isMetaEvent(event)) return;
  count(state, event);
  if (included.void || included.disputedBy.length > 0) {
    state.disputed[entityKey(event.eventId)] = {
      eventId: event.eventId,
      type: event.type,
      actor: event.actor,
      disputedBy: [...included.disputedBy],
      void: included.void,
    };
  }
  if (included.void) {
    // A void event has no effect, except that a void document stays listed so the denial is visible.
    if (event.type === 'document.delivered') deliverDocument(state, included);
    return;
  }
  const actor = event.actor;
  if (actor === null) return;
  const at = occurred(event);
  const data = event.data;
  switch (event.type) {
    case 'demand.tabled': {
      const demandId = text(data.demandId);
      if (demandId === null || state.demands[entityKey(demandId)]) return;
      state.demands[entityKey(demandId)] = {
        demandId,
        issuer: actor,
        addressees: sortedSet(event.target),
        text: text(data.text),
        tabledAt: at,
        rejectedBy: [],
        acceptedBy: [],
        withdrawn: false,
        updatedAt: at,
      };
      return;
    }
    case 'demand.rejected':
    case 'demand.accepted': {
      const demand = state.demands[entityKey(text(data.demandId) ?? '')];
      if (!demand) return;
      const rejects = event.type === 'demand.rejected';
      demand.rejectedBy = rejects
        ? sortedSet([...demand.rejectedBy, actor])
        : demand.rejectedBy.filter((a) => a !== actor);
      demand.acceptedBy = rejects
        ? demand.acceptedBy.filter((a) => a !== actor)
        : sortedSet([...demand.acceptedBy, actor]);
      demand.updatedAt = at;
      return;
    }
    case 'demand.withdrawn': {
      const demand = state.demands[entityKey(text(data.demandId) ?? '')];
      if (!demand || demand.issuer !== actor) return;
      demand.withdrawn = true;
      demand.updatedAt = at;
      return;
    }
    case 'document.delivered':
      deliverDocument(state, included);
      return;
    case 'contact.held':
      holdContact(state, event, at);
      return;
    case 'meeting.proposed': {
      const meetingId = text(data.meetingId);
      if (meetingId === null || state.meetings[entityKey(meetingId)]) return;
      state.meetings[entityKey(meetingId)] = {
        ...newMeeting(meetingId, event, at),
        proposedAt: at,
        proposedFor: dataTime(data.proposedFor),
        conditions: data.conditions ?? null,
      };
      return;
    }
    case 'meeting.scheduled': {
      const meetingId = text(data.meetingId);
      if (meetingId === null) return;
      const key = entityKey(meetingId);
      const meeting = state.meetings[key] ?? (state.meetings[key] = newMeeting(meetingId, event, at));
      meeting.status = 'scheduled';
      meeting.scheduledFor = dataTime(data.scheduledFor);
      meeting.place = text(data.place) ?? meeting.place;
      return;
    }
    case 'meeting.cancelled': {
      const meeting = state.meetings[entityKey(text(data.meetingId) ?? '')];
      if (!meeting) return;
      meeting.status = 'cancelled';
      meeting.cancelledAt = at;
      return;
    }
    case 'pact.proposed': {
      const pactId = text(data.pactId);
      if (pactId === null || state.pacts[entityKey(pactId)]) return;
      state.pacts[entityKey(pactId)] = {
        pactId,
        name: text(data.name),
        parties: sortedSet(actorIds(data.parties) ?? takingPart(event)),
        status: 'in-preparation',
        since: at,
      };
      return;
    }
    case 'pact.signed': {
      const pactId = text(data.pactId);
      if (pactId === null) return;
      const pact = state.pacts[entityKey(pactId)];
      const parties = actorIds(data.parties);
      if (!pact) {
        state.pacts[entityKey(pactId)] = {
          pactId,
          name: text(data.name),
          parties: sortedSet(parties ?? takingPart(event)),
          status: 'signed',
          since: at,
        };
        return;
      }
      pact.status = 'signed';
      pact.since = at;
      pact.name = text(data.name) ?? pact.name;
      if (parties) pact.parties = sortedSet(parties);
      return;
    }
    case 'pact.suspended': {
      const pact = state.pacts[entityKey(text(data.pactId) ?? '')];
      if (!pact) return;
      pact.status = 'suspended';
      pact.since = at;
      return;
    }
    case 'forces.changed': {
      const area = text(data.area);
      const posture = text(data.posture);
      if (area === null || posture === null) return;
      state.forces[entityKey(actor, area)] = {
        actor,
        area,
        posture,
        troops: finiteNumber(data.troops),
        since: at,
        disputedBy: [...included.disputedBy],
      };
      return;
    }
    case 'forces.estimated': {
      const subject = text(data.subject);
      const area = text(data.area);
      const troops = data.troops;
      if (subject === null || area === null || typeof troops !== 'object' || troops === null) return;
      const range = troops as Record<string, unknown>;
      state.estimates[entityKey(subject, area, actor)] = {
        subject,
        area,
        estimator: actor,
        min: finiteNumber(range.min),
        max: finiteNumber(range.max),
        at,
      };
      return;
    }
    case 'position.stated': {
      const topic = text(data.topic);
      const stance = text(data.stance);
      if (topic === null || stance === null) return;
      state.positions[entityKey(actor, topic)] = { actor, topic, stance, statedAt: at };
      return;
    }
    case 'sanctions.threatened':
    case 'sanctions.imposed': {
      const status: SanctionStatus = event.type === 'sanctions.threatened' ? 'threatened' : 'imposed';
      for (const against of sortedSet(event.target)) {
        if (against === actor) continue;
        state.sanctions[entityKey(actor, against)] = {
          by: actor,
          against,
          status,
          measures: data.measures ?? null,
          since: at,
        };
      }
      return;
    }
    default:
      // statement.made, appeal.made, relations.reduced, claim.disputed, event.recorded and types this
      // version does not know: the timeline and the tension only.
      return;
  }
}

function count(state: FoldState, event: RecordedEvent): void {
  state.eventCount += 1;
  const at = occurred(event);
  if (state.firstEventAt === null || at.ms < state.firstEventAt.ms) state.firstEventAt = at;
  if (state.lastEventAt === null || at.ms >= state.lastEventAt.ms) state.lastEventAt = at;
  for (const id of takingPart(event)) {
    const key = entityKey(id);
    const actor = (state.actors[key] ??= { id, eventCount: 0 });
    actor.eventCount += 1;
  }
  const code = event.cameo === null ? undefined : cameoCode(event.cameo);
  if (code) addRecentTension(state, event.occurredAt, code.goldsteinTenths);
}

function addRecentTension(state: FoldState, occurredAt: number, goldsteinTenths: number): void {
  const recent = state.recentTension;
  const last = recent.entries[recent.entries.length - 1];
  if (last && last[0] === occurredAt && recent.entries.length > recent.start) {
    last[1] += 1;
    last[2] += goldsteinTenths;
  } else {
    recent.entries.push([occurredAt, 1, goldsteinTenths]);
  }
  recent.latest = recent.latest === null ? occurredAt : Math.max(recent.latest, occurredAt);
  const horizon = recent.latest - RECENT_TENSION_MS;
  while (recent.start < recent.entries.length && recent.entries[recent.start][0] <= horizon)
    recent.start += 1;
  if (recent.start > 32 && recent.start * 2 > recent.entries.length) {
    recent.entries = recent.entries.slice(recent.start);
    recent.start = 0;
  }
}

function deliverDocument(state: FoldState, included: IncludedEvent): void {
  const { event } = included;
  const documentId = text(event.data.documentId);
  const author = event.actor;
  if (documentId === null || author === null || state.documents[entityKey(documentId)]) return;
  const document: DocumentEntry = {
    documentId,
    author,
    recipients: sortedSet(event.target).filter((r) => r !== author),
    kind: text(event.data.kind),
    inReplyTo: text(event.data.inReplyTo),
    deliveredAt: occurred(event),
    void: included.void,
    disputedBy: [...included.disputedBy],
  };
  state.documents[entityKey(documentId)] = document;
  if (document.void) return;
  const repliedTo = document.inReplyTo === null ? undefined : state.documents[entityKey(document.inReplyTo)];
  if (repliedTo && repliedTo.recipients.includes(author)) {
    delete state.awaiting[entityKey(repliedTo.documentId, author)];
  }
  if (document.kind !== null && AWAITING_KINDS.has(document.kind)) {
    for (const from of document.recipients) {
      state.awaiting[entityKey(documentId, from)] = {
        from,
        to: author,
        documentId,
        since: document.deliveredAt,
      };
    }
  }
}

function holdContact(state: FoldState, event: RecordedEvent, at: TimePoint): void {
  const mode = text(event.data.mode);
  const knownMode = mode !== null && CONTACT_MODES.has(mode) ? (mode as keyof ContactsByMode) : null;
  const actors = takingPart(event);
  for (let i = 0; i < actors.length; i++) {
    for (let j = i + 1; j < actors.length; j++) {
      const key = entityKey(actors[i], actors[j]);
      const contact = (state.contacts[key] ??= {
        actors: [actors[i], actors[j]],
        count: 0,
        lastAt: at,
        byMode: { call: 0, video: 0, meeting: 0, visit: 0, multilateral: 0 },
      });
      contact.count += 1;
      if (at.ms >= contact.lastAt.ms) contact.lastAt = at;
      if (knownMode) contact.byMode[knownMode] += 1;
    }
  }
  const meetingId = text(event.data.meetingId);
  const meeting = meetingId === null ? undefined : state.meetings[entityKey(meetingId)];
  if (meeting) {
    meeting.status = 'held';
    meeting.heldAt = at;
  }
}

function newMeeting(meetingId: string, event: RecordedEvent, at: TimePoint): MeetingEntry {
  return {
    meetingId,
    participants: sortedSet(actorIds(event.data.participants) ?? takingPart(event)),
    status: 'proposed',
    createdAt: at,
    proposedAt: null,
    proposedFor: null,
    scheduledFor: null,
    heldAt: null,
    cancelledAt: null,
    place: text(event.data.place),
    conditions: null,
  };
}
