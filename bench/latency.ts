/**
 * Write latency (DESIGN.md §6, issue 9): single `POST /v1/standoffs/{id}/events` that wait for their decision
 * (the API's default DECISION_WAIT_MS), sent open loop at BENCH_RATE (200) requests/s for BENCH_SECONDS (30)
 * after a warm-up, against API + projector in a process of their own (bench/app-process.ts) on Kafka and
 * Postgres. Open loop: each request leaves at its scheduled time whatever the answers before it, and its latency
 * counts from that scheduled time, so that queueing (in this client as well as in the product) is not hidden.
 *
 * Baselines in the same run, against the same process: the same open loop on `GET /health/live` (the HTTP
 * stack alone), and the same POSTs sent one at a time, each after the previous answer (no queueing).
 *
 * Events are SyntheticHistory bodies over BENCH_STANDOFFS (8) standoffs, round robin: each standoff's events are
 * posted in order, 1000/rate × standoffs ms apart, so that none is refused for arriving before the one it names.
 *
 *   npm run bench:latency          BENCH_RATE, BENCH_SECONDS, BENCH_STANDOFFS
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SyntheticHistory, type EventBody } from '../test/support/synthetic-events';
import { startAppProcess, type AppProcess } from './app-process';
import { ensureServices } from './services';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WARM_UP_SECONDS = 5;
const STANDOFFS = Number(process.env.BENCH_STANDOFFS ?? 8);
const SEQUENTIAL_POSTS = 1000;
const TARGET_P50_MS = 15;
const TARGET_P99_MS = 50;

function log(line: string): void {
  console.log(`[bench:latency] ${line}`);
}

interface Answer {
  /** The HTTP status, or the error's code when no answer came (e.g. ECONNRESET). */
  readonly status: number | string;
  /** From the scheduled send to the end of the answer. */
  readonly ms: number;
  /** How late this client sent it (its own share of the latency). */
  readonly lateMs: number;
}

interface Summary {
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Answers by status: anything but 201 (a POST) or 200 (a GET) is named here. */
  readonly statuses: Record<string, number>;
  /** The 99th percentile of how late the client sent a request after its scheduled time. */
  readonly sendLateP99Ms: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

function send(
  url: string,
  method: 'GET' | 'POST',
  body: string | undefined,
  scheduled: number,
): Promise<Answer> {
  return new Promise((resolve) => {
    const lateMs = performance.now() - scheduled;
    const req = request(
      url,
      { method, agent, headers: body === undefined ? {} : { 'Content-Type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, ms: performance.now() - scheduled, lateMs }),
        );
      },
    );
    // A failed request is an answer too (its error code): the loop goes on, and the summary counts it.
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ status: error.code ?? error.message, ms: performance.now() - scheduled, lateMs }),
    );
    req.end(body);
  });
}

/** Sends `next(i)` at `start + i / rate` for `seconds`, whatever the answers; resolves with every answer. */
async function openLoop(
  seconds: number,
  next: (i: number) => { url: string; method: 'GET' | 'POST'; body?: string },
): Promise<Answer[]> {
  const total = Math.round(seconds * RATE);
  const intervalMs = 1000 / RATE;
  const answers: Promise<Answer>[] = [];
  const start = performance.now() + 10;
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    while (sent < total && start + sent * intervalMs <= now) {
      const { url, method, body } = next(sent);
      answers.push(send(url, method, body, start + sent * intervalMs));
      sent += 1;
    }
    const wait = start + sent * intervalMs - performance.now();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
  }
  return Promise.all(answers);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

function summarise(answers: readonly Answer[]): Summary {
  const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
  const late = answers.map((a) => a.lateMs).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const { status } of answers) statuses[status] = (statuses[status] ?? 0) + 1;
  const round = (value: number) => Number(value.toFixed(1));
  return {
    requests: answers.length,
    p50Ms: round(percentile(ms, 50)),
    p99Ms: round(percentile(ms, 99)),
    maxMs: round(ms[ms.length - 1]),
    statuses,
    sendLateP99Ms: round(percentile(late, 99)),
  };
}

/** Round robin over the standoffs, each fed by a history of its own. */
function eventPoster(app: AppProcess): (i: number) => { url: string; method: 'POST'; body: string } {
  const histories = Array.from(
    { length: STANDOFFS },
    (_, n) => new SyntheticHistory({ seed: 11 + n, stepMs: 60_000 }),
  );
  return (i) => {
    const n = i % STANDOFFS;
    const [event]: EventBody[] = histories[n].take(1);
    return {
      url: `${app.baseUrl}/v1/standoffs/bench-latency-${n}/events`,
      method: 'POST',
      body: JSON.stringify(event),
    };
  };
}

/** The app's unlabelled metrics (prom-client's text format): its own view of where a POST's time went. */
async function metrics(app: AppProcess): Promise<Map<string, number>> {
  const text = await (await fetch(`${app.baseUrl}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-z_][a-z0-9_]*) ([-0-9.e+]+)$/.exec(line);
    if (match) values.set(match[1], Number(match[2]));
  }
  return values;
}

/** Append → decision known, as the app measured it (mean), and its event loop's delay over the same time. */
interface ServerView {
  readonly appendToDecisionMeanMs: number;
  readonly eventLoopDelayP50Ms: number;
  readonly eventLoopDelayP99Ms: number;
}

function serverView(before: Map<string, number>, after: Map<string, number>): ServerView {
  const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
  const ms = (seconds: number | undefined) => Number(((seconds ?? NaN) * 1000).toFixed(1));
  return {
    appendToDecisionMeanMs: ms(
      delta('standoff_decision_latency_seconds_sum') / delta('standoff_decision_latency_seconds_count'),
    ),
    // prom-client's event loop histogram starts afresh at every scrape: these cover the time since `before`.
    eventLoopDelayP50Ms: ms(after.get('nodejs_eventloop_lag_p50_seconds')),
    eventLoopDelayP99Ms: ms(after.get('nodejs_eventloop_lag_p99_seconds')),
  };
}

async function sequential(
  posts: number,
  next: (i: number) => { url: string; body: string },
): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < posts; i += 1) {
    const { url, body } = next(i);
    answers.push(await send(url, 'POST', body, performance.now()));
  }
  return answers;
}

async function main(): Promise<void> {
  process.chdir(join(__dirname, '..'));
  ensureServices();
  log('starting API + projector from dist/ (scripts/run.sh, builds first if a source changed)');
  const app = await startAppProcess('bench-latency', {
    env: { RATE_LIMIT: '0' },
    echo: process.env.BENCH_ECHO === '1',
  });
  try {
    const post = eventPoster(app);
    let posted = 0;
    const nextPost = () => post(posted++);
    const loadBefore = loadavg()[0];
    // Before any POST: a backlog of decisions left by the POSTs would slow this baseline too.
    log(`baseline: GET /health/live open loop at ${RATE}/s for ${SECONDS} s`);
    const health = summarise(
      await openLoop(SECONDS, () => ({ url: `${app.baseUrl}/health/live`, method: 'GET' })),
    );
    log(`warm-up: ${WARM_UP_SECONDS} s of POSTs at ${RATE}/s`);
    await openLoop(WARM_UP_SECONDS, nextPost);
    log(`POST …/events open loop at ${RATE}/s for ${SECONDS} s`);
    app.rss.reset();
    const metricsBefore = await metrics(app);
    const posts = summarise(await openLoop(SECONDS, nextPost));
    const server = serverView(metricsBefore, await metrics(app));
    const rssMb = app.rss.maxMb();
    log(`baseline: ${SEQUENTIAL_POSTS} POSTs one at a time`);
    const oneAtATime = summarise(await sequential(SEQUENTIAL_POSTS, nextPost));
    const load = { before: round2(loadBefore), after: round2(loadavg()[0]), cores: cpus().length };
    const results = {
      measuredAt: new Date().toISOString(),
      rate: RATE,
      seconds: SECONDS,
      standoffs: STANDOFFS,
      targets: { p50Ms: TARGET_P50_MS, p99Ms: TARGET_P99_MS },
      post: posts,
      server,
      baselines: { healthOpenLoop: health, postsOneAtATime: oneAtATime },
      appMaxRssMb: rssMb,
      load,
    };
    const row = (what: string, s: Summary, target: string) =>
      `| ${what} | ${s.p50Ms} | ${s.p99Ms} | ${s.maxMs} | ${target} | ${JSON.stringify(s.statuses)}, client late p99 ${s.sendLateP99Ms} ms |`;
    console.log(
      [
        `| ${RATE} requests/s open loop, ${SECONDS} s | p50 ms | p99 ms | max ms | target | answers |`,
        '|---|---|---|---|---|---|',
        row(
          'POST …/events, waiting for the decision',
          posts,
          `p50 ≤ ${TARGET_P50_MS}, p99 ≤ ${TARGET_P99_MS}`,
        ),
        row('baseline: GET /health/live, same loop', health, ''),
        row(`baseline: ${SEQUENTIAL_POSTS} POSTs one at a time`, oneAtATime, ''),
        `the app's own view during the POSTs: append → decision known ${server.appendToDecisionMeanMs} ms (mean), event loop delay p50 ${server.eventLoopDelayP50Ms} ms, p99 ${server.eventLoopDelayP99Ms} ms`,
        `highest RSS of the app process during the POSTs: ${rssMb} MB`,
        `load average (1 min) before / after: ${load.before} / ${load.after} on ${load.cores} cores`,
      ].join('\n'),
    );
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/latency.json', `${JSON.stringify(results, null, 2)}\n`);
    log('wrote bench/results/latency.json');
  } finally {
    agent.destroy();
    await app.stop();
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
