import type { EventLogLogger, EventLogLogLevel } from './event-log-logger.port';

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
