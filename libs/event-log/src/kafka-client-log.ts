import { logLevel as KafkaLogLevel, type LogEntry } from 'kafkajs';
import type { EventLogLogger, EventLogLogLevel } from './event-log-logger.port';

/**
 * What kafkajs says in the ordinary course of things, at warn or error, and is not an error: a topic that
 * already exists when we ask to create it, a group rebalancing, a coordinator loading or moving. Kept at debug.
 */
const ROUTINE = [
  /TOPIC_ALREADY_EXISTS|Topic with this name already exists/i,
  // kafkajs's connection-level line for any CreateTopics error; the adapter itself reports a real failure.
  /Response CreateTopics.*Topic creation errors|Topic creation errors/i,
  /REBALANCE_IN_PROGRESS|The group is rebalancing/i,
  /COORDINATOR_LOAD_IN_PROGRESS|coordinator is loading/i,
  /NOT_COORDINATOR|This is not the correct coordinator/i,
  /COORDINATOR_NOT_AVAILABLE|coordinator is not available/i,
  /LEADER_NOT_AVAILABLE|There is no leader for this topic-partition/i,
  // Bounded retries are deliberate (an append must fail in time for a 503); a failed producer is replaced.
  /Limiting retries for the idempotent producer/,
];

/** The broker cannot be reached: one outage, however many clients and retries say so. */
const UNREACHABLE = [
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN/,
  /Connection error|Connection timeout|Closed connection|Failed to connect|connection.*(closed|refused)/i,
  /KafkaJSConnectionError|KafkaJSNumberOfRetriesExceeded|KafkaJSBrokerNotFound|Request timed out/i,
  /broker not connected|Not connected/i,
];

export type ClientLogKind = 'routine' | 'unreachable' | 'other';

export function classifyClientLog(text: string): ClientLogKind {
  if (ROUTINE.some((pattern) => pattern.test(text))) return 'routine';
  if (UNREACHABLE.some((pattern) => pattern.test(text))) return 'unreachable';
  return 'other';
}

/**
 * The Kafka client's log as an operator wants it: routine events at debug, an outage once when it starts
 * (warn, with the first cause) and once when it ends (info, with how long and how many failures it hid),
 * never a stack per retry. `recovered()` is called wherever a request to the broker succeeded.
 */
export class KafkaClientLog {
  private outage: { since: number; failures: number } | undefined;

  constructor(
    private readonly logger: EventLogLogger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Writes one entry of kafkajs or of the adapter, at the level it deserves. */
  write(level: EventLogLogLevel, message: string, context?: Readonly<Record<string, unknown>>): void {
    if (level === 'debug' || level === 'info') return this.logger(level, message, context);
    const text = `${message} ${typeof context?.error === 'string' ? context.error : ''}`;
    switch (classifyClientLog(text)) {
      case 'routine':
        return this.logger('debug', message, context);
      case 'unreachable':
        return this.unreachable(message, context);
      default:
        return this.logger(level, message, context);
    }
  }

  /** A request to the broker succeeded: ends an outage, if there was one. */
  recovered(): void {
    if (!this.outage) return;
    const { since, failures } = this.outage;
    this.outage = undefined;
    const seconds = Math.round((this.now() - since) / 100) / 10;
    this.logger(
      'info',
      `Kafka reachable again after ${seconds} s (${failures} failed attempt(s) not logged)`,
      {
        outageSeconds: seconds,
        failures,
      },
    );
  }

  get inOutage(): boolean {
    return this.outage !== undefined;
  }

  private unreachable(message: string, context?: Readonly<Record<string, unknown>>): void {
    if (this.outage) {
      this.outage.failures += 1;
      return this.logger('debug', message, context);
    }
    this.outage = { since: this.now(), failures: 0 };
    const { stack: _stack, ...rest } = context ?? {};
    this.logger('warn', `Kafka unreachable: ${message}; retrying, logged again when it recovers`, rest);
  }
}

/** kafkajs's own entries, as entries of `logger` (its namespace in the message, its fields beside it). */
export function routeKafkajsLog(logger: EventLogLogger): (entry: LogEntry) => void {
  return ({ namespace, level, log }) => {
    const { message, timestamp: _timestamp, logger: _logger, ...context } = log;
    logger(fromKafkaLogLevel(level), `kafkajs ${namespace}: ${message}`, context);
  };
}

export function toKafkaLogLevel(level: EventLogLogLevel | 'nothing'): KafkaLogLevel {
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
