import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { kafkaBrokers, testKafka, uniqueName, waitFor } from '../../../test/support/services';
import { FeedMismatchError, type FeedMessage } from './feed-topic.port';
import { cloudEvent, KafkaFeedTopic } from './kafka-feed-topic.adapter';

/**
 * The two moments a killed publisher can leave behind, made deterministic: a transaction sent but not committed
 * (the restarted publisher must abort it and publish those events once), and a transaction committed whose
 * progress nobody else recorded (the restarted publisher must find it in the topic's mark and not repeat it).
 */

function message(sequence: number, feedId: string): FeedMessage & { feedId: string } {
  return {
    feedId,
    sequence,
    standoffId: `standoff-${sequence % 2}`,
    version: Math.ceil(sequence / 2),
    eventId: randomUUID(),
    type: 'statement.made',
    recordedAt: new Date(Date.UTC(2026, 10, 30, 0, 0, sequence)).toISOString(),
    value: JSON.stringify({ sequence }),
  };
}

describe('the feed topic through a kafkajs transactional producer', () => {
  let kafka: Kafka;
  const topic = uniqueName('feed-topic');
  const feedId = randomUUID();
  const publishers: KafkaFeedTopic[] = [];
  let consumer: Consumer | undefined;
  let zombie: Producer | undefined;

  const publisher = () => {
    const created = new KafkaFeedTopic({ brokers: kafkaBrokers(), topic, partitions: 2 });
    publishers.push(created);
    return created;
  };

  beforeAll(() => {
    kafka = testKafka('kafka-feed-topic-int-spec');
  });

  afterAll(async () => {
    await consumer?.disconnect();
    // The fenced producer stands for a killed process, but in this one its connections must still close.
    await zombie?.disconnect().catch(() => undefined);
    await Promise.allSettled(publishers.map((p) => p.disconnect()));
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic], timeout: 10_000 }).catch(() => undefined);
    await admin.disconnect();
  }, 60_000);

  it('publishes each event once across a publisher killed before its commit and one killed after it', async () => {
    const first = publisher();
    await first.connect();
    expect(await first.publishedHighWater(feedId)).toBe(0);
    const batches = [
      [1, 2, 3],
      [4, 5],
      [6, 7, 8],
    ].map((batch) => batch.map((s) => message(s, feedId)));
    await first.publish(batches[0], feedId);

    // Killed after its commit: nobody recorded the progress anywhere else, the mark on the topic has it.
    await first.publish(batches[1], feedId);
    const second = publisher();
    await second.connect();
    expect(await second.publishedHighWater(feedId)).toBe(5);

    // A publisher that started (fencing the second), sent, and was killed before its commit: the events are in
    // the log, in a transaction left open.
    zombie = kafka.producer({
      transactionalId: second.publisherId,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await zombie.connect();
    const open = await zombie.transaction();
    await open.send({ topic, messages: batches[2].map(cloudEvent) });
    // (never committed: the process is gone)

    const third = publisher();
    await third.connect();
    expect(await third.publishedHighWater(feedId)).toBe(5);
    await third.publish(batches[2], feedId);
    await expect(open.commit()).rejects.toThrow();
    expect(await third.publishedHighWater(feedId)).toBe(8);
    await expect(third.publishedHighWater(randomUUID())).rejects.toBeInstanceOf(FeedMismatchError);

    const seen: { id: string; version: string; key: string }[] = [];
    consumer = kafka.consumer({
      groupId: uniqueName('reader'),
      readUncommitted: false,
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message: m }) => {
        seen.push({
          id: String(m.headers?.ce_id),
          version: String(m.headers?.ce_standoffversion),
          key: String(m.key),
        });
      },
    });
    await waitFor('8 messages', () => seen.length >= 8, 30_000);
    // The last publisher's transaction ends each partition: nothing can follow once its messages are read.
    const expected = batches.flat();
    await waitFor(
      'the last batch read',
      () => expected.slice(5).every((m) => seen.some((s) => s.id === m.eventId)),
      30_000,
    );
    expect(seen.map((s) => s.id).sort()).toEqual(expected.map((m) => m.eventId).sort());
    for (const key of ['standoff-0', 'standoff-1']) {
      const versions = seen.filter((s) => s.key === key).map((s) => Number(s.version));
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
    }
  }, 90_000);
});
