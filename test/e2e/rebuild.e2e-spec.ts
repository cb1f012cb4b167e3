import request from 'supertest';
import { seedRequests } from '../../apps/api/src/seed/seed-loader';
import { waitFor } from '../support/services';
import { SyntheticHistory } from '../support/synthetic-events';
import { dropSchema, startTestApp, type TestApp } from '../support/test-app';

const ADMIN = { Authorization: 'Bearer admin-key' };
const WRITER = { Authorization: 'Bearer writer-key' };
const SYNTHETIC = 'synthetic-rebuild';

describe.each(['kafka', 'embedded'] as const)('a rebuild from the %s log', (log) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(`rebuild-${log}`, {
      log,
      env: { API_KEYS: 'admin:admin-key,writer:writer-key', DECISION_WAIT_MS: '20000' },
    });
    const seed = seedRequests();
    for (const event of seed.events) {
      await request(app.server)
        .post(`/v1/standoffs/${seed.standoffId}/events`)
        .set(WRITER)
        .send(event)
        .expect(201);
    }
    const history = new SyntheticHistory({ seed: 11, stepMs: 4 * 3_600_000 });
    for (const event of history.take(300)) {
      await request(app.server).post(`/v1/standoffs/${SYNTHETIC}/events`).set(WRITER).send(event).expect(201);
    }
    // A rejection is a decision too: the rebuild must make it again.
    await request(app.server)
      .post(`/v1/standoffs/${SYNTHETIC}/events`)
      .set(WRITER)
      .send({
        type: 'demand.rejected',
        occurredAt: '2022-01-01',
        actor: 'USA',
        summary: 'x',
        data: { demandId: 'none' },
      })
      .expect(422);
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    if (app) await dropSchema(app.schema);
  });

  async function answers() {
    const get = async (path: string) => (await request(app.server).get(path).set(WRITER).expect(200)).body;
    const standoffs = await get('/v1/standoffs');
    const views = [];
    for (const id of ['russia-us-ukraine-2022', SYNTHETIC]) {
      views.push(
        await get(`/v1/standoffs/${id}/state?asOf=2022-01-30&knownAt=2022-01-30`),
        await get(`/v1/standoffs/${id}/state?knownAt=2022-02-01`),
        await get(`/v1/standoffs/${id}/state`),
        await get(`/v1/standoffs/${id}/events?limit=1000&includeRetracted=true`),
        await get(`/v1/standoffs/${id}/tension?bucket=week`),
      );
    }
    const decisions = await app.running.infrastructure.dataSource.query(
      `SELECT command_id, outcome, problem, event_ids, version_after FROM decisions ORDER BY command_id`,
    );
    return { standoffs, views: views.map((v) => stripQueryTimes(v)), decisions };
  }

  it('is for admins only', async () => {
    await request(app.server).post('/v1/admin/rebuild').set(WRITER).expect(403);
  });

  it('rebuilds damaged read models beside the live ones, serving throughout, with the same answers and decisions', async () => {
    const before = await answers();
    expect(before.decisions.some((d: { outcome: string }) => d.outcome === 'rejected')).toBe(true);
    // Damage the live models, so that only a real rebuild gives the answers back.
    const db = app.running.infrastructure.dataSource;
    await db.query(`DELETE FROM events WHERE standoff_id = $1 AND position > 100`, [SYNTHETIC]);
    await db.query(`DELETE FROM state_snapshots`);
    await db.query(`UPDATE standoffs SET version = 100 WHERE standoff_id = $1`, [SYNTHETIC]);
    expect(await answers()).not.toEqual(before);

    const started = await request(app.server).post('/v1/admin/rebuild').set(ADMIN).expect(202);
    expect(started.headers.location).toBe(`/v1/admin/rebuild/${started.body.jobId}`);
    let status = started.body;
    const listed: number[] = [];
    await waitFor(
      'the rebuild to finish',
      async () => {
        // The standoffs stay listed while the rebuild runs: it never empties the live models.
        const standoffs = await request(app.server).get('/v1/standoffs').set(WRITER).expect(200);
        listed.push(standoffs.body.length);
        status = (await request(app.server).get(started.headers.location).set(ADMIN).expect(200)).body;
        return status.state !== 'running';
      },
      120_000,
      20,
    );
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((count) => count === before.standoffs.length)).toBe(true);
    expect(status).toMatchObject({ state: 'done', error: null });
    expect(status.records.applied).toBe(status.records.total);
    expect(status.records.total).toBeGreaterThanOrEqual(before.decisions.length);
    expect(status.events).toBe(
      before.standoffs.reduce((n: number, s: { version: number }) => n + s.version, 0),
    );

    expect(await answers()).toEqual(before);
  }, 180_000);
});

/** A query's defaulted `asOf`/`knownAt` is "now", which moves between two calls. */
function stripQueryTimes(view: unknown): unknown {
  if (view && typeof view === 'object' && 'asOf' in view && 'knownAt' in view) {
    const { asOf: _asOf, knownAt: _knownAt, ...rest } = view as Record<string, unknown>;
    return rest;
  }
  return view;
}
