import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource, migrate } from '@app/read-model/database';
import { uniqueSchemaName } from '../../../test/support/services';
import { EmbeddedEventLog } from './embedded-event-log.adapter';
import { describeEventLogContract, type EventLogUnderTest } from './event-log.contract';
import type { EventLogLogger } from './event-log-logger.port';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const testLogger: EventLogLogger = (level, message, context) => {
  if (process.env.EVENT_LOG_TEST_VERBOSE)
    console.error(`${level}: ${message} ${JSON.stringify(context ?? {})}`);
};

/**
 * A log in a schema of its own; the schema is dropped afterwards. pglite-socket ignores the search_path startup
 * option, so there the tables land in public, shared by the tests: `emptyAfterwards` empties the log instead.
 */
async function embeddedLog(
  url: string,
  poolSize: number,
  emptyAfterwards = false,
): Promise<EventLogUnderTest> {
  const schema = uniqueSchemaName('event_log');
  const dataSource = createDataSource({ url, schema, poolSize });
  await dataSource.initialize();
  await migrate(dataSource, { schema });
  const log = new EmbeddedEventLog(dataSource, { pollIntervalMs: 50, retryDelayMs: 50, logger: testLogger });
  return {
    log,
    appendRaw: (standoffId, payload) => insertRaw(dataSource, standoffId, payload),
    newGroupId: () => 'embedded',
    async cleanup() {
      try {
        await log.close();
        if (emptyAfterwards) await dataSource.query('TRUNCATE log_records');
        await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
        await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}_dashboard" CASCADE`);
      } finally {
        await dataSource.destroy();
      }
    },
  };
}

/** A row the codec never wrote, appended the way the adapter appends. */
async function insertRaw(dataSource: DataSource, standoffId: string, payload: Buffer): Promise<void> {
  await dataSource.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(7306125002)');
    await tx.query(
      `INSERT INTO log_records (log_offset, standoff_id, payload, recorded_at)
       SELECT coalesce(max(log_offset), -1) + 1, $1, $2, date_trunc('milliseconds', clock_timestamp())
         FROM log_records`,
      [standoffId, payload],
    );
  });
}

describeEventLogContract('EmbeddedEventLog on PostgreSQL', () => embeddedLog(DATABASE_URL, 10));

/**
 * PGlite, in memory, served over the wire protocol as the product serves it, from a child process: PGlite loads
 * its WebAssembly with a dynamic import, which jest's VM refuses without --experimental-vm-modules.
 */
const PGLITE_SERVER = `
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  process.stdout.write(server.getServerConn() + '\\n');
  process.on('SIGTERM', async () => { await server.stop(); await db.close(); process.exit(0); });
`;

async function startPglite(): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', PGLITE_SERVER], {
    cwd: join(__dirname, '..', '..', '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const address = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('\n')) resolve(output.trim());
    });
    child.once('exit', (code) => reject(new Error(`the PGlite server exited with ${code}`)));
  });
  return { url: `postgres://postgres@${address}/postgres`, process: child };
}

async function stopPglite(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

describe('on PGlite', () => {
  let pglite: { url: string; process: ChildProcess } | undefined;

  afterAll(async () => {
    if (pglite) await stopPglite(pglite.process);
  }, 30_000);

  describeEventLogContract('EmbeddedEventLog on PGlite', async () => {
    pglite ??= await startPglite();
    return embeddedLog(pglite.url, 1, true);
  });
});
