/**
 * `npm start` to readiness (DESIGN.md §6, issue 9: ready in ≤ 3 s on a built checkout), in the embedded mode it
 * runs by default: a cold start (a fresh data directory, so migrations and the seed) and warm starts (the same
 * directory again, nothing to build). The baseline in the same run: `node -e ''` through the same `npm`, the
 * floor of any start.
 *
 *   npm run bench:start            BENCH_STARTS (5)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const STARTS = Number(process.env.BENCH_STARTS ?? 5);
const TARGET_READY_SECONDS = 3;
const PORT = 3917;

function log(line: string): void {
  console.log(`[bench:start] ${line}`);
}

async function ready(): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${PORT}/health/ready`)).status === 200;
  } catch {
    return false;
  }
}

/** Seconds from spawning `npm <args>` until the check holds; the process is stopped afterwards. */
async function timeToReady(
  args: string[],
  env: NodeJS.ProcessEnv,
  check: () => Promise<boolean>,
): Promise<number> {
  const started = performance.now();
  const child = spawn('npm', args, { env, stdio: 'ignore', detached: true });
  try {
    for (;;) {
      if (await check()) return (performance.now() - started) / 1000;
      if (child.exitCode !== null) throw new Error(`npm ${args.join(' ')} exited with ${child.exitCode}`);
      if (performance.now() - started > 120_000) throw new Error('not ready within 120 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    while (await ready()) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Seconds `npm <args>` takes to run and exit: what npm and node cost before any of the product runs. */
async function timeToExit(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  const child = spawn('npm', args, { env, stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return (performance.now() - started) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  process.chdir(join(__dirname, '..'));
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-start-'));
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(PORT), DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  delete env.KAFKA_BROKERS;
  try {
    const floor = await timeToExit(['exec', '--', 'node', '-e', ''], env);
    const cold = await timeToReady(['start'], env, ready);
    const warm: number[] = [];
    for (let i = 0; i < STARTS; i++) warm.push(await timeToReady(['start'], env, ready));
    const results = {
      measuredAt: new Date().toISOString(),
      floorSeconds: Number(floor.toFixed(2)),
      coldSeconds: Number(cold.toFixed(2)),
      warmSeconds: warm.map((s) => Number(s.toFixed(2))),
      warmMedianSeconds: Number(median(warm).toFixed(2)),
      targetSeconds: TARGET_READY_SECONDS,
    };
    console.log(
      [
        '| figure | measured | target | baseline (same run) |',
        '|---|---|---|---|',
        `| warm \`npm start\` to ready, median of ${STARTS} | ${results.warmMedianSeconds} s | ≤ ${TARGET_READY_SECONDS} s | \`npm exec node\`: ${results.floorSeconds} s |`,
        `| cold \`npm start\` (fresh data dir: migrations, seed) | ${results.coldSeconds} s | | |`,
      ].join('\n'),
    );
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/start.json', `${JSON.stringify(results, null, 2)}\n`);
    log('wrote bench/results/start.json');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
