import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { StandoffDiff } from '@app/domain/diff-events';
import type { StandoffState } from '@app/domain/state';
import type { TensionSeries } from '@app/domain/tension';
import {
  TEMPORAL_QUERIES,
  type ReplayLine,
  type TemporalQueries,
  type TimelinePage,
} from '@app/read-model/temporal-queries';
import {
  GetDiffQuery,
  GetStateQuery,
  GetTensionQuery,
  GetTimelineQuery,
  ReplayQuery,
} from './temporal.query';

@QueryHandler(GetStateQuery)
export class GetStateHandler implements IQueryHandler<GetStateQuery, StandoffState | undefined> {
  constructor(@Inject(TEMPORAL_QUERIES) private readonly queries: TemporalQueries) {}

  execute(query: GetStateQuery): Promise<StandoffState | undefined> {
    return this.queries.state(query.request);
  }
}

@QueryHandler(GetTimelineQuery)
export class GetTimelineHandler implements IQueryHandler<GetTimelineQuery, TimelinePage | undefined> {
  constructor(@Inject(TEMPORAL_QUERIES) private readonly queries: TemporalQueries) {}

  execute(query: GetTimelineQuery): Promise<TimelinePage | undefined> {
    return this.queries.timeline(query.request);
  }
}

@QueryHandler(GetTensionQuery)
export class GetTensionHandler implements IQueryHandler<GetTensionQuery, TensionSeries | undefined> {
  constructor(@Inject(TEMPORAL_QUERIES) private readonly queries: TemporalQueries) {}

  execute(query: GetTensionQuery): Promise<TensionSeries | undefined> {
    return this.queries.tension(query.request);
  }
}

@QueryHandler(ReplayQuery)
export class ReplayHandler implements IQueryHandler<ReplayQuery, AsyncIterable<ReplayLine> | undefined> {
  constructor(@Inject(TEMPORAL_QUERIES) private readonly queries: TemporalQueries) {}

  execute(query: ReplayQuery): Promise<AsyncIterable<ReplayLine> | undefined> {
    return this.queries.replay(query.request);
  }
}

@QueryHandler(GetDiffQuery)
export class GetDiffHandler implements IQueryHandler<GetDiffQuery, StandoffDiff | undefined> {
  constructor(@Inject(TEMPORAL_QUERIES) private readonly queries: TemporalQueries) {}

  execute(query: GetDiffQuery): Promise<StandoffDiff | undefined> {
    return this.queries.diff(query.request);
  }
}
