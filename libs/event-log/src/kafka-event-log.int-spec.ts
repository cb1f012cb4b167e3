import { Partitioners, type Admin, type Kafka } from 'kafkajs';
import { kafkaBrokers, testKafka, uniqueName } from '../../../test/support/services';
import { describeEventLogContract, envelopeFor, MemoryLogConsumer } from './event-log.contract';
import { LogUnavailableError } from './event-log.port';
import type { EventLogLogger } from './event-log-logger.port';
import { KafkaEventLog } from './kafka-event-log.adapter';
import { MAX_RECORD_BYTES } from './topics';

/** Keeps the adapter's log lines; prints them only with EVENT_LOG_TEST_VERBOSE=1 (induced failures log errors). */
const logLines: string[] = [];
const testLogger: EventLogLogger = (level, message, context) => {
  const line = `${level}: ${message}${context ? ` ${JSON.stringify(context)}` : ''}`;
  logLines.push(line);
  if (process.env.EVENT_LOG_TEST_VERBOSE) console.error(line);
};

interface KafkaFixture {
  readonly topic: string;
  readonly log: KafkaEventLog;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly groups: string[];
  cleanup(): Promise<void>;
}

async function kafkaFixture(partitions = 3): Promise<KafkaFixture> {
  const topic = uniqueName('event-log');
  const groups: string[] = [];
  const log = new KafkaEventLog({
    brokers: kafkaBrokers(),
    topic,
    partitions,
    clientId: topic,
    logger: testLogger,
  });
  const kafka = testKafka(`${topic}.test`);
  const admin = kafka.admin();
  await admin.connect();
  await log.prepare();
  return {
    topic,
    log,
    kafka,
    admin,
    groups,
    async cleanup() {
      try {
        await log.close();
        if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
        await deleteTopic(admin, topic);
      } finally {
        await admin.disconnect();
      }
    },
  };
}

describeEventLogContract('KafkaEventLog', async () => {
  const fixture = await kafkaFixture();
  const raw = fixture.kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await raw.connect();
  return {
    log: fixture.log,
    async appendRaw(standoffId, payload) {
      await raw.send({ topic: fixture.topic, acks: -1, messages: [{ key: standoffId, value: payload }] });
    },
    newGroupId() {
      const groupId = uniqueName('event-log-group');
      fixture.groups.push(groupId);
      return groupId;
    },
    async cleanup() {
      await raw.disconnect();
      await fixture.cleanup();
    },
  };
});

describe('KafkaEventLog on a real broker', () => {
  let fixture: KafkaFixture;

  beforeEach(async () => {
    fixture = await kafkaFixture();
  }, 60_000);

  afterEach(async () => {
    await fixture?.cleanup();
  }, 60_000);

  it('creates the topic with LogAppendTime, infinite retention and room for 4 MiB records, once', async () => {
    await fixture.log.prepare();
    const metadata = await fixture.admin.fetchTopicMetadata({ topics: [fixture.topic] });
    expect(metadata.topics[0].partitions).toHaveLength(3);
    const described = await fixture.admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2 /* TOPIC */, name: fixture.topic }],
    });
    const config = new Map(
      described.resources[0].configEntries.map((entry) => [entry.configName, entry.configValue]),
    );
    expect(config.get('message.timestamp.type')).toBe('LogAppendTime');
    expect(config.get('retention.ms')).toBe('-1');
    expect(config.get('max.message.bytes')).toBe(String(MAX_RECORD_BYTES));
  }, 60_000);

  it('refuses a topic made elsewhere that could lose the log of record or take producer timestamps', async () => {
    const topic = uniqueName('event-log-foreign');
    await fixture.admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '604800000' }] }],
    });
    const foreign = new KafkaEventLog({
      brokers: kafkaBrokers(),
      topic,
      partitions: 3,
      clientId: topic,
      logger: testLogger,
    });
    try {
      await expect(foreign.prepare()).rejects.toThrow(
        /retention\.ms=604800000 \(needs -1\).*message\.timestamp\.type/,
      );
    } finally {
      await foreign.close();
      await deleteTopic(fixture.admin, topic);
    }
  }, 60_000);

  it("stamps records with the broker's append time, not the producer's", async () => {
    const producer = fixture.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      await producer.send({
        topic: fixture.topic,
        messages: [{ key: 'cuba-1962', value: Buffer.from('{}'), timestamp: String(Date.UTC(2001, 0, 1)) }],
      });
    } finally {
      await producer.disconnect();
    }
    const consumer = new MemoryLogConsumer();
    const groupId = uniqueName('event-log-group');
    fixture.groups.push(groupId);
    const subscription = await fixture.log.subscribe(consumer, { groupId });
    try {
      await waitUntil(() => consumer.applied.length >= 1);
      expect(Math.abs(consumer.applied[0].recordedAt - Date.now())).toBeLessThan(30_000);
    } finally {
      await subscription.stop();
    }
  }, 60_000);

  it('commits the applied offsets to Kafka as well, for lag monitoring', async () => {
    const consumer = new MemoryLogConsumer();
    const groupId = uniqueName('event-log-group');
    fixture.groups.push(groupId);
    const subscription = await fixture.log.subscribe(consumer, { groupId });
    try {
      for (let n = 0; n < 12; n += 1) await fixture.log.append(envelopeFor(`standoff-${n % 5}`, n));
      await waitUntil(() => consumer.applied.length >= 12);
      await waitUntil(async () => {
        const [committed] = await fixture.admin.fetchOffsets({ groupId, topics: [fixture.topic] });
        return committed.partitions.every(
          ({ partition, offset }) => offset === String(consumer.offsets.get(partition) ?? -1n),
        );
      });
    } finally {
      await subscription.stop();
    }
  }, 60_000);

  it('resumes from the stored offsets even when reading them at assignment fails or is stale', async () => {
    const groupId = uniqueName('event-log-group');
    fixture.groups.push(groupId);
    const first = new MemoryLogConsumer();
    const firstSubscription = await fixture.log.subscribe(first, { groupId });
    for (let n = 0; n < 12; n += 1) await fixture.log.append(envelopeFor(`standoff-${n % 5}`, n));
    await waitUntil(() => first.applied.length >= 12);
    await firstSubscription.stop();

    // Kafka's committed offsets are now at the end; this consumer's store is 1 behind on each partition. Its first
    // read (on assignment) fails, the retry answers stale zeros: the check of each first batch must drop the rest.
    const behind = new Map(
      [...first.offsets].map(([partition, next]) => [partition, next > 0n ? next - 1n : 0n]),
    );
    const restored = new FlakyResumeConsumer(behind);
    const expected = first.applied.filter(
      (record) => BigInt(record.offset) >= (behind.get(record.partition) ?? 0n),
    );
    const subscription = await fixture.log.subscribe(restored, { groupId });
    try {
      await waitUntil(() => restored.applied.length >= expected.length);
      // Past the log's end on every partition: a redelivery would have shown as a violation by now.
      await waitUntil(() => caughtUp(fixture.log, restored));
      expect(restored.reads).toBeGreaterThanOrEqual(3);
      expect(restored.violations).toEqual([]);
      expect(restored.applied.map((r) => `${r.partition}:${r.offset}`).sort()).toEqual(
        expected.map((r) => `${r.partition}:${r.offset}`).sort(),
      );
    } finally {
      await subscription.stop();
    }
  }, 60_000);

  it('keeps applying a failing batch through the consumer restart that follows exhausted retries', async () => {
    const consumer = new MemoryLogConsumer();
    consumer.failuresToInduce = 20;
    const groupId = uniqueName('event-log-group');
    fixture.groups.push(groupId);
    const subscription = await fixture.log.subscribe(consumer, { groupId });
    try {
      for (let n = 0; n < 6; n += 1) await fixture.log.append(envelopeFor(`standoff-${n % 3}`, n));
      await waitUntil(() => consumer.applied.length >= 6, 45_000);
      await waitUntil(() => caughtUp(fixture.log, consumer));
      expect(consumer.failedAttempts).toBe(20);
      expect(consumer.violations).toEqual([]);
      expect(consumer.applied).toHaveLength(6);
    } finally {
      await subscription.stop();
    }
  }, 60_000);

  it('rejects appends with LogUnavailableError when no broker answers', async () => {
    const unreachable = new KafkaEventLog({
      brokers: ['127.0.0.1:1'],
      topic: fixture.topic,
      clientId: 'unreachable',
      appendTimeoutMs: 3000,
      connectionTimeout: 200,
      logger: testLogger,
    });
    try {
      await expect(unreachable.append(envelopeFor('cuba-1962', 0))).rejects.toBeInstanceOf(
        LogUnavailableError,
      );
    } finally {
      await unreachable.close();
    }
  }, 60_000);
});

/** Fails its first read of the offsets and answers the second with zeros, as a store that lagged would. */
class FlakyResumeConsumer extends MemoryLogConsumer {
  reads = 0;

  override async resumeOffsets(partitions: readonly number[]): Promise<ReadonlyMap<number, string>> {
    this.reads += 1;
    if (this.reads === 1) throw new Error('induced failure reading offsets');
    if (this.reads === 2) return new Map(partitions.map((partition) => [partition, '0']));
    return super.resumeOffsets(partitions);
  }
}

/** Deletion can be slow while the broker is busy (other suites share it): a longer timeout, and a retry. */
async function deleteTopic(admin: Admin, topic: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await admin.deleteTopics({ topics: [topic], timeout: 30_000 });
      return;
    } catch (error) {
      if ((error as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') return;
      if (attempt >= 3) throw error;
    }
  }
}

/**
 * The consumer has applied every partition up to the log's end: a duplicate delivery would have come before
 * this (and shown as a violation), so checking for duplicates needs no fixed pause.
 */
async function caughtUp(log: KafkaEventLog, consumer: MemoryLogConsumer): Promise<boolean> {
  const ends = await log.endOffsets();
  return [...ends].every(([partition, end]) => (consumer.offsets.get(partition) ?? 0n) >= BigInt(end));
}

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
