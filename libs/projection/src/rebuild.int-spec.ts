import type { DataSource } from 'typeorm';
import { EmbeddedEventLog } from '@app/event-log/embedded-event-log.adapter';
import type { EventLog } from '@app/event-log/event-log.port';
import { databaseUrl, uniqueSchemaName, waitFor } from '../../../test/support/services';
import { SyntheticHistory } from '../../../test/support/synthetic-events';
import { createDataSource, migrate } from '@app/read-model/database';
import { DecisionProjection } from '@app/decisions/decision-projection';
import { rebuildBeside, READ_MODEL_TABLES, READ_PATH_INDEXES } from './rebuild';
import { commandOf } from '../../../test/support/commands';

const STANDOFF = 'rebuild-test';
const CONSUMER = 'test-projector';

/** Issue 7, item 3: a rebuild builds beside the live read models and switches only when complete. */
describe('a rebuild beside the live read models, on the real Postgres', () => {
  const schema = uniqueSchemaName('rebuild');
  let db: DataSource;
  let log: EmbeddedEventLog;

  beforeAll(async () => {
    db = createDataSource({ url: databaseUrl(), schema });
    await db.initialize();
    await migrate(db, { schema });
    log = new EmbeddedEventLog(db, { pollIntervalMs: 20 });
    const history = new SyntheticHistory({ seed: 7, stepMs: 6 * 3_600_000 });
    for (let i = 0; i < 12; i++) await log.append(commandOf(STANDOFF, history.take(10)));
    const live = await log.subscribe(new DecisionProjection(db, CONSUMER, 'embedded'));
    await waitFor('the live projection', async () => (await offsetOf(db)) === 12n);
    await live.stop();
  }, 60_000);

  afterAll(async () => {
    await log.close();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.query(`DROP SCHEMA IF EXISTS "${schema}_dashboard" CASCADE`);
    await db.destroy();
  });

  const target = (eventLog: EventLog) => ({
    dataSource: db,
    eventLog,
    logName: 'embedded',
    consumer: CONSUMER,
    groupId: 'rebuild-test',
  });

  it('leaves the live models as they were, and nothing beside them, when it fails before the switch', async () => {
    const before = await contents(db);
    const schemasBefore = await rebuildSchemas(db);
    let endOffsetCalls = 0;
    // The log answers until the rebuild has caught up, then goes away just before the switch.
    const failing: EventLog = Object.create(log, {
      endOffsets: {
        value: () =>
          ++endOffsetCalls === 1 ? log.endOffsets() : Promise.reject(new Error('the log went away')),
      },
    });
    const live = { stop: jest.fn(async () => undefined), start: jest.fn(async () => undefined) };
    await expect(rebuildBeside(target(failing), { live, pollMs: 20 })).rejects.toThrow('the log went away');
    expect(live.stop).toHaveBeenCalledTimes(1);
    expect(live.start).toHaveBeenCalledTimes(1);
    expect(await contents(db)).toEqual(before);
    expect(await rebuildSchemas(db)).toEqual(schemasBefore);
  }, 60_000);

  it('restores damaged read models, switching them in whole', async () => {
    const before = await contents(db);
    const schemasBefore = await rebuildSchemas(db);
    const indexesBefore = await indexesOf(db);
    // Built after the load, not during it: they must be back, each as the migrations define it.
    expect(indexesBefore.map((index) => index.name)).toEqual(expect.arrayContaining(READ_PATH_INDEXES));
    await db.query(`DELETE FROM decided_events`);
    await db.query(`DELETE FROM events WHERE position > 50`);
    await db.query(`UPDATE standoffs SET version = 50`);
    expect(await contents(db)).not.toEqual(before);

    const reported: number[] = [];
    const progress = await rebuildBeside(target(log), {
      pollMs: 20,
      report: ({ applied }) => reported.push(applied),
    });
    expect(progress).toMatchObject({ total: 12, applied: 12, events: before.events.length });
    expect(reported[reported.length - 1]).toBe(12);
    expect(await contents(db)).toEqual(before);
    expect(await rebuildSchemas(db)).toEqual(schemasBefore);
    // Every read model is back in the live schema, with its indexes.
    const tables: { table_name: string }[] = await db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(READ_MODEL_TABLES));
    expect(await indexesOf(db)).toEqual(indexesBefore);
  }, 60_000);
});

async function offsetOf(db: DataSource): Promise<bigint> {
  const rows: { next_offset: string }[] = await db.query(
    `SELECT next_offset::text AS next_offset FROM projection_offsets WHERE consumer = $1`,
    [CONSUMER],
  );
  return BigInt(rows[0]?.next_offset ?? '0');
}

async function contents(db: DataSource) {
  return {
    standoffs: await db.query(`SELECT standoff_id, version FROM standoffs ORDER BY standoff_id`),
    events: await db.query(
      `SELECT event_id, position, type, occurred_at, data, retracted FROM events ORDER BY standoff_id, position`,
    ),
    decisions: await db.query(`SELECT command_id, outcome, version_after FROM decisions ORDER BY command_id`),
    decided: await db.query(`SELECT count(*)::int AS n FROM decided_events`),
    offsets: await db.query(`SELECT partition, next_offset FROM projection_offsets ORDER BY partition`),
  };
}

/** The live schema's indexes and their definitions, the schema's name left out. */
async function indexesOf(db: DataSource): Promise<{ name: string; definition: string }[]> {
  const rows: { name: string; definition: string }[] = await db.query(
    `SELECT indexname AS name, replace(indexdef, schemaname || '.', '') AS definition FROM pg_indexes
      WHERE schemaname = current_schema() ORDER BY indexname`,
  );
  return rows;
}

async function rebuildSchemas(db: DataSource): Promise<string[]> {
  const rows: { nspname: string }[] = await db.query(
    `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rebuild\\_%' OR nspname LIKE 'retired\\_%'
      ORDER BY nspname`,
  );
  return rows.map((r) => r.nspname);
}
