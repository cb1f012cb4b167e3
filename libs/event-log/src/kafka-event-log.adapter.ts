import { Kafka } from 'kafkajs';
import { encodeEnvelope } from './envelope.codec';
import type { Envelope } from './envelope';
import {
  LogUnavailableError,
  type EventLog,
  type GroupOwnership,
  type LogConsumer,
  type LogSubscription,
} from './event-log.port';
import { stderrLogger, type EventLogLogger } from './event-log-logger.port';
import { KafkaAppendQueue } from './kafka-append-queue';
import { KafkaClientLog, routeKafkajsLog, toKafkaLogLevel } from './kafka-client-log';
import type { KafkaEventLogOptions } from './kafka-event-log.options';
import { KafkaSubscription } from './kafka-subscription';
import { KafkaTopicAdmin } from './kafka-topic-admin';
import { CLIENT_ID, DEFAULT_PARTITIONS, EVENTS_TOPIC, MAX_ENVELOPE_BYTES, PROJECTOR_GROUP } from './topics';

/**
 * The log of record on Kafka: one topic, key = standoffId (one standoff stays in one partition, in order),
 * LogAppendTime timestamps, infinite retention (kafka-topic-admin.ts). Appends go through one idempotent
 * producer, coalesced into one send per round trip (kafka-append-queue.ts). Subscribers resume from the offsets
 * their LogConsumer keeps in Postgres, re-read on every assignment (kafka-subscription.ts); Kafka's committed
 * offsets are written for monitoring only and never read.
 */
export class KafkaEventLog implements EventLog {
  readonly topic: string;
  private readonly kafka: Kafka;
  private readonly logger: EventLogLogger;
  /** Routine client events at debug; an outage logged once when it starts and once when it ends. */
  private readonly clientLog: KafkaClientLog;
  private readonly topicAdmin: KafkaTopicAdmin;
  private readonly appends: KafkaAppendQueue;
  private readonly subscriptions = new Set<KafkaSubscription>();
  private closed = false;

  constructor(private readonly options: KafkaEventLogOptions) {
    this.topic = options.topic ?? EVENTS_TOPIC;
    this.clientLog = new KafkaClientLog(options.logger ?? stderrLogger);
    this.logger = (level, message, context) => this.clientLog.write(level, message, context);
    this.kafka = new Kafka({
      clientId: options.clientId ?? CLIENT_ID,
      brokers: [...options.brokers],
      connectionTimeout: options.connectionTimeout ?? 3000,
      requestTimeout: options.requestTimeout ?? 10_000,
      retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 5 },
      logLevel: toKafkaLogLevel(options.clientLogLevel ?? 'warn'),
      logCreator: () => routeKafkajsLog(this.logger),
    });
    const recovered = () => this.clientLog.recovered();
    this.topicAdmin = new KafkaTopicAdmin(this.kafka, {
      topic: this.topic,
      partitions: options.partitions ?? DEFAULT_PARTITIONS,
      replicationFactor: options.replicationFactor,
      logger: this.logger,
      onReachable: recovered,
    });
    this.appends = new KafkaAppendQueue(this.kafka, {
      topic: this.topic,
      appendTimeoutMs: options.appendTimeoutMs ?? 10_000,
      maxMessagesPerSend: options.maxMessagesPerSend ?? 500,
      logger: this.logger,
      onAcknowledged: recovered,
    });
  }

  prepare(): Promise<void> {
    return this.topicAdmin.prepare();
  }

  append(envelope: Envelope): Promise<void> {
    if (this.closed) return Promise.reject(new LogUnavailableError('the event log is closed'));
    const value = encodeEnvelope(envelope);
    if (value.length > MAX_ENVELOPE_BYTES) {
      return Promise.reject(
        new RangeError(`the record takes ${value.length} bytes, more than the log's ${MAX_ENVELOPE_BYTES}`),
      );
    }
    return this.appends.enqueue(envelope.standoffId, value);
  }

  async subscribe(consumer: LogConsumer, options: { groupId?: string } = {}): Promise<LogSubscription> {
    if (this.closed) throw new LogUnavailableError('the event log is closed');
    const subscription = new KafkaSubscription(
      this.kafka,
      this.topic,
      options.groupId ?? PROJECTOR_GROUP,
      consumer,
      this.options,
      this.logger,
      (partition) => this.topicAdmin.lowWatermark(partition),
      () => this.subscriptions.delete(subscription),
      () => this.clientLog.recovered(),
    );
    this.subscriptions.add(subscription);
    try {
      await subscription.start();
    } catch (error) {
      await subscription.stop();
      throw error;
    }
    return subscription;
  }

  identity(): Promise<string> {
    return this.topicAdmin.identity();
  }

  endOffsets(): Promise<ReadonlyMap<number, string>> {
    return this.topicAdmin.endOffsets();
  }

  groupOwnership(groupId: string): Promise<GroupOwnership> {
    return this.topicAdmin.groupOwnership(groupId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    await this.appends.close(new LogUnavailableError('the event log is closed'));
    await this.topicAdmin.close();
  }
}
