import type { EventDraft } from '@app/domain/catalogue';
import type { Precision } from '@app/domain/time';

export const CODEC_VERSION = 1;

export interface LoggedTime {
  readonly ms: number;
  readonly precision: Precision;
}

/** One event of a write command, as validated by the API (times already parsed). */
export interface LoggedEvent {
  readonly eventId: string;
  /** true when the client chose the eventId: it is then also an idempotency key. */
  readonly clientEventId: boolean;
  readonly type: string;
  readonly occurredAt: LoggedTime;
  readonly reportedAt: LoggedTime | null;
  readonly actor: string | null;
  readonly target: readonly string[];
  readonly summary: string;
  readonly cameo: string | null;
  readonly data: Readonly<Record<string, unknown>>;
  readonly source: { readonly name?: string; readonly url?: string } | null;
}

/**
 * One write command (a single POST or a whole batch) as one log record: a batch is decided all or nothing
 * because it travels as one record.
 */
export interface Envelope {
  readonly codecVersion: typeof CODEC_VERSION;
  readonly commandId: string;
  readonly standoffId: string;
  readonly batch: boolean;
  readonly idempotencyKey: string | null;
  /** A fingerprint of the request's content, so a reused key with other content can be told apart. */
  readonly requestHash: string;
  readonly expectedVersion: number | null;
  readonly events: readonly LoggedEvent[];
}

/** A validated event as the log carries it; `generatedId` is its id when the client chose none. */
export function loggedEventOf(draft: EventDraft, generatedId: string): LoggedEvent {
  return {
    eventId: draft.eventId ?? generatedId,
    clientEventId: draft.eventId !== undefined,
    type: draft.type,
    occurredAt: draft.occurredAt,
    reportedAt: draft.reportedAt ?? null,
    actor: draft.actor,
    target: draft.target,
    summary: draft.summary,
    cameo: draft.cameo,
    data: draft.data,
    source: draft.source,
  };
}
