import { applyCorrection } from './correction';
import { asCatalogueEvent } from './event-rules';
import { isMetaType } from './events';
import type { RecordedEvent, RecordedEventOf } from './recorded-event';
import { sortedSet } from './state';

const DISPUTE_TYPE = 'claim.disputed';
const RETRACTION_TYPE = 'event.retracted';
const CORRECTION_TYPE = 'event.corrected';
/** Types that change what is known of other events, whatever their own `occurredAt`. */
export const KNOWLEDGE_TYPES: ReadonlySet<string> = new Set([DISPUTE_TYPE, RETRACTION_TYPE, CORRECTION_TYPE]);

type Retraction = RecordedEventOf<typeof RETRACTION_TYPE>;
type Correction = RecordedEventOf<typeof CORRECTION_TYPE>;

/** A meta event (`standoff.described`, `event.retracted`, `event.corrected`): no actor, not in the fold. */
export function isMetaEvent(event: RecordedEvent): boolean {
  return isMetaType(event.type);
}

/** An event as known at some `knownAt`: corrected by the corrections known then, with its markers. */
export interface KnownEvent {
  /** The event with every known correction applied. */
  readonly event: RecordedEvent;
  /** Actors other than its own that dispute it (sorted). */
  readonly disputedBy: readonly string[];
  /** Its own actor denies it. */
  readonly void: boolean;
  /**
   * The disputes that stand against it (denials included), each as corrected, in fold order: what a state
   * names as the origin and last change of what they changed (DESIGN.md §9).
   */
  readonly disputes: readonly RecordedEvent[];
  readonly retracted: boolean;
  /** The corrections applied, in application order. */
  readonly correctedBy: readonly string[];
}

export interface KnowledgeView {
  readonly knownAt: number;
  /** Every event with `reportedAt ≤ knownAt`, meta ones and retracted ones included, in fold order. */
  readonly events: readonly KnownEvent[];
  readonly byId: ReadonlyMap<string, KnownEvent>;
}

/** Where an event stands in fold order. */
export type FoldPlace = Pick<RecordedEvent, 'occurredAt' | 'reportedAt' | 'position'>;

/** The fold order of EVENTS.md: (`occurredAt`, `reportedAt`, `position`). */
export function compareFoldOrder(a: FoldPlace, b: FoldPlace): number {
  return a.occurredAt - b.occurredAt || a.reportedAt - b.reportedAt || a.position - b.position;
}

const NONE: readonly string[] = Object.freeze([]);
const NO_DISPUTES: readonly RecordedEvent[] = Object.freeze([]);

function compareKnowledgeOrder(a: RecordedEvent, b: RecordedEvent): number {
  return a.reportedAt - b.reportedAt || a.position - b.position;
}

/**
 * What was known at `knownAt`: the events reported by then, each as the disputes, retractions and corrections
 * reported by then leave it, whatever either event's `occurredAt` (EVENTS.md, "Knowledge events").
 *
 * Which knowledge event may name which event is the catalogue's to check; so that the view stays total, one
 * that names what the catalogue forbids is ignored, with a single extension: a retraction may name a
 * correction (the correction then no longer applies). In detail:
 * - a retraction takes effect on any event but a retraction (retractions are final);
 * - corrections take effect on any event but a retraction or a correction, in (`reportedAt`, `position`)
 *   order, unless retracted;
 * - a dispute, unless retracted, is judged as corrected (its actor, the event it names) against the named
 *   event as corrected: every disputing actor joins `disputedBy`, and the named event's own actor also makes it
 *   `void`;
 *   a dispute naming a meta event or another dispute is ignored.
 *
 * One pass over the events, maps only for the events that knowledge events name, then one sort (linear
 * when the events come in fold order): O(n log n).
 */
export function knowledgeView(events: readonly RecordedEvent[], knownAt: number): KnowledgeView {
  const known: RecordedEvent[] = [];
  const retractions: Retraction[] = [];
  const corrections: Correction[] = [];
  const disputes: RecordedEvent[] = [];
  // Only the events a knowledge event names (or might name once corrected) need a lookup by id.
  const named = new Set<string>();
  for (const recorded of events) {
    if (recorded.reportedAt > knownAt) continue;
    known.push(recorded);
    if (!KNOWLEDGE_TYPES.has(recorded.type)) continue;
    const event = asCatalogueEvent(recorded);
    switch (event?.type) {
      case 'event.retracted':
        retractions.push(event);
        break;
      case 'event.corrected': {
        corrections.push(event);
        const setEventId = event.data.set.data?.eventId;
        if (typeof setEventId === 'string') named.add(setEventId);
        break;
      }
      case 'claim.disputed':
        // Judged as corrected, below: its corrections may name another event.
        disputes.push(event);
        break;
      default:
        continue;
    }
    named.add(event.data.eventId);
  }
  const original = new Map<string, RecordedEvent>();
  if (named.size > 0) {
    for (const event of known) if (named.has(event.eventId)) original.set(event.eventId, event);
  }

  const retracted = new Set<string>();
  for (const retraction of retractions) {
    const target = original.get(retraction.data.eventId);
    if (target && target.type !== RETRACTION_TYPE) retracted.add(target.eventId);
  }

  const correctionsOf = new Map<string, { readonly target: RecordedEvent; readonly list: Correction[] }>();
  for (const correction of corrections) {
    if (retracted.has(correction.eventId)) continue;
    const target = original.get(correction.data.eventId);
    if (!target || target.type === RETRACTION_TYPE || target.type === CORRECTION_TYPE) continue;
    const ofTarget = correctionsOf.get(target.eventId);
    if (ofTarget) ofTarget.list.push(correction);
    else correctionsOf.set(target.eventId, { target, list: [correction] });
  }
  const corrected = new Map<string, { event: RecordedEvent; correctedBy: string[] }>();
  for (const [targetId, { target, list }] of correctionsOf) {
    list.sort(compareKnowledgeOrder);
    let event = target;
    for (const correction of list) event = applyCorrection(event, correction.data.set);
    corrected.set(targetId, { event, correctedBy: list.map((c) => c.eventId) });
  }
  const asCorrected = (event: RecordedEvent): RecordedEvent => corrected.get(event.eventId)?.event ?? event;

  const disputants = new Map<string, string[]>();
  const disputesOf = new Map<string, RecordedEvent[]>();
  const voided = new Set<string>();
  for (const event of disputes) {
    if (retracted.has(event.eventId)) continue;
    const dispute = asCatalogueEvent(asCorrected(event));
    if (dispute?.type !== DISPUTE_TYPE) continue;
    const namedEvent = original.get(dispute.data.eventId);
    if (!namedEvent || isMetaEvent(namedEvent) || namedEvent.type === DISPUTE_TYPE) continue;
    const target = asCorrected(namedEvent);
    // A denial of one's own act voids it, and still names who disputed it (EVENTS.md).
    if (dispute.actor === target.actor) voided.add(target.eventId);
    const list = disputants.get(target.eventId);
    if (list) list.push(dispute.actor);
    else disputants.set(target.eventId, [dispute.actor]);
    const standing = disputesOf.get(target.eventId);
    if (standing) standing.push(dispute);
    else disputesOf.set(target.eventId, [dispute]);
  }

  const affected = retracted.size + corrected.size + disputants.size + voided.size > 0;
  const knownEvents: KnownEvent[] = known.map((event) => {
    if (!affected || !original.has(event.eventId)) {
      return unmarked(event);
    }
    const correction = corrected.get(event.eventId);
    const disputedBy = disputants.get(event.eventId);
    return {
      event: correction?.event ?? event,
      disputedBy: disputedBy ? sortedSet(disputedBy) : NONE,
      void: voided.has(event.eventId),
      disputes: disputesOf.get(event.eventId)?.sort(compareFoldOrder) ?? NO_DISPUTES,
      retracted: retracted.has(event.eventId),
      correctedBy: correction?.correctedBy ?? NONE,
    };
  });
  knownEvents.sort((a, b) => compareFoldOrder(a.event, b.event));
  let byId: Map<string, KnownEvent> | undefined;
  return {
    knownAt,
    events: knownEvents,
    // Built on first use: a state or a timeline never needs it.
    get byId() {
      return (byId ??= new Map(knownEvents.map((k) => [k.event.eventId, k])));
    },
  };
}

/** An event as posted, with no dispute, retraction or correction known of it. */
export function unmarked(event: RecordedEvent): KnownEvent {
  return { event, disputedBy: NONE, void: false, disputes: NO_DISPUTES, retracted: false, correctedBy: NONE };
}

/** The events a state, a timeline or a tension series counts: neither meta nor retracted. */
export function isIncluded(known: KnownEvent): boolean {
  return !known.retracted && !isMetaEvent(known.event);
}

/**
 * The standoff's title: the `title` of the latest `standoff.described` known (latest in fold order),
 * whatever `asOf`; null when none is known.
 */
export function latestTitle(view: KnowledgeView): string | null {
  let title: string | null = null;
  for (const known of view.events) {
    if (known.event.type !== 'standoff.described' || known.retracted) continue;
    const event = asCatalogueEvent(known.event);
    if (event?.type === 'standoff.described') title = event.data.title;
  }
  return title;
}
