import type { DataSource } from 'typeorm';
import { SnapshotMaintainer, type CachedSnapshot } from './snapshot-maintainer';
import { StandoffChanges, type StandoffChange } from './standoff-changes';

export type { StandoffChange } from './standoff-changes';

/** Snapshots built for one standoff before the next standoff in line gets its turn. */
const SNAPSHOTS_PER_TURN = 8;
/** How long a standoff waits after the projector changed it under a build, or held it too long. */
const RETRY_MS = 100;
/**
 * How long a build that found a version this process's projector has not reported yet waits for the report (it
 * comes right after the COMMIT), trying to store again meanwhile. No lock is held while it waits.
 */
const REPORT_WAIT_MS = 50;
/** How often every standoff is looked at when nothing was touched (after a restart, a rebuild, a failure). */
const SCAN_EVERY_MS = 3000;
/**
 * The share of its time the builder works while the projector of this process is deciding: it shares the
 * process and the cores with it. Once the projector is quiet, it builds without pause.
 */
const SHARE_WHILE_PROJECTING = 0.2;
/** How long after the projector's latest commit it counts as deciding. */
const PROJECTING_MS = 1000;
/** Latest states kept in memory, one per standoff, so a standoff being extended is not read back. */
const CACHED_STATES = 64;

export interface SnapshotBuilderOptions {
  readonly maintainer?: SnapshotMaintainer;
  readonly warn?: (message: string) => void;
}

const LOCK_NOT_AVAILABLE = '55P03';
const UNIQUE_VIOLATION = '23505';

type Outcome = 'built' | 'none' | 'held' | 'changed';

/**
 * Builds the snapshots off the projector's transaction, after its commits: the projector only deletes the
 * snapshots its events make stale and tells this builder what it changed; the builder extends each touched
 * standoff one snapshot at a time, never holding a lock while it reads or folds: the projector waits at most
 * for one INSERT statement of one snapshot.
 *
 * A build reads in one REPEATABLE READ transaction (the standoff's version V0, the latest snapshot, the events
 * after it), folds outside any transaction, then stores in one statement that takes the standoff's row lock
 * (waiting for the projector's transaction to end if need be) and stores only while the version is at most the
 * one up to which this process's projector reported every change since V0, none of them making anything at or
 * before the new checkpoint stale (`StandoffChanges`); otherwise it is thrown away and built again. The
 * projector deletes stale snapshots under the same row lock, so a snapshot stored here is either seen by the
 * projector's DELETE or was folded from everything that DELETE concerns. The lock is never held across a round
 * trip, so this process's event loop (the API's work included) cannot stretch the projector's wait.
 *
 * While a standoff is changing, snapshots from the earliest point its recent changes made stale are held back
 * until it is quiet: the next batch would most likely make them stale again.
 *
 * Queries stay exact while snapshots lag: they fold from the latest usable snapshot, however far back.
 */
export class SnapshotBuilder {
  private readonly maintainer: SnapshotMaintainer;
  private readonly changes = new StandoffChanges();
  private readonly cache = new Map<string, CachedSnapshot>();
  /** Standoffs to look at, in order, and when each may be looked at again. */
  private readonly due = new Map<string, number>();
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private wake: (() => void) | undefined;
  private nextScan = 0;
  private quietWaiters: (() => void)[] = [];
  /** Waiters that asked before the latest scan: they are answered once that scan's work is done. */
  private scannedFor = 0;
  private lastChangeAt = -Infinity;
  /** Snapshots stored, and builds thrown away because the standoff changed under them (for tests and benches). */
  readonly stats = { built: 0, discarded: 0 };

  constructor(
    private readonly db: DataSource,
    private readonly options: SnapshotBuilderOptions = {},
  ) {
    this.maintainer = options.maintainer ?? new SnapshotMaintainer();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.nextScan = 0;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.cache.clear();
  }

  /** What the projector committed: the standoffs to extend, and what their changes made stale. */
  changed(changes: readonly StandoffChange[]): void {
    for (const change of changes) {
      this.changes.record(change);
      if (!this.due.has(change.standoffId)) this.due.set(change.standoffId, 0);
    }
    if (changes.length > 0) {
      this.lastChangeAt = Date.now();
      this.wake?.();
    }
  }

  /**
   * Resolves once every standoff has been looked at after this call and none has a snapshot due that could be
   * built (tests and benchmarks wait on it rather than on a pause).
   */
  quiet(): Promise<void> {
    this.nextScan = 0;
    this.wake?.();
    return new Promise((resolve) => this.quietWaiters.push(resolve));
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (Date.now() >= this.nextScan) await this.scan();
        const next = this.nextDue();
        if (next === undefined) {
          this.settle();
          await this.idle(this.nextScan - Date.now());
          continue;
        }
        if (next.at > Date.now()) {
          await this.idle(Math.min(next.at, this.nextScan) - Date.now());
          continue;
        }
        this.due.delete(next.standoffId);
        await this.turn(next.standoffId);
      } catch (error) {
        this.options.warn?.(`snapshot builder failed, retrying: ${(error as Error).message}`);
        await this.idle(SCAN_EVERY_MS);
      }
    }
    this.settle();
  }

  /** Every standoff, so that those no batch touched since a restart or a rebuild get their snapshots too. */
  private async scan(): Promise<void> {
    const waiting = this.quietWaiters.length;
    const standoffs: { standoff_id: string }[] = await this.db.query(`SELECT standoff_id FROM standoffs`);
    for (const { standoff_id } of standoffs) if (!this.due.has(standoff_id)) this.due.set(standoff_id, 0);
    this.nextScan = Date.now() + SCAN_EVERY_MS;
    this.scannedFor = waiting;
  }

  private settle(): void {
    if (this.scannedFor === 0) return;
    const answered = this.quietWaiters.splice(0, this.scannedFor);
    this.scannedFor = 0;
    for (const resolve of answered) resolve();
  }

  private nextDue(): { standoffId: string; at: number } | undefined {
    let earliest: { standoffId: string; at: number } | undefined;
    for (const [standoffId, at] of this.due) {
      if (at <= Date.now()) return { standoffId, at };
      if (!earliest || at < earliest.at) earliest = { standoffId, at };
    }
    return earliest;
  }

  private async turn(standoffId: string): Promise<void> {
    for (let built = 0; built < SNAPSHOTS_PER_TURN && this.running; built += 1) {
      const settling = this.changes.settling(standoffId);
      const started = Date.now();
      const outcome = await this.buildNext(standoffId, settling?.staleFrom);
      if (outcome === 'none') {
        // Held back where the projector keeps making snapshots stale: looked at again once it is quiet.
        if (settling && !this.due.has(standoffId)) this.due.set(standoffId, settling.quietAt);
        return;
      }
      if (outcome !== 'built') {
        this.due.set(standoffId, Date.now() + RETRY_MS);
        return;
      }
      // Let the projector's work in this process run between two builds, and most of the time while it decides.
      const pause =
        Date.now() - this.lastChangeAt < PROJECTING_MS
          ? ((Date.now() - started) * (1 - SHARE_WHILE_PROJECTING)) / SHARE_WHILE_PROJECTING
          : 0;
      await new Promise((resolve) => (pause > 0 ? setTimeout(resolve, pause) : setImmediate(resolve)));
    }
    if (this.running) this.due.set(standoffId, Date.now());
  }

  private async buildNext(standoffId: string, before: number | undefined): Promise<Outcome> {
    const read = await this.db.transaction('REPEATABLE READ', async (tx) => {
      const [standoff]: { version: number }[] = await tx.query(
        `SELECT version FROM standoffs WHERE standoff_id = $1`,
        [standoffId],
      );
      if (!standoff) return undefined;
      const plan = await this.maintainer.planNext(tx, standoffId, this.cache.get(standoffId), before);
      return { version: standoff.version, plan };
    });
    if (!read) return 'none';
    this.changes.forgetUpTo(standoffId, read.version);
    if (!read.plan) return 'none';
    const snapshot = this.maintainer.fold(read.plan);
    const checkpoint = snapshot.occurred_at.getTime();
    // The projector reports right after its COMMIT: a version found beyond what it reported is given a moment.
    const deadline = Date.now() + REPORT_WAIT_MS;
    for (;;) {
      const upTo = this.changes.intactUpTo(standoffId, read.version, checkpoint);
      let found: { version: number | undefined; xmin: string | undefined };
      try {
        found = await this.maintainer.insertWhileAtMost(this.db, standoffId, snapshot, upTo);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === LOCK_NOT_AVAILABLE) return 'held';
        // Another process's builder stored this snapshot while the statement waited for the lock (its check for
        // a later snapshot saw the table as it was before the wait).
        if (code === UNIQUE_VIOLATION) {
          this.stats.discarded += 1;
          return 'changed';
        }
        throw error;
      }
      if (found.version === undefined) return 'none';
      if (found.xmin !== undefined) {
        this.remember(standoffId, { seq: snapshot.seq, xmin: found.xmin, state: snapshot.state });
        this.stats.built += 1;
        return 'built';
      }
      // Refused for a version beyond `upTo`: once the projector's report shows it left the snapshot intact, the
      // next attempt stores it; a stale one, or a place taken meanwhile (found.version <= upTo), ends here.
      const judged = this.changes.judge(standoffId, read.version, found.version, checkpoint);
      if (judged === 'stale' || Date.now() >= deadline || found.version <= upTo) {
        this.stats.discarded += 1;
        return 'changed';
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  private remember(standoffId: string, snapshot: CachedSnapshot): void {
    this.cache.delete(standoffId);
    this.cache.set(standoffId, snapshot);
    if (this.cache.size > CACHED_STATES) this.cache.delete(this.cache.keys().next().value as string);
  }

  private idle(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      const wake = (): void => done();
      this.wake = wake;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
