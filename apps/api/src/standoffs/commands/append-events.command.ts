import { Command } from '@nestjs/cqrs';
import type { Problem } from '../../http/problem';

export type AppendResult =
  /** `events` are the stored events in the returned shape (DESIGN.md §4); `version` is the standoff's after them. */
  | { readonly outcome: 'accepted'; readonly events: readonly unknown[]; readonly version: number }
  | { readonly outcome: 'rejected'; readonly problem: Problem; readonly currentVersion?: number }
  | { readonly outcome: 'pending'; readonly eventIds: readonly string[] }
  /** The log could not take the command: nothing was appended. */
  | { readonly outcome: 'unavailable'; readonly problem: Problem };

/**
 * Append one event (the handler answers with an outcome, never an HTTP error: the controller maps outcomes to
 * responses) (`batch: false`, `events` of length 1) or a whole batch. `events` are the raw JSON bodies:
 * the handler validates them against the catalogue.
 */
export class AppendEventsCommand extends Command<AppendResult> {
  constructor(
    readonly standoffId: string,
    readonly events: readonly unknown[],
    readonly batch: boolean,
    readonly idempotencyKey: string | null,
    readonly expectedVersion: number | null,
  ) {
    super();
  }
}
