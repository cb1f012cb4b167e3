import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { databaseUrl, kafkaBrokers } from './services';

/**
 * Child processes for the end-to-end tests that need a real process boundary (a projector to SIGKILL, `npm start`
 * as a user runs it). Each child leads a process group of its own, so that it and whatever it spawned
 * (npm → sh → node) can be ended together; {@link killStartedProcesses} ends every group this module started,
 * by its id, for an `afterAll` that must leave nothing running.
 */

export const REPO_ROOT = join(__dirname, '..', '..');

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ChildHandle {
  readonly name: string;
  readonly pid: number;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<Exit>;
  hasExited(): boolean;
  /** The last part of what it printed on stdout and stderr, interleaved. */
  output(): string;
  /** Sends a signal to the process itself (as `kill <pid>` would). */
  signal(signal: NodeJS.Signals): void;
  /** Sends a signal to its whole process group. */
  signalGroup(signal: NodeJS.Signals): void;
  /** Waits until its output matches; fails early, with the output, if it exits first. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** SIGTERM to the group, then SIGKILL after `graceMs`; resolves with the exit. */
  stop(graceMs?: number): Promise<Exit>;
}

export interface SpawnOptions {
  /** The child's whole environment (not merged with this process's). */
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Echo the child's output on this process's stderr as it comes (for debugging). */
  readonly echo?: boolean;
}

const MAX_OUTPUT_CHARS = 256 * 1024;
const started = new Set<ChildHandle>();

export function spawnProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): ChildHandle {
  const child: ChildProcess = spawn(command, [...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${name}: ${command} ${args.join(' ')}`);
  const pid = child.pid;
  let output = '';
  let exit: Exit | undefined;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) listener();
  };
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    if (options.echo) process.stderr.write(`[${name}] ${text}`);
    output = (output + text).slice(-MAX_OUTPUT_CHARS);
    notify();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      notify();
      resolve(exit);
    });
    child.once('error', (error) => {
      output += `\n[spawn error] ${error.message}\n`;
      exit = { code: null, signal: null };
      notify();
      resolve(exit);
    });
  });

  const send = (target: number, signal: NodeJS.Signals) => {
    try {
      process.kill(target, signal);
    } catch (error) {
      // ESRCH: it has gone already.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  };

  const handle: ChildHandle = {
    name,
    pid,
    exited,
    hasExited: () => exit !== undefined,
    output: () => output,
    signal: (signal) => send(pid, signal),
    signalGroup: (signal) => send(-pid, signal),
    waitForOutput(pattern, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) {
            done();
            resolve();
          } else if (exit !== undefined) {
            done();
            reject(
              new Error(
                `${name} exited (${JSON.stringify(exit)}) before printing ${pattern}; it printed:\n${output}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(`${name} did not print ${pattern} within ${timeoutMs} ms; it printed:\n${output}`),
          );
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async stop(graceMs = 10_000) {
      if (exit === undefined) {
        send(-pid, 'SIGTERM');
        const timer = setTimeout(() => send(-pid, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // Whatever it spawned and left behind in its group.
      send(-pid, 'SIGKILL');
      started.delete(handle);
      return exited;
    },
  };
  started.add(handle);
  return handle;
}

/** SIGKILLs every process group started here and not stopped yet, and waits for the leaders to exit. */
export async function killStartedProcesses(): Promise<void> {
  const handles = [...started];
  started.clear();
  for (const handle of handles) handle.signalGroup('SIGKILL');
  await Promise.all(handles.map((handle) => handle.exited));
}

/**
 * The environment for a TypeScript entry point run without a build: ts-node (transpile only) and the @app/*
 * aliases. `TS_NODE_PREFER_TS_EXTS` makes `./x` mean `x.ts` even beside an `x.json`, which Node's own order
 * (.js, .json, then .ts) would pick first.
 */
export function tsNodeEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...env,
    TS_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.json'),
    TS_NODE_TRANSPILE_ONLY: 'true',
    TS_NODE_PREFER_TS_EXTS: 'true',
  };
}

/** Runs `apps/…/main.ts` with node, ts-node and tsconfig-paths. */
export function spawnTsEntry(
  name: string,
  entry: string,
  args: readonly string[],
  options: SpawnOptions,
): ChildHandle {
  return spawnProcess(
    name,
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', entry, ...args],
    { ...options, env: tsNodeEnv(options.env) },
  );
}

/** This process's environment without the named variables, plus the given ones. */
export function childEnv(
  set: Readonly<Record<string, string>>,
  unset: readonly string[] = [],
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of unset) delete env[name];
  return { ...env, ...set };
}

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The environment of a child process that joins a test app's store (its schema) and log (its topic on the
 * test Kafka): the projector or the feed publisher run alone. The app's own settings that a child must not
 * inherit (keys, port, data dir, seed, feed topic) are unset.
 */
export function storeProcessEnv(
  store: { readonly schema: string; readonly topic: string; readonly partitions?: number },
  set: Readonly<Record<string, string>> = {},
): NodeJS.ProcessEnv {
  return childEnv(
    {
      DATABASE_URL: databaseUrl(),
      DATABASE_SCHEMA: store.schema,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      KAFKA_TOPIC: store.topic,
      KAFKA_PARTITIONS: String(store.partitions ?? 3),
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      ...set,
    },
    ['API_KEYS', 'PORT', 'DATA_DIR', 'SEED', 'KAFKA_FEED_TOPIC'],
  );
}
