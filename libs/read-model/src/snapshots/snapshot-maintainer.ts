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
/** Snapshots built per standoff per projected batch, so a deep invalidation is rebuilt over several batches. */
export const SNAPSHOTS_PER_BATCH = 8;

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

/**
 * Keeps the standoff's snapshots: each one is the fold, as known now, of every event up to its checkpoint
 * (a fold-order key), with `max_reported_at`, the latest report that went into it, so that a query as known
 * at K may use it only when `max_reported_at ≤ K` (it then equals the fold as known at K up to there).
 */
export class SnapshotMaintainer {
  constructor(
    private readonly interval = SNAPSHOT_INTERVAL,
    private readonly perBatch = SNAPSHOTS_PER_BATCH,
  ) {}

  /** Drops the snapshots whose checkpoint is at or after `from`: an event landed there, or its knowledge changed. */
  async invalidateFrom(db: Queryable, standoffId: string, from: Date): Promise<void> {
    await db.query(`DELETE FROM state_snapshots WHERE standoff_id = $1 AND occurred_at >= $2`, [
      standoffId,
      from,
    ]);
  }

  /**
   * Builds what is due for one standoff in a transaction of its own, serialised with the projector's by the
   * standoff's row lock: the catch-up after a deep invalidation or a rebuild, while no events arrive.
   */
  async catchUp(db: DataSource, standoffId: string): Promise<number> {
    return db.transaction(async (tx) => {
      // A standoff the projector is writing to gets its snapshots from the projector's own transaction.
      const free: unknown[] = await tx.query(
        `SELECT 1 FROM standoffs WHERE standoff_id = $1 FOR UPDATE SKIP LOCKED`,
        [standoffId],
      );
      return free.length === 0 ? 0 : this.extend(tx, standoffId);
    });
  }

  /** Builds the snapshots due after the latest one, at most `perBatch` of them. */
  async extend(db: Queryable, standoffId: string): Promise<number> {
    let built = 0;
    while (built < this.perBatch && (await this.buildNext(db, standoffId))) built += 1;
    return built;
  }

  private async buildNext(db: Queryable, standoffId: string): Promise<boolean> {
    // The state (large) is read only once enough events are due.
    const [previous]: Omit<SnapshotRow, 'state'>[] = await db.query(
      `SELECT seq, occurred_at, reported_at, position, max_reported_at, folded FROM state_snapshots
        WHERE standoff_id = $1 ORDER BY seq DESC LIMIT 1`,
      [standoffId],
    );
    const after = previous ? keyOf(previous) : BEFORE_EVERYTHING;
    const candidates: CandidateRow[] = await db.query(
      `SELECT event_id, occurred_at, reported_at, position, posted FROM events
        WHERE standoff_id = $1 AND (occurred_at, reported_at, position) > ($2, $3, $4) AND occurred_at >= $2
        ORDER BY occurred_at, reported_at, position LIMIT $5`,
      [standoffId, after.occurredAt, after.reportedAt, after.position, this.interval],
    );
    if (candidates.length < this.interval) return false;
    const checkpoint = candidates[candidates.length - 1];
    const knowledge = await loadKnowledgeAbout(
      db,
      standoffId,
      candidates.map((c) => c.event_id),
      END_OF_TIME,
    );
    const view = knowledgeView(distinctEvents(candidates, knowledge), Number.MAX_SAFE_INTEGER);
    const inRange = new Set(candidates.map((c) => c.event_id));
    const [stored]: { state: FoldState }[] = previous
      ? await db.query(`SELECT state FROM state_snapshots WHERE standoff_id = $1 AND seq = $2`, [
          standoffId,
          previous.seq,
        ])
      : [];
    const state = foldEvents(
      stored ? stored.state : initialState(),
      view.events.filter((known) => isIncluded(known) && inRange.has(known.event.eventId)),
    );
    const movedOut = await this.reportsOfEventsMovedOut(db, standoffId, checkpoint);
    const floor = Math.max(
      previous?.max_reported_at.getTime() ?? BEFORE_EVERYTHING.reportedAt.getTime(),
      movedOut?.getTime() ?? BEFORE_EVERYTHING.reportedAt.getTime(),
    );
    const maxReported = maxReportedAt([...candidates, ...knowledge], new Date(floor));
    await db.query(
      `INSERT INTO state_snapshots (standoff_id, seq, occurred_at, reported_at, position, max_reported_at, folded, state)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        standoffId,
        (previous?.seq ?? 0) + 1,
        checkpoint.occurred_at,
        checkpoint.reported_at,
        checkpoint.position,
        maxReported,
        (previous?.folded ?? 0) + candidates.length,
        JSON.stringify(state),
      ],
    );
    return true;
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
