import {
  Kafka,
  logLevel as KafkaLogLevel,
  Partitioners,
  type Admin,
  type Message,
  type PartitionOffset,
  type Producer,
} from 'kafkajs';
import { stderrLogger, type EventLogLogger } from './event-log-logger.port';
import { FeedMismatchError, type FeedMessage, type FeedTopic } from './feed-topic.port';
import { CLIENT_ID } from './topics';

export interface KafkaFeedTopicOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly partitions: number;
  readonly clientId?: string;
  readonly logger?: EventLogLogger;
}

/**
 * The downstream topic through a kafkajs transactional producer. The high-water mark is a consumer-group offset
 * committed in the same transaction as the messages (`sendOffsets` on partition 0 of the topic, its metadata
 * naming the feed), so the messages and the mark are committed together or not at all; the fixed transactional
 * id makes a restarted publisher abort what a killed one left open and fences a zombie.
 */
export class KafkaFeedTopic implements FeedTopic {
  readonly topic: string;
  private readonly kafka: Kafka;
  private readonly logger: EventLogLogger;
  private producer: Producer | undefined;
  private admin: Admin | undefined;

  constructor(private readonly options: KafkaFeedTopicOptions) {
    this.topic = options.topic;
    this.logger = options.logger ?? stderrLogger;
    this.kafka = new Kafka({
      clientId: `${options.clientId ?? CLIENT_ID}-feed`,
      brokers: [...options.brokers],
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 5 },
      logLevel: KafkaLogLevel.NOTHING,
    });
  }

  /** The transactional id and the group that holds the high-water mark: one publisher per topic. */
  get publisherId(): string {
    return `standoff-feed-publisher.${this.topic}`;
  }

  async connect(): Promise<void> {
    await this.disconnect();
    this.admin = this.kafka.admin();
    await this.admin.connect();
    const created = await this.admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: this.topic, numPartitions: this.options.partitions }],
    });
    if (created)
      this.logger('info', `created topic ${this.topic} with ${this.options.partitions} partitions`);
    this.producer = this.kafka.producer({
      transactionalId: this.publisherId,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await this.producer.connect();
    // InitProducerId happens with the first transaction: begin and abort one now, so that the fencing (and the
    // abort of what a killed publisher left open) is done before the high-water mark is read.
    const fence = await this.producer.transaction();
    await fence.abort();
  }

  async publishedHighWater(feedId: string): Promise<number> {
    const admin = this.required(this.admin);
    const [offsets] = await admin.fetchOffsets({ groupId: this.publisherId, topics: [this.topic] });
    const mark = offsets?.partitions.find((p) => p.partition === 0);
    if (!mark || mark.offset === '-1') return 0;
    if (mark.metadata && mark.metadata !== feedId)
      throw new FeedMismatchError(this.topic, mark.metadata, feedId);
    return Number(mark.offset);
  }

  async publish(messages: readonly FeedMessage[], feedId: string): Promise<void> {
    if (messages.length === 0) return;
    const producer = this.required(this.producer);
    const transaction = await producer.transaction();
    try {
      await transaction.send({ topic: this.topic, messages: messages.map(cloudEvent) });
      await transaction.sendOffsets({
        consumerGroupId: this.publisherId,
        topics: [
          {
            topic: this.topic,
            // kafkajs's types omit the metadata its TxnOffsetCommit request encodes.
            partitions: [
              {
                partition: 0,
                offset: String(messages[messages.length - 1].sequence),
                metadata: feedId,
              } as PartitionOffset,
            ],
          },
        ],
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  async disconnect(): Promise<void> {
    const { producer, admin } = this;
    this.producer = undefined;
    this.admin = undefined;
    await producer?.disconnect().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
  }

  private required<T>(value: T | undefined): T {
    if (value === undefined) throw new Error(`the feed topic ${this.topic} is not connected`);
    return value;
  }
}

/** CloudEvents 1.0, Kafka protocol binding, binary mode: the attributes as `ce_` headers, the data as the value. */
export function cloudEvent(message: FeedMessage): Message {
  return {
    key: message.standoffId,
    value: message.value,
    headers: {
      ce_specversion: '1.0',
      ce_id: message.eventId,
      ce_source: `/standoffs/${message.standoffId}`,
      ce_type: `org.standoff-timeline.${message.type}`,
      ce_time: message.recordedAt,
      ce_standoffversion: String(message.version),
      'content-type': 'application/json',
    },
  };
}
