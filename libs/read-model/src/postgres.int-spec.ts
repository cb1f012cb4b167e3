import { Client } from 'pg';
import { databaseUrl, uniqueSchemaName } from '../../../test/support/services';

/**
 * Proof that the read models get a real PostgreSQL server (the one scripts/services-up.sh checked), not PGlite:
 * DDL, writes and reads in a schema of its own, and two sessions that really are two. The project's own
 * migrations run on it in decision-projection.int-spec.ts.
 */
describe('PostgreSQL, through pg', () => {
  const schema = uniqueSchemaName('postgres_int');
  let client: Client;
  let other: Client | undefined;

  beforeAll(async () => {
    client = new Client({ connectionString: databaseUrl() });
    await client.connect();
    await client.query(`create schema ${schema}`);
  });

  afterAll(async () => {
    await other?.end();
    if (client) {
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
  });

  it('is a PostgreSQL server of version 15 or later', async () => {
    const { rows } = await client.query<{ version: string }>(
      `select current_setting('server_version_num') as version`,
    );

    expect(Number(rows[0].version)).toBeGreaterThanOrEqual(150000);
  });

  it('runs DDL, inserts and reads back in a schema of its own', async () => {
    await client.query('begin');
    await client.query(`
      create table ${schema}.events (
        standoff_id text not null,
        seq bigint not null,
        type text not null collate "C",
        payload jsonb not null,
        recorded_at timestamptz not null,
        primary key (standoff_id, seq)
      )`);
    await client.query(
      `insert into ${schema}.events (standoff_id, seq, type, payload, recorded_at)
       values ($1, 1, 'demand.tabled', $2, $3), ($1, 2, 'demand.rejected', $4, $5)`,
      [
        'rus-nato-2021',
        JSON.stringify({ demandId: 'no-enlargement' }),
        '2021-12-17T12:00:00.000Z',
        JSON.stringify({ demandId: 'no-enlargement', by: 'USA' }),
        '2022-01-26T18:30:00.000Z',
      ],
    );
    await client.query('commit');

    const { rows } = await client.query<{ seq: string; type: string; demand: string; recorded_at: Date }>(
      `select seq, type, payload->>'demandId' as demand, recorded_at
         from ${schema}.events where standoff_id = $1 order by seq`,
      ['rus-nato-2021'],
    );
    expect(rows.map((r) => [r.seq, r.type, r.demand])).toEqual([
      ['1', 'demand.tabled', 'no-enlargement'],
      ['2', 'demand.rejected', 'no-enlargement'],
    ]);
    expect(rows[1].recorded_at.toISOString()).toBe('2022-01-26T18:30:00.000Z');
  });

  it('serves two sessions at once, each with its own backend', async () => {
    other = new Client({ connectionString: databaseUrl() });
    await other.connect();

    const [mine, theirs] = await Promise.all([
      client.query<{ pid: number }>('select pg_backend_pid() as pid'),
      other.query<{ pid: number }>('select pg_backend_pid() as pid'),
    ]);
    expect(mine.rows[0].pid).not.toBe(theirs.rows[0].pid);
  });
});
