import { Query } from '@nestjs/cqrs';

export interface StandoffSummary {
  readonly standoffId: string;
  readonly title: string | null;
  readonly version: number;
  readonly eventCount: number;
  readonly firstEventAt: string | null;
  readonly lastEventAt: string | null;
}

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
