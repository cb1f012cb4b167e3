import type { Envelope } from './envelope';

export const EVENT_LOG = Symbol('EVENT_LOG');

/** A record as read back from the log. `envelope` is undefined when the record could not be decoded. */
export interface LogRecord {
  readonly partition: number;
  /** The record's offset within its partition, as a decimal string (Kafka offsets exceed 2^53 in theory). */
  readonly offset: string;
  /** When the log recorded it (Kafka LogAppendTime, or the embedded log's clock), epoch ms. */
  readonly recordedAt: number;
  readonly envelope: Envelope | undefined;
  readonly raw: Buffer;
  readonly decodeError?: string;
}

export interface LogBatch {
  readonly partition: number;
  readonly records: readonly LogRecord[];
}

/**
 * The consumer side's contract: where to resume, and how to apply a batch. `apply` must store the effects and
 * the next offset in one transaction and resolve only after it committed.
 */
export interface LogConsumer {
  /** The next offset to read for each partition, from the read-model database; missing means from the start. */
  resumeOffsets(partitions: readonly number[]): Promise<ReadonlyMap<number, string>>;
  apply(batch: LogBatch): Promise<void>;
}

export interface LogSubscription {
  stop(): Promise<void>;
  /** Whether this subscriber holds its share of the partitions yet; `subscribe` does not wait for that. */
  status(): SubscriptionStatus;
}

export interface SubscriptionStatus {
  /** Joined (Kafka: the consumer group) and positioned at the stored offsets of its partitions, if it has any. */
  readonly assigned: boolean;
  readonly partitions: readonly number[];
}

/** Which partitions of the log a consumer group's live members hold (Kafka), for readiness. */
export interface GroupOwnership {
  /** The group's state as the coordinator reports it (`Stable`, `PreparingRebalance`, `Empty`, …). */
  readonly state: string;
  readonly members: number;
  /** Partitions of the log that some member holds. */
  readonly owned: readonly number[];
}

export interface EventLog {
  /** Ensures the log exists (topic or table). Idempotent. */
  prepare(): Promise<void>;
  /** Resolves once the record is durable (acks=all, or committed); rejects with LogUnavailableError. */
  append(envelope: Envelope): Promise<void>;
  subscribe(consumer: LogConsumer, options?: { groupId?: string }): Promise<LogSubscription>;
  /**
   * Names this log among all logs (Kafka: the cluster id and the topic): read models built from one log must
   * never take another's records for ones they applied.
   */
  identity(): Promise<string>;
  /** The offset the next record appended to each partition will get: how far a consumer has to go. */
  endOffsets(): Promise<ReadonlyMap<number, string>>;
  /** Who holds the partitions in a consumer group; undefined where the log has no groups (embedded). */
  groupOwnership?(groupId: string): Promise<GroupOwnership>;
  close(): Promise<void>;
}

export class LogUnavailableError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'LogUnavailableError';
  }
}

/**
 * The records handed to a consumer start after its stored next offset: applying them would skip records (the
 * read models were dropped or moved back while this consumer read ahead). The adapter must go back to the
 * stored offset.
 */
export class OffsetGapError extends Error {
  constructor(
    readonly partition: number,
    readonly expected: string,
    readonly received: string,
  ) {
    super(`partition ${partition}: expected offset ${expected}, received ${received}`);
    this.name = 'OffsetGapError';
  }
}
