import { countContacts, holdContact } from './effects/contacts';
import { count } from './effects/counts';
import { answerDemand, tableDemand, withdrawDemand } from './effects/demands';
import { deliverDocument, type DocumentMarkers } from './effects/documents';
import { changeForces, estimateForces } from './effects/forces';
import { cancelMeeting, proposeMeeting, scheduleMeeting } from './effects/meetings';
import { proposePact, signPact, suspendPact } from './effects/pacts';
import { statePosition } from './effects/positions';
import { sanction } from './effects/sanctions';
import { asCatalogueEvent } from './event-rules';
import { isMetaEvent, type KnownEvent } from './knowledge';
import type { CatalogueEvent } from './recorded-event';
import { entityKey, type FoldState, type Provenance } from './state';

export { RECENT_TENSION_MS } from './effects/counts';

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
export type IncludedEvent = Pick<KnownEvent, 'event' | 'disputedBy' | 'void' | 'disputes'> & {
  readonly retracted?: boolean;
};

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
 * state is not touched) and total: a meta or retracted event leaves the state as it was; an event that does not
 * decode as the catalogue's union (an unknown type, malformed data: never an accepted event) or whose entity is
 * missing at this point of the fold only counts. The caller folds in fold order (`compareFoldOrder`) and only events with `occurredAt ≤ asOf`.
 *
 * It copies the state once per call; to fold many events, `foldEvents` copies once for all of them.
 */
export function evolve(state: FoldState, included: IncludedEvent): FoldState {
  return foldEvents(state, [included]);
}

/** `evolve` over several events in the order given; pure, one copy of the state for the whole run. */
export function foldEvents(state: FoldState, events: Iterable<IncludedEvent>): FoldState {
  return foldEventsOnto(structuredClone(state), events);
}

/**
 * `foldEvents` without the copy: the events are applied to `draft` itself, which is returned. For a caller that
 * owns a state no one else holds (one it has just parsed from JSON) and gives it up: copying a state of a few
 * hundred items costs as much as parsing it.
 */
export function foldEventsOnto(draft: FoldState, events: Iterable<IncludedEvent>): FoldState {
  for (const included of events) applyTo(draft, included);
  return draft;
}

function applyTo(state: FoldState, included: IncludedEvent): void {
  const recorded = included.event;
  if (included.retracted === true || isMetaEvent(recorded)) return;
  count(state, recorded);
  if (included.void || included.disputedBy.length > 0) {
    state.disputed[entityKey(recorded.eventId)] = {
      eventId: recorded.eventId,
      type: recorded.type,
      actor: recorded.actor,
      disputedBy: [...included.disputedBy],
      void: included.void,
      ...disputeProvenance(included),
    };
  }
  const event = asCatalogueEvent(recorded);
  if (included.void) {
    // A void event has no effect, except that a void document stays listed so the denial is visible.
    if (event?.type === 'document.delivered') deliverDocument(state, event, included);
    return;
  }
  if (event) applyEffect(state, event, included);
  else if (recorded.type === 'contact.held') countContacts(state, recorded, null);
}

/**
 * A `disputed` item comes from the disputes of its event (that event only places it in fold order): the first
 * of them in fold order created it, the latest changed it.
 */
function disputeProvenance({ event, disputes }: IncludedEvent): Provenance {
  const first = disputes[0] ?? event;
  return { origin: first.eventId, lastChange: disputes[disputes.length - 1]?.eventId ?? event.eventId };
}

/** The effect of EVENTS.md's table for the event's type, on the entity it names. */
function applyEffect(state: FoldState, event: CatalogueEvent, markers: DocumentMarkers): void {
  switch (event.type) {
    case 'demand.tabled':
      return tableDemand(state, event);
    case 'demand.rejected':
    case 'demand.accepted':
      return answerDemand(state, event);
    case 'demand.withdrawn':
      return withdrawDemand(state, event);
    case 'document.delivered':
      return deliverDocument(state, event, markers);
    case 'contact.held':
      return holdContact(state, event);
    case 'meeting.proposed':
      return proposeMeeting(state, event);
    case 'meeting.scheduled':
      return scheduleMeeting(state, event);
    case 'meeting.cancelled':
      return cancelMeeting(state, event);
    case 'pact.proposed':
      return proposePact(state, event);
    case 'pact.signed':
      return signPact(state, event);
    case 'pact.suspended':
      return suspendPact(state, event);
    case 'forces.changed':
      return changeForces(state, event, markers);
    case 'forces.estimated':
      return estimateForces(state, event);
    case 'position.stated':
      return statePosition(state, event);
    case 'sanctions.threatened':
    case 'sanctions.imposed':
      return sanction(state, event);
    case 'statement.made':
    case 'appeal.made':
    case 'relations.reduced':
    case 'claim.disputed':
    case 'event.recorded':
      return; // the timeline and the tension only
    case 'standoff.described':
    case 'event.retracted':
    case 'event.corrected':
      return; // meta: never folded
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}
