import { EventEmitter } from 'node:events';
import type { DataSource } from 'typeorm';
import { messageOf } from '@app/domain/error-message';
import { decodeEnvelope, encodeEnvelope } from './envelope.codec';
import type { Envelope } from './envelope';
import {
  LogUnavailableError,
  type EventLog,
  type LogConsumer,
  type LogRecord,
  type LogSubscription,
  type SubscriptionStatus,
} from './event-log.port';
import { stderrLogger, type EventLogLogger } from './event-log-logger.port';
import { MAX_ENVELOPE_BYTES } from './topics';

export interface EmbeddedEventLogOptions {
  /** How often a subscriber looks for appends made by other processes. Default 250. */
  readonly pollIntervalMs?: number;
  /** How long a subscriber waits before applying a failed batch again. Default 1000. */
  readonly retryDelayMs?: number;
  /** The most records one batch carries. Default 1000. */
  readonly maxBatchRecords?: number;
  /** Payload bytes after which a batch stops growing (one larger record still goes, alone). Default 8 MiB. */
  readonly maxBatchBytes?: number;
  readonly logger?: EventLogLogger;
}

/** Serialises appends across processes sharing the database (any constant unique to this purpose). */
const APPEND_LOCK = 7_306_125_002;
const APPENDED = 'appended';

/**
 * The log as a table of the read-model database, for one machine without Kafka: one partition (0), offsets
 * assigned gap-free under a lock so that they become visible in order, the commit time (ms) as recordedAt.
 * Works on Postgres and on PGlite (one session, where the lock is trivially held).
 */
export class EmbeddedEventLog implements EventLog {
  private readonly events = new EventEmitter();
  private readonly subscriptions = new Set<EmbeddedSubscription>();
  private readonly logger: EventLogLogger;
  /** Counts local appends, so a subscriber that just read an empty page knows whether to read again. */
  private appendCount = 0;
  private closed = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: EmbeddedEventLogOptions = {},
  ) {
    this.logger = options.logger ?? stderrLogger;
    this.events.setMaxListeners(0);
  }

  /** The migration made the table. */
  async prepare(): Promise<void> {}

  /** The log is a table beside the read models: they cannot come from another one. */
  identity(): Promise<string> {
    return Promise.resolve('embedded');
  }

  async endOffsets(): Promise<ReadonlyMap<number, string>> {
    const [{ end }]: { end: string }[] = await this.dataSource.query(
      'SELECT coalesce(max(log_offset) + 1, 0) AS end FROM log_records',
    );
    return new Map([[0, String(end)]]);
  }

  async append(envelope: Envelope): Promise<void> {
    if (this.closed) throw new LogUnavailableError('the event log is closed');
    const payload = encodeEnvelope(envelope);
    if (payload.length > MAX_ENVELOPE_BYTES) {
      throw new RangeError(
        `the record takes ${payload.length} bytes, more than the log's ${MAX_ENVELOPE_BYTES}`,
      );
    }
    await this.insert(envelope.standoffId, payload);
  }

  private async insert(standoffId: string, payload: Buffer): Promise<void> {
    try {
      await this.dataSource.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
        // Under the lock, this statement's snapshot sees every earlier append committed: no gaps, and offsets
        // become visible in their order (a sequence could commit out of order and make a reader skip).
        await tx.query(
          `INSERT INTO log_records (log_offset, standoff_id, payload, recorded_at)
           SELECT coalesce(max(log_offset), -1) + 1, $1, $2, date_trunc('milliseconds', clock_timestamp())
             FROM log_records`,
          [standoffId, payload],
        );
      });
    } catch (error) {
      throw new LogUnavailableError(
        `the embedded log could not store the record: ${messageOf(error)}`,
        error,
      );
    }
    this.appendCount += 1;
    this.events.emit(APPENDED);
  }

  async subscribe(consumer: LogConsumer): Promise<LogSubscription> {
    if (this.closed) throw new LogUnavailableError('the event log is closed');
    const subscription = new EmbeddedSubscription(
      this.dataSource,
      consumer,
      {
        pollIntervalMs: this.options.pollIntervalMs ?? 250,
        retryDelayMs: this.options.retryDelayMs ?? 1000,
        maxBatchRecords: this.options.maxBatchRecords ?? 1000,
        maxBatchBytes: this.options.maxBatchBytes ?? 8 * 1024 * 1024,
      },
      this.logger,
      {
        appendCount: () => this.appendCount,
        onAppend: (listener) => {
          this.events.on(APPENDED, listener);
          return () => this.events.off(APPENDED, listener);
        },
      },
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    subscription.start();
    return subscription;
  }

  /** Stops the subscriptions; the DataSource belongs to the caller. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
  }
}

interface SubscriptionSettings {
  readonly pollIntervalMs: number;
  readonly retryDelayMs: number;
  readonly maxBatchRecords: number;
  readonly maxBatchBytes: number;
}

interface LocalAppends {
  appendCount(): number;
  onAppend(listener: () => void): () => void;
}

interface LogRow {
  log_offset: string;
  payload: Buffer;
  recorded_at: Date;
}

class EmbeddedSubscription implements LogSubscription {
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();
  private wake: (() => void) | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly consumer: LogConsumer,
    private readonly settings: SubscriptionSettings,
    private readonly logger: EventLogLogger,
    private readonly local: LocalAppends,
    private readonly onStopped: () => void,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  /** One partition, read by every subscriber from the start: nothing to join. */
  status(): SubscriptionStatus {
    return { assigned: !this.stopped, partitions: [0] };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    this.onStopped();
  }

  private async run(): Promise<void> {
    let next: bigint | undefined;
    while (!this.stopped) {
      const seenAppends = this.local.appendCount();
      let rows: LogRow[];
      try {
        next ??= BigInt((await this.consumer.resumeOffsets([0])).get(0) ?? '0');
        rows = await this.read(next);
      } catch (error) {
        this.logger('warn', `embedded log: could not read from offset ${next ?? '?'}: ${messageOf(error)}`);
        await this.pause(this.settings.retryDelayMs, () => false);
        continue;
      }
      if (rows.length === 0) {
        await this.pause(this.settings.pollIntervalMs, () => this.local.appendCount() !== seenAppends);
        continue;
      }
      const records = rows.map(toLogRecord);
      try {
        await this.consumer.apply({ partition: 0, records });
        next = BigInt(records[records.length - 1].offset) + 1n;
      } catch (error) {
        this.logger(
          'error',
          `embedded log: apply failed at ${records[0].offset}..${records[records.length - 1].offset}; retrying`,
          { error: messageOf(error) },
        );
        // Ask the consumer again where it stands: its store is the truth, whatever the failure left behind.
        next = undefined;
        await this.pause(this.settings.retryDelayMs, () => false);
      }
    }
  }

  private read(from: bigint): Promise<LogRow[]> {
    // Stops growing the page once the payloads before a row exceed the byte budget (the first row always goes).
    return this.dataSource.query(
      `SELECT log_offset::text AS log_offset, payload, recorded_at
         FROM (SELECT log_offset, payload, recorded_at,
                      sum(octet_length(payload)) OVER (ORDER BY log_offset) - octet_length(payload) AS bytes_before
                 FROM log_records
                WHERE log_offset >= $1
                ORDER BY log_offset
                LIMIT $2) page
        WHERE bytes_before < $3
        ORDER BY page.log_offset`,
      [from.toString(), this.settings.maxBatchRecords, this.settings.maxBatchBytes],
    );
  }

  /** Waits up to `ms`, less when stopped or when `ready` holds or becomes true through a local append. */
  private pause(ms: number, ready: () => boolean): Promise<void> {
    if (this.stopped || ready()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        unsubscribe();
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      const unsubscribe = this.local.onAppend(() => {
        if (ready()) done();
      });
      this.wake = done;
    });
  }
}

function toLogRecord(row: LogRow): LogRecord {
  const raw = Buffer.isBuffer(row.payload) ? row.payload : Buffer.from(row.payload);
  const recordedAt = new Date(row.recorded_at).getTime();
  const decoded = decodeEnvelope(raw);
  return decoded.ok
    ? { partition: 0, offset: row.log_offset, recordedAt, envelope: decoded.envelope, raw }
    : {
        partition: 0,
        offset: row.log_offset,
        recordedAt,
        envelope: undefined,
        raw,
        decodeError: decoded.error,
      };
}
