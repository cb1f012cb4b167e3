import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { messageOf } from '@app/domain/error-message';
import { LogUnavailableError } from './event-log.port';
import type { EventLogLogger } from './event-log-logger.port';
import { errorTypes } from './kafka-errors';
import { MAX_ENVELOPE_BYTES } from './topics';

interface PendingAppend {
  readonly key: string;
  readonly value: Buffer;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  settled: boolean;
  timer?: NodeJS.Timeout;
}

export interface KafkaAppendQueueOptions {
  readonly topic: string;
  /** An append not acknowledged within this time rejects with LogUnavailableError. */
  readonly appendTimeoutMs: number;
  /** The most messages one coalesced send carries. */
  readonly maxMessagesPerSend: number;
  readonly logger: EventLogLogger;
  /** A send was acknowledged: the broker answers again. */
  readonly onAcknowledged: () => void;
}

/** Most bytes one coalesced send carries (a single larger record still goes, alone). */
const MAX_BYTES_PER_SEND = MAX_ENVELOPE_BYTES;

const RECORD_ERRORS = ['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE'];

/**
 * The appends of one log through one idempotent producer (acks=all), coalesced into one send per round trip:
 * what waits while a send is under way goes in the next.
 */
export class KafkaAppendQueue {
  private producer: Producer | undefined;
  private producerConnecting: Promise<Producer> | undefined;
  private readonly pending: PendingAppend[] = [];
  private draining: Promise<void> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkaAppendQueueOptions,
  ) {}

  /** Resolves once Kafka acknowledged the record; rejects with LogUnavailableError, or RangeError if refused. */
  enqueue(key: string, value: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry: PendingAppend = { key, value, resolve, reject, settled: false };
      const timeoutMs = this.options.appendTimeoutMs;
      entry.timer = setTimeout(() => {
        const index = this.pending.indexOf(entry);
        if (index >= 0) this.pending.splice(index, 1);
        settle(entry, new LogUnavailableError(`Kafka did not acknowledge the record within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.push(entry);
      this.drain();
    });
  }

  /** Rejects what still waits with `error`, lets the send under way finish, and disconnects the producer. */
  async close(error: Error): Promise<void> {
    for (const entry of this.pending.splice(0)) settle(entry, error);
    await this.draining;
    await this.disconnectProducer();
  }

  /** Serialises sends (kafkajs's idempotent producer wants one at a time) and coalesces what waits meanwhile. */
  private drain(): void {
    if (this.draining) return;
    const { logger } = this.options;
    this.draining = (async () => {
      while (this.pending.length > 0) {
        const group = this.takeGroup();
        if (group.length === 0) continue;
        try {
          const producer = await this.connectedProducer();
          await producer.send({
            topic: this.options.topic,
            acks: -1,
            messages: group.map((entry) => ({ key: entry.key, value: entry.value })),
          });
          for (const entry of group) settle(entry);
          this.options.onAcknowledged();
          logger('debug', `sent ${group.length} record(s) in one request`);
        } catch (error) {
          const failure = toAppendError(error);
          logger('warn', `append of ${group.length} record(s) failed: ${failure.message}`);
          for (const entry of group) settle(entry, failure);
          // After a failed send the idempotent producer's sequence numbers may disagree with the broker's: start
          // afresh with a new producer id rather than fail every later send.
          await this.disconnectProducer();
        }
      }
    })()
      .catch((error) => logger('error', `the append queue stopped: ${messageOf(error)}`))
      .finally(() => {
        this.draining = undefined;
        if (this.pending.length > 0) this.drain();
      });
  }

  private takeGroup(): PendingAppend[] {
    const group: PendingAppend[] = [];
    let bytes = 0;
    const limit = this.options.maxMessagesPerSend;
    while (this.pending.length > 0 && group.length < limit) {
      const next = this.pending[0];
      if (next.settled) {
        this.pending.shift();
        continue;
      }
      if (group.length > 0 && bytes + next.value.length > MAX_BYTES_PER_SEND) break;
      this.pending.shift();
      group.push(next);
      bytes += next.value.length;
    }
    return group;
  }

  private async connectedProducer(): Promise<Producer> {
    if (this.producer) return this.producer;
    this.producerConnecting ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      try {
        await producer.connect();
      } catch (error) {
        await producer.disconnect().catch(() => undefined);
        throw error;
      }
      this.producer = producer;
      return producer;
    })().finally(() => {
      this.producerConnecting = undefined;
    });
    return this.producerConnecting;
  }

  private async disconnectProducer(): Promise<void> {
    const producer = this.producer ?? (await this.producerConnecting?.catch(() => undefined));
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
}

function settle(entry: PendingAppend, error?: Error): void {
  if (entry.settled) return;
  entry.settled = true;
  clearTimeout(entry.timer);
  if (error) entry.reject(error);
  else entry.resolve();
}

function toAppendError(error: unknown): Error {
  const types = errorTypes(error);
  const recordError = types.find((type) => RECORD_ERRORS.includes(type));
  if (recordError) return new RangeError(`Kafka refused the record: ${recordError}`);
  return new LogUnavailableError(`Kafka did not acknowledge the record: ${messageOf(error)}`, error);
}
