import { createHash } from 'node:crypto';
import type { StandoffDiff } from '@app/domain/diff-events';
import { foldEvents, initialState } from '@app/domain/fold';
import {
  compareFoldOrder,
  isIncluded,
  knowledgeView,
  latestTitle,
  unmarked,
  type KnowledgeView,
  type KnownEvent,
} from '@app/domain/knowledge';
import type { RecordedEvent } from '@app/domain/recorded-event';
import type { StandoffState } from '@app/domain/state';
import { stateAt, toStandoffStateView } from '@app/domain/state-at';
import { tensionSeries, type TensionBucket, type TensionSeries } from '@app/domain/tension';
import { eventView, inTimeline, type EventView, type TimelineQuery } from '@app/domain/timeline';
import { readDiff, type DiffRequest, type StateAtVersion, type StateReader } from './diff-queries';
import type { Queryable } from './queryable';

/*
 * The temporal read path (DESIGN.md §4–5): state, timeline, tension and replay of one standoff at a valid time
 * and a knowledge time. Every answer is the pure domain function over the standoff's accepted events as posted
 * (`events.posted`); SQL only narrows which events are read, never what the fold makes of them.
 *
 * What SQL may leave out, and why. The `events` columns hold the values as known now (corrected), `posted` the
 * event as accepted. Knowledge events (`event.retracted`, `event.corrected`, `standoff.described`, and
 * `claim.disputed`) change what is known whatever their `occurredAt`, and a correction can move its event's
 * `occurredAt` anywhere, so two kinds of rows are always read whole ("special" rows):
 *   - the meta events and the disputes;
 *   - every event named by one of them (by `data.eventId`), at any position: their columns may have been
 *     rewritten by a correction, even one not known at `knownAt`.
 * Every other row ("regular") has never been named, so its columns equal `posted`: filtering or ordering it by
 * `occurred_at`, `type`, `actor`, `targets` or `cameo` in SQL is exact, and as known at any `knownAt` it is
 * neither corrected, disputed, void nor retracted.
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

/** Where a page ends: the fold-order key of its last item. */
export interface FoldKey {
  readonly occurredAt: number;
  readonly reportedAt: number;
  readonly position: number;
}

/** What a timeline cursor pins: the first page's `knownAt` and horizon, and where the previous page ended. */
export interface TimelineCursor {
  readonly knownAt: number;
  readonly horizon: number;
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
 * `FoldingTemporalQueries` folds the events each time; a snapshot-based implementation can take its place
 * behind this interface (and the `TEMPORAL_QUERIES` token) as long as its answers stay equal.
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

// ---------------------------------------------------------------------------------------------------------
// Cursors

/** 2: the digest binds the standoff too (a cursor of version 1 could be replayed on another standoff). */
const CURSOR_VERSION = 2;

/**
 * A short digest of the listing a cursor belongs to: the standoff and the timeline filters, the order of
 * repeated values aside (it does not change results). A cursor of another standoff or other filters would
 * otherwise resume at a fold key that means nothing there and silently skip or repeat items.
 */
export function timelineFiltersDigest(standoffId: string, filters: TimelineFilters): string {
  const canonical = JSON.stringify([
    standoffId,
    filters.from ?? null,
    filters.to ?? null,
    [...(filters.actors ?? [])].sort(),
    [...(filters.types ?? [])].sort(),
    filters.cameoPrefix ?? null,
    filters.includeRetracted === true,
  ]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

export function encodeTimelineCursor(cursor: TimelineCursor): string {
  const { knownAt, horizon, after, filters } = cursor;
  const payload = [
    CURSOR_VERSION,
    knownAt,
    horizon,
    after.occurredAt,
    after.reportedAt,
    after.position,
    filters,
  ];
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

function isSafeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** The instants SQL reads: years 0001–9999 (events lie within 1900–2100, so clamping a bound changes nothing). */
const MIN_INSTANT = -62_135_596_800_000;
const MAX_INSTANT = 253_402_300_799_999;
/** Positions and versions are SQL integers. */
const MAX_POSITION = 2_147_483_647;

function isInstant(value: unknown): value is number {
  return isSafeInteger(value) && value >= MIN_INSTANT && value <= MAX_INSTANT;
}

function isPosition(value: unknown): value is number {
  return isSafeInteger(value) && value >= 1 && value <= MAX_POSITION;
}

/**
 * Reads a cursor given back by a client: the cursor, or why it cannot be used (malformed, or issued for other
 * filters).
 */
export function decodeTimelineCursor(
  text: string,
  standoffId: string,
  filters: TimelineFilters,
): { cursor: TimelineCursor } | { error: string } {
  const malformed = { error: 'is not a cursor this API issued' };
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(text)) return malformed;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return malformed;
  }
  if (!Array.isArray(payload) || payload.length !== 7 || payload[0] !== CURSOR_VERSION) return malformed;
  const [, knownAt, horizon, occurredAt, reportedAt, position, digest] = payload as unknown[];
  if (!isInstant(knownAt) || !isInstant(occurredAt) || !isInstant(reportedAt)) return malformed;
  if (!isPosition(horizon) || !isPosition(position) || typeof digest !== 'string') return malformed;
  if (digest !== timelineFiltersDigest(standoffId, filters)) {
    return {
      error:
        'was issued for another standoff or other filters: use it on the same standoff and repeat the first ' +
        'page’s from, to, actor, type, cameo and includeRetracted',
    };
  }
  return {
    cursor: {
      knownAt,
      horizon,
      after: { occurredAt, reportedAt, position },
      filters: digest,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Loading

/** Reads one page of regular rows at a time: bounded memory for a replay, bounded work per timeline page. */
export const DEFAULT_PAGE_SIZE = 1000;

const KNOWLEDGE_ROW = `(k.meta OR k.type = 'claim.disputed')`;
/** The row has been named by a knowledge event (any position, any knowledge time): its columns may be corrected. */
const NAMED = `EXISTS (SELECT 1 FROM events k WHERE k.standoff_id = e.standoff_id AND ${KNOWLEDGE_ROW}
  AND k.data ->> 'eventId' = e.event_id::text)`;
const SPECIAL = `(e.meta OR e.type = 'claim.disputed' OR ${NAMED})`;
const REGULAR = `(NOT e.meta AND e.type <> 'claim.disputed' AND NOT ${NAMED})`;

function instant(ms: number): string {
  return new Date(Math.min(Math.max(ms, MIN_INSTANT), MAX_INSTANT)).toISOString();
}

function keyOf(event: RecordedEvent): FoldKey {
  return { occurredAt: event.occurredAt, reportedAt: event.reportedAt, position: event.position };
}

function compareToKey(event: RecordedEvent, key: FoldKey): number {
  return (
    event.occurredAt - key.occurredAt || event.reportedAt - key.reportedAt || event.position - key.position
  );
}

/** SQL conditions with their parameters, numbered as they are added. */
class Conditions {
  readonly parameters: unknown[] = [];
  private readonly clauses: string[] = [];

  param(value: unknown): string {
    this.parameters.push(value);
    return `$${this.parameters.length}`;
  }

  add(clause: string): this {
    this.clauses.push(clause);
    return this;
  }

  toString(): string {
    return this.clauses.join(' AND ');
  }
}

/** The rows of the standoff a query may read: position within the horizon, reported by `knownAt`. */
function baseConditions(standoffId: string, horizon: number, knownAt: number): Conditions {
  const c = new Conditions();
  c.add(`e.standoff_id = ${c.param(standoffId)}`);
  c.add(`e.position <= ${c.param(horizon)}`);
  c.add(`e.reported_at <= ${c.param(instant(knownAt))}::timestamptz`);
  return c;
}

/** Regular-row filters that are exact in SQL because a regular row's columns are as posted. */
interface RegularFilters {
  readonly from?: number;
  readonly to?: number;
  readonly after?: FoldKey;
  readonly types?: readonly string[];
  readonly actors?: readonly string[];
  readonly cameoPrefix?: string;
}

/** The SQL conditions for `filters`, their parameters added to `c`. */
function regularClauses(c: Conditions, filters: RegularFilters): string[] {
  const clauses: string[] = [];
  if (filters.from !== undefined)
    clauses.push(`e.occurred_at >= ${c.param(instant(filters.from))}::timestamptz`);
  if (filters.to !== undefined) clauses.push(`e.occurred_at <= ${c.param(instant(filters.to))}::timestamptz`);
  if (filters.after) {
    const { occurredAt, reportedAt, position } = filters.after;
    clauses.push(
      `(e.occurred_at, e.reported_at, e.position) > (${c.param(instant(occurredAt))}::timestamptz, ` +
        `${c.param(instant(reportedAt))}::timestamptz, ${c.param(position)}::int)`,
    );
  }
  if (filters.types && filters.types.length > 0) {
    clauses.push(`e.type = ANY(${c.param(filters.types)}::text[])`);
  }
  for (const actor of filters.actors ?? []) {
    const a = c.param(actor);
    clauses.push(
      `(e.actor = ${a} OR starts_with(e.actor, ${a} || '.') OR EXISTS (SELECT 1 FROM unnest(e.targets) t ` +
        `WHERE t = ${a} OR starts_with(t, ${a} || '.')))`,
    );
  }
  if (filters.cameoPrefix !== undefined)
    clauses.push(`starts_with(e.cameo, ${c.param(filters.cameoPrefix)})`);
  return clauses;
}

/** The standoff's version (its accepted events), 0 when it has none. */
export async function standoffVersion(db: Queryable, standoffId: string): Promise<number> {
  const rows: { version: number }[] = await db.query(`SELECT version FROM standoffs WHERE standoff_id = $1`, [
    standoffId,
  ]);
  return rows[0]?.version ?? 0;
}

/**
 * Every event a fold of the standoff within `horizon` as known at `knownAt` can need whose valid time lies in
 * [from, to]: the special rows whole, the regular rows in range. One statement: one consistent snapshot.
 */
async function loadForFold(
  db: Queryable,
  standoffId: string,
  horizon: number,
  knownAt: number,
  range: { from?: number; to?: number },
): Promise<RecordedEvent[]> {
  const c = baseConditions(standoffId, horizon, knownAt);
  const inRange = [REGULAR, ...regularClauses(c, range)].join(' AND ');
  // Two branches so that the regular one can use the index on (standoff_id, occurred_at, …).
  const rows: { posted: RecordedEvent }[] = await db.query(
    `SELECT e.posted FROM events e WHERE ${c} AND ${SPECIAL}
     UNION ALL
     SELECT e.posted FROM events e WHERE ${c} AND ${inRange}`,
    c.parameters,
  );
  return rows.map((r) => r.posted);
}

/** The state by folding every event it can need, within the standoff's `version`. */
const foldStateAt: StateReader = async (db: Queryable, query: StateAtVersion) => {
  const events = await loadForFold(db, query.standoffId, query.version, query.knownAt, { to: query.asOf });
  return stateAt(events, query);
};

/**
 * The known events within `horizon` as known at `knownAt`, in fold order, page by page, after `after` (a fold
 * key). Regular rows come from SQL in fold order (`regular` narrows them); special rows are read once, up front,
 * and merged in. Pages cover consecutive ranges of fold keys, so a row whose columns a concurrent correction
 * rewrites is neither lost nor repeated: a row named since the special rows were read has only knowledge
 * events beyond the horizon, and is merged by its posted key.
 */
class FoldOrderScan {
  private view: KnowledgeView | undefined;

  constructor(
    private readonly db: Queryable,
    private readonly standoffId: string,
    private readonly horizon: number,
    /** The standoff's version read before this scan: knowledge events beyond it are newer than the view. */
    private readonly versionBefore: number,
    private readonly knownAt: number,
    private readonly regular: RegularFilters,
    private readonly pageSize: number,
  ) {}

  /** The knowledge view of the special rows; after the first page has been read. */
  get knowledge(): KnowledgeView {
    if (!this.view) throw new Error('FoldOrderScan: no page read yet');
    return this.view;
  }

  async *pages(): AsyncGenerator<KnownEvent[]> {
    const specialRows = await this.loadSpecial();
    const view = knowledgeView(specialRows, this.knownAt);
    this.view = view;
    const specialIds = new Set(specialRows.map((e) => e.eventId));
    const specials = view.events;
    let next = 0;
    let after = this.regular.after;
    if (after) {
      const start = after;
      while (next < specials.length && compareToKey(specials[next].event, start) <= 0) next++;
    }
    for (;;) {
      const regular = await this.loadRegular(after);
      const full = regular.length === this.pageSize;
      const last = full ? keyOf(regular[regular.length - 1]) : undefined;
      const within = (event: RecordedEvent) =>
        (!after || compareToKey(event, after) > 0) && (!last || compareToKey(event, last) <= 0);
      // A row named between the two statements comes in both: it counts once.
      const regularIds = new Set(regular.map((e) => e.eventId));
      const renamed = (await this.loadNamedSince()).filter(
        (e) => !specialIds.has(e.eventId) && !regularIds.has(e.eventId) && within(e),
      );
      const page = [...regular, ...renamed].map(unmarked);
      while (next < specials.length && (!last || compareToKey(specials[next].event, last) <= 0)) {
        page.push(specials[next++]);
      }
      page.sort((a, b) => compareFoldOrder(a.event, b.event));
      if (page.length > 0) yield page;
      if (!last) return;
      after = last;
    }
  }

  private async loadSpecial(): Promise<RecordedEvent[]> {
    const c = baseConditions(this.standoffId, this.horizon, this.knownAt).add(SPECIAL);
    const rows: { posted: RecordedEvent }[] = await this.db.query(
      `SELECT e.posted FROM events e WHERE ${c}`,
      c.parameters,
    );
    return rows.map((r) => r.posted);
  }

  private async loadRegular(after: FoldKey | undefined): Promise<RecordedEvent[]> {
    const c = baseConditions(this.standoffId, this.horizon, this.knownAt).add(REGULAR);
    for (const clause of regularClauses(c, { ...this.regular, after })) c.add(clause);
    const rows: { posted: RecordedEvent }[] = await this.db.query(
      `SELECT e.posted FROM events e WHERE ${c}
        ORDER BY e.occurred_at, e.reported_at, e.position LIMIT ${c.param(this.pageSize)}`,
      c.parameters,
    );
    return rows.map((r) => r.posted);
  }

  /** Rows named by knowledge events appended since the scan began (usually none). */
  private async loadNamedSince(): Promise<RecordedEvent[]> {
    const c = baseConditions(this.standoffId, this.horizon, this.knownAt);
    c.add(`NOT e.meta AND e.type <> 'claim.disputed'`);
    const standoff = c.param(this.standoffId);
    c.add(
      `e.event_id::text IN (SELECT k.data ->> 'eventId' FROM events k WHERE k.standoff_id = ${standoff}
        AND k.position > ${c.param(this.versionBefore)} AND ${KNOWLEDGE_ROW})`,
    );
    const rows: { posted: RecordedEvent }[] = await this.db.query(
      `SELECT e.posted FROM events e WHERE ${c}`,
      c.parameters,
    );
    return rows.map((r) => r.posted);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The queries

export interface FoldingTemporalQueriesOptions {
  /** Regular rows read per round trip (replay, timeline). Default DEFAULT_PAGE_SIZE. */
  readonly pageSize?: number;
}

/** The temporal queries by folding the read model's events with the pure domain functions, on every call. */
export class FoldingTemporalQueries implements TemporalQueries {
  private readonly pageSize: number;

  constructor(
    private readonly db: Queryable,
    options: FoldingTemporalQueriesOptions = {},
  ) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  async state(request: StateRequest): Promise<StandoffState | undefined> {
    const version = await standoffVersion(this.db, request.standoffId);
    if (version === 0) return undefined;
    return foldStateAt(this.db, { ...request, version });
  }

  async diff(request: DiffRequest): Promise<StandoffDiff | undefined> {
    const version = await standoffVersion(this.db, request.standoffId);
    if (version === 0) return undefined;
    return readDiff(this.db, request, version, foldStateAt);
  }

  async timeline(request: TimelineRequest): Promise<TimelinePage | undefined> {
    const version = await standoffVersion(this.db, request.standoffId);
    if (version === 0) return undefined;
    const { cursor } = request;
    const knownAt = cursor?.knownAt ?? request.knownAt;
    const horizon = cursor ? Math.min(cursor.horizon, version) : version;
    const query: TimelineQuery = { ...request, knownAt };
    const scan = new FoldOrderScan(
      this.db,
      request.standoffId,
      horizon,
      version,
      knownAt,
      {
        from: request.from,
        to: request.to,
        after: cursor?.after,
        types: request.types,
        actors: request.actors,
        cameoPrefix: request.cameoPrefix,
      },
      Math.min(Math.max(request.limit + 1, 100), this.pageSize),
    );
    const items: KnownEvent[] = [];
    scanning: for await (const page of scan.pages()) {
      for (const known of page) {
        if (!inTimeline(known, query)) continue;
        items.push(known);
        if (items.length > request.limit) break scanning;
      }
    }
    const more = items.length > request.limit;
    const shown = more ? items.slice(0, request.limit) : items;
    const nextCursor = more
      ? encodeTimelineCursor({
          knownAt,
          horizon,
          after: keyOf(shown[shown.length - 1].event),
          filters: timelineFiltersDigest(request.standoffId, request),
        })
      : null;
    return { items: shown.map(eventView), nextCursor };
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
    const scan = new FoldOrderScan(
      this.db,
      request.standoffId,
      version,
      version,
      request.knownAt,
      { to: request.until },
      this.pageSize,
    );
    return replayLines(scan, { ...request, version });
  }
}

/** The replay's lines: each included event with the running count, then the state folded along the way. */
async function* replayLines(
  scan: FoldOrderScan,
  request: ReplayRequest & { version: number },
): AsyncGenerator<ReplayLine> {
  let state = initialState();
  let eventCount = 0;
  for await (const page of scan.pages()) {
    const included = page.filter((known) => isIncluded(known) && known.event.occurredAt <= request.until);
    // One copy of the fold state per page, not per event.
    state = foldEvents(state, included);
    for (const known of included) yield { event: eventView(known), eventCount: ++eventCount };
  }
  // `pages()` has read the special rows, even when no event was included: the title is known.
  const title = latestTitle(scan.knowledge);
  yield {
    state: toStandoffStateView(state, {
      standoffId: request.standoffId,
      asOf: request.until,
      knownAt: request.knownAt,
      version: request.version,
      title,
    }),
  };
}
