import request from 'supertest';
import { expectStatus, freshStandoffId, postEvent, statement } from '../support/http';
import { testKafka, waitFor } from '../support/services';
import { dropSchema, startTestApp, type TestApp } from '../support/test-app';

/**
 * Issue 7, item 2: read models built from one log are never projected on from another (a fresh broker, a
 * recreated topic, the wrong DATABASE_URL): the projector refuses and readiness says what to do, or, with
 * REBUILD_ON_LOG_CHANGE, it rebuilds them from the log it has. No record of the new log is ever skipped.
 */
describe('read models tied to the log they were built from', () => {
  const apps: TestApp[] = [];
  let schema: string;
  let topic: string;
  const earlier = freshStandoffId('earlier-log');
  const later = freshStandoffId('later-log');

  async function start(env: Record<string, string> = {}): Promise<TestApp> {
    const app = await startTestApp('log-binding', {
      schema,
      topic,
      env: { DECISION_WAIT_MS: '1500', ...env },
    });
    apps.push(app);
    return app;
  }

  async function stop(app: TestApp): Promise<void> {
    await app.close();
    apps.splice(apps.indexOf(app), 1);
  }

  afterAll(async () => {
    for (const app of apps) await app.close();
    if (schema) await dropSchema(schema);
  });

  it('refuses a recreated topic, then rebuilds from it when asked, skipping none of its records', async () => {
    const first = await startTestApp('log-binding', { env: { DECISION_WAIT_MS: '20000' } });
    apps.push(first);
    schema = first.schema;
    topic = String(first.topic);
    for (let i = 0; i < 5; i++) expectStatus(await postEvent(first.server, earlier, statement()), 201);
    await stop(first);

    // The same topic name, made anew: its offsets start at 0 again, below the ones stored.
    const admin = testKafka('log-binding-admin').admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: [topic] });
      await waitFor(
        'the topic to be gone',
        async () => !(await admin.listTopics()).includes(topic),
        30_000,
        200,
      );
    } finally {
      await admin.disconnect();
    }

    const refusing = await start();
    const ready = await request(refusing.server).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.error.projection.message).toMatch(
      /records this log does not hold.*npm run rebuild/,
    );
    // The write is in the new log, acknowledged but not decided: the projector refuses to project.
    const pending = await postEvent(refusing.server, later, statement());
    expect(pending.status).toBe(202);
    const [{ next }] = await refusing.running.infrastructure.dataSource.query(
      `SELECT sum(next_offset)::int AS next FROM projection_offsets`,
    );
    expect(next).toBe(5);
    await stop(refusing);

    const rebuilding = await start({ REBUILD_ON_LOG_CHANGE: 'true' });
    // The rebuilt models hold the new log's record, and none of the earlier log's.
    const events = await request(rebuilding.server).get(`/v1/standoffs/${later}/events`).expect(200);
    expect(events.body.items).toHaveLength(1);
    await request(rebuilding.server).get(`/v1/standoffs/${earlier}`).expect(404);
    await waitFor(
      'readiness',
      async () => (await request(rebuilding.server).get('/health/ready')).status === 200,
      20_000,
      200,
    );
    expectStatus(await postEvent(rebuilding.server, later, statement()), 201);
    await stop(rebuilding);
  }, 120_000);

  it('refuses read models built from another cluster, naming both logs', async () => {
    const app = await start();
    const db = app.running.infrastructure.dataSource;
    const [{ log_id: logId }] = await db.query(`SELECT log_id FROM projection_log`);
    expect(logId).toMatch(new RegExp(`^kafka:.+/${topic.replace(/\./g, '\\.')}$`));
    await db.query(`UPDATE projection_log SET log_id = 'kafka:an-earlier-cluster/' || $1`, [topic]);
    await stop(app);

    const refusing = await start();
    const ready = await request(refusing.server).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.error.projection.message).toContain(
      `built from log kafka:an-earlier-cluster/${topic}, not from ${logId}`,
    );
    expect((await postEvent(refusing.server, later, statement())).status).toBe(202);
  }, 60_000);
});
