/**
 * Feed latency (DESIGN.md §6, §7): with BENCH_SUBSCRIBERS (1000) SSE subscribers of `GET /v1/feed` held open and
 * a read_committed consumer of the downstream topic, BENCH_EVENTS (300) events are posted one at a time (each
 * after the previous one's 201) to the API and projector running in a child process (Kafka, Postgres). For each
 * event it measures, from the moment the POST was sent:
 *   - the decision (the 201 answer): the baseline, what a writer already waits for;
 *   - every subscriber's receipt of its SSE message (p50/p99 over all deliveries);
 *   - the topic message's receipt.
 * "After the decision" subtracts the 201's time per event (0 when the feed came first). Targets: p99 ≤ 100 ms from
 * decision to subscriber and to topic; 1,000 concurrent subscribers.
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/feed-latency.ts   (KAFKA_BROKERS, DATABASE_URL set)
 *
 * The subscribers run in this process, the API in another: both share this machine's cores.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest, Agent } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { childEnv, freePort, spawnTsEntry } from '../test/support/processes';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 300);
const TARGET_MS = 100;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set (npm run services:up prints it)`);
  return value;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function post(base: string, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${base}${path}`,
      { method: 'POST', headers: { 'Content-Type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function main(): Promise<void> {
  const brokers = required('KAFKA_BROKERS');
  const databaseUrl = required('DATABASE_URL');
  const suffix = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const schema = `bench_feed_${suffix}`;
  const topic = `bench.feed.${suffix}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const app = spawnTsEntry('api', join('apps', 'api', 'src', 'main.ts'), ['--with-projector'], {
    env: childEnv(
      {
        DATABASE_URL: databaseUrl,
        DATABASE_SCHEMA: schema,
        KAFKA_BROKERS: brokers,
        KAFKA_TOPIC: topic,
        KAFKA_PARTITIONS: '3',
        PORT: String(port),
        SEED: 'false',
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
      },
      ['API_KEYS', 'CORS_ORIGINS'],
    ),
  });
  const kafka = new Kafka({
    clientId: 'bench-feed',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({
    groupId: `bench-feed-${suffix}`,
    maxWaitTimeInMs: 20,
    readUncommitted: false,
  });
  const sent = new Map<string, number>();
  const decided = new Map<string, number>();
  const sse: number[] = [];
  const sseAfterDecision: number[] = [];
  const topicLatency: number[] = [];
  const topicAfterDecision: number[] = [];
  const pendingFeed: { summary: string; at: number }[] = [];
  try {
    await app.waitForOutput(/listening on/, 120_000);
    // A first event creates the topics and warms the path; it is not measured.
    await post(base, '/v1/standoffs/bench-feed/events', event('warm-up'));

    const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
    let open = 0;
    const streams = await Promise.all(
      Array.from(
        { length: SUBSCRIBERS },
        () =>
          new Promise<() => void>((resolve, reject) => {
            const req = httpRequest(
              `${base}/v1/feed`,
              { agent, headers: { Accept: 'text/event-stream' } },
              (res) => {
                open += 1;
                let buffer = '';
                res.setEncoding('utf8');
                res.on('data', (chunk: string) => {
                  buffer += chunk;
                  for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
                    const block = buffer.slice(0, end);
                    buffer = buffer.slice(end + 2);
                    const data = /^data: (.*)$/m.exec(block)?.[1];
                    if (data)
                      pendingFeed.push({
                        summary: (JSON.parse(data) as { summary: string }).summary,
                        at: performance.now(),
                      });
                  }
                });
                resolve(() => req.destroy());
              },
            );
            req.on('error', reject);
            req.end();
          }),
      ),
    );
    await consumer.connect();
    await consumer.subscribe({ topics: [`${topic}.timeline`], fromBeginning: false });
    let assigned = false;
    consumer.on(consumer.events.GROUP_JOIN, () => (assigned = true));
    const topicSeen: { summary: string; at: number }[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        topicSeen.push({
          summary: (JSON.parse(String(message.value)) as { summary: string }).summary,
          at: performance.now(),
        });
      },
    });
    while (!assigned) await new Promise((resolve) => setTimeout(resolve, 50));

    const started = performance.now();
    for (let i = 0; i < EVENTS; i += 1) {
      const summary = `bench ${i}`;
      sent.set(summary, performance.now());
      const status = await post(base, '/v1/standoffs/bench-feed/events', event(summary));
      if (status !== 201) throw new Error(`POST answered ${status}`);
      decided.set(summary, performance.now());
    }
    const ingestSeconds = (performance.now() - started) / 1000;
    const deadline = performance.now() + 30_000;
    while (performance.now() < deadline) {
      const delivered = pendingFeed.filter((f) => sent.has(f.summary)).length;
      const published = topicSeen.filter((f) => sent.has(f.summary)).length;
      if (delivered >= EVENTS * SUBSCRIBERS && published >= EVENTS) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const { summary, at } of pendingFeed) {
      const t0 = sent.get(summary);
      const t1 = decided.get(summary);
      if (t0 === undefined || t1 === undefined) continue;
      sse.push(at - t0);
      sseAfterDecision.push(Math.max(0, at - t1));
    }
    for (const { summary, at } of topicSeen) {
      const t0 = sent.get(summary);
      const t1 = decided.get(summary);
      if (t0 === undefined || t1 === undefined) continue;
      topicLatency.push(at - t0);
      topicAfterDecision.push(Math.max(0, at - t1));
    }
    const decisions = [...sent].map(([summary, t0]) => (decided.get(summary) ?? NaN) - t0);
    const row = (name: string, values: number[], target: string) =>
      console.log(
        `${name.padEnd(44)} p50 ${percentile(values, 50).toFixed(1).padStart(7)} ms  p99 ${percentile(
          values,
          99,
        )
          .toFixed(1)
          .padStart(7)} ms  (n=${values.length})  target: ${target}`,
      );
    console.log(`feed latency, ${EVENTS} events posted one at a time in ${ingestSeconds.toFixed(1)} s`);
    console.log(`SSE subscribers held open: ${open} of ${SUBSCRIBERS}  target: 1000 concurrent`);
    row('baseline: POST → decision (201)', decisions, 'DESIGN §6 decision p99 ≤ 50 ms');
    row('POST → SSE subscriber (all deliveries)', sse, '');
    row('decision → SSE subscriber', sseAfterDecision, `p99 ≤ ${TARGET_MS} ms`);
    row('POST → topic (read_committed)', topicLatency, '');
    row('decision → topic', topicAfterDecision, `p99 ≤ ${TARGET_MS} ms`);
    console.log(
      `deliveries: ${sse.length} of ${EVENTS * SUBSCRIBERS} SSE, ${topicLatency.length} of ${EVENTS} topic`,
    );
    for (const close of streams) close();
    agent.destroy();
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await app.stop();
    const db = new DataSource({ type: 'postgres', url: databaseUrl });
    await db.initialize();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.query(`DROP SCHEMA IF EXISTS "${schema}_dashboard" CASCADE`);
    await db.destroy();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, `${topic}.timeline`] }).catch(() => undefined);
    await admin.disconnect();
  }
}

function event(summary: string) {
  return { type: 'statement.made', occurredAt: '2022-01-10', actor: 'RUS', target: 'USA', summary };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
