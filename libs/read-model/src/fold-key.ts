import type { RecordedEvent } from '@app/domain/recorded-event';

/** Where an event stands in fold order (DESIGN.md §3): `occurredAt`, `reportedAt`, `position`. */
export interface FoldKey {
  readonly occurredAt: number;
  readonly reportedAt: number;
  readonly position: number;
}

export function keyOf(event: RecordedEvent): FoldKey {
  return { occurredAt: event.occurredAt, reportedAt: event.reportedAt, position: event.position };
}

/** Negative, zero or positive as `event` stands before, at or after `key` in fold order. */
export function compareToKey(event: RecordedEvent, key: FoldKey): number {
  return (
    event.occurredAt - key.occurredAt || event.reportedAt - key.reportedAt || event.position - key.position
  );
}
