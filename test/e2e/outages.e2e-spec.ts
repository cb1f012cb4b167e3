import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { expectProblem, expectStatus, getStandoff, postEvent, statement } from '../support/http';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { waitFor } from '../support/services';
import { startTestApp, type TestApp } from '../support/test-app';

/*
 * An outage answers 503, never 500 (DESIGN.md §4): with the database down, writes and reads answer 503
 * problem+json naming the database, with Retry-After; once it is back, writes are decided again and nothing
 * acknowledged before the outage is lost. The database is a private cluster this test starts and kills
 * (`pg_ctl stop -m immediate`), never the machine's shared one.
 */

jest.setTimeout(90_000);

describe('the API while its database is down', () => {
  let postgres: PrivatePostgres;
  let testApp: TestApp;
  const standoffId = `outage-${randomUUID().slice(0, 8)}`;
  const acknowledged: string[] = [];

  const post = async (summary: string) => {
    const eventId = randomUUID();
    const res = await postEvent(testApp.server, standoffId, statement({ eventId, summary }));
    return { res, eventId };
  };

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    testApp = await startTestApp('outages', {
      env: { DATABASE_URL: postgres.url, DECISION_WAIT_MS: '5000' },
    });
  });

  afterAll(async () => {
    await testApp?.close();
    await postgres?.destroy();
  });

  it('answers 503 database-unavailable with Retry-After while it is down, and decides writes again once it is back', async () => {
    const before = await post('before the outage');
    expectStatus(before.res, 201);
    acknowledged.push(before.eventId);

    await postgres.kill();

    const write = await post('during the outage');
    expectProblem(write.res, 503, { type: 'database-unavailable' });
    expect(write.res.headers['retry-after']).toBe('5');
    expect(write.res.body.detail).toMatch(/database/i);

    for (const path of [
      `/v1/standoffs/${standoffId}`,
      `/v1/standoffs/${standoffId}/state`,
      '/v1/standoffs',
    ]) {
      const read = await request(testApp.server).get(path);
      expectProblem(read, 503, { type: 'database-unavailable' });
      expect(read.headers['retry-after']).toBe('5');
      expect(read.body.detail).toMatch(/database/i);
    }
    const ready = await request(testApp.server).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.details.database.status).toBe('down');
    await request(testApp.server).get('/health/live').expect(200);

    await postgres.start();

    await waitFor(
      'reads to answer again',
      async () => (await getStandoff(testApp.server, standoffId)).status === 200,
      30_000,
      200,
    );
    const after = await post('after the outage');
    expectStatus(after.res, 201);
    acknowledged.push(after.eventId);

    const standoff = await getStandoff(testApp.server, standoffId);
    expectStatus(standoff, 200);
    expect(standoff.body).toMatchObject({ version: 2, eventCount: 2 });
    const stored: { event_id: string }[] = await testApp.running.infrastructure.dataSource.query(
      'SELECT event_id FROM events WHERE standoff_id = $1 ORDER BY position',
      [standoffId],
    );
    expect(stored.map((r) => r.event_id)).toEqual(acknowledged);
  });
});
