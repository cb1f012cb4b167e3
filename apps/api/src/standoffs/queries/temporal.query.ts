import { Query } from '@nestjs/cqrs';
import type { StandoffDiff } from '@app/domain/diff-events';
import type { DiffRequest } from '@app/read-model/diff-queries';
import type { StandoffState } from '@app/domain/state';
import type { TensionSeries } from '@app/domain/tension';
import type {
  ReplayLine,
  ReplayRequest,
  StateRequest,
  TensionRequest,
  TimelinePage,
  TimelineRequest,
} from '@app/read-model/temporal-queries';

/*
 * The temporal queries of DESIGN.md §4–5, each resolving to undefined for a standoff without an accepted
 * event. Parameters arrive parsed: instants as epoch milliseconds, defaults applied.
 */

export class GetStateQuery extends Query<StandoffState | undefined> {
  constructor(readonly request: StateRequest) {
    super();
  }
}

export class GetTimelineQuery extends Query<TimelinePage | undefined> {
  constructor(readonly request: TimelineRequest) {
    super();
  }
}

export class GetTensionQuery extends Query<TensionSeries | undefined> {
  constructor(readonly request: TensionRequest) {
    super();
  }
}

/** The lines are produced as they are consumed; the events are read page by page meanwhile. */
export class ReplayQuery extends Query<AsyncIterable<ReplayLine> | undefined> {
  constructor(readonly request: ReplayRequest) {
    super();
  }
}

/** What changed between two instants of valid or of knowledge time (DESIGN.md §9). */
export class GetDiffQuery extends Query<StandoffDiff | undefined> {
  constructor(readonly request: DiffRequest) {
    super();
  }
}
