import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './processes';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of the test's own (initdb + pg_ctl in a temp directory, on a free port), for tests that
 * stop the database under the product. Never the machine's shared cluster: other tests and people use it.
 * Tests run as root, and PostgreSQL refuses to, so the cluster runs as the `postgres` OS user.
 */
export interface PrivatePostgres {
  readonly url: string;
  readonly port: number;
  /** `pg_ctl stop -m immediate`: the server dies as in a crash, connections drop. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data; resolves when it accepts connections. */
  start(): Promise<void>;
  /** Stops it and deletes its files. */
  destroy(): Promise<void>;
}

const OS_USER = 'postgres';

/** The newest installed server's bin directory, e.g. /usr/lib/postgresql/17/bin. */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL server binaries under ${root}/*/bin`);
  return join(root, versions[0], 'bin');
}

/** Runs a PostgreSQL tool as the postgres OS user (as-is when not root). */
async function asPostgres(tool: string, args: readonly string[]): Promise<string> {
  const command = join(binDir(), tool);
  const asRoot = process.getuid?.() === 0;
  const { stdout } = await run(
    asRoot ? 'runuser' : command,
    asRoot ? ['-u', OS_USER, '--', command, ...args] : [...args],
    { timeout: 60_000 },
  );
  return stdout;
}

function postgresIds(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${OS_USER}:`));
  if (!line) throw new Error(`there is no ${OS_USER} OS user to run PostgreSQL as`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const root = mkdtempSync(join(tmpdir(), 'standoff-pg-'));
  if (process.getuid?.() === 0) {
    const { uid, gid } = postgresIds();
    chownSync(root, uid, gid);
  }
  const data = join(root, 'data');
  const port = await freePort();
  await asPostgres('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const start = async () => {
    await asPostgres('pg_ctl', [
      '-D',
      data,
      '-l',
      join(root, 'server.log'),
      '-w',
      '-t',
      '30',
      '-o',
      `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`,
      'start',
    ]);
  };
  const kill = async () => {
    await asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    kill,
    start,
    async destroy() {
      await kill().catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
