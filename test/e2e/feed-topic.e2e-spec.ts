import type { Consumer, IHeaders, Producer } from 'kafkajs';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { freshStandoffId, ifMatch, postBatch, postEvent, statement } from '../support/http';
import { killStartedProcesses, spawnTsEntry, storeProcessEnv, type ChildHandle } from '../support/processes';
import { testKafka, uniqueName, waitFor } from '../support/services';
import { dropSchema, startTestApp, type TestApp } from '../support/test-app';

/*
 * The downstream topic (DESIGN.md §7): the publisher, in a process of its own, is SIGKILLed at random moments
 * while commands, some of them rejected, are ingested and decided; a read_committed consumer then finds every accepted event
 * exactly once, in version order per standoff, with its CloudEvents headers, and no rejected command.
 */

const KILLS = 3;
const SENTINEL = 'sentinel';

interface Seen {
  readonly partition: number;
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(v)]));
}

describe('the standoff.timeline topic across publisher kills', () => {
  let api: TestApp;
  let db: DataSource;
  let topic: string;
  const clients: Array<Consumer | Producer> = [];

  const startPublisher = async (name: string): Promise<ChildHandle> => {
    const publisher = spawnTsEntry(name, 'test/support/feed-publisher-main.ts', [], {
      env: storeProcessEnv({ schema: api.schema, topic }, { FEED_PUBLISH_BATCH: '7' }),
    });
    await publisher.waitForOutput(/publisher running/, 60_000);
    return publisher;
  };

  const count = async (sql: string): Promise<number> => Number((await db.query(sql))[0].n);

  beforeAll(async () => {
    // The projector runs here; its publisher is the child's.
    api = await startTestApp('feed-topic', { env: { FEED_PUBLISHER: 'false' } });
    db = api.running.infrastructure.dataSource;
    if (api.topic === undefined) throw new Error('the feed topic needs the Kafka log');
    topic = api.topic;
  }, 60_000);

  afterAll(async () => {
    await killStartedProcesses();
    await Promise.allSettled(clients.map((client) => client.disconnect()));
    if (api) {
      await api.close();
      await dropSchema(api.schema);
    }
    const admin = testKafka('feed-topic-cleanup').admin();
    await admin.connect();
    await admin
      .deleteTopics({ topics: [topic, `${topic}.timeline`], timeout: 10_000 })
      .catch(() => undefined);
    await admin.disconnect();
  }, 60_000);

  it('gives a read_committed consumer every accepted event exactly once, whenever the publisher is killed', async () => {
    const standoffs = [0, 1, 2, 3].map((i) => freshStandoffId(`topic-${i}`));
    // Before any publisher runs, an accepted event waits: readiness shows it (down once it waits 30 s).
    expect((await postEvent(api.server, standoffs[0], statement({ summary: 'first' }))).status).toBe(201);
    const waiting = await request(api.server).get('/health/ready');
    expect(waiting.body.details.publisher).toMatchObject({ status: 'up', lag: 1, idleSeconds: null });
    let ingesting = true;
    const ingest = (async () => {
      for (let round = 0; ingesting || round < 12; round += 1) {
        await Promise.all(
          standoffs.map(async (standoffId, i) => {
            const size = 1 + ((round + i) % 5);
            await postBatch(
              api.server,
              standoffId,
              Array.from({ length: size }, (_, n) =>
                statement({ summary: `round ${round} #${n}, "quoted"` }),
              ),
            );
            // A stale If-Match: rejected by the projector, so it is in the log but must never be published.
            if (round % 3 === 0) await postEvent(api.server, standoffId, statement(), ifMatch(0));
          }),
        );
      }
    })();

    let publisher = await startPublisher('publisher-0');
    let killedWhilePublishing = 0;
    for (let kill = 1; kill <= KILLS; kill += 1) {
      const published = async () =>
        count(`SELECT coalesce(max(published_sequence), 0) AS n FROM feed_publication`);
      const before = await published();
      await waitFor('the publisher to publish', async () => (await published()) > before, 30_000, 5);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
      const head = await count(`SELECT last_sequence AS n FROM feed_sequence`);
      if ((await published()) < head) killedWhilePublishing += 1;
      publisher.signalGroup('SIGKILL');
      expect((await publisher.exited).signal).toBe('SIGKILL');
      publisher = await startPublisher(`publisher-${kill}`);
    }
    ingesting = false;
    await ingest;
    expect(killedWhilePublishing).toBeGreaterThan(0);

    // Every command decided, every accepted event published.
    await waitFor(
      'every command decided and published',
      async () => {
        const [{ pending }] = await db.query(
          `SELECT (SELECT coalesce(sum(next_offset), 0) FROM projection_offsets) AS pending`,
        );
        const admin = testKafka('feed-topic-ends').admin();
        await admin.connect();
        const ends = await admin.fetchTopicOffsets(topic);
        await admin.disconnect();
        const logEnd = ends.reduce((sum, p) => sum + Number(p.high), 0);
        const head = await count(`SELECT last_sequence AS n FROM feed_sequence`);
        const published = await count(
          `SELECT coalesce(max(published_sequence), 0) AS n FROM feed_publication`,
        );
        return Number(pending) === logEnd && published === head;
      },
      60_000,
      50,
    );
    const feedTopic = `${topic}.timeline`;
    const ready = await request(api.server).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.details.publisher).toMatchObject({ status: 'up', topic: feedTopic, lag: 0 });
    const metrics = await request(api.server).get('/metrics');
    expect(metrics.text).toContain(`standoff_feed_publisher_lag_events{topic="${feedTopic}"} 0`);

    // A sentinel on every partition, after everything the publisher committed: reading up to it reads it all.
    const kafka = testKafka('feed-topic-check');
    const sentinel = kafka.producer({
      transactionalId: uniqueName('sentinel'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    clients.push(sentinel);
    await sentinel.connect();
    const transaction = await sentinel.transaction();
    for (const partition of [0, 1, 2]) {
      await transaction.send({ topic: feedTopic, messages: [{ partition, key: SENTINEL, value: SENTINEL }] });
    }
    await transaction.commit();

    const seen: Seen[] = [];
    const consumer = kafka.consumer({
      groupId: uniqueName('feed-reader'),
      readUncommitted: false,
      maxWaitTimeInMs: 100,
    });
    clients.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [feedTopic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push({
          partition,
          key: message.key?.toString() ?? '',
          value: message.value?.toString() ?? '',
          headers: headersOf(message.headers),
        });
      },
    });
    await waitFor(
      'the sentinel on every partition',
      () => seen.filter((s) => s.key === SENTINEL).length === 3,
      30_000,
    );
    const messages = seen.filter((s) => s.key !== SENTINEL);

    const accepted: {
      event_id: string;
      standoff_id: string;
      position: number;
      type: string;
      recorded_at: Date;
    }[] = await db.query(`SELECT event_id, standoff_id, position, type, recorded_at FROM events`);
    const rejected: { event_id: string }[] = await db.query(
      `SELECT unnest(event_ids)::text AS event_id FROM decisions WHERE outcome = 'rejected'`,
    );
    expect(rejected.length).toBeGreaterThan(0);
    expect(accepted.length).toBeGreaterThan(50);

    const ids = messages.map((m) => m.headers.ce_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(accepted.map((e) => e.event_id).sort());
    const rejectedIds = new Set(rejected.map((r) => r.event_id));
    expect(ids.filter((id) => rejectedIds.has(id))).toEqual([]);

    const byId = new Map(accepted.map((e) => [e.event_id, e]));
    for (const message of messages) {
      const event = byId.get(message.headers.ce_id);
      if (!event) throw new Error(`published ${message.headers.ce_id}, which was not accepted`);
      expect(message.key).toBe(event.standoff_id);
      expect(message.headers).toEqual({
        ce_specversion: '1.0',
        ce_id: event.event_id,
        ce_source: `/standoffs/${event.standoff_id}`,
        ce_type: `org.standoff-timeline.${event.type}`,
        ce_time: event.recorded_at.toISOString(),
        ce_standoffversion: String(event.position),
        'content-type': 'application/json',
      });
      expect(JSON.parse(message.value)).toEqual(
        expect.objectContaining({ eventId: event.event_id, version: event.position }),
      );
    }
    for (const standoffId of standoffs) {
      const versions = messages
        .filter((m) => m.key === standoffId)
        .map((m) => Number(m.headers.ce_standoffversion));
      expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
    }
  }, 240_000);
});
