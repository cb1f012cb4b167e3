import type { EventDraft } from '@app/domain/catalogue';
import type { CommandEvent } from '@app/domain/decide';

export const CODEC_VERSION = 1;

/** One event of a write command, as validated by the API (times already parsed): what the decider takes. */
export interface LoggedEvent extends CommandEvent {
  /** true when the client chose the eventId: it is then also an idempotency key. */
  readonly clientEventId: boolean;
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
  /** The version of the decision rules the command is decided by (RULE_BOOK); absent in older records: 1. */
  readonly rulesVersion?: number;
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
