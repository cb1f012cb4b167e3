import { cameoCode, QUAD_CLASS_NAMES, type QuadClass } from './cameo';
import { isIncluded, knowledgeView } from './knowledge';
import type { RecordedEvent } from './recorded-event';
import { goldsteinFigures } from './state';
import { DAY_MS, formatTime, startOfUtcDay } from './time';
import { takesPartAll } from './timeline';

export type TensionBucket = 'day' | 'week' | 'month';

export interface TensionQuery {
  /** First instant counted (inclusive); default: the first counted event's `occurredAt`. */
  readonly from?: number;
  /** Last instant counted (inclusive); default: the last counted event's `occurredAt`. */
  readonly to?: number;
  readonly bucket: TensionBucket;
  /** Every one must take part (as actor or target); `RUS` matches `RUS.MIL`. */
  readonly actors?: readonly string[];
  readonly knownAt: number;
  /** Valid time: only events with `occurredAt ≤ asOf`. */
  readonly asOf?: number;
}

export interface QuadClassCounts {
  verbalCooperation: number;
  materialCooperation: number;
  verbalConflict: number;
  materialConflict: number;
}

export interface TensionPoint {
  /** First day of the bucket, `YYYY-MM-DD`. */
  readonly start: string;
  /** Last day of the bucket, inclusive, `YYYY-MM-DD`. */
  readonly end: string;
  readonly events: number;
  readonly goldsteinSum: number;
  readonly goldsteinMean: number;
  readonly quadClass: QuadClassCounts;
}

export interface TensionSeries {
  readonly bucket: TensionBucket;
  readonly series: TensionPoint[];
}

/** The start (00:00Z) of the UTC day, ISO week (Monday) or UTC month holding `ms`. */
export function bucketStart(ms: number, bucket: TensionBucket): number {
  const day = startOfUtcDay(ms);
  if (bucket === 'day') return day;
  if (bucket === 'week') {
    // 1970-01-01 was a Thursday: day n since the epoch is weekday (n + 3) mod 7, counted from Monday = 0.
    const dayNumber = day / DAY_MS;
    const fromMonday = (((dayNumber + 3) % 7) + 7) % 7;
    return day - fromMonday * DAY_MS;
  }
  const date = new Date(ms);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/** The start of the bucket after the one starting at `start`. */
export function nextBucketStart(start: number, bucket: TensionBucket): number {
  if (bucket === 'day') return start + DAY_MS;
  if (bucket === 'week') return start + 7 * DAY_MS;
  const date = new Date(start);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

interface Accumulator {
  events: number;
  tenths: number;
  quadClass: Record<QuadClass, number>;
}

/**
 * The tension series (DESIGN.md §4): every included event that has a CAMEO code (void ones too) counted in
 * the bucket of its `occurredAt`, every bucket from the one holding `from` to the one holding `to`, empty ones
 * with zeros. `from`/`to` select the events; the buckets at the ends are whole buckets nonetheless. With
 * neither bound and no event, the series is empty; with one bound and no event, the other defaults to it.
 */
export function tensionSeries(events: readonly RecordedEvent[], query: TensionQuery): TensionSeries {
  const { bucket } = query;
  const buckets = new Map<number, Accumulator>();
  let first: number | undefined;
  let last: number | undefined;
  for (const known of knowledgeView(events, query.knownAt).events) {
    const { event } = known;
    if (!isIncluded(known)) continue;
    if (query.asOf !== undefined && event.occurredAt > query.asOf) continue;
    if (query.from !== undefined && event.occurredAt < query.from) continue;
    if (query.to !== undefined && event.occurredAt > query.to) continue;
    const code = event.cameo === null ? undefined : cameoCode(event.cameo);
    if (!code || !takesPartAll(event, query.actors)) continue;
    first = first === undefined ? event.occurredAt : Math.min(first, event.occurredAt);
    last = last === undefined ? event.occurredAt : Math.max(last, event.occurredAt);
    const start = bucketStart(event.occurredAt, bucket);
    let accumulator = buckets.get(start);
    if (!accumulator) {
      accumulator = { events: 0, tenths: 0, quadClass: { 1: 0, 2: 0, 3: 0, 4: 0 } };
      buckets.set(start, accumulator);
    }
    accumulator.events += 1;
    accumulator.tenths += code.goldsteinTenths;
    accumulator.quadClass[code.quadClass] += 1;
  }
  const rangeStart = query.from ?? first ?? query.to;
  const rangeEnd = query.to ?? last ?? query.from;
  const series: TensionPoint[] = [];
  if (rangeStart === undefined || rangeEnd === undefined || rangeStart > rangeEnd) return { bucket, series };
  for (
    let start = bucketStart(rangeStart, bucket);
    start <= rangeEnd;
    start = nextBucketStart(start, bucket)
  ) {
    const next = nextBucketStart(start, bucket);
    const accumulator = buckets.get(start);
    const quadClass: QuadClassCounts = {
      verbalCooperation: 0,
      materialCooperation: 0,
      verbalConflict: 0,
      materialConflict: 0,
    };
    if (accumulator) {
      for (const q of [1, 2, 3, 4] as const) quadClass[QUAD_CLASS_NAMES[q]] = accumulator.quadClass[q];
    }
    series.push({
      start: formatTime(start, 'day'),
      end: formatTime(next - DAY_MS, 'day'),
      ...goldsteinFigures(accumulator?.events ?? 0, accumulator?.tenths ?? 0),
      quadClass,
    });
  }
  return { bucket, series };
}
