import { ConfigResourceTypes, type Admin, type Consumer, type Kafka, type Producer } from 'kafkajs';
import { testKafka, uniqueName, waitFor } from '../../../test/support/services';

/**
 * The spike that settles the riskiest assumption of the design: kafkajs 2.2.4 (unmaintained since 2023) against the
 * real Apache Kafka 4.x broker started by scripts/services-up.sh, for everything the event log relies on: explicit
 * topic creation with log-append time and infinite retention, the idempotent producer, large records, a consumer
 * group of two members, and transactions read with read_committed isolation.
 */

const TEST_TIMEOUT_MS = 60_000;
const FAST_FETCH = { maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 500 } as const;

interface Seen {
  member: string;
  partition: number;
  offset: string;
  key: string;
  value: string;
  timestamp: number;
}

describe('the Kafka broker, through kafkajs', () => {
  let kafka: Kafka;
  let admin: Admin;
  const clients: Array<Producer | Consumer> = [];
  const topics: string[] = [];

  const producer = async (config: Parameters<Kafka['producer']>[0] = {}): Promise<Producer> => {
    const created = kafka.producer({ allowAutoTopicCreation: false, ...config });
    clients.push(created);
    await created.connect();
    return created;
  };

  const idempotentProducer = (config: Parameters<Kafka['producer']>[0] = {}): Promise<Producer> =>
    producer({ idempotent: true, maxInFlightRequests: 1, ...config });

  /** Starts a consumer in its own or a shared group and records every message it is handed. */
  const consume = async (
    topic: string,
    seen: Seen[],
    options: {
      groupId?: string;
      member?: string;
      readUncommitted?: boolean;
      beforeRun?: (consumer: Consumer) => void;
    } = {},
  ): Promise<Consumer> => {
    const member = options.member ?? 'solo';
    const consumer = kafka.consumer({
      groupId: options.groupId ?? uniqueName('group'),
      allowAutoTopicCreation: false,
      readUncommitted: options.readUncommitted ?? false,
      ...FAST_FETCH,
    });
    clients.push(consumer);
    options.beforeRun?.(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push({
          member,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? '',
          value: message.value?.toString() ?? '',
          timestamp: Number(message.timestamp),
        });
      },
    });
    return consumer;
  };

  const createTopic = async (label: string, numPartitions = 3): Promise<string> => {
    const topic = uniqueName(label);
    const created = await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions,
          replicationFactor: 1,
          configEntries: [
            { name: 'message.timestamp.type', value: 'LogAppendTime' },
            { name: 'retention.ms', value: '-1' },
          ],
        },
      ],
    });
    expect(created).toBe(true);
    topics.push(topic);
    return topic;
  };

  beforeAll(async () => {
    kafka = testKafka('kafka-broker-int-spec');
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((client) => client.disconnect()));
    if (admin) {
      if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 }).catch(() => undefined);
      await admin.disconnect();
    }
  }, TEST_TIMEOUT_MS);

  it('answers cluster metadata: one broker that is also the controller', async () => {
    const cluster = await admin.describeCluster();

    expect(cluster.brokers).toHaveLength(1);
    expect(cluster.controller).toBe(cluster.brokers[0].nodeId);
    expect(cluster.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it(
    'creates a topic explicitly with three partitions, log-append time and infinite retention',
    async () => {
      const topic = await createTopic('created');

      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(metadata.topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: topic,
            configNames: ['message.timestamp.type', 'retention.ms'],
          },
        ],
      });
      const entries = Object.fromEntries(
        described.resources[0].configEntries.map((entry) => [entry.configName, entry.configValue]),
      );
      expect(entries).toEqual({ 'message.timestamp.type': 'LogAppendTime', 'retention.ms': '-1' });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses to create topics implicitly when producing to a missing one',
    async () => {
      const missing = uniqueName('missing');
      const sender = await producer({ retry: { retries: 1, initialRetryTime: 50 } });

      await expect(sender.send({ topic: missing, messages: [{ value: 'x' }] })).rejects.toThrow();
      const listed = await admin.listTopics();
      expect(listed).not.toContain(missing);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "stamps records with the broker's append time, whatever time the idempotent producer put on them",
    async () => {
      const topic = await createTopic('append-time');
      const sender = await idempotentProducer();
      const producerTime = '1000000000000'; // 2001-09-09: clearly not now
      const before = Date.now();

      const metadata = await sender.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 12 }, (_, i) => ({
          key: `standoff-${i}`,
          value: `event-${i}`,
          partition: i % 3,
          timestamp: producerTime,
        })),
      });
      const after = Date.now();

      expect(metadata.map((m) => m.partition).sort()).toEqual([0, 1, 2]);
      for (const written of metadata) {
        expect(written.errorCode).toBe(0);
        expect(Number(written.logAppendTime)).toBeGreaterThanOrEqual(before - 1000);
        expect(Number(written.logAppendTime)).toBeLessThanOrEqual(after + 1000);
      }

      const seen: Seen[] = [];
      await consume(topic, seen);
      await waitFor('the 12 records', () => seen.length >= 12);
      expect(seen.map((s) => s.value).sort()).toEqual(
        Array.from({ length: 12 }, (_, i) => `event-${i}`).sort(),
      );
      for (const record of seen) {
        expect(record.timestamp).not.toBe(Number(producerTime));
        expect(record.timestamp).toBeGreaterThanOrEqual(before - 1000);
        expect(record.timestamp).toBeLessThanOrEqual(after + 1000);
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'accepts and delivers a 4 MiB record',
    async () => {
      const topic = await createTopic('large', 1);
      const sender = await idempotentProducer();
      const value = Buffer.alloc(4 * 1024 * 1024, 'x');

      await sender.send({ topic, acks: -1, messages: [{ key: 'big', value }] });

      const seen: Seen[] = [];
      await consume(topic, seen);
      await waitFor('the large record', () => seen.length >= 1);
      expect(seen[0].value.length).toBe(value.length);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'shares the partitions between two members of a consumer group, each record delivered once',
    async () => {
      const topic = await createTopic('group');
      const groupId = uniqueName('group');
      const assignments = new Map<string, number[]>();
      const seen: Seen[] = [];

      for (const member of ['first', 'second']) {
        await consume(topic, seen, {
          groupId,
          member,
          beforeRun: (consumer) =>
            consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
              assignments.set(member, [...(payload.memberAssignment[topic] ?? [])].sort());
            }),
        });
      }
      // Produce only once the group has settled: both members hold partitions, none held twice.
      await waitFor('both members to hold disjoint partitions', () => {
        const held = [...assignments.values()];
        const all = held.flat().sort();
        return held.length === 2 && held.every((p) => p.length > 0) && all.join() === '0,1,2';
      });

      const sender = await idempotentProducer();
      const count = 30;
      await sender.send({
        topic,
        acks: -1,
        messages: Array.from({ length: count }, (_, i) => ({
          key: `k-${i}`,
          value: `v-${i}`,
          partition: i % 3,
        })),
      });
      await waitFor(`${count} records`, () => seen.length >= count);
      // A sentinel after the records on each partition: once every sentinel is seen, any duplicate of a record
      // (delivered in partition order, before its sentinel) has been seen too. No fixed pause.
      await sender.send({
        topic,
        acks: -1,
        messages: [0, 1, 2].map((partition) => ({ key: 'sentinel', value: 'sentinel', partition })),
      });
      await waitFor(
        'a sentinel on every partition',
        () => seen.filter((s) => s.value === 'sentinel').length >= 3,
      );
      const records = seen.filter((s) => s.value !== 'sentinel');

      expect(records).toHaveLength(count);
      expect(new Set(records.map((s) => s.value)).size).toBe(count);
      for (const [member, partitions] of assignments) {
        const mine = records.filter((s) => s.member === member);
        expect(mine.length).toBeGreaterThan(0);
        expect(mine.every((s) => partitions.includes(s.partition))).toBe(true);
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'delivers committed transactions and hides aborted ones from read_committed consumers',
    async () => {
      const topic = await createTopic('tx');
      const sender = await producer({
        transactionalId: uniqueName('tx-producer'),
        idempotent: true,
        maxInFlightRequests: 1,
      });
      const batch = (prefix: string, n: number) =>
        Array.from({ length: n }, (_, i) => ({
          key: `${prefix}-${i}`,
          value: `${prefix}-${i}`,
          partition: i % 3,
        }));

      const first = await sender.transaction();
      await first.send({ topic, acks: -1, messages: batch('committed-a', 6) });
      await first.commit();

      const aborted = await sender.transaction();
      await aborted.send({ topic, acks: -1, messages: batch('aborted', 6) });
      await aborted.abort();

      // Committed after the abort on every partition: once these are seen, the aborted records are behind us.
      const last = await sender.transaction();
      await last.send({ topic, acks: -1, messages: batch('committed-b', 6) });
      await last.commit();

      const committed = [...batch('committed-a', 6), ...batch('committed-b', 6)].map((m) => m.value).sort();
      const readCommitted: Seen[] = [];
      await consume(topic, readCommitted, { member: 'read_committed' });
      // committed-b follows the aborted records on every partition: once all of it is seen, so would they be.
      const lastBatch = batch('committed-b', 6).map((m) => m.value);
      await waitFor('the last committed transaction', () =>
        lastBatch.every((value) => readCommitted.some((s) => s.value === value)),
      );
      expect(readCommitted.map((s) => s.value).sort()).toEqual(committed);

      // The aborted records were written all the same: a read_uncommitted consumer sees them.
      const readUncommitted: Seen[] = [];
      await consume(topic, readUncommitted, { member: 'read_uncommitted', readUncommitted: true });
      await waitFor('all 18 records', () => readUncommitted.length >= 18);
      expect(readUncommitted.filter((s) => s.value.startsWith('aborted'))).toHaveLength(6);
    },
    TEST_TIMEOUT_MS,
  );
});
