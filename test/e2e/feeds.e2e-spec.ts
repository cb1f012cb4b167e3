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
 * live, resume by Last-Event-ID, the global feed and its standoff filter, pull pages, heartbeats; CORS, ETag
 * and CSV for dashboards.
 */

/** RFC 4180: records of fields, quoted fields may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 1;
    } else field += c;
  }
  if (field !== '' || record.length > 0)
    throw new Error(`the CSV does not end with CRLF: ${JSON.stringify(text.slice(-40))}`);
  return records;
}

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
  app = await startTestApp('feeds', {
    env: { FEED_HEARTBEAT_MS: '200', CORS_ORIGINS: 'http://dash.example,http://127.0.0.1:8080' },
  });
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

  it('counts its subscribers on /metrics and reports the publisher in /health/ready', async () => {
    const count = async () => {
      const metrics = await request(app.server).get('/metrics');
      return Number(/^standoff_feed_subscribers (\d+)$/m.exec(metrics.text)?.[1]);
    };
    const before = await count();
    const stream = await sse('/v1/feed');
    await waitFor('the subscriber counted', async () => (await count()) === before + 1, 5000);
    stream.close();
    await waitFor('the subscriber gone', async () => (await count()) === before, 5000);
    const ready = await request(app.server).get('/health/ready');
    expect(ready.body.details.publisher).toMatchObject({ status: 'up', topic: `${app.topic}.timeline` });
  });

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

describe('for browser dashboards: CORS, ETag and CSV', () => {
  it('answers a preflight from a listed origin for GET, and marks GET answers and feeds readable by it', async () => {
    const preflight = await request(app.server)
      .options('/v1/feed')
      .set('Origin', 'http://dash.example')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'last-event-id');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://dash.example');
    expect(preflight.headers['access-control-allow-methods']).toBe('GET,HEAD');
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Last-Event-ID/i);

    const list = await request(app.server).get('/v1/standoffs').set('Origin', 'http://127.0.0.1:8080');
    expect(list.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8080');
    const stream = await sse('/v1/feed', { Origin: 'http://dash.example' });
    expect(stream.headers['access-control-allow-origin']).toBe('http://dash.example');

    const other = await request(app.server).get('/v1/standoffs').set('Origin', 'http://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers 304 to If-None-Match on /state, /events and /tension until the standoff changes', async () => {
    const standoff = freshStandoffId('etag');
    await post(standoff, 'first');
    const routes = ['state', 'events', 'tension'].map((route) => `/v1/standoffs/${standoff}/${route}`);
    const tags = new Map<string, string>();
    for (const path of routes) {
      const first = await request(app.server).get(path);
      expectStatus(first, 200);
      const tag = first.headers.etag as string;
      expect(tag).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
      tags.set(path, tag);
      // Polled with the defaults (asOf and knownAt: now), an unchanged standoff answers 304 with no body.
      const again = await request(app.server).get(path).set('If-None-Match', tag);
      expect(again.status).toBe(304);
      expect(again.text).toBe('');
    }
    await post(standoff, 'second');
    for (const path of routes) {
      const changed = await request(app.server)
        .get(path)
        .set('If-None-Match', tags.get(path) as string);
      expectStatus(changed, 200);
      expect(changed.headers.etag).not.toBe(tags.get(path));
    }
  });

  it('streams /events and /tension as RFC 4180 CSV: a header row and every matching row, not one page', async () => {
    const standoff = freshStandoffId('csv');
    const tricky = 'Talks, "frank" and\nlong; again\n\nnext day';
    const events = Array.from({ length: 1000 }, (_, i) =>
      statement({
        summary: i % 100 === 0 ? `${tricky} #${i}` : `plain ${i}`,
        occurredAt: `2022-01-${String(1 + (i % 28)).padStart(2, '0')}`,
      }),
    );
    expectStatus(await postBatch(app.server, standoff, events), 201);
    await post(standoff, tricky);

    const csv = await request(app.server)
      .get(`/v1/standoffs/${standoff}/events?actor=RUS`)
      .set('Accept', 'text/csv');
    expectStatus(csv, 200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const records = parseCsv(csv.text);
    expect(records[0].slice(0, 4)).toEqual(['eventId', 'standoffId', 'position', 'type']);
    expect(records).toHaveLength(1 + 1001);
    const summaryColumn = records[0].indexOf('summary');
    const json = await request(app.server).get(`/v1/standoffs/${standoff}/events?actor=RUS&limit=1000`);
    const firstPage = (json.body as { items: JsonObject[] }).items;
    expect(records.slice(1, 1001).map((r) => r[0])).toEqual(firstPage.map((e) => e.eventId));
    expect(records.slice(1).filter((r) => r[summaryColumn].startsWith(tricky))).toHaveLength(11);

    const tension = await request(app.server)
      .get(`/v1/standoffs/${standoff}/tension?bucket=week`)
      .set('Accept', 'text/csv');
    expectStatus(tension, 200);
    const rows = parseCsv(tension.text);
    const series = (await request(app.server).get(`/v1/standoffs/${standoff}/tension?bucket=week`)).body as {
      series: { start: string; events: number; goldsteinSum: number }[];
    };
    expect(rows[0]).toEqual([
      'start',
      'end',
      'events',
      'goldsteinSum',
      'goldsteinMean',
      'verbalCooperation',
      'materialCooperation',
      'verbalConflict',
      'materialConflict',
    ]);
    expect(rows.slice(1).map((r) => [r[0], Number(r[2]), Number(r[3])])).toEqual(
      series.series.map((b) => [b.start, b.events, b.goldsteinSum]),
    );

    // A bad parameter is still a problem, before any CSV is sent.
    const bad = await request(app.server)
      .get(`/v1/standoffs/${standoff}/events?limit=0&type=nope`)
      .set('Accept', 'text/csv');
    expectStatus(bad, 400);
  }, 60_000);
});
