import { compareFoldOrder } from '../knowledge';
import type { RecordedEvent } from '../recorded-event';
import type { Provenance } from '../state';

/*
 * Which events an item of the state names (DESIGN.md §9): `origin`, the included event that created it, and
 * `lastChange`, the latest event in fold order that changed it. Choices made here:
 * - an event names itself as corrected: a correction is meta, never folded; it changes what the event it names
 *   says, and that event is the one named (`GET …/events/{eventId}` lists the correction in `correctedBy`);
 * - a retracted event is not folded, so it names nothing: what it created does not exist unless a later event
 *   creates it, which is then the origin;
 * - a dispute or a denial changes what its marker shows on (the disputed event's `disputed` item, a document's
 *   status, a force's `disputedBy`), at its own place in fold order, and is named whatever `asOf` (knowledge
 *   applies whatever `asOf`); what a void event would have done never happened, so it names nothing else;
 * - an event that only counts (an id already present, a missing entity, an issuer's check failed) changes nothing;
 * - an item replaced whole under the same ids (forces, estimates, positions, sanctions) keeps its origin.
 */

export function changeBy(item: Provenance, event: RecordedEvent): void {
  item.lastChange = event.eventId;
}

/** The latest in fold order of the event and the disputes that stand against it (in fold order). */
export function latestOf(event: RecordedEvent, disputes: readonly RecordedEvent[]): string {
  const dispute = disputes[disputes.length - 1];
  return dispute !== undefined && compareFoldOrder(dispute, event) > 0 ? dispute.eventId : event.eventId;
}
