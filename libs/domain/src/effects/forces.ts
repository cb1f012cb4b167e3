import type { RecordedEventOf } from '../recorded-event';
import { entityKey, type FoldState } from '../state';
import { occurred } from './event-parts';

/** The actor's forces in the area: posture, troops and since when; disputes show on them. */
export function changeForces(
  state: FoldState,
  event: RecordedEventOf<'forces.changed'>,
  disputedBy: readonly string[],
): void {
  const { area, posture, troops } = event.data;
  state.forces[entityKey(event.actor, area)] = {
    actor: event.actor,
    area,
    posture,
    troops: troops ?? null,
    since: occurred(event),
    disputedBy: [...disputedBy],
  };
}

/** The actor's estimate of the subject's troops in the area. */
export function estimateForces(state: FoldState, event: RecordedEventOf<'forces.estimated'>): void {
  const { subject, area, troops } = event.data;
  state.estimates[entityKey(subject, area, event.actor)] = {
    subject,
    area,
    estimator: event.actor,
    min: troops.min ?? null,
    max: troops.max ?? null,
    at: occurred(event),
  };
}
