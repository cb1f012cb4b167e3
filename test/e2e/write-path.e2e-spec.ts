import { randomUUID } from 'node:crypto';
import request from 'supertest';
import seedScenario from '@app/domain/fixtures/seed-scenario.json';
import { seedRequests } from '../../apps/api/src/seed/seed-loader';
import {
  currentVersion,
  demandRejected,
  demandTabled,
  eventsPath,
  batchPath,
  expectProblem,
  expectStatus,
  freshStandoffId,
  getEvent,
  getStandoff,
  ifMatch,
  postBatch,
  postEvent,
  statement,
  type JsonObject,
} from '../support/http';
import { waitFor } from '../support/services';
import { dropSchema, startTestApp, type TestApp } from '../support/test-app';

/*
 * The write path end to end, over HTTP, on the real Postgres and the real Kafka: every answer of DESIGN.md §4
 * with its problem+json, decisions made by the projector in log order, idempotent retries, optimistic
 * concurrency, all-or-nothing batches, pending appends decided later, and the seed scenario posted as a client
 * would. The decisions are checked again on the embedded log (a table in Postgres).
 */

jest.setTimeout(60_000);

const SEED_TITLE = 'Russia–United States standoff over Ukraine';

/** The apps started by the current describe block, closed (and their schemas dropped) by its afterAll. */
const started: TestApp[] = [];

async function start(...args: Parameters<typeof startTestApp>): Promise<TestApp> {
  const app = await startTestApp(...args);
  started.push(app);
  return app;
}

/** Closes every app started so far, whatever happens, so no projector outlives its block. */
async function closeStarted(): Promise<void> {
  const apps = started.splice(0).reverse();
  const schemas = new Set(apps.map((app) => app.schema));
  for (const app of apps) {
    await app.close().catch((error: unknown) => console.error(`closing an app failed: ${String(error)}`));
  }
  for (const schema of schemas) await dropSchema(schema);
}

afterAll(closeStarted);

/** The decisions that hold on every log: defined once, run on Kafka and on the embedded log. */
function decisionsOnEveryLog(appOf: () => TestApp): void {
  const server = () => appOf().server;

  describe('appending one event', () => {
    it('answers 201 with the stored event, its position and the new version as ETag', async () => {
      const standoff = freshStandoffId('accept');
      const eventId = randomUUID();
      const res = await postEvent(server(), standoff, statement({ eventId }), ifMatch(0));

      expectStatus(res, 201);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers.etag).toBe('"1"');
      expect(res.headers.location).toBe(`${eventsPath(standoff)}/${eventId}`);
      expect(res.body).toMatchObject({
        eventId,
        standoffId: standoff,
        position: 1,
        type: 'statement.made',
        occurredAt: '2022-01-10',
        reportedAt: '2022-01-10',
        actor: 'RUS',
        target: ['USA'],
        summary: 'Russia says the talks will go on',
        cameo: '010',
        status: 'accepted',
        retracted: false,
      });
      expect(res.body.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

      const second = await postEvent(server(), standoff, statement(), ifMatch(1));
      expectStatus(second, 201);
      expect(second.headers.etag).toBe('"2"');
      expect(second.body.position).toBe(2);
      expect(second.body.eventId).toMatch(/^[0-9a-f-]{36}$/);

      const stored = await getEvent(server(), standoff, eventId);
      expectStatus(stored, 200);
      expect(stored.body).toEqual(res.body);
      const summary = await getStandoff(server(), standoff);
      expectStatus(summary, 200);
      expect(summary.headers.etag).toBe('"2"');
      expect(summary.body).toMatchObject({ standoffId: standoff, version: 2, eventCount: 2 });
    });

    it('refuses a stale If-Match with 412 and the current version as ETag', async () => {
      const standoff = freshStandoffId('stale');
      expectStatus(await postEvent(server(), standoff, statement(), ifMatch(0)), 201);
      expectStatus(await postEvent(server(), standoff, statement(), ifMatch(1)), 201);

      const res = await postEvent(server(), standoff, statement(), ifMatch(1));
      expectProblem(res, 412, { type: 'version-mismatch', paths: ['If-Match'] });
      expect(res.headers.etag).toBe('"2"');
      expect(await currentVersion(server(), standoff)).toBe(2);
    });

    it('refuses If-Match "0" once the standoff has events', async () => {
      const standoff = freshStandoffId('not-new');
      expectStatus(await postEvent(server(), standoff, statement()), 201);
      const res = await postEvent(server(), standoff, statement(), ifMatch(0));
      expectProblem(res, 412);
      expect(res.headers.etag).toBe('"1"');
    });

    it('refuses a second demand.tabled with the same demandId with 409 naming /data/demandId', async () => {
      const standoff = freshStandoffId('conflict');
      expectStatus(await postEvent(server(), standoff, demandTabled('no-nato-enlargement')), 201);
      const res = await postEvent(server(), standoff, demandTabled('no-nato-enlargement'));
      expectProblem(res, 409, { type: 'entity-exists', paths: ['/data/demandId'] });
      expect(await currentVersion(server(), standoff)).toBe(1);
    });

    it('refuses a reference to a demand that was never tabled with 422 naming /data/demandId', async () => {
      const standoff = freshStandoffId('missing-demand');
      expectStatus(await postEvent(server(), standoff, statement()), 201);
      const eventId = randomUUID();
      const res = await postEvent(server(), standoff, demandRejected('never-tabled', { eventId }));
      expectProblem(res, 422, { type: 'unknown-reference', paths: ['/data/demandId'] });
      expect(await currentVersion(server(), standoff)).toBe(1);

      const decided = await getEvent(server(), standoff, eventId);
      expectStatus(decided, 200);
      expect(decided.body).toMatchObject({ eventId, status: 'rejected', problem: { status: 422 } });
    });

    it('does not list a standoff whose only event was rejected', async () => {
      const standoff = freshStandoffId('only-rejected');
      expectProblem(await postEvent(server(), standoff, demandRejected('never-tabled')), 422);
      expectProblem(await getStandoff(server(), standoff), 404, { type: 'standoff-not-found' });
      const list = await request(server()).get('/v1/standoffs');
      expectStatus(list, 200);
      expect((list.body as JsonObject[]).map((s) => s.standoffId)).not.toContain(standoff);
      // Its version is still 0 for If-Match.
      expectStatus(await postEvent(server(), standoff, statement(), ifMatch(0)), 201);
    });

    it('refuses a reportedAt later than the time the log records the event with 422', async () => {
      const standoff = freshStandoffId('future');
      const tomorrow = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
      const res = await postEvent(server(), standoff, statement({ reportedAt: tomorrow }));
      expectProblem(res, 422, { paths: ['/reportedAt'] });
    });

    it('gives two concurrent appends with the same If-Match exactly one 201 and one 412', async () => {
      const standoff = freshStandoffId('race');
      expectStatus(await postEvent(server(), standoff, statement(), ifMatch(0)), 201);
      const [a, b] = await Promise.all([
        postEvent(server(), standoff, statement({ summary: 'first writer' }), ifMatch(1)),
        postEvent(server(), standoff, statement({ summary: 'second writer' }), ifMatch(1)),
      ]);
      expect([a.status, b.status].sort()).toEqual([201, 412]);
      const [winner, loser] = a.status === 201 ? [a, b] : [b, a];
      expect(winner.headers.etag).toBe('"2"');
      expectProblem(loser, 412);
      expect(loser.headers.etag).toBe('"2"');
      expect(await currentVersion(server(), standoff)).toBe(2);
    });
  });

  describe('idempotent retries', () => {
    it('answers the same Idempotency-Key and body with the original result, even when If-Match would now fail', async () => {
      const standoff = freshStandoffId('idem-key');
      const key = `retry-${randomUUID()}`;
      const body = statement({ summary: 'posted once, retried' });
      const first = await postEvent(server(), standoff, body, { ...ifMatch(0), 'Idempotency-Key': key });
      expectStatus(first, 201);
      expectStatus(await postEvent(server(), standoff, statement()), 201);

      const retry = await postEvent(server(), standoff, body, { ...ifMatch(0), 'Idempotency-Key': key });
      expectStatus(retry, 201);
      expect(retry.body.eventId).toBe(first.body.eventId);
      expect(retry.body.position).toBe(1);
      expect(retry.headers.etag).toBe('"1"');
      expect(await currentVersion(server(), standoff)).toBe(2);
    });

    it('refuses the same Idempotency-Key with another body with 422', async () => {
      const standoff = freshStandoffId('idem-other');
      const key = `retry-${randomUUID()}`;
      expectStatus(await postEvent(server(), standoff, statement(), { 'Idempotency-Key': key }), 201);
      const res = await postEvent(server(), standoff, statement({ summary: 'something else entirely' }), {
        'Idempotency-Key': key,
      });
      expectProblem(res, 422, { type: 'idempotency-key-reused' });
      expect(await currentVersion(server(), standoff)).toBe(1);
    });

    it('answers the same client eventId and content with the original result', async () => {
      const standoff = freshStandoffId('idem-event');
      const body = statement({ eventId: randomUUID() });
      const first = await postEvent(server(), standoff, body, ifMatch(0));
      expectStatus(first, 201);
      expectStatus(await postEvent(server(), standoff, statement()), 201);

      const retry = await postEvent(server(), standoff, body, ifMatch(0));
      expectStatus(retry, 201);
      expect(retry.body).toEqual(first.body);
      expect(await currentVersion(server(), standoff)).toBe(2);
    });

    it('refuses the same client eventId with other content with 422', async () => {
      const standoff = freshStandoffId('idem-event-other');
      const eventId = randomUUID();
      expectStatus(await postEvent(server(), standoff, statement({ eventId })), 201);
      const res = await postEvent(server(), standoff, statement({ eventId, summary: 'a different summary' }));
      expectProblem(res, 422, { type: 'idempotency-key-reused' });
      expect(await currentVersion(server(), standoff)).toBe(1);
    });

    it('answers two concurrent requests with the same Idempotency-Key with one and the same event', async () => {
      const standoff = freshStandoffId('idem-race');
      const key = `retry-${randomUUID()}`;
      const body = statement({ summary: 'sent twice at once' });
      const [a, b] = await Promise.all([
        postEvent(server(), standoff, body, { 'Idempotency-Key': key }),
        postEvent(server(), standoff, body, { 'Idempotency-Key': key }),
      ]);
      expectStatus(a, 201);
      expectStatus(b, 201);
      expect(b.body).toEqual(a.body);
      expect(a.body.position).toBe(1);
      expect(await currentVersion(server(), standoff)).toBe(1);
    });

    it('gives two concurrent requests with one client eventId and different content one 201 and one 422', async () => {
      const standoff = freshStandoffId('idem-event-race');
      const eventId = randomUUID();
      const [a, b] = await Promise.all([
        postEvent(server(), standoff, statement({ eventId, summary: 'one content' })),
        postEvent(server(), standoff, statement({ eventId, summary: 'another content' })),
      ]);
      expect([a.status, b.status].sort()).toEqual([201, 422]);
      expectProblem(a.status === 422 ? a : b, 422, { type: 'idempotency-key-reused' });
      expect(await currentVersion(server(), standoff)).toBe(1);
    });

    it('answers a retried rejected request with the original rejection, even once it would pass', async () => {
      const standoff = freshStandoffId('idem-rejected');
      const key = `retry-${randomUUID()}`;
      const body = demandRejected('tabled-later');
      expectProblem(await postEvent(server(), standoff, body, { 'Idempotency-Key': key }), 422, {
        type: 'unknown-reference',
      });
      expectStatus(await postEvent(server(), standoff, demandTabled('tabled-later')), 201);

      const retry = await postEvent(server(), standoff, body, { 'Idempotency-Key': key });
      expectProblem(retry, 422, { type: 'unknown-reference', paths: ['/data/demandId'] });
      expect(await currentVersion(server(), standoff)).toBe(1);
    });

    it('keeps Idempotency-Keys per standoff', async () => {
      const key = `retry-${randomUUID()}`;
      const first = await postEvent(server(), freshStandoffId('key-a'), statement(), {
        'Idempotency-Key': key,
      });
      const other = await postEvent(server(), freshStandoffId('key-b'), statement({ summary: 'other' }), {
        'Idempotency-Key': key,
      });
      expectStatus(first, 201);
      expectStatus(other, 201);
      expect(other.body.eventId).not.toBe(first.body.eventId);
    });

    it('answers a retried batch with the original events', async () => {
      const standoff = freshStandoffId('idem-batch');
      const events = [statement({ eventId: randomUUID() }), statement({ eventId: randomUUID() })];
      const first = await postBatch(server(), standoff, events);
      expectStatus(first, 201);
      const retry = await postBatch(server(), standoff, events);
      expectStatus(retry, 201);
      expect(retry.body).toEqual(first.body);
      expect(await currentVersion(server(), standoff)).toBe(2);
    });
  });

  describe('batches', () => {
    it('stores a batch in array order, where a member names what an earlier member created', async () => {
      const standoff = freshStandoffId('batch');
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      const res = await postBatch(
        server(),
        standoff,
        [
          demandTabled('security-guarantees', { eventId: ids[0] }),
          demandRejected('security-guarantees', { eventId: ids[1] }),
          demandRejected('security-guarantees', { eventId: ids[2], actor: 'NATO' }),
        ],
        ifMatch(0),
      );
      expectStatus(res, 201);
      expect(res.headers.etag).toBe('"3"');
      expect(res.headers.location).toBe(`${eventsPath(standoff)}/${ids[0]}`);
      const stored = res.body.events as JsonObject[];
      expect(stored.map((e) => [e.eventId, e.position, e.type])).toEqual([
        [ids[0], 1, 'demand.tabled'],
        [ids[1], 2, 'demand.rejected'],
        [ids[2], 3, 'demand.rejected'],
      ]);
    });

    it('refuses a batch that gives one client eventId to two members, naming the id', async () => {
      const standoff = freshStandoffId('batch-repeats');
      const [once, twice] = [randomUUID(), randomUUID()];
      const res = await postBatch(server(), standoff, [
        statement({ eventId: twice }),
        statement({ eventId: once }),
        statement({ eventId: twice }),
      ]);
      expectProblem(res, 422, { type: 'validation' });
      expect(res.body.errors).toEqual([
        { path: '/events', message: `eventId ${twice} appears twice in the batch` },
      ]);
      expect(await currentVersion(server(), standoff)).toBe(0);
    });

    it('stores nothing of a batch whose fourth member names a missing demand, and names that member', async () => {
      const standoff = freshStandoffId('batch-fails');
      expectStatus(await postEvent(server(), standoff, statement()), 201);
      const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      const res = await postBatch(
        server(),
        standoff,
        [
          statement({ eventId: ids[0] }),
          demandTabled('tabled-in-batch', { eventId: ids[1] }),
          demandRejected('tabled-in-batch', { eventId: ids[2] }),
          demandRejected('never-tabled', { eventId: ids[3] }),
        ],
        ifMatch(1),
      );
      expectProblem(res, 422, { type: 'unknown-reference', paths: ['/events/3/data/demandId'] });

      const summary = await getStandoff(server(), standoff);
      expect(summary.body).toMatchObject({ version: 1, eventCount: 1 });
      expect(summary.headers.etag).toBe('"1"');
      for (const id of ids) {
        const member = await getEvent(server(), standoff, id);
        expectStatus(member, 200);
        expect(member.body).toMatchObject({ eventId: id, status: 'rejected', problem: { status: 422 } });
      }
      // The demand the batch would have tabled does not exist: tabling it now is no conflict.
      expectStatus(await postEvent(server(), standoff, demandTabled('tabled-in-batch')), 201);
    });

    it('lets a member dispute and retract an earlier member by its client eventId', async () => {
      const standoff = freshStandoffId('batch-refs');
      const [claim, dispute, retracted, retraction] = [
        randomUUID(),
        randomUUID(),
        randomUUID(),
        randomUUID(),
      ];
      const res = await postBatch(server(), standoff, [
        statement({ eventId: claim, summary: 'A claim' }),
        {
          eventId: dispute,
          type: 'claim.disputed',
          occurredAt: '2022-01-11',
          reportedAt: '2022-01-11',
          actor: 'UKR',
          target: 'RUS',
          summary: 'Ukraine disputes the claim',
          data: { eventId: claim, reason: 'not so' },
        },
        statement({ eventId: retracted, summary: 'Misreported' }),
        {
          eventId: retraction,
          type: 'event.retracted',
          occurredAt: '2022-01-12',
          reportedAt: '2022-01-12',
          summary: 'Withdrawn',
          data: { eventId: retracted, reason: 'misreported' },
        },
      ]);
      expectStatus(res, 201);
      expect(res.headers.etag).toBe('"4"');
      const disputed = await getEvent(server(), standoff, claim);
      expect(disputed.body).toMatchObject({ disputedBy: ['UKR'], retracted: false });
      const gone = await getEvent(server(), standoff, retracted);
      expect(gone.body).toMatchObject({ retracted: true });
      const summary = await getStandoff(server(), standoff);
      expect(summary.body).toMatchObject({ version: 4, eventCount: 2 });
    });

    it('refuses a batch with a stale If-Match as a whole', async () => {
      const standoff = freshStandoffId('batch-stale');
      expectStatus(await postEvent(server(), standoff, statement()), 201);
      const res = await postBatch(server(), standoff, [statement(), statement()], ifMatch(0));
      expectProblem(res, 412);
      expect(res.headers.etag).toBe('"1"');
      expect(await currentVersion(server(), standoff)).toBe(1);
    });
  });

  describe('a corrected issuer', () => {
    it('lets the actor a correction names as the tabling one withdraw the demand, and no longer the first', async () => {
      const standoff = freshStandoffId('corrected-issuer');
      const tabled = { ...demandTabled('guarantees'), eventId: randomUUID() };
      expectStatus(await postEvent(server(), standoff, tabled), 201);
      const correction = {
        type: 'event.corrected',
        occurredAt: '2022-01-20',
        summary: 'Belarus tabled it',
        data: { eventId: tabled.eventId, set: { actor: 'BLR' } },
      };
      expectStatus(await postEvent(server(), standoff, correction), 201);
      const withdrawal = (actor: string) => ({
        type: 'demand.withdrawn',
        occurredAt: '2022-01-21',
        actor,
        summary: 'The demand is withdrawn',
        data: { demandId: 'guarantees' },
      });
      expectProblem(await postEvent(server(), standoff, withdrawal('RUS')), 422);
      expectStatus(await postEvent(server(), standoff, withdrawal('BLR')), 201);
    });
  });

  describe('a retried 412', () => {
    it('returns the original rejection with the version the standoff has now', async () => {
      const standoff = freshStandoffId('retried-412');
      expectStatus(await postEvent(server(), standoff, statement()), 201);
      const body = statement();
      const headers = { ...ifMatch(0), 'Idempotency-Key': 'stale-write' };
      const first = await postEvent(server(), standoff, body, headers);
      expectProblem(first, 412);
      expect(first.headers.etag).toBe('"1"');
      expectStatus(await postEvent(server(), standoff, statement()), 201);
      const retried = await postEvent(server(), standoff, body, headers);
      expectProblem(retried, 412);
      expect(retried.headers.etag).toBe('"2"');
    });
  });

  describe('the seed scenario posted through the API', () => {
    it('accepts its 19 events as versions 1 to 19 and lists the standoff with its title', async () => {
      const { standoffId, events } = seedRequests();
      expect(standoffId).toBe(seedScenario.standoffId);
      expect(events).toHaveLength(19);
      for (const [index, event] of events.entries()) {
        const res = await postEvent(server(), standoffId, event, ifMatch(index));
        expectStatus(res, 201);
        expect(res.headers.etag).toBe(`"${index + 1}"`);
        expect(res.body).toMatchObject({ eventId: event.eventId, position: index + 1, type: event.type });
      }

      const one = await getStandoff(server(), standoffId);
      expectStatus(one, 200);
      expect(one.headers.etag).toBe('"19"');
      expect(one.body).toEqual({
        standoffId,
        title: SEED_TITLE,
        version: 19,
        eventCount: 18,
        firstEventAt: expect.any(String),
        lastEventAt: expect.any(String),
      });
      const list = await request(server()).get('/v1/standoffs');
      expectStatus(list, 200);
      expect(list.body).toEqual(expect.arrayContaining([one.body]));

      // Posting the whole seed again changes nothing: every event is a retry of the original.
      for (const [index, event] of events.entries()) {
        const res = await postEvent(server(), standoffId, event);
        expectStatus(res, 201);
        expect(res.body.position).toBe(index + 1);
      }
      expect(await currentVersion(server(), standoffId)).toBe(19);
    });
  });
}

describe('the write path on Kafka', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await start('write-path');
  });
  afterAll(closeStarted);

  decisionsOnEveryLog(() => app);

  describe('requests that cannot be read', () => {
    it('answers malformed JSON with a 400 problem', async () => {
      const res = await request(app.server)
        .post(eventsPath('some-standoff'))
        .set('Content-Type', 'application/json')
        .send('{"type": "statement.made",');
      expectProblem(res, 400, { type: 'malformed-json' });
    });

    it('answers a bad standoff id with a 400 problem naming standoffId', async () => {
      const res = await postEvent(app.server, 'Not_A_Standoff', statement());
      expectProblem(res, 400, { paths: ['standoffId'] });
      const read = await getStandoff(app.server, '-leading-hyphen');
      expectProblem(read, 400, { paths: ['standoffId'] });
    });

    it('answers a malformed If-Match with a 400 problem naming If-Match', async () => {
      const res = await postEvent(app.server, freshStandoffId('bad-if-match'), statement(), {
        'If-Match': 'W/"3"',
      });
      expectProblem(res, 400, { paths: ['If-Match'] });
    });

    it('answers text/plain with 415', async () => {
      const res = await request(app.server)
        .post(eventsPath('some-standoff'))
        .set('Content-Type', 'text/plain')
        .send(JSON.stringify(statement()));
      expectProblem(res, 415, { type: 'unsupported-media-type' });
    });

    it('answers an event over 64 KiB with 413', async () => {
      const res = await postEvent(app.server, freshStandoffId('too-large'), {
        ...statement(),
        data: { quote: 'x'.repeat(65 * 1024) },
      });
      expectProblem(res, 413, { type: 'payload-too-large' });
      expect(res.body.detail).toMatch(/64 KiB/);
    });

    it('answers a batch over 1 MiB with 413', async () => {
      const events = Array.from({ length: 20 }, () => ({
        ...statement(),
        data: { quote: 'x'.repeat(60 * 1024) },
      }));
      const res = await postBatch(app.server, freshStandoffId('batch-too-large'), events);
      expectProblem(res, 413, { type: 'payload-too-large' });
      expect(res.body.detail).toMatch(/1 MiB/);
    });

    it('reads, logs and stores a batch of almost 1 MiB', async () => {
      const standoff = freshStandoffId('large-batch');
      // Non-ASCII text: 3 bytes a character in the body, and as many in the logged record.
      const events = Array.from({ length: 16 }, (_, i) => ({
        ...statement({ summary: `large member ${i}` }),
        data: { quote: '…'.repeat(21_600) },
      }));
      const body = Buffer.byteLength(JSON.stringify({ events }));
      expect(body).toBeGreaterThan(1000 * 1024);
      expect(body).toBeLessThan(1024 * 1024);
      const res = await postBatch(app.server, standoff, events);
      expectStatus(res, 201);
      expect(res.headers.etag).toBe('"16"');
      const stored = await getEvent(
        app.server,
        standoff,
        (res.body.events as JsonObject[])[15].eventId as string,
      );
      expect((stored.body.data as { quote: string }).quote).toHaveLength(21_600);
    });
  });

  describe('events that break the catalogue', () => {
    it('answers a demand.tabled without demandId with 422 naming /data/demandId', async () => {
      const standoff = freshStandoffId('invalid');
      const { data: _data, ...noData } = demandTabled('x');
      const res = await postEvent(app.server, standoff, { ...noData, data: { text: 'no id' } });
      expectProblem(res, 422, { type: 'validation', paths: ['/data/demandId'] });
      expectProblem(await getStandoff(app.server, standoff), 404);
    });

    it('answers a batch whose fourth member breaks the catalogue with 422 naming /events/3/data/demandId', async () => {
      const standoff = freshStandoffId('invalid-batch');
      const res = await postBatch(app.server, standoff, [
        statement(),
        statement(),
        demandTabled('fine'),
        { ...demandRejected('x'), data: {} },
      ]);
      expectProblem(res, 422, { type: 'validation', paths: ['/events/3/data/demandId'] });
      expectProblem(await getStandoff(app.server, standoff), 404);
    });

    it('names every offending field of an event at once', async () => {
      const res = await postEvent(app.server, freshStandoffId('many-errors'), {
        type: 'statement.made',
        occurredAt: 'yesterday',
        actor: 'russia',
        summary: '',
      });
      expectProblem(res, 422, { paths: ['/occurredAt', '/actor', '/summary'] });
    });
  });

  describe('what is not there', () => {
    it('answers an unknown standoff with 404', async () => {
      expectProblem(await getStandoff(app.server, freshStandoffId('unknown')), 404, {
        type: 'standoff-not-found',
      });
    });

    it('answers an unknown event with 404', async () => {
      const standoff = freshStandoffId('unknown-event');
      expectStatus(await postEvent(app.server, standoff, statement()), 201);
      expectProblem(await getEvent(app.server, standoff, randomUUID()), 404, { type: 'event-not-found' });
    });

    it('answers an event asked for under another standoff with 404', async () => {
      const standoff = freshStandoffId('owner');
      const eventId = randomUUID();
      expectStatus(await postEvent(app.server, standoff, statement({ eventId })), 201);
      expectStatus(await getEvent(app.server, standoff, eventId), 200);
      expectProblem(await getEvent(app.server, freshStandoffId('stranger'), eventId), 404);
    });

    it('answers an event id that is not a UUID with 400 naming eventId', async () => {
      expectProblem(await getEvent(app.server, 'some-standoff', 'not-a-uuid'), 400, { paths: ['eventId'] });
    });
  });
});

describe('the write path with API keys', () => {
  const keys = { reader: `r-${randomUUID()}`, writer: `w-${randomUUID()}`, admin: `a-${randomUUID()}` };
  const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
  let app: TestApp;

  beforeAll(async () => {
    app = await start('write-path-keys', {
      env: { API_KEYS: `reader:${keys.reader},writer:${keys.writer},admin:${keys.admin}` },
    });
  });
  afterAll(closeStarted);

  it('answers a write without a key with 401 and a Bearer challenge', async () => {
    const res = await postEvent(app.server, freshStandoffId('no-key'), statement());
    expectProblem(res, 401, { type: 'unauthorized' });
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('answers an unknown key with 401', async () => {
    const res = await postEvent(app.server, freshStandoffId('bad-key'), statement(), bearer('not-a-key'));
    expectProblem(res, 401, { type: 'unauthorized' });
  });

  it('answers a read without a key with 401', async () => {
    expectProblem(await request(app.server).get('/v1/standoffs'), 401);
  });

  it('answers a write with a reader key with 403', async () => {
    const res = await postEvent(app.server, freshStandoffId('reader'), statement(), bearer(keys.reader));
    expectProblem(res, 403, { type: 'forbidden' });
  });

  it('accepts a write with a writer key and a read with a reader key', async () => {
    const standoff = freshStandoffId('writer');
    const write = await postEvent(app.server, standoff, statement(), bearer(keys.writer));
    expectStatus(write, 201);
    const read = await getStandoff(app.server, standoff).set(bearer(keys.reader));
    expectStatus(read, 200);
    expect(read.body).toMatchObject({ standoffId: standoff, version: 1 });
    const admin = await postEvent(app.server, standoff, statement(), bearer(keys.admin));
    expectStatus(admin, 201);
  });
});

describe('the write path while no projector runs', () => {
  let api: TestApp;
  let projector: Promise<TestApp> | undefined;
  /** The projector of this store, started by whichever test needs it first (none needs another to have run). */
  const startProjector = () =>
    (projector ??= start('write-path-pending-projector', {
      schema: api.schema,
      topic: api.topic,
      withProjector: true,
    }));

  beforeAll(async () => {
    api = await start('write-path-pending', { withProjector: false, env: { DECISION_WAIT_MS: '50' } });
  });
  afterAll(closeStarted);

  it('answers 202 with the event to ask about, and that event answers once a projector has decided', async () => {
    const standoff = freshStandoffId('pending');
    const accepted = await postEvent(api.server, standoff, statement({ eventId: randomUUID() }), ifMatch(0));
    expectStatus(accepted, 202);
    const eventId = accepted.body.eventId as string;
    expect(accepted.body).toEqual({ eventId, status: 'pending' });
    expect(accepted.headers.location).toBe(`${eventsPath(standoff)}/${eventId}`);
    expect(accepted.headers['retry-after']).toMatch(/^\d+$/);
    expect(accepted.headers.etag).toBeUndefined();

    // Decided later in log order: the If-Match "0" is stale by then.
    const doomed = await postEvent(api.server, standoff, statement(), ifMatch(0));
    expectStatus(doomed, 202);
    const doomedLocation = doomed.headers.location as string;
    expect(doomedLocation).toBe(`${eventsPath(standoff)}/${doomed.body.eventId}`);

    const batchIds = [randomUUID(), randomUUID()];
    const batch = await postBatch(api.server, standoff, [
      statement({ eventId: batchIds[0] }),
      statement({ eventId: batchIds[1] }),
    ]);
    expectStatus(batch, 202);
    expect(batch.body).toEqual({ eventIds: batchIds, status: 'pending' });
    expect(batch.headers.location).toBe(`${eventsPath(standoff)}/${batchIds[0]}`);

    // A keyed request sent twice while undecided: two pending answers naming two ids the server chose.
    const keyed = { 'Idempotency-Key': `pending-${randomUUID()}` };
    const keyedBody = statement();
    const keyedFirst = await postEvent(api.server, standoff, keyedBody, keyed);
    const keyedRetry = await postEvent(api.server, standoff, keyedBody, keyed);
    expectStatus(keyedFirst, 202);
    expectStatus(keyedRetry, 202);
    expect(keyedRetry.body.eventId).not.toBe(keyedFirst.body.eventId);

    // Undecided: 404, and the standoff has no accepted event yet.
    expectProblem(await request(api.server).get(accepted.headers.location as string), 404, {
      type: 'event-not-found',
    });
    expectProblem(await getStandoff(api.server, standoff), 404);

    await startProjector();

    let decided: request.Response | undefined;
    await waitFor(
      'the pending event to be decided',
      async () => {
        decided = await request(api.server).get(accepted.headers.location as string);
        return decided.status === 200;
      },
      30_000,
      100,
    );
    expect(decided?.body).toMatchObject({ eventId, standoffId: standoff, position: 1, status: 'accepted' });

    const rejected = await request(api.server).get(doomedLocation);
    expectStatus(rejected, 200);
    expect(rejected.body).toMatchObject({
      eventId: doomed.body.eventId,
      status: 'rejected',
      problem: { status: 412, type: expect.stringMatching(/version-mismatch$/) },
    });
    for (const [index, id] of batchIds.entries()) {
      const member = await getEvent(api.server, standoff, id);
      expectStatus(member, 200);
      expect(member.body).toMatchObject({ status: 'accepted', position: 2 + index });
    }
    // Both pending answers lead to the one event the key made.
    const viaFirst = await request(api.server).get(keyedFirst.headers.location as string);
    const viaRetry = await request(api.server).get(keyedRetry.headers.location as string);
    expectStatus(viaFirst, 200);
    expectStatus(viaRetry, 200);
    expect(viaRetry.body).toEqual(viaFirst.body);
    expect(viaFirst.body).toMatchObject({ eventId: keyedFirst.body.eventId, status: 'accepted' });
    expect(await currentVersion(api.server, standoff)).toBe(4);
  });

  it('answers a retry of a pending request with the decision once it is known', async () => {
    const standoff = freshStandoffId('pending-retry');
    const key = `retry-${randomUUID()}`;
    const body = statement();
    await startProjector();
    // A projector runs now, but the API-only app waits 50 ms, so the answer may still be 202.
    const first = await postEvent(api.server, standoff, body, { 'Idempotency-Key': key });
    expect([201, 202]).toContain(first.status);
    await waitFor(
      'the first request to be decided',
      async () => (await currentVersion(api.server, standoff)) === 1,
      30_000,
      100,
    );
    const retry = await postEvent(api.server, standoff, body, { 'Idempotency-Key': key });
    expectStatus(retry, 201);
    expect(retry.body.position).toBe(1);
    if (first.status === 201) expect(retry.body).toEqual(first.body);
    else expect(retry.body.eventId).toBe(first.body.eventId);
  });
});

/** Single-event commands, so that one projector batch holds hundreds of commands to decide. */
const BACKLOG = 400;

describe.each(['kafka', 'embedded'] as const)('a backlog of pending appends on the %s log', (log) => {
  let api: TestApp;

  beforeAll(async () => {
    api = await start(`write-path-backlog-${log}`, {
      log,
      withProjector: false,
      env: { DECISION_WAIT_MS: '0' },
    });
  });
  afterAll(closeStarted);

  it(`is decided in full once a projector starts (${BACKLOG} commands at once)`, async () => {
    const standoff = freshStandoffId('backlog');
    const statuses: number[] = [];
    for (let chunk = 0; chunk < BACKLOG; chunk += 50) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          postEvent(api.server, standoff, statement({ summary: `backlog ${chunk + i}` })),
        ),
      );
      statuses.push(...answers.map((res) => res.status));
    }
    expect(statuses.filter((status) => status !== 202)).toEqual([]);

    await start(`write-path-backlog-${log}-projector`, {
      log,
      schema: api.schema,
      topic: api.topic,
      withProjector: true,
    });
    await waitFor(
      `${BACKLOG} pending commands to be decided`,
      async () => (await currentVersion(api.server, standoff)) === BACKLOG,
      30_000,
      200,
    );
  });
});

describe('the write path on the embedded log', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await start('write-path-embedded', { log: 'embedded' });
  });
  afterAll(closeStarted);

  it('runs on the embedded log, not on Kafka', () => {
    expect(app.topic).toBeUndefined();
    expect(app.running.infrastructure.mode.log).toBe('embedded');
  });

  decisionsOnEveryLog(() => app);

  it('refuses what cannot be read the same way as on Kafka', async () => {
    expectProblem(
      await request(app.server)
        .post(batchPath('some-standoff'))
        .set('Content-Type', 'text/plain')
        .send('{"events":[]}'),
      415,
    );
    const res = await postBatch(app.server, freshStandoffId('embedded-invalid'), [
      statement(),
      statement(),
      statement(),
      { ...demandTabled('x'), data: { text: 'no id' } },
    ]);
    expectProblem(res, 422, { paths: ['/events/3/data/demandId'] });
  });
});
