import request from 'supertest';
import {
  expectStatus,
  freshStandoffId,
  getEvent,
  ifMatch,
  postBatch,
  postEvent,
  statement,
  type JsonObject,
} from '../support/http';
import { waitFor } from '../support/services';
import { baseUrlOf, openSse, type SseClient } from '../support/sse';
import { dropSchema, startTestApp, type TestApp } from '../support/test-app';

/*
 * The feeds of DESIGN.md §7 over HTTP, on Kafka and Postgres with the projector in process: SSE catch-up then
 * live, resume by Last-Event-ID, the global feed and its standoff filter, pull pages, heartbeats.
 */

let app: TestApp;
const streams: SseClient[] = [];

async function sse(path: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const client = await openSse(baseUrlOf(app.server), path, headers);
  streams.push(client);
  return client;
}

async function post(standoffId: string, summary: string): Promise<JsonObject> {
  const res = await postEvent(app.server, standoffId, statement({ summary }));
  expectStatus(res, 201);
  return res.body as JsonObject;
}

beforeAll(async () => {
  app = await startTestApp('feeds', { env: { FEED_HEARTBEAT_MS: '200' } });
}, 60_000);

afterAll(async () => {
  for (const stream of streams) stream.close();
  await app?.close();
  if (app) await dropSchema(app.schema);
}, 60_000);

describe('the standoff feed over SSE', () => {
  it('catches up, goes live, and resumes after a disconnect with Last-Event-ID: nothing missing or repeated', async () => {
    const standoff = freshStandoffId('feed');
    const first = [await post(standoff, 'one'), await post(standoff, 'two, with "quotes"\nand a newline')];
    // A rejected command (a stale If-Match) is in the log but never in the feed.
    expectStatus(await postEvent(app.server, standoff, statement(), ifMatch(0)), 412);

    const stream = await sse(`/v1/standoffs/${standoff}/feed?after=0`);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    await stream.waitForMessages(2);

    const batch = await postBatch(app.server, standoff, [
      statement({ summary: 'three' }),
      statement({ summary: 'four' }),
    ]);
    expectStatus(batch, 201);
    const live = await stream.waitForMessages(4);
    expect(live.map((m) => m.id)).toEqual(['1', '2', '3', '4']);
    expect(live.every((m) => m.event === 'statement.made')).toBe(true);

    // The data is the event as GET …/events/{eventId} returns it (nothing corrected it since), plus the version.
    const item = JSON.parse(live[1].data) as JsonObject;
    const got = await getEvent(app.server, standoff, first[1].eventId as string);
    expect(item).toEqual({ ...(got.body as JsonObject), version: 2 });
    expect(item.summary).toBe('two, with "quotes"\nand a newline');

    stream.close();
    const missed = [await post(standoff, 'five'), await post(standoff, 'six')];
    const resumed = await sse(`/v1/standoffs/${standoff}/feed`, { 'Last-Event-ID': '4' });
    await resumed.waitForMessages(2);
    await post(standoff, 'seven');
    await resumed.waitForMessages(3);
    // Heartbeats keep an idle stream open (every 200 ms here; 15 s by default).
    await waitFor('a heartbeat', () => resumed.comments.includes('heartbeat'), 5000);
    expect(resumed.messages.map((m) => m.id)).toEqual(['5', '6', '7']);
    expect(resumed.messages.map((m) => (JSON.parse(m.data) as JsonObject).eventId)).toEqual([
      missed[0].eventId,
      missed[1].eventId,
      expect.any(String),
    ]);
  }, 60_000);

  it('starts with what comes next when neither Last-Event-ID nor after is given', async () => {
    const standoff = freshStandoffId('feed-live');
    await post(standoff, 'before');
    const stream = await sse(`/v1/standoffs/${standoff}/feed`);
    const after = await post(standoff, 'after');
    const [message] = await stream.waitForMessages(1);
    expect(message.id).toBe('2');
    expect((JSON.parse(message.data) as JsonObject).eventId).toBe(after.eventId);
  }, 30_000);

  it('refuses a Last-Event-ID that is not a position', async () => {
    const res = await request(app.server)
      .get('/v1/feed')
      .set('Last-Event-ID', 'abc')
      .set('Accept', 'application/json');
    expectStatus(res, 400);
  });
});

describe('the global feed', () => {
  it('orders every standoff by sequence, narrows to ?standoff= (repeatable), and pages with Accept: application/json', async () => {
    const a = freshStandoffId('global-a');
    const b = freshStandoffId('global-b');
    const c = freshStandoffId('global-c');
    const start = (
      await request(app.server).get('/v1/feed?after=0&limit=1000').set('Accept', 'application/json')
    ).body as { next: number };
    const stream = await sse(`/v1/feed?standoff=${a}&standoff=${b}`, {});
    const posted = [];
    for (const [standoff, summary] of [
      [a, 'a1'],
      [c, 'c1'],
      [b, 'b1'],
      [a, 'a2'],
    ])
      posted.push(await post(standoff, summary));
    const messages = await stream.waitForMessages(3);
    const items = messages.map((m) => JSON.parse(m.data) as JsonObject);
    expect(items.map((i) => i.summary)).toEqual(['a1', 'b1', 'a2']);
    expect(messages.map((m) => Number(m.id))).toEqual(items.map((i) => i.sequence));
    expect(items.map((i) => i.version)).toEqual([1, 1, 2]);

    // Pull, two at a time, from where the feed stood: all four in order, then an empty page at the end.
    const pulled: JsonObject[] = [];
    let next = start.next;
    for (;;) {
      const res = await request(app.server)
        .get(`/v1/feed?after=${next}&limit=2`)
        .set('Accept', 'application/json');
      expectStatus(res, 200);
      const page = res.body as { items: JsonObject[]; next: number };
      if (page.items.length === 0) {
        expect(page.next).toBe(next);
        break;
      }
      expect(page.items.length).toBeLessThanOrEqual(2);
      pulled.push(...page.items);
      next = page.next;
    }
    expect(pulled.map((i) => i.eventId)).toEqual(posted.map((p) => p.eventId));
    const sequences = pulled.map((i) => i.sequence as number);
    expect([...sequences].sort((x, y) => x - y)).toEqual(sequences);

    const standoffPage = await request(app.server)
      .get(`/v1/standoffs/${a}/feed?after=1`)
      .set('Accept', 'application/json');
    expect(standoffPage.body).toEqual({
      items: [expect.objectContaining({ summary: 'a2', version: 2 })],
      next: 2,
    });
    expectStatus(await request(app.server).get('/v1/feed?limit=0').set('Accept', 'application/json'), 400);
  }, 60_000);
});
