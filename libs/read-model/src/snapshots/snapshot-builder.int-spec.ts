import type { DataSource } from 'typeorm';
import type { RecordedEvent } from '@app/domain/recorded-event';
import { stateAt } from '@app/domain/state-at';
import { DecisionProjection } from '@app/decisions/decision-projection';
import { databaseUrl, uniqueSchemaName } from '../../../../test/support/services';
import { commandOf, recordOf } from '../../../../test/support/commands';
import { createDataSource, migrate } from '../database';
import type { Queryable } from '../queryable';
import { SnapshotBuilder } from './snapshot-builder';
import { SnapshotMaintainer, type CachedSnapshot, type SnapshotPlan } from './snapshot-maintainer';
import { readStateFromSnapshots } from './snapshot-state-reader';

const STANDOFF = 'builder-test';
const INTERVAL = 5;
const HOUR = 3_600_000;
const START = Date.UTC(2022, 0, 1);

/** A maintainer that runs `race` once, after a build has read its events and before it stores the snapshot. */
class RacedMaintainer extends SnapshotMaintainer {
  race: (() => Promise<void>) | undefined;

  override async planNext(
    db: Queryable,
    standoffId: string,
    cached?: CachedSnapshot,
    before?: number,
  ): Promise<SnapshotPlan | undefined> {
    const plan = await super.planNext(db, standoffId, cached, before);
    const race = plan && this.race;
    if (race) {
      this.race = undefined;
      await race();
    }
    return plan;
  }
}

function statement(n: number, at: number): Record<string, unknown> {
  const time = new Date(at).toISOString();
  return {
    eventId: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
    type: 'statement.made',
    occurredAt: time,
    reportedAt: time,
    actor: n % 2 === 0 ? 'USA' : 'RUS',
    summary: `Statement ${n}`,
  };
}

describe('snapshots built after the projector commits', () => {
  const schema = uniqueSchemaName('snapshot_builder');
  const maintainer = new RacedMaintainer(INTERVAL);
  let db: DataSource;
  let builder: SnapshotBuilder;
  let projection: DecisionProjection;
  /** The same projector's writes from another process: the builder hears nothing of them. */
  let elsewhere: DecisionProjection;
  let offset = 0;
  let n = 0;

  const post = (at: number, via = projection) =>
    via.apply({ partition: 0, records: [recordOf(commandOf(STANDOFF, [statement(++n, at)]), offset++)] });

  beforeAll(async () => {
    db = createDataSource({ url: databaseUrl(), schema });
    await db.initialize();
    await migrate(db, { schema });
    builder = new SnapshotBuilder(db, { maintainer });
    builder.start();
    projection = new DecisionProjection(db, 'test', 'embedded', {
      decided: () => undefined,
      changed: (changes) => builder.changed(changes),
    });
    elsewhere = new DecisionProjection(db, 'test', 'embedded');
    for (let i = 0; i < 3 * INTERVAL; i++) await post(START + i * HOUR);
    await builder.quiet();
  }, 60_000);

  afterAll(async () => {
    await builder?.stop();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.query(`DROP SCHEMA IF EXISTS "${schema}_dashboard" CASCADE`);
    await db.destroy();
  });

  async function checkpoints(): Promise<number[]> {
    const rows: { occurred_at: Date }[] = await db.query(
      `SELECT occurred_at FROM state_snapshots WHERE standoff_id = $1 ORDER BY seq`,
      [STANDOFF],
    );
    return rows.map((row) => row.occurred_at.getTime());
  }

  /** Each snapshot, read as the state at its own checkpoint, is the fold of the whole history there. */
  async function expectEverySnapshotRight(): Promise<void> {
    const rows: { posted: RecordedEvent }[] = await db.query(`SELECT posted FROM events ORDER BY position`);
    const events = rows.map((row) => row.posted);
    const [{ version }]: { version: number }[] = await db.query(
      `SELECT version FROM standoffs WHERE standoff_id = $1`,
      [STANDOFF],
    );
    for (const asOf of await checkpoints()) {
      const query = { standoffId: STANDOFF, asOf, knownAt: Date.now(), version };
      const actual = await db.transaction('REPEATABLE READ', (tx) => readStateFromSnapshots(tx, query));
      expect({ asOf, state: actual }).toEqual({ asOf, state: stateAt(events, query) });
    }
  }

  it('builds the snapshots due once the projector has committed', async () => {
    expect(await checkpoints()).toEqual([4, 9, 14].map((i) => START + i * HOUR));
    await expectEverySnapshotRight();
  });

  it('throws away a snapshot that an event backdated into it made stale while it was folded, then builds it again', async () => {
    const discarded = builder.stats.discarded;
    // Five more events make the fourth snapshot due; while it is folded, an event lands inside it.
    maintainer.race = () => post(START + 16.5 * HOUR);
    for (let i = 15; i < 20; i++) await post(START + i * HOUR);
    await builder.quiet();
    expect(builder.stats.discarded).toBeGreaterThan(discarded);
    expect(await checkpoints()).toEqual([4, 9, 14, 18].map((i) => START + i * HOUR));
    await expectEverySnapshotRight();
  });

  it('throws it away when another process changed the standoff meanwhile, however late the change', async () => {
    const discarded = builder.stats.discarded;
    maintainer.race = () => post(START + 100 * HOUR, elsewhere);
    for (let i = 20; i < 24; i++) await post(START + i * HOUR);
    await builder.quiet();
    expect(builder.stats.discarded).toBeGreaterThan(discarded);
    await expectEverySnapshotRight();
  });

  it('keeps a snapshot when what the projector committed meanwhile lies after its checkpoint', async () => {
    const discarded = builder.stats.discarded;
    const built = builder.stats.built;
    maintainer.race = () => post(START + 200 * HOUR);
    for (let i = 0; i < INTERVAL; i++) await post(START + (150 + i) * HOUR);
    await builder.quiet();
    expect(builder.stats.discarded).toBe(discarded);
    expect(builder.stats.built).toBeGreaterThan(built);
    await expectEverySnapshotRight();
  });
});
