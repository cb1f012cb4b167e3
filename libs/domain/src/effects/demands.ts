import type { RecordedEventOf } from '../recorded-event';
import { entityKey, sortedSet, type FoldState } from '../state';
import { occurred } from './event-parts';
import { changeBy } from './provenance';

/** A new demand; an id already present keeps the first demand (the later event only counts). */
export function tableDemand(state: FoldState, event: RecordedEventOf<'demand.tabled'>): void {
  const { demandId, text } = event.data;
  const key = entityKey(demandId);
  if (state.demands[key]) return;
  const at = occurred(event);
  state.demands[key] = {
    demandId,
    issuer: event.actor,
    addressees: sortedSet(event.target),
    text,
    tabledAt: at,
    rejectedBy: [],
    acceptedBy: [],
    withdrawn: false,
    updatedAt: at,
    origin: event.eventId,
    lastChange: event.eventId,
  };
}

/** The actor's latest stance on the demand: it is in `rejectedBy` or in `acceptedBy`, never both. */
export function answerDemand(
  state: FoldState,
  event: RecordedEventOf<'demand.rejected'> | RecordedEventOf<'demand.accepted'>,
): void {
  const demand = state.demands[entityKey(event.data.demandId)];
  if (!demand) return;
  const { actor } = event;
  const rejects = event.type === 'demand.rejected';
  demand.rejectedBy = rejects
    ? sortedSet([...demand.rejectedBy, actor])
    : demand.rejectedBy.filter((a) => a !== actor);
  demand.acceptedBy = rejects
    ? demand.acceptedBy.filter((a) => a !== actor)
    : sortedSet([...demand.acceptedBy, actor]);
  demand.updatedAt = occurred(event);
  changeBy(demand, event);
}

/** Withdrawn for good, by its issuer only (the catalogue requires the issuer; another actor is skipped). */
export function withdrawDemand(state: FoldState, event: RecordedEventOf<'demand.withdrawn'>): void {
  const demand = state.demands[entityKey(event.data.demandId)];
  if (!demand || demand.issuer !== event.actor) return;
  demand.withdrawn = true;
  demand.updatedAt = occurred(event);
  changeBy(demand, event);
}
