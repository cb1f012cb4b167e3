import type { RecordedEvent } from '../recorded-event';
import { compareCodePoints, sortedSet } from '../state';
import { formatTime, parseTime, type TimePoint } from '../time';

export function occurred(event: RecordedEvent): TimePoint {
  return { ms: event.occurredAt, precision: event.occurredPrecision };
}

/** The actor and the targets, as a set. */
export function takingPart(event: RecordedEvent): string[] {
  const { actor, target } = event;
  if (actor !== null && target.length <= 1) {
    // The common shapes, without building a set.
    if (target.length === 0 || target[0] === actor) return [actor];
    return compareCodePoints(actor, target[0]) < 0 ? [actor, target[0]] : [target[0], actor];
  }
  return sortedSet(actor === null ? target : [actor, ...target]);
}

/** A time given in data (`proposedFor`, `scheduledFor`), in the response form; the catalogue made it parse. */
export function dataTime(value: string): string {
  const point = parseTime(value);
  return point ? formatTime(point.ms, point.precision) : value;
}
