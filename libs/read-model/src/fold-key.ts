import type { RecordedEvent } from '@app/domain/recorded-event';

/**
 * Where an event stands in fold order (DESIGN.md §3): `occurredAt`, `reportedAt`, `position`. The instants are
 * epoch milliseconds as the domain has them, or the `Date`s a row's columns are read as (`FoldKey<Date>`).
 */
export interface FoldKey<Instant extends number | Date = number> {
  readonly occurredAt: Instant;
  readonly reportedAt: Instant;
  readonly position: number;
}

/** The fold-order columns of an `events` or `state_snapshots` row. */
export interface FoldKeyColumns {
  readonly occurred_at: Date;
  readonly reported_at: Date;
  readonly position: number;
}

/** The fold-order key of an event, or of a row by its columns. */
export function keyOf(event: RecordedEvent): FoldKey;
export function keyOf(row: FoldKeyColumns): FoldKey<Date>;
export function keyOf(source: RecordedEvent | FoldKeyColumns): FoldKey | FoldKey<Date> {
  return 'occurred_at' in source
    ? { occurredAt: source.occurred_at, reportedAt: source.reported_at, position: source.position }
    : { occurredAt: source.occurredAt, reportedAt: source.reportedAt, position: source.position };
}

/** Negative, zero or positive as `event` stands before, at or after `key` in fold order. */
export function compareToKey(event: RecordedEvent, key: FoldKey): number {
  return (
    event.occurredAt - key.occurredAt || event.reportedAt - key.reportedAt || event.position - key.position
  );
}
