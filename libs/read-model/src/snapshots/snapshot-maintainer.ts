import { foldEvents, initialState } from '@app/domain/fold';
import { isIncluded, knowledgeView } from '@app/domain/knowledge';
import type { FoldState } from '@app/domain/state';
import { parseTime } from '@app/domain/time';
import type { DataSource } from 'typeorm';
import { keyOf } from '../fold-key';
import type { Queryable } from '../queryable';
import {
  BEFORE_EVERYTHING,
  distinctEvents,
  loadKnowledgeAbout,
  maxReportedAt,
  type CandidateRow,
} from './snapshot-events';

/** Events folded between two snapshots: the most a state query folds on top of one. */
export const SNAPSHOT_INTERVAL = 500;
/** Snapshots `extend` builds per call. */
export const SNAPSHOTS_PER_CALL = 8;

const END_OF_TIME = new Date(Date.UTC(9999, 11, 31));

export interface SnapshotRow {
  seq: number;
  occurred_at: Date;
  reported_at: Date;
  position: number;
  max_reported_at: Date;
  folded: number;
  state: FoldState;
}

/** A snapshot's state kept in memory by whoever stored it: valid while the row with this `xmin` stands. */
export interface CachedSnapshot {
  readonly seq: number;
  readonly xmin: string;
  readonly state: FoldState;
}

/** What the next snapshot folds, as read in one transaction. */
export interface SnapshotPlan {
  readonly previous: (Omit<SnapshotRow, 'state'> & { xmin: string }) | undefined;
  readonly previousState: FoldState | undefined;
  readonly candidates: readonly CandidateRow[];
  readonly knowledge: readonly CandidateRow[];
  readonly movedOut: Date | undefined;
}

/** A snapshot ready to store, with the one it extends. */
export interface NewSnapshot extends Omit<SnapshotRow, 'state'> {
  readonly previous: { readonly seq: number; readonly xmin: string } | undefined;
  readonly state: FoldState;
}

/**
 * Keeps the standoff's snapshots: each one is the fold, as known now, of every event up to its checkpoint
 * (a fold-order key), with `max_reported_at`, the latest report that went into it, so that a query as known
 * at K may use it only when `max_reported_at ≤ K` (it then equals the fold as known at K up to there).
 */
export class SnapshotMaintainer {
  constructor(
    private readonly interval = SNAPSHOT_INTERVAL,
    private readonly perCall = SNAPSHOTS_PER_CALL,
  ) {}

  /** Drops the snapshots whose checkpoint is at or after `from`: an event landed there, or its knowledge changed. */
  async invalidateFrom(db: Queryable, standoffId: string, from: Date): Promise<void> {
    await db.query(`DELETE FROM state_snapshots WHERE standoff_id = $1 AND occurred_at >= $2`, [
      standoffId,
      from,
    ]);
  }

  /**
   * Builds what is due for one standoff in a transaction of its own that holds the standoff's row lock
   * throughout (skipped while the projector holds it): for benchmarks that build everything at once. The
   * product builds with `SnapshotBuilder`, which holds the lock only to store.
   */
  async catchUp(db: DataSource, standoffId: string): Promise<number> {
    return db.transaction(async (tx) => {
      const free: unknown[] = await tx.query(
        `SELECT 1 FROM standoffs WHERE standoff_id = $1 FOR UPDATE SKIP LOCKED`,
        [standoffId],
      );
      return free.length === 0 ? 0 : this.extend(tx, standoffId);
    });
  }

  /** Builds the snapshots due after the latest one, at most `perCall` of them, in the caller's transaction. */
  async extend(db: Queryable, standoffId: string): Promise<number> {
    let built = 0;
    while (built < this.perCall && (await this.buildNext(db, standoffId))) built += 1;
    return built;
  }

  private async buildNext(db: Queryable, standoffId: string): Promise<boolean> {
    const plan = await this.planNext(db, standoffId);
    if (!plan) return false;
    return (await this.insert(db, standoffId, this.fold(plan))) !== undefined;
  }

  /**
   * Reads what the next snapshot after the latest one folds, or nothing while fewer than `interval` events are
   * due. `cached` is the latest snapshot's state when the caller still holds it (matched by the row's `xmin`,
   * which a snapshot deleted and built again does not share), which saves reading ~140 KB of JSON. With
   * `before`, nothing is planned unless the checkpoint lies before it (a builder holds back where the projector
   * is still making snapshots stale).
   */
  async planNext(
    db: Queryable,
    standoffId: string,
    cached?: CachedSnapshot,
    before?: number,
  ): Promise<SnapshotPlan | undefined> {
    // The state (large) is read only once enough events are due.
    const [previous]: (Omit<SnapshotRow, 'state'> & { xmin: string })[] = await db.query(
      `SELECT seq, occurred_at, reported_at, position, max_reported_at, folded, xmin::text AS xmin
         FROM state_snapshots WHERE standoff_id = $1 ORDER BY seq DESC LIMIT 1`,
      [standoffId],
    );
    const after = previous ? keyOf(previous) : BEFORE_EVERYTHING;
    const range = [standoffId, after.occurredAt, after.reportedAt, after.position];
    // Whether `interval` events are due, from the index alone, before the rows (with their documents) are read.
    const [due]: { occurred_at: Date }[] = await db.query(
      `SELECT occurred_at FROM events
        WHERE standoff_id = $1 AND (occurred_at, reported_at, position) > ($2, $3, $4) AND occurred_at >= $2
        ORDER BY occurred_at, reported_at, position OFFSET $5 LIMIT 1`,
      [...range, this.interval - 1],
    );
    if (!due || (before !== undefined && due.occurred_at.getTime() >= before)) return undefined;
    const candidates: CandidateRow[] = await db.query(
      `SELECT event_id, occurred_at, reported_at, position, posted FROM events
        WHERE standoff_id = $1 AND (occurred_at, reported_at, position) > ($2, $3, $4) AND occurred_at >= $2
        ORDER BY occurred_at, reported_at, position LIMIT $5`,
      [...range, this.interval],
    );
    if (candidates.length < this.interval) return undefined;
    const checkpoint = candidates[candidates.length - 1];
    const knowledge = await loadKnowledgeAbout(
      db,
      standoffId,
      candidates.map((c) => c.event_id),
      END_OF_TIME,
    );
    let previousState: FoldState | undefined;
    if (previous && cached?.seq === previous.seq && cached.xmin === previous.xmin) {
      previousState = cached.state;
    } else if (previous) {
      const [stored]: { state: FoldState }[] = await db.query(
        `SELECT state FROM state_snapshots WHERE standoff_id = $1 AND seq = $2`,
        [standoffId, previous.seq],
      );
      previousState = stored.state;
    }
    const movedOut = await this.reportsOfEventsMovedOut(db, standoffId, checkpoint);
    return { previous, previousState, candidates, knowledge, movedOut };
  }

  /** The fold of a plan: pure, and run outside any transaction by the builder. */
  fold(plan: SnapshotPlan): NewSnapshot {
    const { previous, candidates, knowledge, movedOut } = plan;
    const checkpoint = candidates[candidates.length - 1];
    const view = knowledgeView(distinctEvents(candidates, knowledge), Number.MAX_SAFE_INTEGER);
    const inRange = new Set(candidates.map((c) => c.event_id));
    const state = foldEvents(
      plan.previousState ?? initialState(),
      view.events.filter((known) => isIncluded(known) && inRange.has(known.event.eventId)),
    );
    const floor = Math.max(
      previous?.max_reported_at.getTime() ?? BEFORE_EVERYTHING.reportedAt.getTime(),
      movedOut?.getTime() ?? BEFORE_EVERYTHING.reportedAt.getTime(),
    );
    return {
      seq: (previous?.seq ?? 0) + 1,
      previous: previous ? { seq: previous.seq, xmin: previous.xmin } : undefined,
      occurred_at: checkpoint.occurred_at,
      reported_at: checkpoint.reported_at,
      position: checkpoint.position,
      max_reported_at: maxReportedAt([...candidates, ...knowledge], new Date(floor)),
      folded: (previous?.folded ?? 0) + candidates.length,
      state,
    };
  }

  /**
   * Stores the snapshot unless its place was taken meanwhile: the snapshot it extends is gone or was built
   * again, or another builder stored one after it. Returns the stored row's `xmin`, or nothing. The caller holds
   * the standoff's row lock.
   */
  async insert(db: Queryable, standoffId: string, snapshot: NewSnapshot): Promise<string | undefined> {
    const rows: { xmin: string }[] = await db.query(
      `${INSERT_SNAPSHOT} RETURNING xmin::text AS xmin`,
      snapshotParameters(standoffId, snapshot),
    );
    return rows[0]?.xmin;
  }

  /**
   * The same, in one statement that takes the standoff's row lock itself, and stores only while the standoff's
   * version is at most `versionAtMost`: the lock is held for that statement alone, never across a round trip
   * (the projector waits for it). Waiting for the lock, the statement sees the version the projector committed.
   * Returns the version found, and the stored row's `xmin` if it stored.
   */
  async insertWhileAtMost(
    db: Queryable,
    standoffId: string,
    snapshot: NewSnapshot,
    versionAtMost: number,
  ): Promise<{ version: number | undefined; xmin: string | undefined }> {
    const [row]: { version: number | null; xmin: string | null }[] = await db.query(
      `WITH standoff AS (SELECT version FROM standoffs WHERE standoff_id = $1 FOR UPDATE),
       stored AS (${INSERT_SNAPSHOT} AND (SELECT version FROM standoff) <= $11 RETURNING xmin::text AS xmin)
       SELECT (SELECT version FROM standoff) AS version, (SELECT xmin FROM stored) AS xmin`,
      [...snapshotParameters(standoffId, snapshot), versionAtMost],
    );
    return { version: row?.version ?? undefined, xmin: row?.xmin ?? undefined };
  }

  /**
   * An event that stood at or before the checkpoint as known at some time (as posted, or as a correction of its
   * occurredAt placed it) but stands after it now is missing from the snapshot, which is right only as known
   * once every correction of it was reported: their reports count as going into the snapshot.
   */
  private async reportsOfEventsMovedOut(
    db: Queryable,
    standoffId: string,
    checkpoint: CandidateRow,
  ): Promise<Date | undefined> {
    const rows: {
      event_id: string;
      posted_occurred_at: Date;
      reported_at: Date;
      set_occurred_at: string | null;
    }[] = await db.query(
      `SELECT x.event_id, x.posted_occurred_at, c.reported_at, c.data -> 'set' ->> 'occurredAt' AS set_occurred_at
           FROM events x
           JOIN events c ON c.standoff_id = x.standoff_id AND c.meta AND c.type = 'event.corrected'
                        AND c.data ->> 'eventId' = x.event_id::text
          WHERE x.standoff_id = $1 AND x.time_corrected AND (x.occurred_at, x.reported_at, x.position) > ($2, $3, $4)`,
      [standoffId, checkpoint.occurred_at, checkpoint.reported_at, checkpoint.position],
    );
    const limit = checkpoint.occurred_at.getTime();
    const stoodBefore = new Set<string>();
    for (const row of rows) {
      const corrected = row.set_occurred_at === null ? undefined : parseTime(row.set_occurred_at)?.ms;
      if (row.posted_occurred_at.getTime() <= limit || (corrected !== undefined && corrected <= limit)) {
        stoodBefore.add(row.event_id);
      }
    }
    let latest: number | undefined;
    for (const row of rows) {
      if (stoodBefore.has(row.event_id)) latest = Math.max(latest ?? -Infinity, row.reported_at.getTime());
    }
    return latest === undefined ? undefined : new Date(latest);
  }
}

const INSERT_SNAPSHOT = `INSERT INTO state_snapshots (standoff_id, seq, occurred_at, reported_at, position, max_reported_at,
     folded, state)
   SELECT $1, $2, $3, $4, $5, $6, $7, $8
    WHERE NOT EXISTS (SELECT 1 FROM state_snapshots WHERE standoff_id = $1 AND seq >= $2)
      AND ($9::int IS NULL OR EXISTS (SELECT 1 FROM state_snapshots
                                       WHERE standoff_id = $1 AND seq = $9 AND xmin::text = $10))`;

function snapshotParameters(standoffId: string, snapshot: NewSnapshot): unknown[] {
  return [
    standoffId,
    snapshot.seq,
    snapshot.occurred_at,
    snapshot.reported_at,
    snapshot.position,
    snapshot.max_reported_at,
    snapshot.folded,
    JSON.stringify(snapshot.state),
    snapshot.previous?.seq ?? null,
    snapshot.previous?.xmin ?? null,
  ];
}
