/**
 * The product in a process of its own, started the way a user starts it (`scripts/run.sh`, what `npm start`
 * runs: build `dist/` when a source changed, then `node -r tsconfig-paths/register dist/apps/api/src/main.js
 * --with-projector`), on a schema and a topic of the bench's own; and the resident memory of that process,
 * read from /proc every 250 ms, so that a bench's figure is the API's and projector's and none of the bench's.
 * BENCH_APP_NODE_OPTIONS, if set, is the app's NODE_OPTIONS (e.g. `--max-old-space-size=128`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, freePort } from '../test/support/processes';
import { databaseUrl, kafkaBrokers, testKafka, uniqueName, uniqueSchemaName } from '../test/support/services';
import { dropSchema } from '../test/support/test-app';

const RSS_EVERY_MS = 250;
const READY_TIMEOUT_MS = 300_000;

export interface AppProcess {
  readonly baseUrl: string;
  readonly schema: string;
  readonly topic: string;
  readonly pid: number;
  readonly rss: RssSampler;
  /** SIGTERM (SIGKILL after a grace), then the schema and topics are dropped. */
  stop(): Promise<void>;
}

export interface AppProcessOptions {
  /** Set in the child's environment on top of the bench's store, port and `SEED=false`. */
  readonly env?: Readonly<Record<string, string>>;
  /** Echo the child's output on stderr (for debugging). */
  readonly echo?: boolean;
}

/** The highest VmRSS seen since the last `reset()`, sampled every 250 ms while it runs. */
export class RssSampler {
  private maxKb = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pid: number) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), RSS_EVERY_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  reset(): void {
    this.maxKb = 0;
    this.sample();
  }

  /** The current VmRSS, in MB. */
  nowMb(): number {
    return toMb(statusField(this.pid, 'VmRSS'));
  }

  maxMb(): number {
    this.sample();
    return toMb(this.maxKb);
  }

  /** The kernel's own high-water mark of the process's RSS since it started (VmHWM), in MB. */
  peakMb(): number {
    return toMb(statusField(this.pid, 'VmHWM'));
  }

  private sample(): void {
    const kb = statusField(this.pid, 'VmRSS');
    if (kb > this.maxKb) this.maxKb = kb;
  }
}

function toMb(kb: number): number {
  return Math.round(kb / 1024);
}

/** A field of /proc/<pid>/status in kB; 0 once the process is gone. */
function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

function processName(pid: number): string {
  try {
    return /^Name:\s+(\S+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '';
  } catch {
    return '';
  }
}

/** Starts API + projector (`--with-projector`) and resolves once `/health/ready` answers 200. */
export async function startAppProcess(name: string, options: AppProcessOptions = {}): Promise<AppProcess> {
  const schema = uniqueSchemaName(name);
  const topic = uniqueName(name);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const repoRoot = join(__dirname, '..');
  // Its log (a JSON line per request) goes to a file: piped here, this process would spend its time copying it.
  const logDir = mkdtempSync(join(tmpdir(), `${name}-`));
  const logFile = join(logDir, 'app.log');
  const out = options.echo ? 'inherit' : openSync(logFile, 'w');
  // run.sh ends in `exec node …`: once built, the child's pid is the product's node process itself.
  const child = spawn(
    'bash',
    [join(repoRoot, 'scripts', 'run.sh'), 'apps/api/src/main', '--with-projector'],
    {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', out, out],
      env: childEnv(
        {
          DATABASE_URL: databaseUrl(),
          DATABASE_SCHEMA: schema,
          KAFKA_BROKERS: kafkaBrokers().join(','),
          KAFKA_TOPIC: topic,
          PORT: String(port),
          HOST: '127.0.0.1',
          SEED: 'false',
          KAFKAJS_NO_PARTITIONER_WARNING: '1',
          // The bench's own NODE_OPTIONS are not the product's; BENCH_APP_NODE_OPTIONS tries some on it.
          ...(process.env.BENCH_APP_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_APP_NODE_OPTIONS } : {}),
          ...options.env,
        },
        ['API_KEYS', 'DATA_DIR', 'KAFKA_FEED_TOPIC', 'NODE_OPTIONS', 'TS_NODE_PROJECT'],
      ),
    },
  );
  if (typeof out === 'number') closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${name}`);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const rss = new RssSampler(pid);
  const tail = () => {
    try {
      return readFileSync(logFile, 'utf8').slice(-8000);
    } catch {
      return '(no log)';
    }
  };
  const stop = async () => {
    rss.stop();
    await stopGroup(child, pid, exited);
    rmSync(logDir, { recursive: true, force: true });
    await dropStore(schema, topic);
  };
  try {
    await waitReady(child, baseUrl, tail);
    if (processName(pid) !== 'node') throw new Error(`pid ${pid} is not the node process`);
  } catch (error) {
    await stop();
    throw error;
  }
  rss.start();
  return { baseUrl, schema, topic, pid, rss, stop };
}

/** SIGTERM to the child's process group, SIGKILL after 30 s; resolves once it exited. */
async function stopGroup(child: ChildProcess, pid: number, exited: Promise<void>): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // ESRCH: gone already.
    }
  };
  if (child.exitCode === null && child.signalCode === null) {
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}

async function waitReady(child: ChildProcess, baseUrl: string, tail: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the app exited before it was ready:\n${tail()}`);
    try {
      if ((await fetch(`${baseUrl}/health/ready`)).status === 200) return;
    } catch {
      // Not listening yet (it may still be building).
    }
    if (Date.now() > deadline)
      throw new Error(`the app was not ready within ${READY_TIMEOUT_MS} ms:\n${tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function dropStore(schema: string, topic: string): Promise<void> {
  await dropSchema(schema);
  const admin = testKafka('bench-app-process').admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const topics = [topic, `${topic}.timeline`].filter((t) => existing.has(t));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}
