import {
  AssignerProtocol,
  ConfigResourceTypes,
  Kafka,
  logLevel as KafkaLogLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type KafkaMessage,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import { decodeEnvelope, encodeEnvelope } from './envelope.codec';
import type { Envelope } from './envelope';
import {
  LogUnavailableError,
  type EventLog,
  type GroupOwnership,
  type LogConsumer,
  type LogRecord,
  type LogSubscription,
  type SubscriptionStatus,
} from './event-log.port';
import { stderrLogger, type EventLogLogger, type EventLogLogLevel } from './event-log-logger';
import { KafkaClientLog } from './kafka-client-log';
import { DEFAULT_PARTITIONS, EVENTS_TOPIC, MAX_ENVELOPE_BYTES, MAX_RECORD_BYTES } from './topics';

export interface KafkaEventLogOptions {
  readonly brokers: readonly string[];
  /** Default EVENTS_TOPIC. */
  readonly topic?: string;
  /** Partitions of the topic when prepare() creates it. Default DEFAULT_PARTITIONS. */
  readonly partitions?: number;
  /** Replicas per partition when prepare() creates the topic. Default: the broker's default. */
  readonly replicationFactor?: number;
  readonly clientId?: string;
  readonly logger?: EventLogLogger;
  /** kafkajs's own log level, routed through `logger`. Default 'warn'. */
  readonly clientLogLevel?: EventLogLogLevel | 'nothing';
  /** An append not acknowledged within this time rejects with LogUnavailableError. Default 10 000. */
  readonly appendTimeoutMs?: number;
  /** The most messages one coalesced send carries. Default 500. */
  readonly maxMessagesPerSend?: number;
  /** How long a fetch waits for new records: decisions wait at most this long. Default 50. */
  readonly maxWaitTimeInMs?: number;
  /**
   * How long the group waits for a silent member (a SIGKILLed projector) before handing its partitions to the
   * others. Default 6000, the broker's minimum: a takeover within 10 s (DESIGN.md §6).
   */
  readonly sessionTimeout?: number;
  /**
   * How often a member tells the group it lives, also while it applies a batch. Default a quarter of the session
   * (Kafka advises at most a third): a survivor learns of a rebalance sooner, and a takeover stays within 10 s.
   */
  readonly heartbeatInterval?: number;
  /** How long a rebalance waits for members to rejoin (one may be finishing a batch). Default 20 000. */
  readonly rebalanceTimeout?: number;
  /** Partitions applied in parallel by one subscriber. Default 1. */
  readonly partitionsConsumedConcurrently?: number;
  /** At most this often, offsets are also committed to Kafka (for lag monitoring only). Default 1000. */
  readonly kafkaCommitIntervalMs?: number;
  readonly connectionTimeout?: number;
  readonly requestTimeout?: number;
}

interface PendingAppend {
  readonly key: string;
  readonly value: Buffer;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  settled: boolean;
  timer?: NodeJS.Timeout;
}

export const DEFAULT_SESSION_TIMEOUT_MS = 6000;
const DEFAULT_REBALANCE_TIMEOUT_MS = 20_000;

/** Most bytes one coalesced send carries (a single larger record still goes, alone). */
const MAX_BYTES_PER_SEND = MAX_ENVELOPE_BYTES;

/**
 * The log of record on Kafka: one topic, key = standoffId (one standoff stays in one partition, in order),
 * LogAppendTime timestamps, infinite retention. Appends go through one idempotent producer, coalesced into one
 * send per round trip. Subscribers resume from the offsets their LogConsumer keeps in Postgres, re-read on every
 * assignment; Kafka's committed offsets are written for monitoring only and never read.
 */
const REQUIRED_TOPIC_CONFIG: Readonly<Record<string, string>> = {
  'retention.ms': '-1',
  'cleanup.policy': 'delete',
  'message.timestamp.type': 'LogAppendTime',
};

export class KafkaEventLog implements EventLog {
  readonly topic: string;
  private readonly kafka: Kafka;
  private readonly logger: EventLogLogger;
  /** Routine client events at debug; an outage logged once when it starts and once when it ends. */
  private readonly clientLog: KafkaClientLog;
  private readonly partitions: number;
  private producer: Producer | undefined;
  private producerConnecting: Promise<Producer> | undefined;
  private admin: Admin | undefined;
  private adminConnecting: Promise<Admin> | undefined;
  private readonly pending: PendingAppend[] = [];
  private draining: Promise<void> | undefined;
  private readonly subscriptions = new Set<KafkaSubscription>();
  private closed = false;

  constructor(private readonly options: KafkaEventLogOptions) {
    this.topic = options.topic ?? EVENTS_TOPIC;
    this.partitions = options.partitions ?? DEFAULT_PARTITIONS;
    this.clientLog = new KafkaClientLog(options.logger ?? stderrLogger);
    this.logger = (level, message, context) => this.clientLog.write(level, message, context);
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'standoff-timeline',
      brokers: [...options.brokers],
      connectionTimeout: options.connectionTimeout ?? 3000,
      requestTimeout: options.requestTimeout ?? 10_000,
      retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 5 },
      logLevel: toKafkaLogLevel(options.clientLogLevel ?? 'warn'),
      logCreator: () => (entry: LogEntry) => this.routeClientLog(entry),
    });
  }

  async prepare(): Promise<void> {
    const admin = await this.connectedAdmin();
    try {
      const created = await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: this.topic,
            numPartitions: this.partitions,
            ...(this.options.replicationFactor ? { replicationFactor: this.options.replicationFactor } : {}),
            configEntries: [
              { name: 'message.timestamp.type', value: 'LogAppendTime' },
              { name: 'retention.ms', value: '-1' },
              { name: 'max.message.bytes', value: String(MAX_RECORD_BYTES) },
            ],
          },
        ],
      });
      if (created) {
        this.logger('info', `created topic ${this.topic} with ${this.partitions} partitions`);
      } else {
        await this.checkExistingTopic(admin);
      }
    } catch (error) {
      if (errorTypes(error).includes('TOPIC_ALREADY_EXISTS')) return this.checkExistingTopic(admin);
      throw new LogUnavailableError(`could not prepare topic ${this.topic}: ${messageOf(error)}`, error);
    }
  }

  append(envelope: Envelope): Promise<void> {
    if (this.closed) return Promise.reject(new LogUnavailableError('the event log is closed'));
    const value = encodeEnvelope(envelope);
    if (value.length > MAX_ENVELOPE_BYTES) {
      return Promise.reject(
        new RangeError(`the record takes ${value.length} bytes, more than the log's ${MAX_ENVELOPE_BYTES}`),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const entry: PendingAppend = { key: envelope.standoffId, value, resolve, reject, settled: false };
      const timeoutMs = this.options.appendTimeoutMs ?? 10_000;
      entry.timer = setTimeout(() => {
        const index = this.pending.indexOf(entry);
        if (index >= 0) this.pending.splice(index, 1);
        settle(entry, new LogUnavailableError(`Kafka did not acknowledge the record within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.push(entry);
      this.drain();
    });
  }

  async subscribe(consumer: LogConsumer, options: { groupId?: string } = {}): Promise<LogSubscription> {
    if (this.closed) throw new LogUnavailableError('the event log is closed');
    const subscription = new KafkaSubscription(
      this.kafka,
      this.topic,
      options.groupId ?? 'standoff-projector',
      consumer,
      this.options,
      this.logger,
      (partition) => this.lowWatermark(partition),
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

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    const closedError = new LogUnavailableError('the event log is closed');
    for (const entry of this.pending.splice(0)) settle(entry, closedError);
    await this.draining;
    await this.disconnectProducer();
    const admin = this.admin ?? (await this.adminConnecting?.catch(() => undefined));
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  /** Serialises sends (kafkajs's idempotent producer wants one at a time) and coalesces what waits meanwhile. */
  private drain(): void {
    if (this.draining) return;
    this.draining = (async () => {
      while (this.pending.length > 0) {
        const group = this.takeGroup();
        if (group.length === 0) continue;
        try {
          const producer = await this.connectedProducer();
          await producer.send({
            topic: this.topic,
            acks: -1,
            messages: group.map((entry) => ({ key: entry.key, value: entry.value })),
          });
          for (const entry of group) settle(entry);
          this.clientLog.recovered();
          this.logger('debug', `sent ${group.length} record(s) in one request`);
        } catch (error) {
          const failure = toAppendError(error);
          this.logger('warn', `append of ${group.length} record(s) failed: ${failure.message}`);
          for (const entry of group) settle(entry, failure);
          // After a failed send the idempotent producer's sequence numbers may disagree with the broker's: start
          // afresh with a new producer id rather than fail every later send.
          await this.disconnectProducer();
        }
      }
    })()
      .catch((error) => this.logger('error', `the append queue stopped: ${messageOf(error)}`))
      .finally(() => {
        this.draining = undefined;
        if (this.pending.length > 0) this.drain();
      });
  }

  private takeGroup(): PendingAppend[] {
    const group: PendingAppend[] = [];
    let bytes = 0;
    const limit = this.options.maxMessagesPerSend ?? 500;
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

  /** A fresh broker formats its storage with a new random cluster id, so a new log never shares a name. */
  async identity(): Promise<string> {
    try {
      const admin = await this.connectedAdmin();
      const { clusterId } = await admin.describeCluster();
      return `kafka:${clusterId}/${this.topic}`;
    } catch (error) {
      if (error instanceof LogUnavailableError) throw error;
      throw new LogUnavailableError(`Kafka is unavailable: ${messageOf(error)}`, error);
    }
  }

  async endOffsets(): Promise<ReadonlyMap<number, string>> {
    try {
      const admin = await this.connectedAdmin();
      const offsets = await admin.fetchTopicOffsets(this.topic);
      this.clientLog.recovered();
      return new Map(offsets.map((o) => [o.partition, o.high]));
    } catch (error) {
      if (error instanceof LogUnavailableError) throw error;
      throw new LogUnavailableError(`Kafka is unavailable: ${messageOf(error)}`, error);
    }
  }

  async groupOwnership(groupId: string): Promise<GroupOwnership> {
    try {
      const admin = await this.connectedAdmin();
      const { groups } = await admin.describeGroups([groupId]);
      const group = groups[0];
      const owned = new Set<number>();
      for (const member of group?.members ?? []) {
        if (member.memberAssignment.length === 0) continue;
        const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
        for (const partition of decoded?.assignment[this.topic] ?? []) owned.add(partition);
      }
      return {
        state: group?.state ?? 'Dead',
        members: group?.members.length ?? 0,
        owned: [...owned].sort((a, b) => a - b),
      };
    } catch (error) {
      if (error instanceof LogUnavailableError) throw error;
      throw new LogUnavailableError(`Kafka is unavailable: ${messageOf(error)}`, error);
    }
  }

  private async connectedAdmin(): Promise<Admin> {
    if (this.admin) return this.admin;
    this.adminConnecting ??= (async () => {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
      } catch (error) {
        await admin.disconnect().catch(() => undefined);
        throw new LogUnavailableError(`Kafka is unavailable: ${messageOf(error)}`, error);
      }
      this.admin = admin;
      return admin;
    })().finally(() => {
      this.adminConnecting = undefined;
    });
    return this.adminConnecting;
  }

  private async checkExistingTopic(admin: Admin): Promise<void> {
    const { topics } = await admin.fetchTopicMetadata({ topics: [this.topic] });
    const count = topics[0]?.partitions.length ?? 0;
    if (count !== this.partitions) {
      this.logger(
        'warn',
        `topic ${this.topic} exists with ${count} partitions (configured: ${this.partitions})`,
      );
    }
    // The log of record: a topic made elsewhere with a finite retention or compaction would lose events, and
    // producer timestamps would let clients set recordedAt.
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: this.topic }],
    });
    const configs = new Map((resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
    const wrong = Object.entries(REQUIRED_TOPIC_CONFIG).filter(
      ([name, value]) => configs.get(name) !== value,
    );
    if (wrong.length > 0) {
      const found = wrong.map(([name, value]) => `${name}=${configs.get(name)} (needs ${value})`).join(', ');
      throw new LogUnavailableError(`topic ${this.topic} cannot be the log of record: ${found}`);
    }
  }

  /** The earliest offset still in the partition (0 with infinite retention). */
  private async lowWatermark(partition: number): Promise<bigint> {
    const admin = await this.connectedAdmin();
    const offsets = await admin.fetchTopicOffsets(this.topic);
    const entry = offsets.find((o) => o.partition === partition);
    return BigInt(entry?.low ?? '0');
  }

  private routeClientLog({ namespace, level, log }: LogEntry): void {
    const { message, timestamp: _timestamp, logger: _logger, ...context } = log;
    this.logger(fromKafkaLogLevel(level), `kafkajs ${namespace}: ${message}`, context);
  }
}

interface PartitionState {
  /** Set once a batch of this assignment was checked against the offset the LogConsumer stores. */
  verified: boolean;
  /** The last offset this assignment sought to. */
  seekedTo?: bigint;
}

class KafkaSubscription implements LogSubscription {
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

function settle(entry: PendingAppend, error?: Error): void {
  if (entry.settled) return;
  entry.settled = true;
  clearTimeout(entry.timer);
  if (error) entry.reject(error);
  else entry.resolve();
}

const RECORD_ERRORS = ['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE'];

function toAppendError(error: unknown): Error {
  const types = errorTypes(error);
  const recordError = types.find((type) => RECORD_ERRORS.includes(type));
  if (recordError) return new RangeError(`Kafka refused the record: ${recordError}`);
  return new LogUnavailableError(`Kafka did not acknowledge the record: ${messageOf(error)}`, error);
}

/** The protocol error types along an error's cause chain (kafkajs wraps them in retry errors). */
function errorTypes(error: unknown): string[] {
  const types: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 10; depth += 1) {
    const candidate = current as { type?: unknown; cause?: unknown; errors?: unknown };
    if (typeof candidate.type === 'string') types.push(candidate.type);
    if (Array.isArray(candidate.errors))
      types.push(...candidate.errors.flatMap((inner) => errorTypes(inner)));
    current = candidate.cause;
  }
  return types;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function toKafkaLogLevel(level: EventLogLogLevel | 'nothing'): KafkaLogLevel {
  switch (level) {
    case 'nothing':
      return KafkaLogLevel.NOTHING;
    case 'error':
      return KafkaLogLevel.ERROR;
    case 'warn':
      return KafkaLogLevel.WARN;
    case 'info':
      return KafkaLogLevel.INFO;
    case 'debug':
      return KafkaLogLevel.DEBUG;
  }
}

function fromKafkaLogLevel(level: KafkaLogLevel): EventLogLogLevel {
  if (level === KafkaLogLevel.ERROR || level === KafkaLogLevel.NOTHING) return 'error';
  if (level === KafkaLogLevel.WARN) return 'warn';
  if (level === KafkaLogLevel.INFO) return 'info';
  return 'debug';
}
