import type { Precision } from './time';

/**
 * An accepted event as the log recorded it and the read models store it: the input of the fold.
 * Times are epoch milliseconds; `reportedAt` already defaulted to `recordedAt`.
 */
export interface RecordedEvent {
  readonly eventId: string;
  readonly standoffId: string;
  /** The event's place among the standoff's accepted events: 1, 2, … (batch members in array order). */
  readonly position: number;
  readonly type: string;
  readonly occurredAt: number;
  readonly occurredPrecision: Precision;
  readonly reportedAt: number;
  readonly reportedPrecision: Precision;
  readonly recordedAt: number;
  /** null for the meta types, which have no actor. */
  readonly actor: string | null;
  readonly target: readonly string[];
  readonly summary: string;
  /** null for the meta types. */
  readonly cameo: string | null;
  readonly data: Readonly<Record<string, unknown>>;
  readonly source: { readonly name?: string; readonly url?: string } | null;
}
