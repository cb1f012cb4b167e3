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
 * The product runs in a process of its own, started from `dist/` as a user starts it (bench/app-process.ts), so
 * that its highest RSS (sampled every 250 ms) is the API's and projector's alone: DESIGN.md §6 wants ≤ 300 MB
 * at 1,000,000 events. The records are made before either clock starts and held as text by the bench.
 *
 *   npm run bench:ingest           BENCH_EVENTS=10000,1000000 (default 10000,200000)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createDataSource } from '@app/read-model/database';
import { SnapshotMaintainer } from '@app/read-model/snapshots/snapshot-maintainer';
import { SyntheticHistory, type EventBody } from '../test/support/synthetic-events';
import { startAppProcess } from './app-process';
import { startBareConsumer } from './bare-pipeline';
import { benchLog, figure, round2, type Figure } from './figures';
import { ensureServices } from './services';

const SIZES = (process.env.BENCH_EVENTS ?? '10000,200000').split(',').map(Number);
const BATCH = 1000;
const MAX_AHEAD = 20 * BATCH;
const TARGET_EVENTS_PER_SECOND = 30_000;
const TARGET_SHARE_OF_CEILING = 0.5;

const log = benchLog('bench:ingest');

/**
 * The same batches for both pipelines (the same seed), each as the JSON array of its bodies, made before either
 * clock starts: generating the history costs about as much as the bare pipeline, and must be counted in neither.
 * Kept as text, not objects (about 0.4 GB at 1M, in the bench's process, not the app's).
 */
function recordsOf(events: number): string[] {
  const history = new SyntheticHistory({ seed: 5, stepMs: 60_000 });
  const records: string[] = [];
  for (let taken = 0; taken < events; taken += BATCH) {
    records.push(JSON.stringify(history.take(Math.min(BATCH, events - taken)) satisfies EventBody[]));
  }
  return records;
}

/** Up to `size` batches at a time. */
function* groupsOf<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let group: T[] = [];
  for (const item of items) {
    group.push(item);
    if (group.length === size) {
      yield group;
      group = [];
    }
  }
  if (group.length > 0) yield group;
}

async function ceiling(records: readonly string[], events: number): Promise<Figure> {
  const { testKafka, uniqueName } = await import('../test/support/services');
  const kafka = testKafka('bench-ingest-ceiling');
  const topic = uniqueName('bench-ingest-ceiling');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const bare = await startBareConsumer(kafka, topic, `${topic}.group`, {
    rowsColumns: 'key text, seq int, body jsonb',
    insert: `INSERT INTO rows (key, seq, body) SELECT 'bench', ordinality, value
               FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY`,
    parametersOf: (value) => [value],
  });
  const started = performance.now();
  for (const group of groupsOf(records, 10)) {
    await producer.send({
      topic,
      acks: -1,
      messages: group.map((bodies) => ({ key: 'bench', value: bodies })),
    });
  }
  await bare.stored(records.length);
  const result = figure(events, started);
  await bare.close();
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  return result;
}

interface ProductFigure extends Figure {
  /** From the last decision until no snapshot was due any more (asked of the database every 500 ms). */
  readonly snapshotsCaughtUpSeconds: number;
  readonly snapshots: number;
  /** The highest VmRSS of the app's process (API + projector) from the first POST until the snapshots caught up. */
  readonly maxRssMb: number;
  /** The kernel's high-water mark of the app process's RSS since it started (VmHWM). */
  readonly peakRssMb: number;
}

async function product(
  records: readonly string[],
  events: number,
  standoffId: string,
): Promise<ProductFigure> {
  const app = await startAppProcess('bench-ingest', { env: { DECISION_WAIT_MS: '0', RATE_LIMIT: '0' } });
  const url = `${app.baseUrl}/v1/standoffs/${standoffId}/events:batch`;
  const { databaseUrl } = await import('../test/support/services');
  const db = createDataSource({ url: databaseUrl(), schema: app.schema, poolSize: 2 });
  await db.initialize();
  const version = async (): Promise<number> => {
    const rows: { version: number }[] = await db.query(
      `SELECT version FROM standoffs WHERE standoff_id = $1`,
      [standoffId],
    );
    return rows[0]?.version ?? 0;
  };
  try {
    app.rss.reset();
    const started = performance.now();
    let posted = 0;
    for (const bodies of records) {
      while (posted - (await version()) > MAX_AHEAD) await new Promise((resolve) => setTimeout(resolve, 5));
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: `{"events":${bodies}}`,
      });
      if (response.status !== 201 && response.status !== 202) {
        throw new Error(`POST answered ${response.status}: ${await response.text()}`);
      }
      posted = Math.min(events, posted + BATCH);
    }
    while ((await version()) < events) await new Promise((resolve) => setTimeout(resolve, 5));
    const decided = figure(events, started);
    const caughtUpFrom = performance.now();
    const maintainer = new SnapshotMaintainer();
    while (await maintainer.planNext(db, standoffId)) {
      if (performance.now() - caughtUpFrom > 30 * 60_000)
        throw new Error('snapshots not caught up in 30 min');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const [{ snapshots }]: { snapshots: number }[] = await db.query(
      `SELECT count(*)::int AS snapshots FROM state_snapshots WHERE standoff_id = $1`,
      [standoffId],
    );
    return {
      ...decided,
      snapshotsCaughtUpSeconds: Number(((performance.now() - caughtUpFrom) / 1000).toFixed(2)),
      snapshots,
      maxRssMb: app.rss.maxMb(),
      peakRssMb: app.rss.peakMb(),
    };
  } finally {
    await db.destroy();
    await app.stop();
  }
}

async function main(): Promise<void> {
  process.chdir(join(__dirname, '..'));
  ensureServices();
  const results = [];
  for (const events of SIZES) {
    log(`${events} events in records of ${BATCH}: the bare pipeline, then the product`);
    const loadBefore = loadavg()[0];
    const records = recordsOf(events);
    const bare = await ceiling(records, events);
    const ours = await product(records, events, `bench-ingest-${events}`);
    const share = ours.eventsPerSecond / bare.eventsPerSecond;
    const load = { before: round2(loadBefore), after: round2(loadavg()[0]) };
    results.push({ events, ceiling: bare, product: ours, shareOfCeiling: Number(share.toFixed(3)), load });
    console.log(
      [
        `| figure at ${events} events | measured | target | ceiling (same run) |`,
        '|---|---|---|---|',
        `| ingest, events:batch of ${BATCH} → Kafka → projector | ${ours.eventsPerSecond} events/s | ≥ ${TARGET_EVENTS_PER_SECOND} events/s | ${bare.eventsPerSecond} events/s |`,
        `| share of the bare pipeline | ${(share * 100).toFixed(1)} % | ≥ ${TARGET_SHARE_OF_CEILING * 100} % | |`,
        `| snapshots caught up after the last decision | ${ours.snapshotsCaughtUpSeconds} s (${ours.snapshots} snapshots) | | |`,
        `| highest RSS of the app process (API + projector), sampled every 250 ms | ${ours.maxRssMb} MB (VmHWM ${ours.peakRssMb} MB) | ≤ 300 MB at 1M | |`,
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

function cores(): number {
  return cpus().length;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
