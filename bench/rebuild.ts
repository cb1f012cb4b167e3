/**
 * Full rebuild throughput (DESIGN.md §6, issue 9): every read model rebuilt from the log (Kafka) beside the live
 * ones and switched in, against the bare Kafka → Postgres pipeline over the same topic, in the same run.
 *
 * - the log: the synthetic history (BENCH_HISTORY) in commands of 1000 events, each the envelope the API appends
 *   for a `POST …/events:batch` (validated by the catalogue, ids given, the request hash, the current rules),
 *   appended with the product's own Kafka adapter (its producer, key and codec), over BENCH_STANDOFFS standoffs;
 *   the live projector does not run (`npm run rebuild` wants it stopped).
 * - ceiling: a bare kafkajs consumer reads the same topic from its start and stores each record's events with one
 *   multi-row INSERT, its offset in the same transaction.
 * - product: `rebuildBeside` (what `npm run rebuild` and `POST /v1/admin/rebuild` run), timed from its call until
 *   the rebuilt tables are switched in. It runs twice: first over empty live models (the store's first
 *   projection), then, the measured figure, over the live models the first one left (the ordinary rebuild: the
 *   live feed keeps its rows and the switch checks the rebuilt feed against it).
 *
 * Prints each figure beside its target and the ceiling, with the ratio and the load average, and writes
 * bench/results/rebuild.json.
 *
 *   npm run bench:rebuild          BENCH_EVENTS=10000,1000000 (default), BENCH_STANDOFFS=1
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import { validateEvent } from '@app/domain/catalogue';
import { RULE_BOOK } from '@app/domain/rules';
import { CODEC_VERSION, loggedEventOf, type Envelope } from '@app/event-log/envelope';
import type { EventLog } from '@app/event-log/event-log.port';
import { openInfrastructure, type Infrastructure } from '@app/platform/infrastructure';
import { rebuildTargetFor } from '@app/projection/projection-runner';
import { rebuildBeside } from '@app/projection/rebuild';
import { requestHash } from '../apps/api/src/standoffs/commands/append-events.handler';
import { SyntheticHistory } from '../test/support/synthetic-events';
import { BENCH_HISTORY } from './bench-history';
import { startBareConsumer } from './bare-pipeline';
import { benchLog, figure, round2, type Figure } from './figures';
import { ensureServices } from './services';

const SIZES = (process.env.BENCH_EVENTS ?? '10000,1000000').split(',').map(Number);
const STANDOFFS = Number(process.env.BENCH_STANDOFFS ?? 1);
const EVENTS_PER_RECORD = 1000;
const PARTITIONS = 6;
/** Appends in flight at once: the adapter coalesces them into sends of up to 4 MB. */
const APPENDS_IN_FLIGHT = 16;
const TARGET_EVENTS_PER_SECOND = 50_000;

const log = benchLog('bench:rebuild');

/** The envelope the API appends for `POST /v1/standoffs/{standoffId}/events:batch` with these bodies. */
function batchEnvelope(standoffId: string, bodies: readonly unknown[]): Envelope {
  const now = Date.now();
  const events = bodies.map((body) => {
    const result = validateEvent(body, { now });
    if (!result.ok) throw new Error(`the synthetic history made an invalid event: ${JSON.stringify(result)}`);
    return loggedEventOf(result.event, randomUUID());
  });
  return {
    codecVersion: CODEC_VERSION,
    commandId: randomUUID(),
    standoffId,
    batch: true,
    idempotencyKey: null,
    requestHash: requestHash(true, events),
    expectedVersion: null,
    events,
    rulesVersion: RULE_BOOK.current,
  };
}

/** Appends `events` events, standoff after standoff in turn, through the product's log adapter. */
async function loadLog(eventLog: EventLog, events: number, size: number): Promise<Figure> {
  const histories = Array.from(
    { length: STANDOFFS },
    (_, i) => new SyntheticHistory({ ...BENCH_HISTORY, seed: BENCH_HISTORY.seed + i }),
  );
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let appended = 0;
  for (let record = 0; appended < events; record += 1) {
    const standoff = record % STANDOFFS;
    const count = Math.min(EVENTS_PER_RECORD, events - appended);
    const append = eventLog.append(
      batchEnvelope(`bench-rebuild-${size}-${standoff}`, histories[standoff].take(count)),
    );
    appended += count;
    const tracked: Promise<void> = append.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= APPENDS_IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return figure(events, started);
}

/** The bare pipeline over the same topic: a kafkajs consumer, one multi-row INSERT per record, offsets beside. */
async function ceiling(topic: string, records: number, events: number): Promise<Figure> {
  const { testKafka } = await import('../test/support/services');
  const bare = await startBareConsumer(
    testKafka('bench-rebuild-ceiling'),
    topic,
    `${topic}.ceiling.${randomUUID()}`,
    {
      rowsColumns: 'standoff_id text, seq int, event_id uuid, body jsonb',
      insert: `INSERT INTO rows (standoff_id, seq, event_id, body)
             SELECT $1, ordinality, (value ->> 'eventId')::uuid, value
               FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY`,
      parametersOf: (value) => {
        const envelope = JSON.parse(value) as Envelope;
        return [envelope.standoffId, JSON.stringify(envelope.events)];
      },
    },
  );
  const started = performance.now();
  try {
    await bare.stored(records);
    return figure(events, started);
  } finally {
    await bare.close();
  }
}

interface RebuildFigure extends Figure {
  readonly liveEventsAfter: number;
}

async function rebuild(infrastructure: Infrastructure, events: number): Promise<RebuildFigure> {
  const started = performance.now();
  const progress = await rebuildBeside(rebuildTargetFor(infrastructure, randomUUID()), { pollMs: 50 });
  const result = figure(progress.events, started);
  const [{ count }]: { count: number }[] = await infrastructure.dataSource.query(
    `SELECT count(*)::int AS count FROM events`,
  );
  if (count !== events) throw new Error(`the rebuilt models hold ${count} events, not ${events}`);
  return { ...result, liveEventsAfter: count };
}

async function measure(size: number) {
  const { uniqueName, uniqueSchemaName, databaseUrl, kafkaBrokers } =
    await import('../test/support/services');
  const topic = uniqueName('bench-rebuild');
  const schema = uniqueSchemaName('bench_rebuild');
  const infrastructure = await openInfrastructure({
    databaseUrl: databaseUrl(),
    schema,
    kafkaBrokers: kafkaBrokers(),
    kafkaPartitions: PARTITIONS,
    topic,
    dataDir: 'data/bench-rebuild',
    clientId: 'bench-rebuild',
  });
  try {
    const records = Math.ceil(size / EVENTS_PER_RECORD);
    log(`${size} events in ${records} records over ${STANDOFFS} standoff(s): loading the log`);
    const loaded = await loadLog(infrastructure.eventLog, size, size);
    log(`log loaded at ${loaded.eventsPerSecond} events/s; the bare pipeline, then two rebuilds`);
    const loadBefore = loadavg()[0];
    const bare = await ceiling(topic, records, size);
    const first = await rebuild(infrastructure, size);
    const second = await rebuild(infrastructure, size);
    const load = { before: round2(loadBefore), after: round2(loadavg()[0]) };
    const share = second.eventsPerSecond / bare.eventsPerSecond;
    console.log(
      [
        `| figure at ${size} events | measured | target | ceiling (same run) |`,
        '|---|---|---|---|',
        `| full rebuild from the log, live models in place | ${second.eventsPerSecond} events/s (${second.seconds} s) | ≥ ${TARGET_EVENTS_PER_SECOND} events/s | ${bare.eventsPerSecond} events/s |`,
        `| share of the bare pipeline | ${(share * 100).toFixed(1)} % | | |`,
        `| first projection by rebuild, live models empty | ${first.eventsPerSecond} events/s (${first.seconds} s) | | |`,
        `load average (1 min) before / after: ${load.before} / ${load.after} on ${cpus().length} cores`,
      ].join('\n'),
    );
    return {
      events: size,
      records,
      standoffs: STANDOFFS,
      logLoad: loaded,
      ceiling: bare,
      rebuild: second,
      firstRebuild: first,
      shareOfCeiling: Number(share.toFixed(3)),
      load,
    };
  } finally {
    await infrastructure.dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await infrastructure.dataSource
      .query(`DROP SCHEMA IF EXISTS "${schema}_dashboard" CASCADE`)
      .catch(() => undefined);
    await infrastructure.close();
    await deleteTopic(topic);
  }
}

async function deleteTopic(topic: string): Promise<void> {
  const { testKafka } = await import('../test/support/services');
  const admin = testKafka('bench-rebuild-admin').admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
}

async function main(): Promise<void> {
  process.chdir(join(__dirname, '..'));
  // The adapters' routine (debug) lines would drown the figures.
  Logger.overrideLogger(['warn', 'error']);
  ensureServices();
  const results = [];
  for (const size of SIZES) results.push(await measure(size));
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/rebuild.json',
    `${JSON.stringify({ measuredAt: new Date().toISOString(), target: TARGET_EVENTS_PER_SECOND, results }, null, 2)}\n`,
  );
  log('wrote bench/results/rebuild.json');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
