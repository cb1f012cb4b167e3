import request from 'supertest';
import type { PartitionLag } from '../../apps/api/src/operations/log-probe';
import { postEvent, statement } from '../support/http';
import { waitFor } from '../support/services';
import { dropSchema, startTestApp, type TestApp } from '../support/test-app';

/*
 * Readiness reports a partition that lags and makes no progress, in seconds and events rather than records
 * (issue 7 item 5): an API without a projector takes a write; once nothing has been applied for the stall
 * bound, /health/ready says which partition waits and for how long; a projector that applies it makes the API
 * ready again, with the event counted.
 */

jest.setTimeout(60_000);

describe('readiness when a partition stops making progress', () => {
  let api: TestApp;
  let projector: TestApp | undefined;

  const projection = async () => {
    const res = await request(api.server).get('/health/ready');
    const details = res.status === 200 ? res.body.details : res.body.checks.details;
    return { status: res.status, projection: details.projection };
  };

  beforeAll(async () => {
    api = await startTestApp('readiness-stall', {
      log: 'embedded',
      withProjector: false,
      env: { PROJECTION_STALL_SECONDS: '1', DECISION_WAIT_MS: '50' },
    });
  });

  afterAll(async () => {
    await projector?.close();
    await api?.close();
    if (api) await dropSchema(api.schema);
  });

  it('is ready while nothing waits, not ready once a waiting record makes no progress, ready again once applied', async () => {
    expect((await projection()).status).toBe(200);

    const posted = await postEvent(api.server, 'readiness-stall', statement());
    expect(posted.status).toBe(202);

    let seen = await projection();
    await waitFor(
      'readiness to report the stalled partition',
      async () => (seen = await projection()).status === 503,
      15_000,
      250,
    );
    expect(seen.projection).toMatchObject({
      status: 'down',
      lag: 1,
      message: expect.stringMatching(
        /^partition 0 has applied no event for \d+ s while 1 record\(s\) wait \(offset 0 of 1; 0 events applied so far\)$/,
      ),
    });
    const [waiting] = seen.projection.partitions as PartitionLag[];
    expect(waiting).toMatchObject({ partition: 0, lag: 1, appliedEvents: 0, stalled: true });
    expect(waiting.secondsWithoutProgress).toBeGreaterThanOrEqual(1);

    // A projector on the same store applies the record: the partition moves, and readiness follows.
    projector = await startTestApp('readiness-projector', { log: 'embedded', schema: api.schema });
    await waitFor('readiness again', async () => (seen = await projection()).status === 200, 15_000, 250);
    expect(seen.projection.partitions).toEqual([
      expect.objectContaining({ partition: 0, lag: 0, appliedEvents: 1, stalled: false }),
    ]);
  });
});
