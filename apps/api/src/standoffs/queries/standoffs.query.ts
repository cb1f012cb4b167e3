import { Query } from '@nestjs/cqrs';
import type { StandoffSummaryRow } from '@app/read-model/standoff-queries';

export type StandoffSummary = StandoffSummaryRow;

export class ListStandoffsQuery extends Query<StandoffSummary[]> {}

/** Resolves to undefined when the standoff has no accepted event. */
export class GetStandoffQuery extends Query<StandoffSummary | undefined> {
  constructor(readonly standoffId: string) {
    super();
  }
}

/**
 * One event in the returned shape (DESIGN.md §4), or a rejected one as `{ eventId, standoffId, status:
 * 'rejected', problem }`; undefined while no decision is recorded.
 */
export class GetEventQuery extends Query<Record<string, unknown> | undefined> {
  constructor(
    readonly standoffId: string,
    readonly eventId: string,
  ) {
    super();
  }
}
