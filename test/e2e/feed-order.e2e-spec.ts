import request from 'supertest';
import type { DataSource } from 'typeorm';
import { postBatch, postEvent, ifMatch, statement, type JsonObject } from '../support/http';
import { killStartedProcesses, spawnTsEntry, storeProcessEnv, type ChildHandle } from '../support/processes';
import { testKafka } from '../support/services';
import { baseUrlOf, openSse, type SseClient } from '../support/sse';
import { rng } from '../support/synthetic-events';
import { dropSchema, startTestApp, type TestApp } from '../support/test-app';

/*
 * The feed's order with two projector processes committing at once (DESIGN.md §7): random ingests over several
 * standoffs (so several partitions), some commands rejected, while pull readers resume at random positions they
 * have seen and an SSE reader follows live. Every reader sees each accepted event once, in order, none rejected.
 */

const SEED = Number(process.env.FEED_ORDER_SEED ?? Date.now() % 100_000);
const STANDOFFS = 6;
const COMMANDS = 90;

interface Item {
  eventId: string;
  standoffId: string;
  version: number;
  sequence: number;
}

describe(`the global feed with two projectors (seed ${SEED})`, () => {
  let api: TestApp;
  let db: DataSource;
  let topic: string;
  let stream: SseClient | undefined;

  const startProjector = async (name: string): Promise<ChildHandle> => {
    const projector = spawnTsEntry(name, 'apps/projector/src/main.ts', [], {
      env: storeProcessEnv({ schema: api.schema, topic }, { FEED_PUBLISHER: 'false' }),
    });
    await projector.waitForOutput(/projector running/, 60_000);
    return projector;
  };

  beforeAll(async () => {
    api = await startTestApp('feed-order', { withProjector: false, env: { DECISION_WAIT_MS: '10000' } });
    db = api.running.infrastructure.dataSource;
    if (api.topic === undefined) throw new Error('needs the Kafka log');
    topic = api.topic;
  }, 60_000);

  afterAll(async () => {
    stream?.close();
    await killStartedProcesses();
    if (api) {
      await api.close();
      await dropSchema(api.schema);
    }
    const admin = testKafka('feed-order-cleanup').admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic], timeout: 10_000 }).catch(() => undefined);
    await admin.disconnect();
  }, 60_000);

  it('gives every reader each accepted event once, in sequence order, wherever it resumes', async () => {
    const random = rng(SEED);
    await Promise.all([startProjector('projector-a'), startProjector('projector-b')]);
    stream = await openSse(baseUrlOf(api.server), '/v1/feed?after=0');

    let ingesting = true;
    const standoffs = Array.from({ length: STANDOFFS }, (_, i) => `feed-order-${SEED}-${i}`);
    const ingest = (async () => {
      const work = Array.from({ length: COMMANDS }, (_, n) => n);
      await Promise.all(
        [0, 1, 2, 3, 4, 5].map(async (worker) => {
          for (let n = work.shift(); n !== undefined; n = work.shift()) {
            const standoffId = standoffs[Math.floor(random() * STANDOFFS)];
            const size = 1 + Math.floor(random() * 4);
            const events = Array.from({ length: size }, (_, i) =>
              statement({ summary: `${worker}:${n}:${i}` }),
            );
            if (random() < 0.15) await postEvent(api.server, standoffId, statement(), ifMatch(0));
            else await postBatch(api.server, standoffId, events);
          }
        }),
      );
      ingesting = false;
    })();

    /** A pull reader that, now and then, starts over from a random position it has already passed. */
    const pullReader = async (): Promise<Item[]> => {
      const seen: Item[] = [];
      let after = 0;
      for (;;) {
        const done = !ingesting;
        const res = await request(api.server)
          .get(`/v1/feed?after=${after}&limit=${1 + Math.floor(random() * 20)}`)
          .set('Accept', 'application/json');
        const page = res.body as { items: Item[]; next: number };
        for (const item of page.items) {
          // Resumed readers must meet exactly what they met before, from that position on.
          const earlier = seen.findIndex((s) => s.sequence === item.sequence);
          if (earlier >= 0) expect(seen[earlier].eventId).toBe(item.eventId);
          else seen.push(item);
        }
        if (page.items.length > 0 && random() < 0.2 && seen.length > 0) {
          after = seen[Math.floor(random() * seen.length)].sequence;
        } else after = page.next;
        if (page.items.length === 0 && done) return seen;
        if (page.items.length === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const readers = await Promise.all([pullReader(), pullReader(), ingest.then(() => undefined)]);
    const pulled = readers.slice(0, 2) as Item[][];

    const accepted: { event_id: string; standoff_id: string; position: number }[] = await db.query(
      `SELECT event_id, standoff_id, position FROM events`,
    );
    const rejected: { event_id: string }[] = await db.query(
      `SELECT unnest(event_ids)::text AS event_id FROM decisions WHERE outcome = 'rejected'`,
    );
    expect(rejected.length).toBeGreaterThan(0);
    // Several partitions, so both projector processes decided (each holds some of the three).
    const [{ partitions }] = await db.query(
      `SELECT count(DISTINCT log_partition)::int AS partitions FROM decisions`,
    );
    expect(partitions).toBeGreaterThan(1);
    const acceptedIds = accepted.map((e) => e.event_id).sort();
    await stream.waitForMessages(accepted.length, 30_000);
    const streamed = stream.messages.map((m) => JSON.parse(m.data) as Item & JsonObject);

    for (const items of [...pulled, streamed]) {
      const ids = items.map((i) => i.eventId);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual(acceptedIds);
      const sequences = items.map((i) => i.sequence);
      expect(sequences).toEqual(Array.from({ length: sequences.length }, (_, i) => i + 1));
      for (const standoffId of standoffs) {
        const versions = items.filter((i) => i.standoffId === standoffId).map((i) => i.version);
        expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
      }
    }
  }, 180_000);
});
