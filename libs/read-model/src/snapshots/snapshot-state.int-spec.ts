import type { DataSource } from 'typeorm';
import type { RecordedEvent } from '@app/domain/recorded-event';
import { stateAt } from '@app/domain/state-at';
import type { LogRecord } from '@app/event-log/event-log.port';
import { databaseUrl, uniqueSchemaName } from '../../../../test/support/services';
import { rng, SyntheticHistory } from '../../../../test/support/synthetic-events';
import { createDataSource, migrate } from '../database';
import { DecisionProjection } from '@app/decisions/decision-projection';
import { SnapshotBuilder } from './snapshot-builder';
import { SnapshotMaintainer } from './snapshot-maintainer';
import { SnapshotStateCache } from './snapshot-state-cache';
import { readStateFromSnapshots } from './snapshot-state-reader';
import { commandOf, recordOf } from '../../../../test/support/commands';
import type { FoldState } from '@app/domain/state';
import type { QueryRunner } from 'typeorm';
import { RefoldSnapshotsWithProvenance1765250000000 } from '../../../../migrations/1765250000000-RefoldSnapshotsWithProvenance';
import { DIFF_LISTS } from '@app/domain/diff';

const STANDOFF = 'snapshot-test';

describe('state from snapshots on the real Postgres', () => {
  const schema = uniqueSchemaName('snapshots');
  let db: DataSource;
  let events: RecordedEvent[];
  let version: number;
  let builder: SnapshotBuilder;

  beforeAll(async () => {
    db = createDataSource({ url: databaseUrl(), schema });
    await db.initialize();
    await migrate(db, { schema });
    // A small interval, so that hundreds of events make dozens of snapshots, invalidated and rebuilt by the
    // builder while the projector goes on (as in the projector process).
    builder = new SnapshotBuilder(db, { maintainer: new SnapshotMaintainer(7) });
    builder.start();
    const projection = new DecisionProjection(db, 'test', 'embedded', {
      decided: () => undefined,
      changed: (changes) => builder.changed(changes),
    });
    const history = new SyntheticHistory({ seed: 42, stepMs: 6 * 3_600_000, knowledgeShare: 0.12 });
    let offset = 0;
    for (let round = 0; round < 16; round++) {
      const records: LogRecord[] = history
        .take(25)
        .map((body) => recordOf(commandOf(STANDOFF, [body]), offset++));
      await projection.apply({ partition: 0, records });
    }
    await builder.quiet();
    const rows: { posted: RecordedEvent }[] = await db.query(`SELECT posted FROM events ORDER BY position`);
    events = rows.map((r) => r.posted);
    [{ version }] = await db.query(`SELECT version FROM standoffs WHERE standoff_id = $1`, [STANDOFF]);
  }, 120_000);

  afterAll(async () => {
    await builder?.stop();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.query(`DROP SCHEMA IF EXISTS "${schema}_dashboard" CASCADE`);
    await db.destroy();
  });

  it('keeps snapshots of a history with backdated events and knowledge events', async () => {
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM state_snapshots`);
    expect(events.length).toBeGreaterThan(300);
    expect(events.some((e) => e.type === 'event.corrected')).toBe(true);
    expect(events.some((e) => e.type === 'claim.disputed')).toBe(true);
    expect(count).toBeGreaterThan(20);
  });

  it('answers every (asOf, knownAt) exactly as the fold over the whole history', async () => {
    const random = rng(7);
    const times = events.flatMap((e) => [e.occurredAt, e.reportedAt]).sort((a, b) => a - b);
    const pick = () => times[Math.floor(random() * times.length)] + Math.floor(random() * 3) - 1;
    const queries = Array.from({ length: 60 }, () => {
      const a = pick();
      const b = pick();
      return random() < 0.3 ? { asOf: a, knownAt: Date.now() } : { asOf: a, knownAt: b };
    });
    for (const query of queries) {
      const expected = stateAt(events, { standoffId: STANDOFF, ...query, version });
      const actual = await db.transaction('REPEATABLE READ', (tx) =>
        readStateFromSnapshots(tx, { standoffId: STANDOFF, ...query, version }),
      );
      expect({ query, state: actual }).toEqual({ query, state: expected });
    }
    // 60 full folds beside 60 queries: well over jest's 5 s default on a loaded machine.
  }, 60_000);

  it('reads a snapshot it read before from its cache of parsed states, never a state deleted or rewritten since', async () => {
    const cache = new SnapshotStateCache(4);
    const query = { standoffId: STANDOFF, asOf: Date.now(), knownAt: Date.now(), version };
    const statesSent: boolean[] = [];
    const read = () =>
      db.transaction('REPEATABLE READ', (tx) => {
        const watched = {
          async query(sql: string, parameters?: unknown[]) {
            const rows = await tx.query(sql, parameters);
            if (sql.includes('FROM state_snapshots')) statesSent.push(rows[0]?.state != null);
            return rows;
          },
        };
        return readStateFromSnapshots(watched, query, cache);
      });
    const expected = stateAt(events, query);
    expect(await read()).toEqual(expected);
    expect(await read()).toEqual(expected);
    expect(statesSent).toEqual([true, false]);

    // The same snapshot rewritten (a new row version, as a rebuild writes): the cache must not answer for it.
    const [latest]: { seq: number; state: FoldState }[] = await db.query(
      `SELECT seq, state FROM state_snapshots WHERE standoff_id = $1 ORDER BY seq DESC LIMIT 1`,
      [STANDOFF],
    );
    const rewrite = (state: unknown) =>
      db.query(`UPDATE state_snapshots SET state = $3 WHERE standoff_id = $1 AND seq = $2`, [
        STANDOFF,
        latest.seq,
        JSON.stringify(state),
      ]);
    await rewrite(withoutProvenance(latest.state));
    expect(await read()).not.toEqual(expected);
    await rewrite(latest.state);
    expect(await read()).toEqual(expected);
    expect(statesSent).toEqual([true, false, true, true]);

    const random = rng(11);
    for (let i = 0; i < 40; i++) {
      const asOf = events[Math.floor(random() * events.length)].occurredAt;
      const known = { standoffId: STANDOFF, asOf, knownAt: Date.now(), version };
      const actual = await db.transaction('REPEATABLE READ', (tx) =>
        readStateFromSnapshots(tx, known, cache),
      );
      expect({ asOf, state: actual }).toEqual({ asOf, state: stateAt(events, known) });
    }
  });

  it('drops the snapshots of the fold before provenance in a migration, and folds them anew', async () => {
    const rows: { seq: number; state: FoldState }[] = await db.query(
      `SELECT seq, state FROM state_snapshots WHERE standoff_id = $1`,
      [STANDOFF],
    );
    for (const { seq, state } of rows) {
      await db.query(`UPDATE state_snapshots SET state = $3 WHERE standoff_id = $1 AND seq = $2`, [
        STANDOFF,
        seq,
        JSON.stringify(withoutProvenance(state)),
      ]);
    }
    const query = { standoffId: STANDOFF, asOf: Date.now(), knownAt: Date.now(), version };
    const read = () => db.transaction('REPEATABLE READ', (tx) => readStateFromSnapshots(tx, query));
    expect(await read()).not.toEqual(stateAt(events, query));

    await new RefoldSnapshotsWithProvenance1765250000000().up(db as unknown as QueryRunner);
    const [{ left }] = await db.query(`SELECT count(*)::int AS left FROM state_snapshots`);
    expect(left).toBe(0);
    expect(await new SnapshotMaintainer(7, 100).catchUp(db, STANDOFF)).toBe(rows.length);
    expect(await read()).toEqual(stateAt(events, query));
  });
});

/** A snapshot as the fold before provenance wrote it: no item names its events. */
function withoutProvenance(state: FoldState): unknown {
  const lists = DIFF_LISTS;
  const stripped: Record<string, unknown> = { ...state };
  for (const name of lists) {
    const items = Object.entries(state[name]).map(([key, item]) => {
      const { origin: _origin, lastChange: _lastChange, ...rest } = item;
      return [key, rest];
    });
    stripped[name] = Object.fromEntries(items);
  }
  return stripped;
}
