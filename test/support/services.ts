import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';

/**
 * Helpers for tests that talk to the real services started by test/support/global-setup.ts
 * (scripts/services-up.sh): where they are, and names no other test run uses.
 */

function required(name: 'KAFKA_BROKERS' | 'DATABASE_URL'): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run the tests through jest (its global setup runs scripts/services-up.sh) ` +
        `or export it yourself (npm run services:up prints it)`,
    );
  }
  return value;
}

/** Broker addresses from KAFKA_BROKERS ("host:port,host:port"). */
export function kafkaBrokers(): string[] {
  return required('KAFKA_BROKERS')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
}

export function databaseUrl(): string {
  return required('DATABASE_URL');
}

/** A short random suffix: time-ordered, then random, lower case letters and digits only. */
function suffix(): string {
  return `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

/** A topic, group or transactional id that no other test or run uses, e.g. `test.kafka-broker.lx3k2a9f1b2c3d4`. */
export function uniqueName(prefix: string): string {
  return `test.${prefix}.${suffix()}`;
}

/**
 * A Postgres schema name that no other test or run uses: a lower-case identifier of at most 53 bytes, so that
 * `<schema>_dashboard` beside it fits Postgres's 63.
 */
export function uniqueSchemaName(prefix: string): string {
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 20);
  return `test_${clean}_${suffix()}`.slice(0, 53);
}

/** A kafkajs client for the test broker; quiet unless KAFKAJS_LOG_LEVEL (e.g. "info") says otherwise. */
export function testKafka(clientId: string, overrides: Partial<KafkaConfig> = {}): Kafka {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  const levels: Record<string, logLevel> = {
    nothing: logLevel.NOTHING,
    error: logLevel.ERROR,
    warn: logLevel.WARN,
    info: logLevel.INFO,
    debug: logLevel.DEBUG,
  };
  return new Kafka({
    clientId,
    brokers: kafkaBrokers(),
    logLevel: levels[(process.env.KAFKAJS_LOG_LEVEL ?? 'nothing').toLowerCase()] ?? logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { initialRetryTime: 100, retries: 8 },
    ...overrides,
  });
}

/** Polls `condition` every `intervalMs` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20000,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
