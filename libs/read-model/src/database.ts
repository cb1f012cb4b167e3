import { DataSource } from 'typeorm';
import { InitialSchema1764230400000 } from '../../../migrations/1764230400000-InitialSchema';
import { StateSnapshots1764234000000 } from '../../../migrations/1764234000000-StateSnapshots';
import { ReadPathIndexes1764237600000 } from '../../../migrations/1764237600000-ReadPathIndexes';
import { PoisonAndLogIdentity1764900000000 } from '../../../migrations/1764900000000-PoisonAndLogIdentity';
import { RefoldSnapshots1764950000000 } from '../../../migrations/1764950000000-RefoldSnapshots';
import { ProjectionProgress1765000000000 } from '../../../migrations/1765000000000-ProjectionProgress';
import { Feeds1765100000000 } from '../../../migrations/1765100000000-Feeds';
import { DashboardViews1765100000001 } from '../../../migrations/1765100000001-DashboardViews';
import { EventsByReport1765200000000 } from '../../../migrations/1765200000000-EventsByReport';
import { RefoldSnapshotsWithProvenance1765250000000 } from '../../../migrations/1765250000000-RefoldSnapshotsWithProvenance';
import { DecidedEventsWithoutDocuments1765300000000 } from '../../../migrations/1765300000000-DecidedEventsWithoutDocuments';
import { FeedWithoutDocuments1765400000000 } from '../../../migrations/1765400000000-FeedWithoutDocuments';
import { AcceptedMembersInEvents1765400000001 } from '../../../migrations/1765400000001-AcceptedMembersInEvents';

export const MIGRATIONS = [
  InitialSchema1764230400000,
  StateSnapshots1764234000000,
  ReadPathIndexes1764237600000,
  PoisonAndLogIdentity1764900000000,
  RefoldSnapshots1764950000000,
  ProjectionProgress1765000000000,
  Feeds1765100000000,
  DashboardViews1765100000001,
  EventsByReport1765200000000,
  RefoldSnapshotsWithProvenance1765250000000,
  DecidedEventsWithoutDocuments1765300000000,
  FeedWithoutDocuments1765400000000,
  AcceptedMembersInEvents1765400000001,
];

export interface DatabaseOptions {
  readonly url: string;
  /** A schema of its own (tests); created when missing. Default: the server's search_path. */
  readonly schema?: string;
  /** The embedded PGlite serves one session at a time: one connection. */
  readonly poolSize?: number;
}

export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    // Failures reach the caller, which logs them once, in context (a failed query's parameters may be megabytes).
    logging: false,
    poolSize: options.poolSize ?? 10,
    // Short queries only: JIT compilation would cost more than it saves.
    extra: { options: `-c jit=off${options.schema ? ` -c search_path=${options.schema}` : ''}` },
  });
}

/**
 * Runs the pending migrations once, even when several processes start together: they queue on an advisory
 * lock held by a connection of its own. PGlite serves one session, so it runs them without the lock (and a
 * second connection would wait for ever on its pool of one).
 */
export async function migrate(dataSource: DataSource, options: { schema?: string } = {}): Promise<void> {
  const createSchema = async () => {
    if (options.schema) await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
  };
  if (singleSession(dataSource)) {
    await createSchema();
    await dataSource.runMigrations({ transaction: 'all' });
    return;
  }
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      // Even IF NOT EXISTS races: two processes creating the schema together collide in the catalogue.
      await createSchema();
      await dataSource.runMigrations({ transaction: 'all' });
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await lock.release();
  }
}

function singleSession(dataSource: DataSource): boolean {
  return (dataSource.options as { poolSize?: number }).poolSize === 1;
}

const MIGRATION_LOCK = 7_306_125_001;
