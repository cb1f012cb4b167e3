import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { messageOf } from '@app/domain/error-message';
import { decodeEnvelope } from './envelope.codec';
import {
  LogUnavailableError,
  type LogConsumer,
  type LogRecord,
  type LogSubscription,
  type SubscriptionStatus,
} from './event-log.port';
import type { EventLogLogger } from './event-log-logger.port';
import type { KafkaEventLogOptions } from './kafka-event-log.options';
import { MAX_RECORD_BYTES } from './topics';

export const DEFAULT_SESSION_TIMEOUT_MS = 6000;
const DEFAULT_REBALANCE_TIMEOUT_MS = 20_000;

interface PartitionState {
  /** Set once a batch of this assignment was checked against the offset the LogConsumer stores. */
  verified: boolean;
  /** The last offset this assignment sought to. */
  seekedTo?: bigint;
}

/**
 * One member of a consumer group on the topic: resumes from the offsets its LogConsumer keeps in Postgres, re-read
 * on every assignment; Kafka's committed offsets are written for monitoring only and never read.
 */
export class KafkaSubscription implements LogSubscription {
  private readonly consumer: Consumer;
  private readonly heartbeatIntervalMs: number;
  private assignment = new Map<number, PartitionState>();
  /** What this member holds, for readiness: set once an assignment is sought to, cleared by a rebalance. */
  private owned: SubscriptionStatus = { assigned: false, partitions: [] };
  private running: Promise<void> = Promise.resolve();
  private generation = 0;
  private stopping: Promise<void> | undefined;
  private stopRequested = false;
  private readonly wakeSleepers = new Set<() => void>();
  private lastKafkaCommit = 0;
  private assignmentWork: Promise<void> = Promise.resolve();

  constructor(
    kafka: Kafka,
    private readonly topic: string,
    private readonly groupId: string,
    private readonly logConsumer: LogConsumer,
    private readonly options: KafkaEventLogOptions,
    private readonly logger: EventLogLogger,
    private readonly lowWatermark: (partition: number) => Promise<bigint>,
    private readonly onStopped: () => void,
    /** The group was joined: the broker answers again. */
    private readonly onReachable: () => void = () => undefined,
  ) {
    const sessionTimeout = options.sessionTimeout ?? DEFAULT_SESSION_TIMEOUT_MS;
    this.heartbeatIntervalMs = options.heartbeatInterval ?? Math.floor(sessionTimeout / 4);
    this.consumer = kafka.consumer({
      groupId,
      sessionTimeout,
      heartbeatInterval: this.heartbeatIntervalMs,
      rebalanceTimeout: options.rebalanceTimeout ?? DEFAULT_REBALANCE_TIMEOUT_MS,
      // A consumer that crashes restarts (kafkajs's default), unless it was stopped meanwhile.
      retry: { retries: 5, restartOnFailure: async () => !this.stopRequested },
      allowAutoTopicCreation: false,
      readUncommitted: false,
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? 50,
      // A partition's fetch must hold at least one record of the largest size; a fetch a few of them.
      maxBytesPerPartition: 2 * MAX_RECORD_BYTES,
      maxBytes: 4 * MAX_RECORD_BYTES,
    });
  }

  status(): SubscriptionStatus {
    return this.owned;
  }

  async start(): Promise<void> {
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      this.onReachable();
      this.assignmentWork = this.onAssignment(event.payload.memberAssignment);
      return this.assignmentWork;
    });
    this.consumer.on(this.consumer.events.REBALANCING, () => {
      this.owned = { assigned: false, partitions: this.owned.partitions };
      this.logger('info', `consumer ${this.groupId}: the group is rebalancing`);
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      this.owned = { assigned: false, partitions: [] };
      this.logger('error', `consumer ${this.groupId} crashed: ${messageOf(event.payload.error)}`, {
        restart: event.payload.restart,
      });
    });
    try {
      await this.consumer.connect();
      // fromBeginning only matters before the first seek lands: never start from "latest".
      await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    } catch (error) {
      throw new LogUnavailableError(`could not subscribe to ${this.topic}: ${messageOf(error)}`, error);
    }
    // Not awaited: joining the group can take a session timeout (a killed member is still in it), and nothing
    // that starts with the subscriber (an HTTP port) should wait for it. status() tells when it holds partitions.
    this.running = this.consumer
      .run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
        eachBatch: (payload) => this.eachBatch(payload),
      })
      .catch((error) => this.logger('error', `consumer ${this.groupId} did not start: ${messageOf(error)}`));
  }

  stop(): Promise<void> {
    this.stopRequested = true;
    for (const wake of this.wakeSleepers) wake();
    this.wakeSleepers.clear();
    this.stopping ??= this.consumer
      .disconnect()
      .catch((error) =>
        this.logger('warn', `consumer ${this.groupId} did not disconnect cleanly: ${messageOf(error)}`),
      )
      .then(() => this.running)
      .then(() => this.assignmentWork)
      .finally(() => {
        this.owned = { assigned: false, partitions: [] };
        this.onStopped();
      });
    return this.stopping;
  }

  /**
   * Every assignment: forget what was verified, hold the partitions, read the stored offsets (retrying until they
   * can be read), seek there, let go. No fetch starts from Kafka's own position meanwhile; eachBatch still checks
   * the first batch of each partition against the store, as a rebalance may have moved things on.
   */
  private async onAssignment(memberAssignment: Record<string, number[]>): Promise<void> {
    const generation = ++this.generation;
    const partitions = [...(memberAssignment[this.topic] ?? [])].sort((a, b) => a - b);
    this.assignment = new Map(partitions.map((partition) => [partition, { verified: false }]));
    this.logAssignment(partitions);
    const owning = () => {
      this.owned = { assigned: true, partitions };
    };
    if (partitions.length === 0) return owning();
    const held = [{ topic: this.topic, partitions }];
    // Synchronous, inside the join: the fetch loop has not started for this assignment yet.
    this.consumer.pause(held);
    const current = () => generation === this.generation && !this.stopRequested;
    let offsets: ReadonlyMap<number, string> | undefined;
    for (let attempt = 0; !offsets && current(); attempt += 1) {
      try {
        offsets = await this.logConsumer.resumeOffsets(partitions);
      } catch (error) {
        const delay = Math.min(100 * 2 ** attempt, 5000);
        this.logger(
          'warn',
          `could not read stored offsets on assignment, again in ${delay} ms: ${messageOf(error)}`,
        );
        await this.sleep(delay);
      }
    }
    if (!offsets || !current()) return;
    try {
      for (const partition of partitions) {
        const state = this.assignment.get(partition);
        if (!state || state.verified) continue;
        const offset = offsets.get(partition) ?? '0';
        state.seekedTo = BigInt(offset);
        this.consumer.seek({ topic: this.topic, partition, offset });
      }
      this.consumer.resume(held);
      owning();
    } catch (error) {
      // The consumer crashed meanwhile; its restart joins again and brings a new assignment.
      this.logger('warn', `could not seek after assignment: ${messageOf(error)}`);
    }
  }

  /** Assignments and takeovers at info: which partitions this member gained and gave up. */
  private logAssignment(partitions: readonly number[]): void {
    const before = new Set(this.owned.partitions);
    const gained = partitions.filter((p) => !before.has(p));
    const released = [...before].filter((p) => !partitions.includes(p));
    const changes = [
      gained.length > 0 ? `took over [${gained.join(', ')}]` : '',
      released.length > 0 ? `released [${released.join(', ')}]` : '',
    ].filter(Boolean);
    this.logger(
      'info',
      `consumer ${this.groupId} assigned partitions [${partitions.join(', ')}] of ${this.topic}` +
        `${changes.length > 0 ? ` (${changes.join(', ')})` : ''}`,
    );
  }

  /** Waits, or less when stop() is called. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeSleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeSleepers.add(wake);
    });
  }

  private async eachBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
    commitOffsetsIfNecessary,
  }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const { partition } = batch;
    let messages: KafkaMessage[] = batch.messages;

    let state = this.assignment.get(partition);
    if (!state) {
      state = { verified: false };
      this.assignment.set(partition, state);
    }
    if (!state.verified) {
      // The offset this fetch asked for (kafkajs keeps it on the batch; the first message may come later when
      // the records before it were control records).
      const fetchedFrom = BigInt((batch as { fetchedOffset?: string }).fetchedOffset ?? messages[0].offset);
      const last = BigInt(messages[messages.length - 1].offset);
      const expected = await this.expectedOffset(partition, fetchedFrom);
      if (!isRunning() || isStale()) return;
      if (fetchedFrom > expected || (last < expected && state.seekedTo !== expected)) {
        // Kafka's position disagrees with the read models (they were rebuilt, or a commit to Kafka lagged):
        // go where they are, and check the next batch again.
        this.logger(
          'info',
          `partition ${partition}: fetched ${fetchedFrom}..${last}, stored ${expected}: seeking`,
        );
        state.seekedTo = expected;
        this.consumer.seek({ topic: this.topic, partition, offset: expected.toString() });
        return;
      }
      if (expected > BigInt(batch.highWatermark)) {
        // Kafka reset a position past the partition's end to its start: the read models hold records this
        // log never had. Skipping up to the stored offset would lose the new records; hold the partition.
        this.logger(
          'error',
          `partition ${partition}: the read models applied up to offset ${expected}, but the log ends at ` +
            `${batch.highWatermark}: they come from another log; not projecting this partition ` +
            `(run \`npm run rebuild\`, or point DATABASE_URL at this log's read models)`,
        );
        this.consumer.pause([{ topic: this.topic, partitions: [partition] }]);
        return;
      }
      // Records before the stored offset were applied already.
      messages = messages.filter((message) => BigInt(message.offset) >= expected);
      if (messages.length === 0) {
        resolveOffset(batch.messages[batch.messages.length - 1].offset);
        await heartbeat();
        return;
      }
      state.verified = true;
    }

    const records = messages.map((message) => toLogRecord(partition, message));
    const last = records[records.length - 1].offset;
    // kafkajs heartbeats only between fetches: keep the membership alive through a long apply, or the short
    // session would hand the partition to another member mid-batch.
    const keepAlive = setInterval(() => void heartbeat().catch(() => undefined), this.heartbeatIntervalMs);
    try {
      await this.logConsumer.apply({ partition, records });
    } catch (error) {
      this.logger(
        'error',
        `apply failed for partition ${partition} at ${records[0].offset}..${last}; retrying`,
        {
          error: messageOf(error),
        },
      );
      // Nothing was resolved: kafkajs fetches the same records again after its backoff, and the next batch is
      // checked against the stored offsets again (the store may be behind, as after a rebuild elsewhere).
      state.verified = false;
      throw error;
    } finally {
      clearInterval(keepAlive);
    }
    resolveOffset(last);
    await heartbeat();
    await this.commitForMonitoring(
      partition,
      BigInt(last) + 1n,
      batch.highWatermark,
      commitOffsetsIfNecessary,
    );
  }

  /** The next offset the LogConsumer wants for this partition, read afresh from its store. */
  private async expectedOffset(partition: number, firstFetched: bigint): Promise<bigint> {
    const stored = (await this.logConsumer.resumeOffsets([partition])).get(partition);
    const expected = BigInt(stored ?? '0');
    if (firstFetched <= expected) return expected;
    const low = await this.lowWatermark(partition);
    if (low > expected) {
      this.logger(
        'warn',
        `partition ${partition}: records before ${low} are gone from Kafka; resuming at ${low}`,
        {
          stored: stored ?? null,
        },
      );
      return low;
    }
    return expected;
  }

  private async commitForMonitoring(
    partition: number,
    next: bigint,
    highWatermark: string,
    commit: EachBatchPayload['commitOffsetsIfNecessary'],
  ): Promise<void> {
    const caughtUp = next >= BigInt(highWatermark);
    const due = Date.now() - this.lastKafkaCommit >= (this.options.kafkaCommitIntervalMs ?? 1000);
    if (!caughtUp && !due) return;
    try {
      await commit({ topics: [{ topic: this.topic, partitions: [{ partition, offset: next.toString() }] }] });
      this.lastKafkaCommit = Date.now();
    } catch (error) {
      this.logger('debug', `could not commit offsets to Kafka (monitoring only): ${messageOf(error)}`);
    }
  }
}

function toLogRecord(partition: number, message: KafkaMessage): LogRecord {
  const raw = message.value ?? Buffer.alloc(0);
  const recordedAt = Number(message.timestamp);
  const decoded = message.value ? decodeEnvelope(raw) : ({ ok: false, error: 'empty record' } as const);
  return decoded.ok
    ? { partition, offset: message.offset, recordedAt, envelope: decoded.envelope, raw }
    : { partition, offset: message.offset, recordedAt, envelope: undefined, raw, decodeError: decoded.error };
}
