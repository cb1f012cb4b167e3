import type { StandoffDiff } from '@app/domain/diff-events';
import type { StandoffState } from '@app/domain/state';
import type { TensionBucket, TensionSeries } from '@app/domain/tension';
import type { EventView } from '@app/domain/timeline';
import type { DiffRequest } from './diff-queries';
import type { FoldKey } from './fold-key';

/*
 * The temporal read path (DESIGN.md §4–5): state, timeline, tension and replay of one standoff at a valid time
 * and a knowledge time. Every answer is the pure domain function over the standoff's accepted events as posted
 * (`events.posted`); SQL only narrows which events are read, never what the fold makes of them
 * (event-conditions.ts says what it may leave out).
 *
 * Horizon. A query reads the rows with `position ≤ horizon` (the standoff's version when it started, or the one
 * a timeline cursor pinned), so later appends change nothing in its answer.
 */

export const TEMPORAL_QUERIES = Symbol('TEMPORAL_QUERIES');

export interface StateRequest {
  readonly standoffId: string;
  readonly asOf: number;
  readonly knownAt: number;
}

/** The timeline's filters (DESIGN.md §4); a cursor is valid only with the filters it was issued for. */
export interface TimelineFilters {
  readonly from?: number;
  readonly to?: number;
  readonly actors?: readonly string[];
  readonly types?: readonly string[];
  readonly cameoPrefix?: string;
  readonly includeRetracted?: boolean;
}

/** What a timeline cursor pins: the first page's `knownAt` and horizon, and where the previous page ended. */
export interface TimelineCursor {
  readonly knownAt: number;
  readonly horizon: number;
  /** The fold-order key of the previous page's last item. */
  readonly after: FoldKey;
  /** A digest of the filters the cursor was issued for. */
  readonly filters: string;
}

export interface TimelineRequest extends TimelineFilters {
  readonly standoffId: string;
  /** Ignored when `cursor` is given: the cursor's `knownAt` applies. */
  readonly knownAt: number;
  readonly limit: number;
  readonly cursor?: TimelineCursor;
}

export interface TimelinePage {
  readonly items: EventView[];
  /** Opaque (base64url JSON); null on the last page. */
  readonly nextCursor: string | null;
}

export interface TensionRequest {
  readonly standoffId: string;
  readonly from?: number;
  readonly to?: number;
  readonly bucket: TensionBucket;
  readonly actors?: readonly string[];
  readonly knownAt: number;
}

export interface ReplayRequest {
  readonly standoffId: string;
  readonly until: number;
  readonly knownAt: number;
}

export type ReplayLine =
  { readonly event: EventView; readonly eventCount: number } | { readonly state: StandoffState };

/**
 * The temporal queries the API answers. Each resolves to undefined for a standoff without an accepted event.
 * `LiveTemporalQueries` answers them behind the `TEMPORAL_QUERIES` token: the states from snapshots, the rest
 * over the events.
 */
export interface TemporalQueries {
  state(request: StateRequest): Promise<StandoffState | undefined>;
  timeline(request: TimelineRequest): Promise<TimelinePage | undefined>;
  tension(request: TensionRequest): Promise<TensionSeries | undefined>;
  /**
   * The replay's lines, produced lazily: the events are read page by page as the lines are consumed. The
   * promise settles (undefined for an unknown standoff) before anything is read beyond the version.
   */
  replay(request: ReplayRequest): Promise<AsyncIterable<ReplayLine> | undefined>;
  /** What changed between two instants of valid or of knowledge time, and why (DESIGN.md §9). */
  diff(request: DiffRequest): Promise<StandoffDiff | undefined>;
}

/** The queries that answer with states: the state and the diff (which compares two). */
export type StateQueries = Pick<TemporalQueries, 'state' | 'diff'>;

/** The queries that answer with events read in fold order: the timeline, the tension series and the replay. */
export type HistoryQueries = Pick<TemporalQueries, 'timeline' | 'tension' | 'replay'>;
