import type { DataSource } from 'typeorm';
import { OffsetGapError, type LogRecord } from '@app/event-log/event-log.port';
import { commandOf, recordOf } from '../../../test/support/commands';
import { databaseUrl, uniqueSchemaName } from '../../../test/support/services';
import { createDataSource, migrate, MIGRATIONS } from '@app/read-model/database';
import { DecisionProjection } from './decision-projection';
import {
  batchApplied,
  snapshotsInvalidated,
  type BatchApplied,
  type SnapshotsInvalidated,
} from './projection-timing';

function statementRecord(offset: number, changes: { rulesVersion?: number } = {}, actor = 'RUS'): LogRecord {
  const command = commandOf(
    'projection-test',
    [{ type: 'statement.made', occurredAt: '2022-01-10', actor: 'RUS', summary: 'A statement' }],
    changes,
  );
  // The actor is set after validation: a record no API could have written is what some tests need.
  return recordOf({ ...command, events: command.events.map((event) => ({ ...event, actor })) }, offset);
}

function garbageRecord(offset: number): LogRecord {
  return {
    partition: 0,
    offset: String(offset),
    recordedAt: Date.now(),
    envelope: undefined,
    raw: Buffer.from('not an envelope'),
    decodeError: 'not JSON',
  };
}

describe('the decision projection on the real Postgres', () => {
  const schema = uniqueSchemaName('projection');
  let first: DataSource;
  let second: DataSource;

  beforeAll(async () => {
    first = createDataSource({ url: databaseUrl(), schema });
    second = createDataSource({ url: databaseUrl(), schema });
    await Promise.all([first.initialize(), second.initialize()]);
  });

  afterAll(async () => {
    await first.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await first.query(`DROP SCHEMA IF EXISTS "${schema}_dashboard" CASCADE`);
    await Promise.all([first.destroy(), second.destroy()]);
  });

  it('runs the migrations once when two processes start together', async () => {
    await Promise.all([migrate(first, { schema }), migrate(second, { schema })]);
    const [{ count }] = await first.query(`SELECT count(*)::int AS count FROM schema_migrations`);
    expect(count).toBe(MIGRATIONS.length);
  });

  it('puts an undecodable record in the dead letters and goes on; a redelivery changes nothing', async () => {
    const projection = new DecisionProjection(first, 'test', 'embedded');
    const batch = { partition: 0, records: [garbageRecord(0), statementRecord(1)] };
    await projection.apply(batch);
    await projection.apply(batch);
    const [counts] = await first.query(
      `SELECT (SELECT count(*)::int FROM dead_letters) AS dead, (SELECT count(*)::int FROM events) AS events,
              (SELECT count(*)::int FROM decisions) AS decisions,
              (SELECT next_offset::int FROM projection_offsets WHERE consumer = 'test') AS next`,
    );
    expect(counts).toEqual({ dead: 1, events: 1, decisions: 1, next: 2 });
    expect(await projection.resumeOffsets([0])).toEqual(new Map([[0, '2']]));
  });

  it('refuses records that start past its stored offset rather than skip the ones between', async () => {
    const projection = new DecisionProjection(first, 'test', 'embedded');
    await expect(projection.apply({ partition: 0, records: [statementRecord(5)] })).rejects.toBeInstanceOf(
      OffsetGapError,
    );
    const [{ count }] = await first.query(`SELECT count(*)::int AS count FROM events`);
    expect(count).toBe(1);
  });

  it('dead-letters a record of rules version 2 whose events no API could have appended, naming what breaks', async () => {
    const projection = new DecisionProjection(first, 'test', 'embedded');
    const malformed = statementRecord(2, { rulesVersion: 2 }, 'not an actor');
    await projection.apply({ partition: 0, records: [malformed, statementRecord(3, { rulesVersion: 2 })] });
    const letters: { error: string }[] = await first.query(
      `SELECT error FROM dead_letters WHERE log_offset = 2`,
    );
    expect(letters).toEqual([
      { error: expect.stringMatching(/does not hold events of the catalogue: \/actor /) },
    ]);
    const decisions: { outcome: string }[] = await first.query(
      `SELECT outcome FROM decisions WHERE log_offset IN (2, 3) ORDER BY log_offset`,
    );
    expect(decisions).toEqual([{ outcome: 'accepted' }]);
  });

  it('publishes the time of each applied batch and of its snapshot invalidation to whoever listens', async () => {
    const projection = new DecisionProjection(first, 'test', 'embedded');
    const applied: BatchApplied[] = [];
    const invalidated: SnapshotsInvalidated[] = [];
    const onApplied = (message: unknown) => applied.push(message as BatchApplied);
    const onInvalidated = (message: unknown) => invalidated.push(message as SnapshotsInvalidated);
    batchApplied.subscribe(onApplied);
    snapshotsInvalidated.subscribe(onInvalidated);
    try {
      await projection.apply({ partition: 0, records: [statementRecord(4), statementRecord(5)] });
    } finally {
      batchApplied.unsubscribe(onApplied);
      snapshotsInvalidated.unsubscribe(onInvalidated);
    }
    expect(applied).toEqual([{ partition: 0, records: 2, ms: expect.any(Number) }]);
    expect(applied[0].ms).toBeGreaterThan(0);
    // One invalidation per standoff per transaction, from the earliest point its commands made stale.
    expect(invalidated).toEqual([{ standoffId: 'projection-test', ms: expect.any(Number) }]);
  });
});
