import request from 'supertest';
import type { PartitionLag } from '../../apps/api/src/operations/log-probe';
import { waitFor } from '../support/services';
import { dropSchema, startTestApp, type TestApp } from '../support/test-app';

/*
 * Operations over HTTP: health (live, ready), Prometheus metrics, the OpenAPI document and Swagger UI, all
 * served without a key while the API itself needs one. On the embedded log and on Kafka.
 */

const READER = 'reader-key-for-operations';
const WRITER = 'writer-key-for-operations';
const API_KEYS = `reader:${READER},writer:${WRITER}`;

/** The value of an unlabelled or labelled sample in the Prometheus text format; undefined when absent. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe.each(['embedded', 'kafka'] as const)('operations with the %s log', (log) => {
  let testApp: TestApp;
  const api = () => request(testApp.server);
  const metricsText = () => api().get('/metrics').set('Authorization', `Bearer ${READER}`).expect(200);

  beforeAll(async () => {
    testApp = await startTestApp(`operations-${log}`, { log, env: { API_KEYS } });
    const posted = await api()
      .post('/v1/standoffs/operations-check/events')
      .set('Authorization', `Bearer ${WRITER}`)
      .send({
        type: 'statement.made',
        occurredAt: '2022-01-10',
        actor: 'USA',
        target: 'RUS',
        summary: 'Hello',
      });
    // 202 when a fresh consumer group is still joining: the decision comes a little later.
    expect([201, 202]).toContain(posted.status);
    await waitFor(
      'the event to be decided',
      async () => {
        const res = await api()
          .get('/v1/standoffs/operations-check')
          .set('Authorization', `Bearer ${READER}`);
        return res.status === 200;
      },
      90_000,
    );
  }, 120_000);

  afterAll(async () => {
    await testApp?.close();
    if (testApp) await dropSchema(testApp.schema);
  });

  it('is live', async () => {
    const res = await api().get('/health/live').expect(200);
    expect(res.body).toMatchObject({ status: 'ok' });
  });

  it('is ready: the database answers, the log is reachable, the projection has caught up', async () => {
    const res = await api().get('/health/ready').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details).toMatchObject({
      database: { status: 'up' },
      log: { status: 'up', kind: log },
      projection: { status: 'up', lag: 0 },
    });
    const partitions = res.body.details.projection.partitions as PartitionLag[];
    expect(partitions.map((p) => p.partition)).toEqual(log === 'kafka' ? [0, 1, 2] : [0]);
    // At least the event posted in beforeAll, every one applied (other tests may have posted more).
    expect(partitions.reduce((sum, p) => sum + p.endOffset, 0)).toBeGreaterThanOrEqual(1);
    expect(partitions.every((p) => p.nextOffset === p.endOffset)).toBe(true);
  });

  it('counts a posted event in the metrics: its outcome, its decision latency, its HTTP request', async () => {
    const before = await metricsText();
    expect(before.headers['content-type']).toMatch(/^text\/plain/);
    for (const outcome of ['accepted', 'rejected', 'pending', 'unavailable']) {
      expect(sample(before.text, `standoff_appends_total{outcome="${outcome}"}`)).toEqual(expect.any(Number));
    }
    expect(before.text).toContain('# TYPE standoff_decision_latency_seconds histogram');
    expect(before.text).toContain('# TYPE standoff_projection_lag_records gauge');
    expect(sample(before.text, 'standoff_projection_lag_records{partition="0"}')).toBe(0);
    expect(before.text).toContain('process_cpu_user_seconds_total');

    const posted = await api()
      .post('/v1/standoffs/operations-check/events')
      .set('Authorization', `Bearer ${WRITER}`)
      .send({
        type: 'statement.made',
        occurredAt: '2022-01-11',
        actor: 'RUS',
        target: 'USA',
        summary: 'Reply',
      });
    expect(posted.status).toBe(201);
    const refused = await api()
      .post('/v1/standoffs/operations-check/events')
      .set('Authorization', `Bearer ${WRITER}`)
      .send({ type: 'statement.made' });
    expect(refused.status).toBe(422);

    const after = await metricsText();
    const delta = (name: string) => (sample(after.text, name) ?? 0) - (sample(before.text, name) ?? 0);
    expect(delta('standoff_appends_total{outcome="accepted"}')).toBe(1);
    expect(delta('standoff_decision_latency_seconds_count')).toBe(1);
    const route = 'route="/v1/standoffs/:standoffId/events"';
    expect(delta(`http_requests_total{method="POST",${route},status="201"}`)).toBe(1);
    expect(delta(`http_requests_total{method="POST",${route},status="422"}`)).toBe(1);
    expect(delta(`http_request_duration_seconds_count{method="POST",${route},status="201"}`)).toBe(1);
    // The scrape before this one is counted too, by its route pattern, never by its raw path.
    expect(delta('http_requests_total{method="GET",route="/metrics",status="200"}')).toBe(1);
    expect(after.text).not.toMatch(/route="\/v1\/standoffs\/operations-check/);

    const progressed = after.text
      .split('\n')
      .filter((l) => l.startsWith('standoff_projection_last_progress_timestamp_seconds{'))
      .map((l) => Number(l.split(' ')[1]));
    expect(progressed.length).toBeGreaterThan(0);
    expect(Math.max(...progressed)).toBeGreaterThan(Date.now() / 1000 - 300);
    expect(Math.max(...progressed)).toBeLessThanOrEqual(Date.now() / 1000 + 5);
  });

  it('serves the OpenAPI document generated from the routes', async () => {
    const res = await api().get('/openapi.json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.openapi).toMatch(/^3\./);
    const paths = Object.keys(res.body.paths as Record<string, unknown>);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/v1/standoffs',
        '/v1/standoffs/{standoffId}',
        '/v1/standoffs/{standoffId}/events',
        '/v1/standoffs/{standoffId}/events/{eventId}',
        '/v1/standoffs/{standoffId}/state',
        '/v1/standoffs/{standoffId}/tension',
        '/v1/standoffs/{standoffId}/replay',
        '/health/live',
        '/health/ready',
        '/metrics',
      ]),
    );
    const timeline = res.body.paths['/v1/standoffs/{standoffId}/events'].get;
    const parameters = (timeline.parameters as { name: string }[]).map((p) => p.name);
    expect(parameters).toEqual(
      expect.arrayContaining([
        'standoffId',
        'from',
        'to',
        'actor',
        'type',
        'cameo',
        'knownAt',
        'limit',
        'cursor',
      ]),
    );
    expect(res.body.paths['/v1/standoffs/{standoffId}/events'].post).toBeDefined();
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await api().get('/docs').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toMatch(/swagger-ui/i);
  });

  it('serves health and docs without a key while the API and its metrics need one', async () => {
    for (const path of ['/health/live', '/health/ready', '/openapi.json', '/docs']) {
      expect({ path, status: (await api().get(path)).status }).toEqual({ path, status: 200 });
    }
    expect((await api().get('/metrics')).status).toBe(401);
    await api().get('/metrics').set('Authorization', `Bearer ${READER}`).expect(200);
    const state = '/v1/standoffs/operations-check/state';
    expect((await api().get(state)).status).toBe(401);
    await api().get(state).set('Authorization', `Bearer ${READER}`).expect(200);
  });
});

describe('readiness while the projection trails the log', () => {
  let testApp: TestApp;
  const api = () => request(testApp.server);

  beforeAll(async () => {
    // No projector in this process: records appended to the embedded log stay unapplied.
    testApp = await startTestApp('operations-lagging', { log: 'embedded', withProjector: false });
    await testApp.running.infrastructure.dataSource.query(
      `INSERT INTO log_records (log_offset, standoff_id, payload, recorded_at)
       SELECT g, 'lagging', '\\x00'::bytea, now() FROM generate_series(0, 1500) g`,
    );
  }, 60_000);

  afterAll(async () => {
    await testApp?.close();
    if (testApp) await dropSchema(testApp.schema);
  });

  it('is live but not ready, with a problem telling which check failed', async () => {
    await api().get('/health/live').expect(200);
    const res = await api().get('/health/ready');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toMatchObject({
      status: 503,
      title: 'Not Ready',
      checks: {
        status: 'error',
        details: {
          database: { status: 'up' },
          log: { status: 'up' },
          projection: { status: 'down', lag: 1501 },
        },
      },
    });
  });

  it('reports the lag in the metrics', async () => {
    const res = await api().get('/metrics').expect(200);
    expect(sample(res.text, 'standoff_projection_lag_records{partition="0"}')).toBe(1501);
  });
});
