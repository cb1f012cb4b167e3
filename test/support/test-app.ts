import type { Server } from 'node:http';
import { DataSource } from 'typeorm';
import { openInfrastructureFor } from '@app/platform/infrastructure';
import { createApp, type RunningApp } from '../../apps/api/src/bootstrap';
import { loadConfig, type AppConfig } from '@app/platform/config';
import type { ProjectionRunner } from '@app/projection/projection-runner';
import { PROJECTION_RUNNER } from '@app/projection/projector.module';
import { databaseUrl, kafkaBrokers, uniqueName, uniqueSchemaName, waitFor } from './services';

export interface TestApp {
  readonly running: RunningApp;
  readonly server: Server;
  readonly config: AppConfig;
  readonly schema: string;
  readonly topic: string | undefined;
  /** Resolves once the app's snapshot builder has built every snapshot due (it runs after the projector commits). */
  snapshotsBuilt(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** The real Kafka log (default) or the embedded log, a table in Postgres. */
  readonly log?: 'kafka' | 'embedded';
  readonly withProjector?: boolean;
  readonly env?: Record<string, string>;
  /** Reuse a schema and topic, e.g. to start a second process on the same store. */
  readonly schema?: string;
  readonly topic?: string;
  /**
   * Resolve only once the projector of the app holds its partitions (default true): the port opens before the
   * consumer group lets it in, and a test that posts at once would otherwise wait for the join.
   */
  readonly awaitProjector?: boolean;
}

/** The real app on the real Postgres (a schema of its own) and Kafka (a topic of its own), listening on a free port. */
export async function startTestApp(name: string, options: TestAppOptions = {}): Promise<TestApp> {
  const log = options.log ?? 'kafka';
  const config = loadConfig({
    DATABASE_URL: databaseUrl(),
    ...(log === 'kafka' ? { KAFKA_BROKERS: kafkaBrokers().join(','), KAFKA_PARTITIONS: '3' } : {}),
    PORT: '0',
    // Tests post as fast as they can from one address; the limit itself is tested at the edge.
    RATE_LIMIT: '0',
    ...options.env,
  });
  const schema = options.schema ?? uniqueSchemaName(name);
  const topic = log === 'kafka' ? (options.topic ?? uniqueName(name)) : undefined;
  const infrastructure = await openInfrastructureFor(config, { schema, topic });
  const running = await createApp(config, infrastructure, options.withProjector ?? true, ['warn', 'error']);
  await running.app.listen(0, '127.0.0.1');
  const server = running.app.getHttpServer() as Server;
  if ((options.withProjector ?? true) && (options.awaitProjector ?? true)) {
    const runner = running.app.get<ProjectionRunner>(PROJECTION_RUNNER, { strict: false });
    await waitFor(
      `the projector of ${name} to hold its partitions`,
      () => runner.status().state !== 'joining',
      60_000,
      20,
    );
  }
  return {
    running,
    server,
    config,
    schema,
    topic,
    snapshotsBuilt: (timeoutMs = 60_000) => {
      const runner = running.app.get<ProjectionRunner>(PROJECTION_RUNNER, { strict: false });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the snapshot builder of ${name} was not done after ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      return Promise.race([runner.snapshots.quiet(), timeout]).finally(() => clearTimeout(timer));
    },
    close: () => running.close(),
  };
}

/** Drops a test schema; call after the apps using it are closed. */
export async function dropSchema(schema: string): Promise<void> {
  const db = new DataSource({ type: 'postgres', url: databaseUrl() });
  await db.initialize();
  try {
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    // The dashboard views beside it (libs/read-model/src/dashboard-views.ts).
    await db.query(`DROP SCHEMA IF EXISTS "${schema}_dashboard" CASCADE`);
  } finally {
    await db.destroy();
  }
}
