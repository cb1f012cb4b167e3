import { foldEventsOnto, initialState } from '@app/domain/fold';
import { isIncluded, knowledgeView } from '@app/domain/knowledge';
import type { FoldState, StandoffState } from '@app/domain/state';
import { toStandoffStateView } from '@app/domain/state-at';
import { keyOf } from '../fold-key';
import type { Queryable } from '../queryable';
import { BEFORE_EVERYTHING, distinctEvents, loadKnowledgeAbout, type CandidateRow } from './snapshot-events';
import type { SnapshotRow } from './snapshot-maintainer';
import type { SnapshotStateCache } from './snapshot-state-cache';

export interface StateAt {
  readonly standoffId: string;
  readonly asOf: number;
  readonly knownAt: number;
  /** The standoff's version the answer is computed from. */
  readonly version: number;
}

/**
 * The state at (`asOf`, `knownAt`) from the nearest usable snapshot plus the events after it: the same answer
 * as `stateAt` over the whole history, at a cost bounded by the snapshot interval rather than the history.
 * Run it inside one REPEATABLE READ transaction so that snapshot and tail come from the same moment.
 */
export async function readStateFromSnapshots(
  db: Queryable,
  query: StateAt,
  cache?: SnapshotStateCache,
): Promise<StandoffState> {
  const asOf = new Date(query.asOf);
  const knownAt = new Date(query.knownAt);
  const { snapshot, title } = await readSnapshotAndTitle(db, query.standoffId, asOf, knownAt, cache);
  const after = snapshot ? keyOf(snapshot) : BEFORE_EVERYTHING;
  // Events in valid-time order after the snapshot up to asOf, and every event whose occurredAt a correction
  // changed: as known at knownAt it may stand anywhere, so the domain places it. (`occurred_at >= $2` repeats
  // the row comparison in a form the planner can estimate: without it, it scans the table.) The second branch
  // repeats no row of the first: deduplicating in SQL would hash every document of a long tail.
  const tail: CandidateRow[] = await db.query(
    `SELECT event_id, occurred_at, reported_at, position, posted FROM events
      WHERE standoff_id = $1 AND (occurred_at, reported_at, position) > ($2, $3, $4)
        AND occurred_at >= $2 AND occurred_at <= $5 AND reported_at <= $6
     UNION ALL
     SELECT event_id, occurred_at, reported_at, position, posted FROM events
      WHERE standoff_id = $1 AND time_corrected AND (occurred_at, reported_at, position) > ($2, $3, $4)
        AND reported_at <= $6 AND occurred_at > $5`,
    [query.standoffId, after.occurredAt, after.reportedAt, after.position, asOf, knownAt],
  );
  const knowledge = await loadKnowledgeAbout(
    db,
    query.standoffId,
    tail.map((row) => row.event_id),
    knownAt,
  );
  const view = knowledgeView(distinctEvents(tail, knowledge), query.knownAt);
  const inTail = new Set(tail.map((row) => row.event_id));
  // The snapshot's state was parsed for this query alone: folded onto, not copied.
  const state = foldEventsOnto(
    snapshot ? snapshot.state : initialState(),
    view.events.filter(
      (known) => isIncluded(known) && inTail.has(known.event.eventId) && known.event.occurredAt <= query.asOf,
    ),
  );
  return toStandoffStateView(state, { ...query, title });
}

/**
 * The latest snapshot usable at (`asOf`, `knownAt`) and the title known at `knownAt`, in one statement. The
 * state (~140 KB) is left out when `cache` holds it: the row's `seq:xmin` names it for as long as it stands.
 */
async function readSnapshotAndTitle(
  db: Queryable,
  standoffId: string,
  asOf: Date,
  knownAt: Date,
  cache: SnapshotStateCache | undefined,
): Promise<{ snapshot: SnapshotRow | undefined; title: string | null }> {
  const [row]: (Omit<SnapshotRow, 'state'> & {
    seq: number | null;
    xmin: string;
    state: string | null;
    title: string | null;
  })[] = await db.query(
    `SELECT s.seq, s.occurred_at, s.reported_at, s.position, s.max_reported_at, s.folded, s.xmin,
            CASE WHEN s.seq::text || ':' || s.xmin = ANY($4::text[]) THEN NULL ELSE s.state::text END AS state,
            (SELECT data ->> 'title' FROM events
              WHERE standoff_id = $1 AND type = 'standoff.described' AND reported_at <= $3
              ORDER BY occurred_at DESC, reported_at DESC, position DESC LIMIT 1) AS title
       FROM (SELECT 1) AS one
       LEFT JOIN LATERAL (
         SELECT seq, occurred_at, reported_at, position, max_reported_at, folded, xmin::text AS xmin, state
           FROM state_snapshots
          WHERE standoff_id = $1 AND occurred_at <= $2 AND max_reported_at <= $3
          ORDER BY seq DESC LIMIT 1
       ) AS s ON true`,
    [standoffId, asOf, knownAt, cache?.keysOf(standoffId) ?? []],
  );
  const title = row?.title ?? null;
  if (!row || row.seq === null) return { snapshot: undefined, title };
  const identity = { standoffId, seq: row.seq, xmin: row.xmin };
  // Evicted between the two looks (another query of this reader ran meanwhile): read it again.
  const text = row.state ?? cache?.get(identity) ?? (await readState(db, standoffId, row.seq));
  if (row.state !== null) cache?.set(identity, row.state);
  return { snapshot: { ...row, seq: row.seq, state: JSON.parse(text) as FoldState }, title };
}

async function readState(db: Queryable, standoffId: string, seq: number): Promise<string> {
  const [row]: { state: string }[] = await db.query(
    `SELECT state::text AS state FROM state_snapshots WHERE standoff_id = $1 AND seq = $2`,
    [standoffId, seq],
  );
  return row.state;
}
