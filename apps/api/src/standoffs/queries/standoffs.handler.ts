import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';
import { eventView } from '@app/domain/timeline';
import { loadKnownEvents } from '@app/read-model/event-queries';
import {
  loadOriginalEventId,
  loadRejectedEvent,
  loadStandoffSummaries,
} from '@app/read-model/standoff-queries';
import { DATA_SOURCE } from '@app/platform/tokens';
import { rejectionProblem } from '../../http/problems';
import {
  GetEventQuery,
  GetStandoffQuery,
  ListStandoffsQuery,
  type EventWithStatus,
  type StandoffSummary,
} from './standoffs.query';

@QueryHandler(ListStandoffsQuery)
export class ListStandoffsHandler implements IQueryHandler<ListStandoffsQuery, StandoffSummary[]> {
  constructor(@Inject(DATA_SOURCE) private readonly db: DataSource) {}

  execute(): Promise<StandoffSummary[]> {
    return loadStandoffSummaries(this.db);
  }
}

@QueryHandler(GetStandoffQuery)
export class GetStandoffHandler implements IQueryHandler<GetStandoffQuery, StandoffSummary | undefined> {
  constructor(@Inject(DATA_SOURCE) private readonly db: DataSource) {}

  async execute(query: GetStandoffQuery): Promise<StandoffSummary | undefined> {
    const [summary] = await loadStandoffSummaries(this.db, query.standoffId);
    return summary;
  }
}

@QueryHandler(GetEventQuery)
export class GetEventHandler implements IQueryHandler<GetEventQuery, EventWithStatus | undefined> {
  constructor(@Inject(DATA_SOURCE) private readonly db: DataSource) {}

  async execute(query: GetEventQuery): Promise<EventWithStatus | undefined> {
    const known = await loadKnownEvents(this.db, query.standoffId, [query.eventId], Date.now());
    const event = known.get(query.eventId);
    if (event) return eventView(event);
    const rejected = await loadRejectedEvent(this.db, query.standoffId, query.eventId);
    if (!rejected) {
      const original = await loadOriginalEventId(this.db, query.standoffId, query.eventId);
      return original ? this.execute(new GetEventQuery(query.standoffId, original)) : undefined;
    }
    return {
      eventId: query.eventId,
      standoffId: query.standoffId,
      status: 'rejected',
      problem: rejectionProblem(rejected.problem),
    };
  }
}
