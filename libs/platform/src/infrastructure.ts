import type { DataSource } from 'typeorm';
import type { EventLog } from '@app/event-log/event-log.port';
import { EmbeddedEventLog } from '@app/event-log/embedded-event-log.adapter';
import { KafkaEventLog } from '@app/event-log/kafka-event-log.adapter';
import type { FeedTopic } from '@app/event-log/feed-topic.port';
import { KafkaFeedTopic } from '@app/event-log/kafka-feed-topic.adapter';
import { CLIENT_ID, EVENTS_TOPIC, FEED_TOPIC } from '@app/event-log/topics';
import type { AppConfig } from './config';
import { createDataSource, migrate } from '@app/read-model/database';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { eventLogLoggerFor } from './logging/event-log-logger';

export interface InfrastructureOptions {
  /** Unset: an embedded PGlite under `dataDir`. */
  readonly databaseUrl?: string;
  readonly schema?: string;
  /** Unset: the embedded log, a table in the read-model database. */
  readonly kafkaBrokers?: readonly string[];
  readonly kafkaPartitions: number;
  readonly topic?: string;
  /** The downstream topic of accepted events (Kafka only); default: FEED_TOPIC, or `<topic>.timeline`. */
  readonly feedTopic?: string;
  readonly dataDir: string;
  readonly clientId: string;
}

export interface Infrastructure {
  readonly dataSource: DataSource;
  readonly eventLog: EventLog;
  readonly logName: string;
  /** The downstream topic the projector's process publishes the feed to; unset with the embedded log. */
  readonly feedTopic?: FeedTopic;
  /** Whether LISTEN/NOTIFY reaches other connections (not on PGlite). */
  readonly notifications: boolean;
  readonly databaseUrl: string;
  readonly mode: { readonly database: 'postgres' | 'embedded'; readonly log: 'kafka' | 'embedded' };
  close(): Promise<void>;
}

/** The infrastructure the configuration names (`overrides` give tests a schema and topic of their own). */
export function openInfrastructureFor(
  config: AppConfig,
  overrides: { schema?: string; topic?: string; feedTopic?: string } = {},
): Promise<Infrastructure> {
  return openInfrastructure({
    feedTopic: config.kafkaFeedTopic ?? undefined,
    databaseUrl: config.databaseUrl ?? undefined,
    kafkaBrokers: config.kafkaBrokers ?? undefined,
    kafkaPartitions: config.kafkaPartitions,
    dataDir: config.dataDir,
    schema: config.databaseSchema ?? undefined,
    topic: config.kafkaTopic,
    clientId: CLIENT_ID,
    ...overrides,
  });
}

/**
 * The explicit start-up step shared by every process: connect (or start the embedded Postgres), migrate, and
 * make sure the log exists.
 */
export async function openInfrastructure(options: InfrastructureOptions): Promise<Infrastructure> {
  let embedded: EmbeddedPostgres | undefined;
  const databaseUrl = options.databaseUrl ?? (embedded = await startEmbeddedPostgres(options.dataDir)).url;
  const dataSource = createDataSource({
    url: databaseUrl,
    schema: options.schema,
    poolSize: embedded ? 1 : 10,
  });
  await dataSource.initialize();
  await migrate(dataSource, { schema: options.schema });
  const topic = options.topic ?? EVENTS_TOPIC;
  const eventLog: EventLog = options.kafkaBrokers?.length
    ? new KafkaEventLog({
        brokers: [...options.kafkaBrokers],
        topic,
        partitions: options.kafkaPartitions,
        clientId: options.clientId,
        logger: eventLogLoggerFor('KafkaEventLog'),
      })
    : new EmbeddedEventLog(dataSource, { logger: eventLogLoggerFor('EmbeddedEventLog') });
  await eventLog.prepare();
  const feedTopic = options.kafkaBrokers?.length
    ? new KafkaFeedTopic({
        brokers: [...options.kafkaBrokers],
        topic: options.feedTopic ?? (topic === EVENTS_TOPIC ? FEED_TOPIC : `${topic}.timeline`),
        partitions: options.kafkaPartitions,
        clientId: options.clientId,
        logger: eventLogLoggerFor('KafkaFeedTopic'),
      })
    : undefined;
  return {
    feedTopic,
    dataSource,
    eventLog,
    logName: options.kafkaBrokers?.length ? topic : 'embedded',
    notifications: !embedded,
    databaseUrl,
    mode: {
      database: embedded ? 'embedded' : 'postgres',
      log: options.kafkaBrokers?.length ? 'kafka' : 'embedded',
    },
    async close() {
      await eventLog.close();
      await dataSource.destroy();
      await embedded?.stop();
    },
  };
}
