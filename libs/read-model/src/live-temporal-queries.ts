import type { DataSource } from 'typeorm';
import type { StandoffDiff } from '@app/domain/diff-events';
import type { StandoffState } from '@app/domain/state';
import type { TensionSeries } from '@app/domain/tension';
import type { DiffRequest } from './diff-queries';
import { EventHistoryQueries } from './history-queries';
import { SnapshotStateQueries } from './snapshots/snapshot-state-queries';
import type {
  HistoryQueries,
  ReplayLine,
  ReplayRequest,
  StateQueries,
  StateRequest,
  TemporalQueries,
  TensionRequest,
  TimelinePage,
  TimelineRequest,
} from './temporal-queries';

/** The temporal queries the API answers: the states from one reader, the events in fold order from another. */
export class LiveTemporalQueries implements TemporalQueries {
  constructor(
    private readonly states: StateQueries,
    private readonly history: HistoryQueries,
  ) {}

  /** The states from snapshots, the timeline, tension and replay over the events. */
  static over(db: DataSource): LiveTemporalQueries {
    return new LiveTemporalQueries(new SnapshotStateQueries(db), new EventHistoryQueries(db));
  }

  state(request: StateRequest): Promise<StandoffState | undefined> {
    return this.states.state(request);
  }

  diff(request: DiffRequest): Promise<StandoffDiff | undefined> {
    return this.states.diff(request);
  }

  timeline(request: TimelineRequest): Promise<TimelinePage | undefined> {
    return this.history.timeline(request);
  }

  tension(request: TensionRequest): Promise<TensionSeries | undefined> {
    return this.history.tension(request);
  }

  replay(request: ReplayRequest): Promise<AsyncIterable<ReplayLine> | undefined> {
    return this.history.replay(request);
  }
}
