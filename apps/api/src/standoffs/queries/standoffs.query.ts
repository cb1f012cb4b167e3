import { Query } from '@nestjs/cqrs';
import type { EventView } from '@app/domain/timeline';
import type { StandoffSummaryRow } from '@app/read-model/standoff-queries';
import type { Problem } from '../../http/problem';

export type StandoffSummary = StandoffSummaryRow;

export class ListStandoffsQuery extends Query<StandoffSummary[]> {}

/** Resolves to undefined when the standoff has no accepted event. */
export class GetStandoffQuery extends Query<StandoffSummary | undefined> {
  constructor(readonly standoffId: string) {
    super();
  }
}

/** A member of a rejected command: why the command was refused, as the problem its `POST` answered. */
export interface RejectedEvent {
  readonly eventId: string;
  readonly standoffId: string;
  readonly status: 'rejected';
  readonly problem: Problem;
}

/** An event in the returned shape (DESIGN.md §4), its status among its fields, or a rejected one. */
export type EventWithStatus = EventView | RejectedEvent;

/** One event, accepted or rejected; undefined while no decision is recorded. */
export class GetEventQuery extends Query<EventWithStatus | undefined> {
  constructor(
    readonly standoffId: string,
    readonly eventId: string,
  ) {
    super();
  }
}
