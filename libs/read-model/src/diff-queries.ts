import {
  DIFF_EVENTS_LIMIT,
  knowledgeTimeDiff,
  type ReadUpTo,
  validTimeDiff,
  type KnowledgeTimeDiff,
  type StandoffDiff,
  type ValidTimeDiff,
} from '@app/domain/diff-events';
import { knowledgeView, type KnownEvent } from '@app/domain/knowledge';
import { keyOf } from './fold-key';
import type { Queryable } from './queryable';
import type { SnapshotStateCache } from './snapshots/snapshot-state-cache';
import { readStateFromSnapshots } from './snapshots/snapshot-state-reader';
import { distinctEvents, loadKnowledgeAbout, type CandidateRow } from './snapshots/snapshot-events';

/*
 * The diffs of DESIGN.md §9 over the read model: two states from the snapshots, as the state route reads them
 * and the events that explain the change, judged by the domain. SQL reads the
 * candidate rows only; what they mean as known then is the knowledge view's to say.
 */

export interface ValidTimeDiffRequest {
  readonly axis: 'valid';
  readonly standoffId: string;
  readonly from: number;
  readonly to: number;
  readonly knownAt: number;
}

export interface KnowledgeTimeDiffRequest {
  readonly axis: 'knowledge';
  readonly standoffId: string;
  readonly asOf: number;
  readonly knownFrom: number;
  readonly knownTo: number;
}

export type DiffRequest = ValidTimeDiffRequest | KnowledgeTimeDiffRequest;

/** Rows outside `candidates` that knowledge events name, judged together with them as known at `knownAt`. */
async function judged(
  db: Queryable,
  standoffId: string,
  candidates: CandidateRow[],
  knownAt: number,
): Promise<readonly KnownEvent[]> {
  const knowledge = await loadKnowledgeAbout(
    db,
    standoffId,
    candidates.map((row) => row.event_id),
    new Date(knownAt),
  );
  return knowledgeView(distinctEvents(candidates, knowledge), knownAt).events;
}

/** A window's events as read: at most DIFF_EVENTS_LIMIT + 1 rows in the order the diff lists them. */
export interface WindowEvents {
  readonly known: readonly KnownEvent[];
  /** The first row left unread, when the window holds more: nothing from it on may be listed. */
  readonly readUpTo?: ReadUpTo;
}

/** Of rows read in the diff's order with one row to spare, the spare one marks where reading stopped. */
function readUpToOf(rows: readonly CandidateRow[]): ReadUpTo | undefined {
  const spare = rows.at(DIFF_EVENTS_LIMIT);
  return spare === undefined ? undefined : keyOfRow(spare);
}

function keyOfRow(row: CandidateRow): ReadUpTo {
  const key = keyOf(row);
  return {
    occurredAt: key.occurredAt.getTime(),
    reportedAt: key.reportedAt.getTime(),
    position: key.position,
  };
}

/**
 * The events that may have occurred in (`from`, `to`] as known at `knownAt`: the first of those whose valid
 * time lies there now, in fold order, and every event a correction ever moved (as known earlier it may stand
 * anywhere).
 */
export async function loadEventsOccurredIn(
  db: Queryable,
  request: ValidTimeDiffRequest,
  version: number,
): Promise<WindowEvents> {
  const inWindow: CandidateRow[] = await db.query(
    `SELECT event_id, occurred_at, reported_at, position, posted FROM events
      WHERE standoff_id = $1 AND position <= $2 AND reported_at <= $5 AND occurred_at > $3 AND occurred_at <= $4
        AND NOT meta
      ORDER BY occurred_at, reported_at, position
      LIMIT $6`,
    [
      request.standoffId,
      version,
      new Date(request.from),
      new Date(request.to),
      new Date(request.knownAt),
      DIFF_EVENTS_LIMIT + 1,
    ],
  );
  const moved: CandidateRow[] = await db.query(
    `SELECT event_id, occurred_at, reported_at, position, posted FROM events
      WHERE standoff_id = $1 AND position <= $2 AND reported_at <= $3 AND time_corrected`,
    [request.standoffId, version, new Date(request.knownAt)],
  );
  const readUpTo = readUpToOf(inWindow);
  const candidates = [...inWindow.slice(0, DIFF_EVENTS_LIMIT), ...moved];
  return { known: await judged(db, request.standoffId, candidates, request.knownAt), readUpTo };
}

/**
 * The events reported in (`knownFrom`, `knownTo`] that may bear on the state at `asOf`, the first of them in
 * (`reportedAt`, `position`) order: those that occurred by then, those a correction moved, and the knowledge
 * events (meta events and disputes).
 */
export async function loadEventsReportedIn(
  db: Queryable,
  request: KnowledgeTimeDiffRequest,
  version: number,
): Promise<WindowEvents> {
  const rows: CandidateRow[] = await db.query(
    `SELECT event_id, occurred_at, reported_at, position, posted FROM events
      WHERE standoff_id = $1 AND position <= $2 AND reported_at > $3 AND reported_at <= $4
        AND (occurred_at <= $5 OR time_corrected OR meta OR type = 'claim.disputed')
      ORDER BY reported_at, position
      LIMIT $6`,
    [
      request.standoffId,
      version,
      new Date(request.knownFrom),
      new Date(request.knownTo),
      new Date(request.asOf),
      DIFF_EVENTS_LIMIT + 1,
    ],
  );
  const readUpTo = readUpToOf(rows);
  const known = await judged(db, request.standoffId, rows.slice(0, DIFF_EVENTS_LIMIT), request.knownTo);
  return { known, readUpTo };
}

async function readValidTimeDiff(
  db: Queryable,
  request: ValidTimeDiffRequest,
  version: number,
  cache: SnapshotStateCache | undefined,
): Promise<ValidTimeDiff> {
  const { standoffId, from, to, knownAt } = request;
  const before = await readStateFromSnapshots(db, { standoffId, asOf: from, knownAt, version }, cache);
  const after = await readStateFromSnapshots(db, { standoffId, asOf: to, knownAt, version }, cache);
  const { known, readUpTo } = await loadEventsOccurredIn(db, request, version);
  return validTimeDiff(before, after, known, { standoffId, from, to, knownAt, version }, readUpTo);
}

async function readKnowledgeTimeDiff(
  db: Queryable,
  request: KnowledgeTimeDiffRequest,
  version: number,
  cache: SnapshotStateCache | undefined,
): Promise<KnowledgeTimeDiff> {
  const { standoffId, asOf, knownFrom, knownTo } = request;
  const before = await readStateFromSnapshots(db, { standoffId, asOf, knownAt: knownFrom, version }, cache);
  const after = await readStateFromSnapshots(db, { standoffId, asOf, knownAt: knownTo, version }, cache);
  const { known, readUpTo } = await loadEventsReportedIn(db, request, version);
  return knowledgeTimeDiff(before, after, known, { standoffId, asOf, knownFrom, knownTo, version }, readUpTo);
}

/**
 * The diff the request asks for, as of the standoff's `version`. Run it inside one REPEATABLE READ
 * transaction so that both states and the events come from the same moment.
 */
export function readDiff(
  db: Queryable,
  request: DiffRequest,
  version: number,
  cache?: SnapshotStateCache,
): Promise<StandoffDiff> {
  return request.axis === 'valid'
    ? readValidTimeDiff(db, request, version, cache)
    : readKnowledgeTimeDiff(db, request, version, cache);
}
