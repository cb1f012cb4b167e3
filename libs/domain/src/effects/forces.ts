import type { RecordedEvent, RecordedEventOf } from '../recorded-event';
import { entityKey, type FoldState } from '../state';
import { occurred } from './event-parts';
import { latestOf } from './provenance';

/** The actor's forces in the area: posture, troops and since when; disputes show on them. */
export function changeForces(
  state: FoldState,
  event: RecordedEventOf<'forces.changed'>,
  markers: { readonly disputedBy: readonly string[]; readonly disputes: readonly RecordedEvent[] },
): void {
  const { area, posture, troops } = event.data;
  const key = entityKey(event.actor, area);
  state.forces[key] = {
    actor: event.actor,
    area,
    posture,
    troops: troops ?? null,
    since: occurred(event),
    disputedBy: [...markers.disputedBy],
    origin: state.forces[key]?.origin ?? event.eventId,
    lastChange: latestOf(event, markers.disputes),
  };
}

/** The actor's estimate of the subject's troops in the area. */
export function estimateForces(state: FoldState, event: RecordedEventOf<'forces.estimated'>): void {
  const { subject, area, troops } = event.data;
  const key = entityKey(subject, area, event.actor);
  state.estimates[key] = {
    subject,
    area,
    estimator: event.actor,
    min: troops.min ?? null,
    max: troops.max ?? null,
    at: occurred(event),
    origin: state.estimates[key]?.origin ?? event.eventId,
    lastChange: event.eventId,
  };
}
