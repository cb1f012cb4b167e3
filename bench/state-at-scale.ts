/**
 * `GET …/state` at scale (DESIGN.md §6): one standoff loaded through the real pipeline (`POST …/events:batch`,
 * 1000 events a request → Kafka → projector → Postgres, snapshots built in the projector's transaction), then
 * the state queried over loopback HTTP at random instants when the standoff holds 10,000 events and again at
 * 1,000,000. The baseline, in the same run and process: the naive full fold (`readStateByFullFold`,
 * every event of the standoff read and folded on each call).
 *
 * The history (BENCH_HISTORY in bench-history.ts) keeps the state the same size however long it grows: bounded entity ids, a
 * bounded number of open disputes and of events whose valid time a correction moved.
 *
 * The diff of DESIGN.md §9 (`GET …/diff`) is measured beside it: over valid time (two random instants a
 * window apart, as known now) and over knowledge time (the state at a random asOf as known at two instants a
 * window apart), each against its baseline in the same run, the two `GET …/state` it compares, one after the
 * other over HTTP (issue 12: diff p99 within 2× of that pair's p99). BENCH_DIFF_WINDOW_HOURS (24) sets the
 * window.
 *
 * Prints the figures and their baseline, and writes them to bench/results/state-at-scale.json. Ingest
 * throughput is printed as a by-product (the load posts sequentially with DECISION_WAIT_MS=0, so a request
 * returns once the log holds it, at most MAX_AHEAD events ahead of the projector), with the time per SQL
 * statement of the app (projector and its idle snapshot catch-up, whose lock waits overlap the load).
 *
 *   npm run bench:state        (needs scripts/services-up.sh; starts it when DATABASE_URL is unset)
 *
 * Should the pipeline not reach BENCH_EVENTS within its budget, the bench applies the rest with
 * `DecisionProjection.apply` in process: the same decisions, rows and snapshot maintenance, without HTTP and
 * Kafka, 100 envelopes a call. Should that not reach it within its own budget either, the large figures are at
 * the size reached, and the output says so (every figure is labelled with its event count).
 *
 * Settings (environment): BENCH_EVENTS (1000000), BENCH_SMALL (10000), BENCH_PIPELINE_EVENTS (BENCH_EVENTS),
 * BENCH_PIPELINE_BUDGET_MS (14 min), BENCH_DIRECT_ENVELOPES (100), BENCH_DIRECT_BUDGET_MS (8 min),
 * BENCH_QUERIES (300 per loop), BENCH_QUERY_BUDGET_MS (45000 per loop), BENCH_ANALYZE=0, BENCH_LOAD_INDEXES=1,
 * BENCH_LOAD_ONLY=1 (load, no measurement), BENCH_KEEP=1 keeps the schema and topic.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { validateEvent } from '@app/domain/catalogue';
import type { StandoffState } from '@app/domain/state';
import { CODEC_VERSION, loggedEventOf, type Envelope } from '@app/event-log/envelope';
import { encodeEnvelope } from '@app/event-log/envelope.codec';
import type { LogRecord } from '@app/event-log/event-log.port';
import { createDataSource } from '@app/read-model/database';
import type { Queryable } from '@app/read-model/queryable';
import { DecisionProjection } from '@app/decisions/decision-projection';
import {
  batchApplied,
  snapshotsInvalidated,
  type BatchApplied,
  type SnapshotsInvalidated,
} from '@app/decisions/projection-timing';
import { SNAPSHOT_INTERVAL, SnapshotMaintainer } from '@app/read-model/snapshots/snapshot-maintainer';
import { readStateFromSnapshots } from '@app/read-model/snapshots/snapshot-state-reader';
import { readStateByFullFold } from '@app/read-model/full-fold-state';
import { SnapshotStateQueries } from '@app/read-model/snapshots/snapshot-state-queries';
import { standoffVersion } from '@app/read-model/standoff-version';
import { rng, SyntheticHistory } from '../test/support/synthetic-events';
import { BENCH_HISTORY } from './bench-history';
import { ensureServices } from './services';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const SMALL = Number(process.env.BENCH_SMALL ?? 10_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 300);
const QUERY_BUDGET_MS = Number(process.env.BENCH_QUERY_BUDGET_MS ?? 45_000);
const KEEP = process.env.BENCH_KEEP === '1';
/**
 * Run ANALYZE on the bench's tables as autovacuum would (each time a table grew by 10 %): this machine's
 * Postgres runs with `autovacuum = off` (/etc/postgresql/15/main/conf.d/90-ci.conf), and without statistics
 * the planner picks nested loops that make the projector's snapshot building quadratic. BENCH_ANALYZE=0 leaves
 * the statistics alone.
 */
const ANALYZE = process.env.BENCH_ANALYZE !== '0';
const ANALYZED_TABLES = ['events', 'state_snapshots', 'decisions', 'decided_events', 'entities', 'standoffs'];
/** Past the small measurement, the real pipeline keeps loading up to here, or until its budget is spent. */
const PIPELINE_EVENTS = Number(process.env.BENCH_PIPELINE_EVENTS ?? TOTAL);
const PIPELINE_BUDGET_MS = Number(process.env.BENCH_PIPELINE_BUDGET_MS ?? 14 * 60_000);
/** The rest is applied by `DecisionProjection.apply` in process, this many 1000-event envelopes a call. */
const DIRECT_ENVELOPES = Number(process.env.BENCH_DIRECT_ENVELOPES ?? 100);
/** The direct load stops here at the latest, and the large measurement runs on what it reached. */
const LOAD_ONLY_INDEXES = process.env.BENCH_LOAD_INDEXES === '1';
const DIRECT_BUDGET_MS = Number(process.env.BENCH_DIRECT_BUDGET_MS ?? 8 * 60_000);
/** Snapshots a catch-up builds at most: all that are due. */
const CATCH_UP = 1_000_000;
const BATCH = 1000;
/** Events the load may post ahead of the projector. */
const MAX_AHEAD = 10 * BATCH;
const WARMUP = 20;
const BREAKDOWN_QUERIES = 40;
const BASELINE = { small: { queries: 5, budgetMs: 60_000 }, large: { queries: 3, budgetMs: 180_000 } };
const STANDOFF = 'bench-state-at-scale';
const TARGETS = {
  stateP99Ms: 20,
  ratioMax: 2,
  knownAtP99Ms: 50,
  ingestPerSecond: 30_000,
  /** Issue 12: the diff's p99 within this many times the p99 of the two state queries it compares. */
  diffOverTwoStatesMax: 2,
};
/** The span between the two instants a diff compares (valid time, or knowledge time). */
const DIFF_WINDOW_MS = Number(process.env.BENCH_DIFF_WINDOW_HOURS ?? 24) * 3_600_000;

// ---------------------------------------------------------------------------------------------------------
// Services, app, clean-up

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function log(line: string): void {
  process.stdout.write(`[bench:state] ${line}\n`);
}

// ---------------------------------------------------------------------------------------------------------
// Where the projector's time goes: the timings it publishes on its diagnostics channels (projection-timing.ts).

interface Timer {
  ms: number;
  calls: number;
}

const projectorTime = {
  apply: { ms: 0, calls: 0 } as Timer,
  records: 0,
  snapshotInvalidate: { ms: 0, calls: 0 } as Timer,
};

function listenToProjector(): void {
  batchApplied.subscribe((message) => {
    const { records, ms } = message as BatchApplied;
    projectorTime.apply.ms += ms;
    projectorTime.apply.calls += 1;
    projectorTime.records += records;
  });
  snapshotsInvalidated.subscribe((message) => {
    projectorTime.snapshotInvalidate.ms += (message as SnapshotsInvalidated).ms;
    projectorTime.snapshotInvalidate.calls += 1;
  });
}

/**
 * Time per SQL statement of the app (API and projector share one DataSource): its `query` wrapped with a
 * timer, keyed by the statement's first words. Behaviour unchanged.
 */
const sqlTime = new Map<string, { ms: number; calls: number }>();

function instrumentSql(dataSource: DataSource): void {
  const query = dataSource.query.bind(dataSource);
  dataSource.query = (async (sql: string, parameters?: unknown[], queryRunner?: unknown) => {
    const started = performance.now();
    try {
      return await (query as (...args: unknown[]) => Promise<unknown>)(sql, parameters, queryRunner);
    } finally {
      const key = sql.replace(/\s+/g, ' ').trim().slice(0, 110);
      const entry = sqlTime.get(key) ?? { ms: 0, calls: 0 };
      entry.ms += performance.now() - started;
      entry.calls += 1;
      sqlTime.set(key, entry);
    }
  }) as DataSource['query'];
}

/** The statements that took the most time since the last call (and resets the counters). */
function takeSqlProfile(top = 12) {
  const rows = [...sqlTime]
    .map(([sql, { ms, calls }]) => ({
      sql,
      seconds: Math.round(ms / 100) / 10,
      calls,
      msPerCall: Math.round((ms / calls) * 100) / 100,
    }))
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, top);
  sqlTime.clear();
  return rows;
}

function projectorSnapshot() {
  return JSON.parse(JSON.stringify(projectorTime)) as typeof projectorTime;
}

function projectorDelta(before: typeof projectorTime, after: typeof projectorTime) {
  const d = (a: Timer, b: Timer) => ({ ms: Math.round(b.ms - a.ms), calls: b.calls - a.calls });
  return {
    apply: d(before.apply, after.apply),
    records: after.records - before.records,
    snapshotInvalidate: d(before.snapshotInvalidate, after.snapshotInvalidate),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Statistics

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

interface Latencies {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  stoppedByBudget: boolean;
}

function summarise(samples: number[], stoppedByBudget = false): Latencies {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 0.5)),
    p90: round(percentile(sorted, 0.9)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
    mean: round(sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length)),
    stoppedByBudget,
  };
}

function median(xs: number[]): number {
  return percentile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
}

// ---------------------------------------------------------------------------------------------------------
// The bench

interface Query {
  asOf: number;
  knownAt?: number;
}

async function main(): Promise<void> {
  process.chdir(join(__dirname, '..'));
  ensureServices();
  listenToProjector();
  // Imported after the environment is set: the helpers read it.
  const { startTestApp, dropSchema } = await import('../test/support/test-app');
  const { databaseUrl, testKafka } = await import('../test/support/services');

  const app = await startTestApp('bench-state', { env: { DECISION_WAIT_MS: '0', SEED: 'false' } });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the app listens on no port');
  const base = `http://127.0.0.1:${address.port}`;
  instrumentSql(app.running.infrastructure.dataSource);
  const db: DataSource = createDataSource({ url: databaseUrl(), schema: app.schema, poolSize: 4 });
  await db.initialize();
  log(`app on ${base}, schema ${app.schema}, topic ${app.topic}, ${TOTAL} events in batches of ${BATCH}`);

  let cleaned = false;
  const cleanUp = async () => {
    if (cleaned) return;
    cleaned = true;
    await db.destroy().catch(() => undefined);
    await app.close().catch((e) => log(`closing the app: ${String(e)}`));
    if (KEEP) {
      log(`kept schema ${app.schema} and topic ${app.topic} (BENCH_KEEP=1)`);
      return;
    }
    await dropSchema(app.schema).catch((e) => log(`dropping ${app.schema}: ${String(e)}`));
    if (app.topic) {
      const admin = testKafka('bench-state-cleanup').admin();
      await admin.connect();
      await admin
        .deleteTopics({ topics: [app.topic] })
        .catch((e) => log(`deleting ${app.topic}: ${String(e)}`));
      await admin.disconnect();
    }
    log(`dropped schema ${app.schema} and topic ${app.topic}`);
  };
  process.once('SIGINT', () => {
    log('interrupted: cleaning up');
    void cleanUp().finally(() => process.exit(130));
  });

  try {
    const results = await run(base, db, app.schema, databaseUrl(), (timeoutMs) =>
      app.snapshotsBuilt(timeoutMs),
    );
    if (results) {
      mkdirSync('bench/results', { recursive: true });
      writeFileSync('bench/results/state-at-scale.json', `${JSON.stringify(results, null, 2)}\n`);
      log('wrote bench/results/state-at-scale.json');
    }
  } finally {
    await cleanUp();
  }
}

async function run(
  base: string,
  db: DataSource,
  schema: string,
  databaseUrl: string,
  /** Resolves once the app's own snapshot builder has built every snapshot due. */
  snapshotsBuilt: (timeoutMs: number) => Promise<void>,
) {
  const history = new SyntheticHistory(BENCH_HISTORY);
  const random = rng(99);
  const startedAt = new Date().toISOString();

  // -------------------------------------------------------------------------------------------------------
  // Loading

  let generateMs = 0;
  let postMs = 0;

  async function projectedVersion(): Promise<number> {
    return standoffVersion(db, STANDOFF);
  }

  async function explainStall(version: number): Promise<never> {
    const rows: { outcome: string; problem: unknown }[] = await db.query(
      `SELECT outcome, problem FROM decisions WHERE standoff_id = $1 AND outcome <> 'accepted' LIMIT 3`,
      [STANDOFF],
    );
    throw new Error(
      `the projection stalled at version ${version} of ${history.generated}` +
        (rows.length > 0 ? `; decisions not accepted: ${JSON.stringify(rows)}` : ''),
    );
  }

  async function waitProjected(atLeast: number): Promise<number> {
    let version = await projectedVersion();
    let last = version;
    let lastMove = performance.now();
    while (version < atLeast) {
      await sleep(version + MAX_AHEAD >= atLeast ? 10 : 25);
      version = await projectedVersion();
      if (version !== last) {
        last = version;
        lastMove = performance.now();
      } else if (performance.now() - lastMove > 60_000) {
        await explainStall(version);
      }
    }
    return version;
  }

  async function snapshotStats() {
    const [row]: { count: number; folded: number | null; avg_bytes: number | null }[] = await db.query(
      `SELECT count(*)::int AS count, max(folded)::int AS folded, avg(pg_column_size(state))::int AS avg_bytes
         FROM state_snapshots WHERE standoff_id = $1`,
      [STANDOFF],
    );
    const [latest]: { json_bytes: number; disputed: number; recent_tension: number }[] = await db.query(
      `SELECT octet_length(state::text)::int AS json_bytes,
              (SELECT count(*) FROM jsonb_object_keys(state -> 'disputed'))::int AS disputed,
              jsonb_array_length(state -> 'recentTension' -> 'entries')::int AS recent_tension
         FROM state_snapshots WHERE standoff_id = $1 ORDER BY seq DESC LIMIT 1`,
      [STANDOFF],
    );
    const [{ events }]: { events: number }[] = await db.query(
      `SELECT count(*)::int AS events FROM events WHERE standoff_id = $1`,
      [STANDOFF],
    );
    return {
      snapshots: row.count,
      eventsInLatestSnapshot: row.folded ?? 0,
      eventsAfterLatestSnapshot: events - (row.folded ?? 0),
      storedBytesPerSnapshot: row.avg_bytes ?? 0,
      latestSnapshotJsonBytes: latest?.json_bytes ?? 0,
      latestSnapshotDisputedEntries: latest?.disputed ?? 0,
      latestSnapshotRecentTensionEntries: latest?.recent_tension ?? 0,
    };
  }

  let analyzedAt = 0;
  let analyzeMs = 0;
  let analyzeRuns = 0;
  /** ANALYZE the bench's tables when the standoff grew by 10 % (+50) since the last time, as autovacuum does. */
  async function autoAnalyze(events: number, force = false): Promise<void> {
    if (!ANALYZE || (!force && events < analyzedAt * 1.1 + 50)) return;
    const started = performance.now();
    // Before a measurement, VACUUM too: autovacuum would have (its insert threshold), setting the visibility map.
    await db.query(`${force ? 'VACUUM (ANALYZE)' : 'ANALYZE'} ${ANALYZED_TABLES.join(', ')}`);
    analyzeMs += performance.now() - started;
    analyzeRuns += 1;
    analyzedAt = events;
  }

  /** Through the real pipeline: POST events:batch → Kafka → the app's projector. */
  async function load(upTo: number, phase: string, budgetMs = Infinity) {
    const from = history.generated;
    takeSqlProfile();
    const projectorBefore = projectorSnapshot();
    const started = performance.now();
    let nextReport = from + 50_000;
    let version = await projectedVersion();
    let lastReport = { at: started, version };
    let stoppedByBudget = false;
    while (history.generated < upTo) {
      if (performance.now() - started > budgetMs) {
        stoppedByBudget = true;
        log(`${phase}: stopped by its budget (${budgetMs / 1000} s) at ${history.generated} events`);
        break;
      }
      const g0 = performance.now();
      const events = history.take(Math.min(BATCH, upTo - history.generated));
      const body = JSON.stringify({ events });
      const p0 = performance.now();
      generateMs += p0 - g0;
      const res = await fetch(`${base}/v1/standoffs/${STANDOFF}/events:batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const text = await res.text();
      postMs += performance.now() - p0;
      if (res.status !== 201 && res.status !== 202)
        throw new Error(`events:batch answered ${res.status}: ${text.slice(0, 2000)}`);
      version = await projectedVersion();
      await autoAnalyze(version);
      if (history.generated - version > MAX_AHEAD) {
        while (history.generated - version > MAX_AHEAD) {
          await sleep(10);
          version = await projectedVersion();
        }
      }
      if (history.generated >= nextReport) {
        nextReport += 50_000;
        const now = performance.now();
        const stats = await snapshotStats();
        log(
          `${phase}: posted ${history.generated}, projected ${version}, ` +
            `${Math.round(((version - lastReport.version) * 1000) / (now - lastReport.at))} events/s lately, ` +
            `${stats.snapshots} snapshots (latest after event ${stats.eventsInLatestSnapshot} in fold order, ` +
            `${stats.latestSnapshotJsonBytes} bytes of JSON), ${Math.round((now - started) / 1000)} s`,
        );
        lastReport = { at: now, version };
      }
    }
    const postedAt = performance.now();
    version = await waitProjected(history.generated);
    if (version !== history.generated) await explainStall(version);
    const ms = performance.now() - started;
    const events = history.generated - from;
    return {
      phase,
      path: 'POST events:batch (1000 events) → Kafka → projector, DECISION_WAIT_MS=0, sequential posts',
      events,
      seconds: Math.round(ms / 100) / 10,
      eventsPerSecond: Math.round((events * 1000) / ms),
      stoppedByBudget,
      /** The rate the API took the batches at (posting only, the projector at most MAX_AHEAD behind). */
      postingSeconds: Math.round((postedAt - started) / 100) / 10,
      projector: projectorDelta(projectorBefore, projectorSnapshot()),
      sql: takeSqlProfile(),
    };
  }

  /**
   * Builds every snapshot due, with the real maintainer: the projector's snapshot builder holds back while a
   * standoff changes and works a fifth of the time while the projector decides, so after a fast load (and after
   * the direct load, which runs no builder) the latest events may have none yet.
   */
  async function catchUpSnapshots() {
    const before = await snapshotStats();
    const started = performance.now();
    // The app's builder first: while it holds the standoff, the maintainer's catch-up (SKIP LOCKED) would build
    // nothing and the measurement would start with the whole tail unsnapshotted.
    await snapshotsBuilt(60 * 60_000);
    // Under the standoff's row lock, whatever the builder still holds back.
    const built = await new SnapshotMaintainer(SNAPSHOT_INTERVAL, CATCH_UP).catchUp(db, STANDOFF);
    return {
      eventsAfterLatestSnapshotBefore: before.eventsAfterLatestSnapshot,
      built,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  }

  /**
   * Indexes that made the projector's own lookups by `data ->> 'eventId'` and `event_id::text` use an index
   * before the projector's queries were made index-friendly (commit 50ad123). Off by default
   * (BENCH_LOAD_INDEXES=1): created for the direct load only and dropped before measuring.
   */
  const LOAD_INDEXES = !LOAD_ONLY_INDEXES
    ? []
    : [
        `CREATE INDEX bench_load_corrections ON events (standoff_id, (data ->> 'eventId')) WHERE type = 'event.corrected'`,
        `CREATE INDEX bench_load_event_id_text ON events (standoff_id, (event_id::text))`,
      ];

  /** The rest of the history through `DecisionProjection.apply` in process: the real decisions, rows and snapshots. */
  async function loadDirect(upTo: number, phase: string) {
    const from = history.generated;
    const loadDb = createDataSource({ url: databaseUrl, schema, poolSize: 2 });
    await loadDb.initialize();
    instrumentSql(loadDb);
    takeSqlProfile();
    for (const statement of LOAD_INDEXES) await db.query(statement);
    const projection = new DecisionProjection(loadDb, 'bench-direct', 'bench-direct');
    const projectorBefore = projectorSnapshot();
    const started = performance.now();
    let nextReport = from + 50_000;
    let offset = 0;
    let lastReport = { at: started, version: from };
    let stoppedByBudget = false;
    while (history.generated < upTo) {
      if (performance.now() - started > DIRECT_BUDGET_MS) {
        stoppedByBudget = true;
        log(`${phase}: stopped by its budget (${DIRECT_BUDGET_MS / 1000} s) at ${history.generated} events`);
        break;
      }
      const g0 = performance.now();
      const records: LogRecord[] = [];
      for (let i = 0; i < DIRECT_ENVELOPES && history.generated < upTo; i++) {
        const now = Date.now();
        const events = history.take(Math.min(BATCH, upTo - history.generated)).map((body) => {
          const result = validateEvent(body, { now });
          if (!result.ok) throw new Error(`invalid synthetic event: ${JSON.stringify(result.errors)}`);
          return loggedEventOf(result.event, randomUUID());
        });
        const envelope: Envelope = {
          codecVersion: CODEC_VERSION,
          commandId: randomUUID(),
          standoffId: STANDOFF,
          batch: true,
          idempotencyKey: null,
          requestHash: randomUUID(),
          expectedVersion: null,
          events,
        };
        const raw = encodeEnvelope(envelope);
        records.push({ partition: 0, offset: String(offset++), recordedAt: Date.now(), envelope, raw });
      }
      generateMs += performance.now() - g0;
      await projection.apply({ partition: 0, records });
      const version = await projectedVersion();
      if (version !== history.generated) await explainStall(version);
      await autoAnalyze(version);
      if (history.generated >= nextReport) {
        nextReport += 50_000;
        const now = performance.now();
        const stats = await snapshotStats();
        log(
          `${phase}: applied ${version}, ${Math.round(((version - lastReport.version) * 1000) / (now - lastReport.at))} ` +
            `events/s lately, ${stats.snapshots} snapshots (${stats.eventsAfterLatestSnapshot} events after the ` +
            `latest, ${stats.latestSnapshotJsonBytes} bytes of JSON), ${Math.round((now - started) / 1000)} s`,
        );
        lastReport = { at: now, version };
      }
    }
    const ms = performance.now() - started;
    const sql = takeSqlProfile();
    await loadDb.destroy();
    for (const statement of LOAD_INDEXES) {
      await db.query(`DROP INDEX ${/CREATE INDEX (\w+)/.exec(statement)?.[1]}`);
    }
    const events = history.generated - from;
    return {
      phase,
      path: `DecisionProjection.apply in process (no HTTP, no Kafka)${LOAD_ONLY_INDEXES ? ', load-only indexes' : ''}, snapshots kept up`,
      events,
      seconds: Math.round(ms / 100) / 10,
      eventsPerSecond: Math.round((events * 1000) / ms),
      envelopesPerApply: DIRECT_ENVELOPES,
      stoppedByBudget,
      projector: projectorDelta(projectorBefore, projectorSnapshot()),
      sql,
    };
  }

  // -------------------------------------------------------------------------------------------------------
  // Queries

  function randomIn(from: number, to: number): number {
    return Math.floor(from + random() * (to - from));
  }

  function asOfQueries(n: number): Query[] {
    const span = history.times;
    return Array.from({ length: n }, () => ({ asOf: randomIn(span.firstOccurredAt, span.lastOccurredAt) }));
  }

  /** knownAt at a random past instant of the history, asOf at or before it. */
  function knownAtQueries(n: number): Query[] {
    const span = history.times;
    return Array.from({ length: n }, () => {
      const knownAt = randomIn(span.firstReportedAt, span.lastReportedAt);
      return { asOf: randomIn(span.firstOccurredAt, Math.min(knownAt, span.lastOccurredAt)), knownAt };
    });
  }

  function stateUrl(query: Query): string {
    const params = new URLSearchParams({ asOf: new Date(query.asOf).toISOString() });
    if (query.knownAt !== undefined) params.set('knownAt', new Date(query.knownAt).toISOString());
    return `${base}/v1/standoffs/${STANDOFF}/state?${params}`;
  }

  async function httpState(query: Query): Promise<{ ms: number; state: StandoffState }> {
    const started = performance.now();
    const res = await fetch(stateUrl(query));
    const text = await res.text();
    const ms = performance.now() - started;
    if (res.status !== 200) throw new Error(`GET state answered ${res.status}: ${text.slice(0, 1000)}`);
    return { ms, state: JSON.parse(text) as StandoffState };
  }

  async function httpLoop(queries: Query[]) {
    for (const query of queries.slice(0, WARMUP)) await httpState(query);
    const samples: number[] = [];
    let bytes = 0;
    const started = performance.now();
    let stopped = false;
    for (const query of queries) {
      if (performance.now() - started > QUERY_BUDGET_MS) {
        stopped = true;
        break;
      }
      const { ms, state } = await httpState(query);
      samples.push(ms);
      bytes += JSON.stringify(state).length;
    }
    return {
      ...summarise(samples, stopped),
      meanResponseBytes: Math.round(bytes / Math.max(1, samples.length)),
    };
  }

  /** The statements of `readStateFromSnapshots`, timed one by one (the rest is the fold and the view). */
  async function breakdown(queries: Query[]) {
    type Step = 'snapshot' | 'tail' | 'knowledge' | 'title';
    const steps: Record<Step, number[]> = { snapshot: [], tail: [], knowledge: [], title: [] };
    const tailRows: number[] = [];
    const knowledgeRows: number[] = [];
    const foldMs: number[] = [];
    const totalMs: number[] = [];
    let slowest: { ms: number; sql: string; parameters: unknown[] } | undefined;
    let slowestKnowledge: { ms: number; sql: string; parameters: unknown[] } | undefined;
    let title: { sql: string; parameters: unknown[] } | undefined;
    const now = Date.now();
    for (const query of queries) {
      const version = await standoffVersion(db, STANDOFF);
      const spent: Partial<Record<Step, number>> = {};
      const started = performance.now();
      await db.transaction('REPEATABLE READ', async (tx) => {
        const timed: Queryable = {
          async query(sql: string, parameters?: unknown[]) {
            const step: Step = sql.includes('FROM state_snapshots')
              ? 'snapshot'
              : sql.includes('WITH about')
                ? 'knowledge'
                : sql.includes("'standoff.described'")
                  ? 'title'
                  : 'tail';
            const t0 = performance.now();
            const rows = await tx.query(sql, parameters);
            const ms = performance.now() - t0;
            spent[step] = (spent[step] ?? 0) + ms;
            if (step === 'tail') {
              tailRows.push(rows.length);
              if (!slowest || ms > slowest.ms) slowest = { ms, sql, parameters: parameters ?? [] };
            }
            if (step === 'knowledge') {
              knowledgeRows.push(rows.length);
              if (!slowestKnowledge || ms > slowestKnowledge.ms)
                slowestKnowledge = { ms, sql, parameters: parameters ?? [] };
            }
            if (step === 'title') title = { sql, parameters: parameters ?? [] };
            return rows;
          },
        };
        await readStateFromSnapshots(timed, {
          standoffId: STANDOFF,
          asOf: query.asOf,
          knownAt: query.knownAt ?? now,
          version,
        });
      });
      const total = performance.now() - started;
      totalMs.push(total);
      let sql = 0;
      for (const step of Object.keys(steps) as Step[]) {
        steps[step].push(spent[step] ?? 0);
        sql += spent[step] ?? 0;
      }
      foldMs.push(total - sql);
    }
    const med = (xs: number[]) => Math.round(median(xs) * 100) / 100;
    const p99 = (xs: number[]) =>
      Math.round(
        percentile(
          [...xs].sort((a, b) => a - b),
          0.99,
        ) * 100,
      ) / 100;
    return {
      queries: queries.length,
      medianMs: {
        total: med(totalMs),
        snapshotLookup: med(steps.snapshot),
        tail: med(steps.tail),
        knowledge: med(steps.knowledge),
        title: med(steps.title),
        foldAndViewAndTransaction: med(foldMs),
      },
      maxMs: {
        total: p99(totalMs),
        snapshotLookup: p99(steps.snapshot),
        tail: p99(steps.tail),
        knowledge: p99(steps.knowledge),
        title: p99(steps.title),
        foldAndViewAndTransaction: p99(foldMs),
      },
      tailRows: { median: median(tailRows), max: Math.max(...tailRows) },
      knowledgeRows: { median: median(knowledgeRows.length ? knowledgeRows : [0]) },
      plans: { slowestTail: slowest, slowestKnowledge, title },
    };
  }

  async function explain(statement: { sql: string; parameters: unknown[] } | undefined): Promise<string[]> {
    if (!statement) return [];
    const rows: { 'QUERY PLAN': string }[] = await db.query(
      `EXPLAIN (ANALYZE, BUFFERS) ${statement.sql}`,
      statement.parameters,
    );
    return rows.map((r) => r['QUERY PLAN']);
  }

  /** The naive full fold, in process, on a few of the same queries; and whether it agrees with the snapshots. */
  async function baseline(queries: Query[], budgetMs: number) {
    const snapshots = new SnapshotStateQueries(db);
    const samples: number[] = [];
    let agree = 0;
    const started = performance.now();
    const now = Date.now();
    for (const query of queries) {
      if (samples.length > 0 && performance.now() - started > budgetMs) break;
      const request = { standoffId: STANDOFF, asOf: query.asOf, knownAt: query.knownAt ?? now };
      const t0 = performance.now();
      const expected = await readStateByFullFold(db, request);
      samples.push(performance.now() - t0);
      const actual = await snapshots.state(request);
      // Deep equality: a snapshot's state went through jsonb, which reorders object keys (e.g. `byMode`).
      if (isDeepStrictEqual(actual, expected)) agree += 1;
      else log(`MISMATCH between the full fold and the snapshots at ${JSON.stringify(request)}`);
    }
    return { ...summarise(samples), agreeWithSnapshots: `${agree}/${samples.length}` };
  }

  /** A diff over valid time (`from`, `to` a window apart) or over knowledge time (`asOf` at two knowledge times). */
  type DiffQuery =
    | { axis: 'valid'; from: number; to: number }
    | { axis: 'knowledge'; asOf: number; knownFrom: number; knownTo: number };

  function diffQueries(axis: DiffQuery['axis'], n: number): DiffQuery[] {
    const span = history.times;
    return Array.from({ length: n }, (): DiffQuery => {
      if (axis === 'valid') {
        const from = randomIn(span.firstOccurredAt, span.lastOccurredAt - DIFF_WINDOW_MS);
        return { axis, from, to: from + DIFF_WINDOW_MS };
      }
      const knownFrom = randomIn(span.firstReportedAt, span.lastReportedAt - DIFF_WINDOW_MS);
      const asOf = randomIn(span.firstOccurredAt, Math.min(knownFrom, span.lastOccurredAt));
      return { axis, asOf, knownFrom, knownTo: knownFrom + DIFF_WINDOW_MS };
    });
  }

  /** The two states a diff compares, as `GET …/state` queries. */
  function statesOf(query: DiffQuery): [Query, Query] {
    return query.axis === 'valid'
      ? [{ asOf: query.from }, { asOf: query.to }]
      : [
          { asOf: query.asOf, knownAt: query.knownFrom },
          { asOf: query.asOf, knownAt: query.knownTo },
        ];
  }

  function diffUrl(query: DiffQuery): string {
    const iso = (ms: number) => new Date(ms).toISOString();
    const params =
      query.axis === 'valid'
        ? new URLSearchParams({ from: iso(query.from), to: iso(query.to) })
        : new URLSearchParams({
            asOf: iso(query.asOf),
            knownFrom: iso(query.knownFrom),
            knownTo: iso(query.knownTo),
          });
    return `${base}/v1/standoffs/${STANDOFF}/diff?${params}`;
  }

  interface DiffAnswer {
    events: unknown[];
    added: Record<string, unknown[]>;
    removed: Record<string, unknown[]>;
    changed: Record<string, unknown[]>;
  }

  async function httpDiff(query: DiffQuery): Promise<{ ms: number; diff: DiffAnswer; bytes: number }> {
    const started = performance.now();
    const res = await fetch(diffUrl(query));
    const text = await res.text();
    const ms = performance.now() - started;
    if (res.status !== 200) throw new Error(`GET diff answered ${res.status}: ${text.slice(0, 1000)}`);
    return { ms, diff: JSON.parse(text) as DiffAnswer, bytes: text.length };
  }

  /**
   * The diff over HTTP and, alternating with it on the same queries, its baseline: the two state queries it
   * compares, one after the other (their sum per query).
   */
  async function diffLoop(queries: DiffQuery[]) {
    for (const query of queries.slice(0, WARMUP)) {
      await httpDiff(query);
      for (const state of statesOf(query)) await httpState(state);
    }
    const diffMs: number[] = [];
    const twoStatesMs: number[] = [];
    let bytes = 0;
    let events = 0;
    let items = 0;
    const started = performance.now();
    let stopped = false;
    for (const query of queries.slice(WARMUP)) {
      if (performance.now() - started > QUERY_BUDGET_MS) {
        stopped = true;
        break;
      }
      const { ms, diff, bytes: size } = await httpDiff(query);
      diffMs.push(ms);
      bytes += size;
      events += diff.events.length;
      for (const part of [diff.added, diff.removed, diff.changed]) {
        for (const list of Object.values(part)) items += list.length;
      }
      let pair = 0;
      for (const state of statesOf(query)) pair += (await httpState(state)).ms;
      twoStatesMs.push(pair);
    }
    const n = Math.max(1, diffMs.length);
    const diff = summarise(diffMs, stopped);
    const twoStates = summarise(twoStatesMs, stopped);
    return {
      diff,
      twoStates,
      diffOverTwoStatesP99: Math.round((diff.p99 / twoStates.p99) * 100) / 100,
      meanResponseBytes: Math.round(bytes / n),
      meanEvents: Math.round((events / n) * 10) / 10,
      meanItemsChanged: Math.round((items / n) * 10) / 10,
    };
  }

  async function measure(label: string) {
    log(`${label}: measuring (${QUERIES} queries per loop, at most ${QUERY_BUDGET_MS / 1000} s each)`);
    await autoAnalyze(history.generated, true);
    const snapshots = await snapshotStats();
    const asOf = asOfQueries(QUERIES + WARMUP);
    const knownAt = knownAtQueries(QUERIES + WARMUP);
    const stateAsOf = await httpLoop(asOf);
    log(`${label}: state?asOf p50 ${stateAsOf.p50} ms, p99 ${stateAsOf.p99} ms (${stateAsOf.n} queries)`);
    const stateKnownAt = await httpLoop(knownAt);
    log(
      `${label}: state?asOf&knownAt p50 ${stateKnownAt.p50} ms, p99 ${stateKnownAt.p99} ms (${stateKnownAt.n})`,
    );
    const diffValid = await diffLoop(diffQueries('valid', QUERIES + WARMUP));
    log(
      `${label}: diff over valid time p50 ${diffValid.diff.p50} ms, p99 ${diffValid.diff.p99} ms; ` +
        `two states p99 ${diffValid.twoStates.p99} ms (${diffValid.diff.n})`,
    );
    const diffKnowledge = await diffLoop(diffQueries('knowledge', QUERIES + WARMUP));
    log(
      `${label}: diff over knowledge time p50 ${diffKnowledge.diff.p50} ms, p99 ${diffKnowledge.diff.p99} ms; ` +
        `two states p99 ${diffKnowledge.twoStates.p99} ms (${diffKnowledge.diff.n})`,
    );
    const breakdownAsOf = await breakdown(asOfQueries(BREAKDOWN_QUERIES));
    const breakdownKnownAt = await breakdown(knownAtQueries(BREAKDOWN_QUERIES));
    const budget = label === 'small' ? BASELINE.small : BASELINE.large;
    log(`${label}: baseline, the full fold (${budget.queries} + 1 queries)`);
    const baselineAsOf = await baseline(asOf.slice(WARMUP, WARMUP + budget.queries), budget.budgetMs);
    log(`${label}: baseline state?asOf median ${baselineAsOf.p50} ms`);
    const baselineKnownAt = await baseline(knownAt.slice(WARMUP, WARMUP + 1), budget.budgetMs);
    return {
      events: history.generated,
      snapshots,
      stateAsOf,
      stateKnownAt,
      diffValid,
      diffKnowledge,
      breakdownAsOf: { ...breakdownAsOf, plans: undefined },
      breakdownKnownAt: { ...breakdownKnownAt, plans: undefined },
      plans: {
        slowestTailAsOf: await explain(breakdownAsOf.plans.slowestTail),
        slowestTailKnownAt: await explain(breakdownKnownAt.plans.slowestTail),
        slowestKnowledgeAsOf: await explain(breakdownAsOf.plans.slowestKnowledge),
        title: await explain(breakdownAsOf.plans.title),
      },
      baselineFullFold: { asOf: baselineAsOf, knownAt: baselineKnownAt },
    };
  }

  const loadSmall = await load(SMALL, 'pipeline 0→small');
  log(`pipeline: ${SMALL} events in ${loadSmall.seconds} s (${loadSmall.eventsPerSecond} events/s)`);
  printSql(loadSmall.sql);
  const catchUpSmall = await catchUpSnapshots();
  log(`snapshots caught up at ${SMALL}: ${JSON.stringify(catchUpSmall)}`);
  const loadOnly = process.env.BENCH_LOAD_ONLY === '1';
  const small = loadOnly ? undefined : await measure('small');
  const loadPipeline = await load(
    Math.min(PIPELINE_EVENTS, TOTAL),
    'pipeline small→more',
    PIPELINE_BUDGET_MS,
  );
  log(
    `pipeline: ${loadPipeline.events} more events in ${loadPipeline.seconds} s (${loadPipeline.eventsPerSecond} events/s)` +
      (history.generated < TOTAL
        ? `; the rest of the ${TOTAL} goes through DecisionProjection.apply in process`
        : ''),
  );
  printSql(loadPipeline.sql);
  const snapshotsAfterPipeline = await snapshotStats();
  const loadLarge = history.generated < TOTAL ? await loadDirect(TOTAL, 'direct apply') : undefined;
  if (loadLarge) {
    log(
      `direct: ${loadLarge.events} more events in ${loadLarge.seconds} s (${loadLarge.eventsPerSecond} events/s)`,
    );
    printSql(loadLarge.sql);
  }
  if (history.generated < TOTAL)
    log(`loaded ${history.generated} of ${TOTAL} events: the large figures are at that size`);
  const catchUpLarge = await catchUpSnapshots();
  log(`snapshots caught up at ${history.generated}: ${JSON.stringify(catchUpLarge)}`);
  if (loadOnly || !small) return undefined;
  const large = await measure('large');

  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const results = {
    bench: 'state-at-scale',
    startedAt,
    finishedAt: new Date().toISOString(),
    code: gitState(),
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    settings: {
      events: TOTAL,
      small: SMALL,
      batch: BATCH,
      maxAhead: MAX_AHEAD,
      snapshotInterval: SNAPSHOT_INTERVAL,
      queriesPerLoop: QUERIES,
      queryBudgetMs: QUERY_BUDGET_MS,
      pipelineBudgetMs: PIPELINE_BUDGET_MS,
      directBudgetMs: DIRECT_BUDGET_MS,
      history: {
        generator: 'test/support/synthetic-events.ts (SyntheticHistory)',
        options: BENCH_HISTORY,
        span: {
          occurred: [new Date(history.times.firstOccurredAt), new Date(history.times.lastOccurredAt)],
          reported: [new Date(history.times.firstReportedAt), new Date(history.times.lastReportedAt)],
        },
        ...history.mix(),
      },
    },
    targets: TARGETS,
    ingest: {
      small: loadSmall,
      pipeline: loadPipeline,
      large: loadLarge ?? null,
      snapshotsAfterPipeline,
      catchUp: { small: catchUpSmall, large: catchUpLarge },
      totalSeconds:
        Math.round((loadSmall.seconds + loadPipeline.seconds + (loadLarge?.seconds ?? 0)) * 10) / 10,
      clientGenerateSeconds: Math.round(generateMs / 100) / 10,
      clientPostSeconds: Math.round(postMs / 100) / 10,
      analyze: { enabled: ANALYZE, runs: analyzeRuns, seconds: Math.round(analyzeMs / 100) / 10 },
    },
    small,
    large,
    ratios: {
      stateAsOfP99LargeOverSmall: ratio(large.stateAsOf.p99, small.stateAsOf.p99),
      stateAsOfP50LargeOverSmall: ratio(large.stateAsOf.p50, small.stateAsOf.p50),
      knownAtP99LargeOverSmall: ratio(large.stateKnownAt.p99, small.stateKnownAt.p99),
      baselineOverSnapshotsP50Small: ratio(small.baselineFullFold.asOf.p50, small.stateAsOf.p50),
      baselineOverSnapshotsP50Large: ratio(large.baselineFullFold.asOf.p50, large.stateAsOf.p50),
    },
    verdicts: {
      stateP99AtLarge: large.stateAsOf.p99 <= TARGETS.stateP99Ms,
      stateWithin2x: large.stateAsOf.p99 <= TARGETS.ratioMax * small.stateAsOf.p99,
      knownAtP99AtLarge: large.stateKnownAt.p99 <= TARGETS.knownAtP99Ms,
      diffValidWithin2xOfTwoStates: large.diffValid.diffOverTwoStatesP99 <= TARGETS.diffOverTwoStatesMax,
      diffKnowledgeWithin2xOfTwoStates:
        large.diffKnowledge.diffOverTwoStatesP99 <= TARGETS.diffOverTwoStatesMax,
    },
  };
  printTable(results);
  return results;
}

// ---------------------------------------------------------------------------------------------------------
// Output

type Results = NonNullable<Awaited<ReturnType<typeof run>>>;

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join(' | ');
  process.stdout.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('-+-')}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}

function printSql(rows: { sql: string; seconds: number; calls: number; msPerCall: number }[]): void {
  for (const row of rows.slice(0, 8)) {
    log(
      `  sql ${row.seconds.toFixed(1).padStart(7)} s ${String(row.calls).padStart(6)} calls ${row.msPerCall.toFixed(2).padStart(9)} ms/call  ${row.sql}`,
    );
  }
}

function printTable(r: Results): void {
  const s = r.small;
  const l = r.large;
  const ingest = [r.ingest.small, r.ingest.pipeline, ...(r.ingest.large ? [r.ingest.large] : [])];
  table(
    ['load phase', 'events', 'seconds', 'events/s', 'projector apply s', 'snapshot invalidation s', 'path'],
    ingest.map((p) => [
      p.phase,
      String(p.events),
      String(p.seconds),
      String(p.eventsPerSecond),
      ms(p.projector.apply.ms),
      ms(p.projector.snapshotInvalidate.ms),
      p.path,
    ]),
  );
  process.stdout.write(
    `ingest target ${TARGETS.ingestPerSecond} events/s; total load ${r.ingest.totalSeconds} s for ${l.events} events ` +
      `(client generating and validating ${r.ingest.clientGenerateSeconds} s, posting ${r.ingest.clientPostSeconds} s, ` +
      `ANALYZE ${r.ingest.analyze.runs}× ${r.ingest.analyze.seconds} s)\n` +
      `snapshot lag left by the projector: ${r.ingest.catchUp.small.eventsAfterLatestSnapshotBefore} events at ${s.events}, ` +
      `${r.ingest.snapshotsAfterPipeline.eventsAfterLatestSnapshot} at ${r.ingest.small.events + r.ingest.pipeline.events}` +
      ` (the bench built the ${r.ingest.catchUp.small.built} + ${r.ingest.catchUp.large.built} missing ones before measuring)\n`,
  );

  const rows: string[][] = [];
  const row = (name: string, small: unknown, large: unknown, note = '') =>
    rows.push([name, String(small), String(large), note]);
  const budget = (x: { n: number; stoppedByBudget: boolean }) =>
    `${x.n}${x.stoppedByBudget ? ' (budget)' : ''}`;
  row('events in the standoff', s.events, l.events);
  row('snapshots kept', s.snapshots.snapshots, l.snapshots.snapshots);
  row(
    'latest snapshot, JSON bytes',
    s.snapshots.latestSnapshotJsonBytes,
    l.snapshots.latestSnapshotJsonBytes,
  );
  row(
    '  disputed / recentTension entries',
    `${s.snapshots.latestSnapshotDisputedEntries} / ${s.snapshots.latestSnapshotRecentTensionEntries}`,
    `${l.snapshots.latestSnapshotDisputedEntries} / ${l.snapshots.latestSnapshotRecentTensionEntries}`,
  );
  row(
    'state?asOf p50, ms (HTTP)',
    s.stateAsOf.p50,
    l.stateAsOf.p50,
    `ratio ${r.ratios.stateAsOfP50LargeOverSmall}`,
  );
  row(
    'state?asOf p99, ms (HTTP)',
    s.stateAsOf.p99,
    l.stateAsOf.p99,
    `ratio ${r.ratios.stateAsOfP99LargeOverSmall}; target ≤ ${TARGETS.stateP99Ms} ms and ≤ ${TARGETS.ratioMax}×`,
  );
  row('  queries', budget(s.stateAsOf), budget(l.stateAsOf));
  row('  response bytes, mean', s.stateAsOf.meanResponseBytes, l.stateAsOf.meanResponseBytes);
  row('state?knownAt p50, ms (HTTP)', s.stateKnownAt.p50, l.stateKnownAt.p50);
  row(
    'state?knownAt p99, ms (HTTP)',
    s.stateKnownAt.p99,
    l.stateKnownAt.p99,
    `ratio ${r.ratios.knownAtP99LargeOverSmall}; target ≤ ${TARGETS.knownAtP99Ms} ms`,
  );
  row('  queries', budget(s.stateKnownAt), budget(l.stateKnownAt));
  for (const [kind, small, large] of [
    ['valid time', s.diffValid, l.diffValid],
    ['knowledge time', s.diffKnowledge, l.diffKnowledge],
  ] as const) {
    row(`diff over ${kind} p50, ms (HTTP)`, small.diff.p50, large.diff.p50);
    row(
      `diff over ${kind} p99, ms (HTTP)`,
      small.diff.p99,
      large.diff.p99,
      `÷ two states p99: ${small.diffOverTwoStatesP99} / ${large.diffOverTwoStatesP99}; target ≤ ${TARGETS.diffOverTwoStatesMax}×`,
    );
    row(
      `  BASELINE two state queries p99, ms`,
      small.twoStates.p99,
      large.twoStates.p99,
      `the two GET …/state it compares, one after the other; p50 ${small.twoStates.p50} / ${large.twoStates.p50}`,
    );
    row('  queries', budget(small.diff), budget(large.diff));
    row(
      '  events / items changed / bytes, mean',
      `${small.meanEvents} / ${small.meanItemsChanged} / ${small.meanResponseBytes}`,
      `${large.meanEvents} / ${large.meanItemsChanged} / ${large.meanResponseBytes}`,
      `window ${DIFF_WINDOW_MS / 3_600_000} h`,
    );
  }
  row(
    'BASELINE full fold asOf, median ms',
    s.baselineFullFold.asOf.p50,
    l.baselineFullFold.asOf.p50,
    `in process; ${s.baselineFullFold.asOf.n} and ${l.baselineFullFold.asOf.n} queries`,
  );
  row('BASELINE full fold asOf, max ms', s.baselineFullFold.asOf.max, l.baselineFullFold.asOf.max);
  row(
    'BASELINE full fold knownAt, ms',
    s.baselineFullFold.knownAt.p50,
    l.baselineFullFold.knownAt.p50,
    '1 query each',
  );
  row(
    '  full fold ÷ snapshots (p50)',
    r.ratios.baselineOverSnapshotsP50Small,
    r.ratios.baselineOverSnapshotsP50Large,
  );
  row(
    '  snapshot answer = full fold',
    `${s.baselineFullFold.asOf.agreeWithSnapshots}, ${s.baselineFullFold.knownAt.agreeWithSnapshots}`,
    `${l.baselineFullFold.asOf.agreeWithSnapshots}, ${l.baselineFullFold.knownAt.agreeWithSnapshots}`,
  );
  for (const [kind, small, large] of [
    ['asOf', s.breakdownAsOf, l.breakdownAsOf],
    ['knownAt', s.breakdownKnownAt, l.breakdownKnownAt],
  ] as const) {
    row(
      `in process, ${kind}: median total ms`,
      small.medianMs.total,
      large.medianMs.total,
      `${small.queries} queries; p99 ${small.maxMs.total} / ${large.maxMs.total}`,
    );
    row(
      '  snapshot lookup (incl. JSON parse)',
      small.medianMs.snapshotLookup,
      large.medianMs.snapshotLookup,
      `p99 ${small.maxMs.snapshotLookup} / ${large.maxMs.snapshotLookup}`,
    );
    row(
      '  tail statement',
      small.medianMs.tail,
      large.medianMs.tail,
      `p99 ${small.maxMs.tail} / ${large.maxMs.tail}`,
    );
    row(
      '  tail rows (median / max)',
      `${small.tailRows.median} / ${small.tailRows.max}`,
      `${large.tailRows.median} / ${large.tailRows.max}`,
    );
    row(
      '  knowledge statement',
      small.medianMs.knowledge,
      large.medianMs.knowledge,
      `p99 ${small.maxMs.knowledge} / ${large.maxMs.knowledge}`,
    );
    row(
      '  title statement',
      small.medianMs.title,
      large.medianMs.title,
      `p99 ${small.maxMs.title} / ${large.maxMs.title}`,
    );
    row(
      '  fold, view, transaction',
      small.medianMs.foldAndViewAndTransaction,
      large.medianMs.foldAndViewAndTransaction,
    );
  }
  table(['figure', `at ${s.events}`, `at ${l.events}`, 'note'], rows);
  process.stdout.write(`\nverdicts: ${JSON.stringify(r.verdicts)}\n`);
  for (const [name, plan] of Object.entries(l.plans)) {
    process.stdout.write(`\nplan at ${l.events} events, ${name}:\n${plan.map((p) => `  ${p}`).join('\n')}\n`);
  }
}

function gitState() {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  return {
    commit: git('rev-parse', 'HEAD'),
    /** Files other work had changed when the bench ran (the figures measure the tree as it was). */
    changed: (git('status', '--porcelain', '--', 'apps', 'libs', 'migrations') ?? '')
      .split('\n')
      .filter(Boolean),
  };
}

function ms(x: number): string {
  return (Math.round(x / 100) / 10).toFixed(1);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `[bench:state] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
