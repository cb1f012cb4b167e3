import request from 'supertest';
import type { DataSource } from 'typeorm';
import { dashboardSchemaOf } from '@app/read-model/dashboard-views';
import { seedRequests } from '../../apps/api/src/seed/seed-loader';
import { waitFor } from '../support/services';
import { baseUrlOf, openSse } from '../support/sse';
import { dropSchema, startTestApp, type TestApp } from '../support/test-app';

/*
 * The SQL views for BI tools (DESIGN.md §7) after the seed scenario is loaded: the same events and daily figures
 * as the HTTP routes, and still there, bound to the new tables, after a rebuild swapped the read models. The feed
 * keeps its positions across the rebuild. Without CORS_ORIGINS, no CORS header is given.
 */

const ADMIN = { Authorization: 'Bearer admin-key' };

interface TensionBucketJson {
  start: string;
  events: number;
  goldsteinSum: number;
  goldsteinMean: number;
  quadClass: Record<string, number>;
}

describe('the dashboard views', () => {
  let app: TestApp;
  let db: DataSource;
  let dashboard: string;
  const seed = seedRequests();

  beforeAll(async () => {
    app = await startTestApp('dashboard-views', {
      log: 'embedded',
      env: { API_KEYS: 'admin:admin-key', DECISION_WAIT_MS: '20000' },
    });
    db = app.running.infrastructure.dataSource;
    dashboard = `"${dashboardSchemaOf(app.schema)}"`;
    expectOk(
      await request(app.server)
        .post(`/v1/standoffs/${seed.standoffId}/events:batch`)
        .set(ADMIN)
        .send({ events: seed.events }),
    );
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    if (app) await dropSchema(app.schema);
  });

  function expectOk(res: request.Response): void {
    if (res.status >= 300) throw new Error(`${res.status}: ${res.text}`);
  }

  async function viewsAgreeWithTheApi(): Promise<void> {
    const rows: {
      event_id: string;
      summary: string;
      goldstein: string | null;
      quad_class_name: string | null;
    }[] = await db.query(
      `SELECT event_id, summary, goldstein, quad_class_name FROM ${dashboard}.events
          WHERE standoff_id = $1 ORDER BY occurred_at, reported_at, position`,
      [seed.standoffId],
    );
    const timeline = await request(app.server)
      .get(`/v1/standoffs/${seed.standoffId}/events?limit=1000`)
      .set(ADMIN);
    const items = timeline.body.items as {
      eventId: string;
      summary: string;
      goldstein: number;
      quadClass: string;
    }[];
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.map((r) => [r.event_id, r.summary, Number(r.goldstein), r.quad_class_name])).toEqual(
      items.map((e) => [e.eventId, e.summary, e.goldstein, e.quadClass]),
    );

    const days: Record<string, string | number>[] = await db.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, events, goldstein_sum::float8 AS goldstein_sum,
              goldstein_mean::float8 AS goldstein_mean, verbal_cooperation, material_cooperation, verbal_conflict,
              material_conflict
         FROM ${dashboard}.daily_tension WHERE standoff_id = $1 ORDER BY day`,
      [seed.standoffId],
    );
    const tension = await request(app.server)
      .get(`/v1/standoffs/${seed.standoffId}/tension?bucket=day`)
      .set(ADMIN);
    const nonEmpty = (tension.body.series as TensionBucketJson[]).filter((b) => b.events > 0);
    expect(days.length).toBeGreaterThan(3);
    expect(days).toEqual(
      nonEmpty.map((b) => ({
        day: b.start.slice(0, 10),
        events: b.events,
        goldstein_sum: b.goldsteinSum,
        goldstein_mean: b.goldsteinMean,
        verbal_cooperation: b.quadClass.verbalCooperation,
        material_cooperation: b.quadClass.materialCooperation,
        verbal_conflict: b.quadClass.verbalConflict,
        material_conflict: b.quadClass.materialConflict,
      })),
    );
  }

  it('answer what the HTTP routes answer after the seed is loaded', async () => {
    await viewsAgreeWithTheApi();
  });

  it('still answer after a rebuild swapped the read models, and the feed keeps its positions', async () => {
    const feedBefore = (
      await request(app.server)
        .get('/v1/feed?after=0&limit=1000')
        .set(ADMIN)
        .set('Accept', 'application/json')
    ).body;
    const started = await request(app.server).post('/v1/admin/rebuild').set(ADMIN).expect(202);
    await waitFor(
      'the rebuild to finish',
      async () =>
        (await request(app.server).get(started.headers.location).set(ADMIN)).body.state !== 'running',
      60_000,
      50,
    );
    const status = (await request(app.server).get(started.headers.location).set(ADMIN)).body;
    expect(status).toMatchObject({ state: 'done', error: null });
    await viewsAgreeWithTheApi();
    const feedAfter = (
      await request(app.server)
        .get('/v1/feed?after=0&limit=1000')
        .set(ADMIN)
        .set('Accept', 'application/json')
    ).body;
    expect(feedAfter).toEqual(feedBefore);
    expect(feedBefore.items).toHaveLength(seed.events.length);
  }, 90_000);

  it('serves the feed over SSE on the embedded log too', async () => {
    const stream = await openSse(baseUrlOf(app.server), '/v1/feed?after=0', ADMIN);
    try {
      const messages = await stream.waitForMessages(seed.events.length);
      expect(messages.map((m) => Number(m.id))).toEqual(seed.events.map((_, i) => i + 1));
    } finally {
      stream.close();
    }
  });

  it('gives no CORS header when CORS_ORIGINS is unset: same origin only', async () => {
    const preflight = await request(app.server)
      .options('/v1/feed')
      .set('Origin', 'http://dash.example')
      .set('Access-Control-Request-Method', 'GET');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const get = await request(app.server)
      .get('/v1/standoffs')
      .set(ADMIN)
      .set('Origin', 'http://dash.example');
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });
});
