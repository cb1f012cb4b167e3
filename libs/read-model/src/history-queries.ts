import { tensionSeries, type TensionSeries } from '@app/domain/tension';
import { loadForFold } from './fold-inputs';
import { DEFAULT_PAGE_SIZE } from './fold-order-scan';
import type { Queryable } from './queryable';
import { replayLines } from './replay-lines';
import { standoffVersion } from './standoff-version';
import type {
  HistoryQueries,
  ReplayLine,
  ReplayRequest,
  TensionRequest,
  TimelinePage,
  TimelineRequest,
} from './temporal-queries';
import { readTimelinePage } from './timeline-page';

export interface EventHistoryQueriesOptions {
  /** Regular rows read per round trip (replay, timeline). Default DEFAULT_PAGE_SIZE. */
  readonly pageSize?: number;
}

/** The timeline, tension and replay: the pure domain functions over the events they need, on every call. */
export class EventHistoryQueries implements HistoryQueries {
  private readonly pageSize: number;

  constructor(
    private readonly db: Queryable,
    options: EventHistoryQueriesOptions = {},
  ) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  async timeline(request: TimelineRequest): Promise<TimelinePage | undefined> {
    const version = await standoffVersion(this.db, request.standoffId);
    if (version === 0) return undefined;
    return readTimelinePage(this.db, request, version, this.pageSize);
  }

  async tension(request: TensionRequest): Promise<TensionSeries | undefined> {
    const version = await standoffVersion(this.db, request.standoffId);
    if (version === 0) return undefined;
    const events = await loadForFold(this.db, request.standoffId, version, request.knownAt, {
      from: request.from,
      to: request.to,
    });
    return tensionSeries(events, {
      from: request.from,
      to: request.to,
      bucket: request.bucket,
      actors: request.actors,
      knownAt: request.knownAt,
    });
  }

  async replay(request: ReplayRequest): Promise<AsyncIterable<ReplayLine> | undefined> {
    const version = await standoffVersion(this.db, request.standoffId);
    if (version === 0) return undefined;
    return replayLines(this.db, request, version, this.pageSize);
  }
}
