import { randomUUID } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';
import type { Queryable } from '@app/read-model/queryable';
import type { RuleBook } from '@app/domain/rules';
import type { EventLog, LogSubscription } from '@app/event-log/event-log.port';
import { MIGRATIONS } from '@app/read-model/database';
import { createDashboardViews, dashboardSchemaOf } from '@app/read-model/dashboard-views';
import { quoteIdentifier, scopedToSchema } from '@app/decisions/projection-database';
import { DecisionProjection } from '@app/decisions/decision-projection';
import { isTransientDatabaseFault } from '@app/decisions/fault-kind';
import { bindToLog } from '@app/decisions/log-binding';
import { carryOverFeed } from '@app/decisions/feed-outbox';

/**
 * Every read model, moved as one at the switch. The log itself (`log_records`) stays where it is, and so does the
 * feed (`feed`, `feed_sequence`, `feed_publication`): readers and the topic publisher hold positions in it, so it
 * keeps its sequences and only gains what the rebuild applied beyond the live projector (carryOverFeed).
 */
export const READ_MODEL_TABLES = [
  'state_snapshots',
  'decided_events',
  'decisions',
  'entities',
  'events',
  'standoffs',
  'dead_letters',
  'projection_offsets',
  'projection_log',
];

export interface RebuildProgress {
  /** Log records to apply (where the log ended when the rebuild started) and applied so far. */
  readonly total: number;
  readonly applied: number;
  /** The events the applied records carried; once caught up, the events the rebuilt models hold. */
  readonly events: number;
}

export interface RebuildTarget {
  readonly dataSource: DataSource;
  readonly eventLog: EventLog;
  readonly logName: string;
  /** The name the projector stores its offsets under. */
  readonly consumer: string;
  /** The consumer group the rebuild reads the log with (Kafka), apart from the live projectors'. */
  readonly groupId: string;
  /** Default: the product's RULE_BOOK. */
  readonly ruleBook?: RuleBook;
  /**
   * The live projectors' consumer group (Kafka): the switch waits for it to be empty, and refuses while another
   * process projects, since that process would go on writing into the tables being swapped out.
   */
  readonly liveGroupId?: string;
  /** The live read models come from another log (REBUILD_ON_LOG_CHANGE): their offsets say nothing here. */
  readonly replacingAnotherLog?: boolean;
}

/** The rebuild cannot switch safely: another process is projecting into the live read models. */
export class LiveProjectorsRunningError extends Error {
  constructor(detail: string) {
    super(`the rebuild did not switch, and the live read models are unchanged: ${detail}`);
    this.name = 'LiveProjectorsRunningError';
  }
}

/** How long the switch waits for the live group to empty (a stopped member leaves at once; a dead one times out). */
const LIVE_GROUP_EMPTY_WAIT_MS = 15_000;

export interface RebuildHooks {
  /** The live projector of this process: stopped just before the switch, started again after it or a failure. */
  readonly live?: { stop(): Promise<void>; start(): Promise<void> };
  readonly report?: (progress: RebuildProgress) => void;
  readonly pollMs?: number;
}

/**
 * Rebuilds every read model from the log's first record into a schema beside the live one, while the live
 * models keep serving, then switches the tables over in one transaction. Should it fail or be interrupted, the
 * schema beside is dropped and the live models are as they were: a rebuild never leaves the product emptier.
 */
export async function rebuildBeside(
  target: RebuildTarget,
  hooks: RebuildHooks = {},
): Promise<RebuildProgress> {
  const { dataSource, eventLog } = target;
  const [{ schema: liveSchema }]: { schema: string }[] = await dataSource.query(
    `SELECT current_schema() AS schema`,
  );
  const shadowSchema = `rebuild_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  // Until the switch nothing depends on the rebuild's commits: a rebuild that dies with the server is dropped.
  const shadow = scopedToSchema(dataSource, shadowSchema, { waitForDisk: false });
  let subscription: LogSubscription | undefined;
  let liveStopped = false;
  try {
    const readPathIndexes = await createReadModelSchema(dataSource, shadowSchema);
    await bindToLog(shadow, target.consumer, target.logName, await eventLog.identity());
    const projection = new DecisionProjection(
      shadow,
      target.consumer,
      target.logName,
      undefined,
      target.ruleBook,
    );
    const statistics = new ShadowStatistics(dataSource, shadowSchema);
    const startEnds = await eventLog.endOffsets();
    subscription = await eventLog.subscribe(projection, { groupId: target.groupId });
    await appliedUpTo(dataSource, shadowSchema, target, startEnds, hooks, statistics);
    // While the live projector still runs: the pause of the write path is only the catch-up below. The read
    // path's plans want statistics of the tables it is about to be given.
    await createIndexes(dataSource, readPathIndexes);
    await statistics.analyze();
    if (hooks.live) {
      liveStopped = true;
      await hooks.live.stop();
    }
    await noOtherProjectors(target);
    // What the live projector applied meanwhile is in the log too: the rebuild catches up with it.
    const caughtUp = await appliedUpTo(
      dataSource,
      shadowSchema,
      target,
      await eventLog.endOffsets(),
      hooks,
      statistics,
    );
    await subscription.stop();
    subscription = undefined;
    const progress = { ...caughtUp, events: await eventCount(dataSource, shadowSchema) };
    hooks.report?.(progress);
    await switchTables(dataSource, shadowSchema, liveSchema, target);
    return progress;
  } catch (error) {
    await subscription?.stop().catch(() => undefined);
    await dropSchemaQuietly(dataSource, shadowSchema);
    throw error;
  } finally {
    if (liveStopped && hooks.live) await startAgain(hooks.live);
  }
}

async function noOtherProjectors(target: RebuildTarget): Promise<void> {
  const { eventLog, liveGroupId } = target;
  if (!liveGroupId || !eventLog.groupOwnership) return;
  const deadline = Date.now() + LIVE_GROUP_EMPTY_WAIT_MS;
  for (;;) {
    const group = await eventLog.groupOwnership(liveGroupId);
    if (group.members === 0) return;
    if (Date.now() > deadline) {
      throw new LiveProjectorsRunningError(
        `${group.members} projector(s) of group ${liveGroupId} still hold partitions [${group.owned.join(', ')}]; ` +
          'stop them (npm run rebuild wants every projector stopped), or rebuild from the only projector ' +
          '(POST /v1/admin/rebuild on it)',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The live projector goes on after the rebuild, whatever happened to it: a failure to start (the log briefly
 * away) is retried, so that the write path never stays stopped behind a rebuild.
 */
async function startAgain(live: { start(): Promise<void> }): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await live.start();
      return;
    } catch (error) {
      if (attempt >= START_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 5000)));
    }
  }
}

const START_ATTEMPTS = 20;

/**
 * Waits until the rebuild has applied every partition up to `ends`. Progress is read from the offsets' row per
 * partition (the records applied and the events they carried), never by counting the rebuilt rows: a count
 * would grow with the history and compete with the load it measures.
 */
async function appliedUpTo(
  dataSource: DataSource,
  shadowSchema: string,
  target: RebuildTarget,
  ends: ReadonlyMap<number, string>,
  hooks: RebuildHooks,
  statistics: ShadowStatistics,
): Promise<RebuildProgress> {
  const total = sum([...ends.values()]);
  for (;;) {
    const offsets: { partition: number; next_offset: string; applied_events: string }[] =
      await dataSource.query(
        `SELECT partition, next_offset::text AS next_offset, applied_events::text AS applied_events
         FROM ${quoteIdentifier(shadowSchema)}.projection_offsets
        WHERE consumer = $1 AND topic = $2`,
        [target.consumer, target.logName],
      );
    const next = new Map(offsets.map((row) => [row.partition, BigInt(row.next_offset)]));
    const applied = Math.min(total, sum(offsets.map((row) => row.next_offset)));
    const progress = { total, applied, events: sum(offsets.map((row) => row.applied_events)) };
    hooks.report?.(progress);
    await statistics.keepUp(progress.events);
    const done = [...ends].every(([partition, end]) => (next.get(partition) ?? 0n) >= BigInt(end));
    if (done) return progress;
    await new Promise((resolve) => setTimeout(resolve, hooks.pollMs ?? 250));
  }
}

/**
 * The tables beside are new, and Postgres knows nothing of their rows until autovacuum gets round to them (it
 * may not during a rebuild): without statistics it plans the decisions' lookups as if a standoff had a handful
 * of events, as a hash join over all of them for every record, which makes the rebuild quadratic (measured: 2.6 s
 * a lookup at 400,000 events, 1 ms once analysed). The rebuild analyses them each time the events applied double.
 */
class ShadowStatistics {
  private nextAt = FIRST_ANALYZE_AT_EVENTS;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
  ) {}

  async keepUp(eventsApplied: number): Promise<void> {
    if (eventsApplied < this.nextAt) return;
    this.nextAt = 2 * eventsApplied;
    await this.analyze();
  }

  async analyze(): Promise<void> {
    const schema = quoteIdentifier(this.schema);
    const tables = [...READ_MODEL_TABLES, 'feed'].map((table) => `${schema}.${table}`);
    await this.dataSource.query(`ANALYZE ${tables.join(', ')}`);
  }
}

const FIRST_ANALYZE_AT_EVENTS = 5_000;

async function eventCount(dataSource: DataSource, schema: string): Promise<number> {
  const [{ events }]: { events: number }[] = await dataSource.query(
    `SELECT count(*)::int AS events FROM ${quoteIdentifier(schema)}.events`,
  );
  return events;
}

/**
 * Indexes that only queries read: no statement the projection runs while deciding looks them up (it finds events
 * by id, the events a correction names through events_by_named_event, and never reads the feed). The rebuild
 * builds them once, after the catch-up, rather than row by row during the load.
 */
export const READ_PATH_INDEXES = [
  'events_by_occurrence',
  'events_titles',
  'events_time_corrected',
  'events_by_report',
  'feed_by_standoff',
];

/** Index definitions, as `pg_indexes` gives them (schema-qualified). */
type IndexDefinitions = readonly string[];

async function createIndexes(dataSource: DataSource, definitions: IndexDefinitions): Promise<void> {
  for (const definition of definitions) await dataSource.query(definition);
}

/**
 * The read-model tables, empty, in a schema of their own: the migrations run there. The read path's indexes are
 * dropped again; their definitions are returned, to be built once the rows are in.
 */
async function createReadModelSchema(dataSource: DataSource, schema: string): Promise<IndexDefinitions> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    await runner.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
    await runner.query(`SET LOCAL search_path TO ${quoteIdentifier(schema)}`);
    for (const Migration of MIGRATIONS) await new Migration().up(runner as QueryRunner);
    await runner.query(`DROP TABLE log_records`);
    // The views a dashboard reads stay beside the live schema and follow its tables at the switch.
    await runner.query(`DROP SCHEMA ${quoteIdentifier(dashboardSchemaOf(schema))} CASCADE`);
    const deferred: { indexname: string; indexdef: string }[] = await runner.query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = ANY($2::text[])`,
      [schema, READ_PATH_INDEXES],
    );
    for (const { indexname } of deferred)
      await runner.query(`DROP INDEX ${quoteIdentifier(schema)}.${quoteIdentifier(indexname)}`);
    await runner.commitTransaction();
    return deferred.map((index) => index.indexdef);
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
}

/**
 * Swaps the rebuilt tables in, in one transaction; the old ones are dropped once out of the way. The swap takes
 * each table's exclusive lock in turn, so a reader holding one while it waits for another could deadlock with
 * it: the swap waits for no lock long, lets go of all of them, and is tried again.
 */
async function switchTables(
  dataSource: DataSource,
  shadowSchema: string,
  liveSchema: string,
  target: RebuildTarget,
): Promise<void> {
  const retiredSchema = `retired_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const retired = quoteIdentifier(retiredSchema);
  const live = quoteIdentifier(liveSchema);
  const shadow = quoteIdentifier(shadowSchema);
  for (let attempt = 1; ; attempt += 1) {
    try {
      await dataSource.transaction(async (tx) => {
        // Give up a lock before Postgres's deadlock check (1 s) would pick a victim, maybe a reader.
        await tx.query(`SET LOCAL lock_timeout = '200ms'`);
        if (!target.replacingAnotherLog) await refuseIfLiveIsAhead(tx, live, shadow, target);
        // From another log, the live feed tells another history: the rebuilt feed replaces it whole (a new feed
        // id, which the topic publisher refuses to mix with the old one's mark). From the same log, readers keep
        // their positions: the live feed stays and gains what the rebuild applied beyond it.
        const tables = target.replacingAnotherLog
          ? [...READ_MODEL_TABLES, ...FEED_TABLES]
          : READ_MODEL_TABLES;
        await tx.query(`CREATE SCHEMA ${retired}`);
        for (const table of tables) await tx.query(`ALTER TABLE ${live}.${table} SET SCHEMA ${retired}`);
        for (const table of tables) await tx.query(`ALTER TABLE ${shadow}.${table} SET SCHEMA ${live}`);
        if (!target.replacingAnotherLog) await carryOverFeed(tx, shadow, live);
        // The views were bound to the tables just retired (and would be dropped with them): bind them anew.
        await createDashboardViews(tx, liveSchema);
      });
      break;
    } catch (error) {
      if (attempt >= SWITCH_ATTEMPTS || !isTransientDatabaseFault(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
  await dataSource.query(`DROP SCHEMA ${retired} CASCADE`);
  await dataSource.query(`DROP SCHEMA ${shadow} CASCADE`);
}

const SWITCH_ATTEMPTS = 50;

/** The feed's tables: kept across a rebuild of the same log, replaced by a rebuild from another log. */
const FEED_TABLES = ['feed', 'feed_sequence', 'feed_publication'];

/**
 * The last guard, under the live offsets' lock: had any process applied a record the rebuild has not, the
 * rebuilt models would lack its events while that process believed them stored.
 */
async function refuseIfLiveIsAhead(
  tx: Queryable,
  live: string,
  shadow: string,
  target: RebuildTarget,
): Promise<void> {
  await tx.query(`LOCK TABLE ${live}.projection_offsets IN EXCLUSIVE MODE`);
  const ahead: { partition: number; live: string; rebuilt: string | null }[] = await tx.query(
    `SELECT l.partition, l.next_offset::text AS live, s.next_offset::text AS rebuilt
       FROM ${live}.projection_offsets l
       LEFT JOIN ${shadow}.projection_offsets s
              ON s.consumer = l.consumer AND s.topic = l.topic AND s.partition = l.partition
      WHERE l.consumer = $1 AND l.topic = $2 AND l.next_offset > coalesce(s.next_offset, 0)`,
    [target.consumer, target.logName],
  );
  if (ahead.length > 0) {
    throw new LiveProjectorsRunningError(
      `the live projection is ahead of the rebuild (${ahead
        .map((row) => `partition ${row.partition}: ${row.live} > ${row.rebuilt ?? 0}`)
        .join(', ')}): another process is projecting; stop it and rebuild again`,
    );
  }
}

async function dropSchemaQuietly(dataSource: DataSource, schema: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      await dataSource.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function sum(values: readonly string[]): number {
  return values.reduce((total, value) => total + Number(value), 0);
}
