/**
 * Ingest throughput (DESIGN.md §6, issue 9): the product against the bare Kafka → Postgres pipeline, over the
 * same records, on the same machine, in the same run.
 *
 * - ceiling: a kafkajs producer writes the records (1000 events each, one key) to a topic of its own; a kafkajs
 *   consumer reads them and stores each record with one multi-row INSERT, its offset in the same transaction.
 * - product: the same events posted as `POST …/events:batch` of 1000 (DECISION_WAIT_MS=0, at most MAX_AHEAD
 *   events ahead of the projector) → Kafka → projector, timed until the last command is decided.
 *
 * Prints each figure beside its target and the ceiling, with the ratio, and writes bench/results/ingest.json.
 * Snapshots are built after the projector commits (SnapshotBuilder): the product's figure stops at the last
 * decision, and how long the snapshots took to catch up after it is printed beside it. The machine's load
 * average is recorded with each run (the machine is shared).
 *
 *   npm run bench:ingest           BENCH_EVENTS=10000,1000000 (default 10000,200000)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { SyntheticHistory, type EventBody } from '../test/support/synthetic-events';
import { ensureServices } from './services';

const SIZES = (process.env.BENCH_EVENTS ?? '10000,200000').split(',').map(Number);
const BATCH = 1000;
const MAX_AHEAD = 20 * BATCH;
const TARGET_EVENTS_PER_SECOND = 30_000;
const TARGET_SHARE_OF_CEILING = 0.5;

interface Figure {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

function log(line: string): void {
  console.log(`[bench:ingest] ${line}`);
}

function figure(events: number, started: number): Figure {
  const seconds = (performance.now() - started) / 1000;
  return { events, seconds, eventsPerSecond: Math.round(events / seconds) };
}

/** The same batches for both pipelines: bodies as the API takes them. */
function batchesOf(events: number): EventBody[][] {
  const history = new SyntheticHistory({ seed: 5, stepMs: 60_000 });
  const batches: EventBody[][] = [];
  for (let taken = 0; taken < events; taken += BATCH)
    batches.push(history.take(Math.min(BATCH, events - taken)));
  return batches;
}

async function ceiling(batches: EventBody[][], events: number): Promise<Figure> {
  const { testKafka, uniqueName, uniqueSchemaName, databaseUrl } = await import('../test/support/services');
  const kafka = testKafka('bench-ingest-ceiling');
  const topic = uniqueName('bench-ingest-ceiling');
  const schema = uniqueSchemaName('bench_ceiling');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });
  const db = new Client({ connectionString: databaseUrl() });
  await db.connect();
  await db.query(`CREATE SCHEMA "${schema}"`);
  await db.query(`SET search_path TO "${schema}"`);
  await db.query(`CREATE TABLE rows (key text, seq int, body jsonb)`);
  await db.query(`CREATE TABLE offsets (part int PRIMARY KEY, next bigint)`);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: `${topic}.group`, maxWaitTimeInMs: 50, maxBytes: 64 << 20 });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  let stored = 0;
  const done = new Promise<void>((resolve, reject) => {
    void consumer
      .run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
          for (const message of batch.messages) {
            const bodies = JSON.parse(String(message.value)) as EventBody[];
            await db.query('BEGIN');
            await db.query(
              `INSERT INTO rows (key, seq, body) SELECT 'bench', ordinality, value
                 FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY`,
              [JSON.stringify(bodies)],
            );
            await db.query(
              `INSERT INTO offsets (part, next) VALUES ($1, $2) ON CONFLICT (part) DO UPDATE SET next = $2`,
              [batch.partition, Number(message.offset) + 1],
            );
            await db.query('COMMIT');
            resolveOffset(message.offset);
            stored += bodies.length;
            if (stored >= events) resolve();
          }
          await heartbeat();
        },
      })
      .catch(reject);
  });
  const started = performance.now();
  for (let i = 0; i < batches.length; i += 10) {
    await producer.send({
      topic,
      acks: -1,
      messages: batches.slice(i, i + 10).map((bodies) => ({ key: 'bench', value: JSON.stringify(bodies) })),
    });
  }
  await done;
  const result = figure(events, started);
  await consumer.disconnect();
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  await db.query(`DROP SCHEMA "${schema}" CASCADE`);
  await db.end();
  return result;
}

interface ProductFigure extends Figure {
  /** From the last decision until the snapshot builder had built every snapshot due. */
  readonly snapshotsCaughtUpSeconds: number;
  readonly snapshotsBuilt: number;
  readonly snapshotsDiscarded: number;
  /**
   * The highest RSS of the bench process while the product ran: API and projector, plus the bench's own copy of
   * every record (an upper bound for API + projector).
   */
  readonly maxRssMb: number;
}

async function product(batches: EventBody[][], events: number, standoffId: string): Promise<ProductFigure> {
  const { startTestApp, dropSchema } = await import('../test/support/test-app');
  const app = await startTestApp('bench-ingest', { env: { DECISION_WAIT_MS: '0', SEED: 'false' } });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the app listens on no port');
  const url = `http://127.0.0.1:${address.port}/v1/standoffs/${standoffId}/events:batch`;
  const db = app.running.infrastructure.dataSource;
  const version = async (): Promise<number> => {
    const rows: { version: number }[] = await db.query(
      `SELECT version FROM standoffs WHERE standoff_id = $1`,
      [standoffId],
    );
    return rows[0]?.version ?? 0;
  };
  let maxRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    maxRss = Math.max(maxRss, process.memoryUsage().rss);
  }, 250);
  try {
    const started = performance.now();
    let posted = 0;
    for (const bodies of batches) {
      while (posted - (await version()) > MAX_AHEAD) await new Promise((resolve) => setTimeout(resolve, 5));
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ events: bodies }),
      });
      if (response.status !== 201 && response.status !== 202) {
        throw new Error(`POST answered ${response.status}: ${await response.text()}`);
      }
      posted += bodies.length;
    }
    while ((await version()) < events) await new Promise((resolve) => setTimeout(resolve, 5));
    const decided = figure(events, started);
    const caughtUpFrom = performance.now();
    await app.snapshotsBuilt(30 * 60_000);
    const { PROJECTION_RUNNER } = await import('@app/projection/projector.module');
    const runner = app.running.app.get<{ snapshots: { stats: { built: number; discarded: number } } }>(
      PROJECTION_RUNNER,
      { strict: false },
    );
    return {
      ...decided,
      snapshotsCaughtUpSeconds: Number(((performance.now() - caughtUpFrom) / 1000).toFixed(2)),
      snapshotsBuilt: runner.snapshots.stats.built,
      snapshotsDiscarded: runner.snapshots.stats.discarded,
      maxRssMb: Math.round(maxRss / 2 ** 20),
    };
  } finally {
    clearInterval(sampler);
    await app.close();
    await dropSchema(app.schema);
  }
}

async function main(): Promise<void> {
  process.chdir(join(__dirname, '..'));
  ensureServices();
  const results = [];
  for (const events of SIZES) {
    const batches = batchesOf(events);
    log(`${events} events in records of ${BATCH}: the bare pipeline, then the product`);
    const loadBefore = loadavg()[0];
    const bare = await ceiling(batches, events);
    const ours = await product(batches, events, `bench-ingest-${events}`);
    const share = ours.eventsPerSecond / bare.eventsPerSecond;
    const load = { before: round2(loadBefore), after: round2(loadavg()[0]) };
    results.push({ events, ceiling: bare, product: ours, shareOfCeiling: Number(share.toFixed(3)), load });
    console.log(
      [
        `| figure at ${events} events | measured | target | ceiling (same run) |`,
        '|---|---|---|---|',
        `| ingest, events:batch of ${BATCH} → Kafka → projector | ${ours.eventsPerSecond} events/s | ≥ ${TARGET_EVENTS_PER_SECOND} events/s | ${bare.eventsPerSecond} events/s |`,
        `| share of the bare pipeline | ${(share * 100).toFixed(1)} % | ≥ ${TARGET_SHARE_OF_CEILING * 100} % | |`,
        `| snapshots caught up after the last decision | ${ours.snapshotsCaughtUpSeconds} s (${ours.snapshotsBuilt} built, ${ours.snapshotsDiscarded} thrown away) | | |`,
        `| highest RSS of the bench process (API + projector + the bench's records) | ${ours.maxRssMb} MB | ≤ 300 MB (API + projector at 1M) | |`,
        `load average (1 min) before / after: ${load.before} / ${load.after} on ${cores()} cores`,
      ].join('\n'),
    );
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/ingest.json',
    `${JSON.stringify({ measuredAt: new Date().toISOString(), results }, null, 2)}\n`,
  );
  log('wrote bench/results/ingest.json');
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function cores(): number {
  return cpus().length;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
