import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Infrastructure } from '@app/read-model/infrastructure';
import { PROJECTOR_GROUP } from '../../../projector/src/projection-runner';

export const OPERATIONS_OPTIONS = Symbol('OPERATIONS_OPTIONS');

export interface OperationsOptions {
  readonly infrastructure: Infrastructure;
  /** The brokers of the Kafka log; null with the embedded log. */
  readonly kafkaBrokers: readonly string[] | null;
  /** `/health/ready` fails when a partition's projection lags by more records than this. */
  readonly maxProjectionLag: number;
  /** Each readiness probe fails after this long. */
  readonly probeTimeoutMs: number;
}

export const DEFAULT_MAX_PROJECTION_LAG = 1000;
export const DEFAULT_PROBE_TIMEOUT_MS = 3000;

export interface PartitionLag {
  readonly partition: number;
  /** The offset the next record appended to the partition will get. */
  readonly endOffset: number;
  /** The next offset the projector will apply (stored with the read models). */
  readonly nextOffset: number;
  readonly lag: number;
}

/** An event log that can tell whether it is reachable (an optional extension of the log port). */
interface CheckableLog {
  health(): Promise<void>;
}

function isCheckable(log: unknown): log is CheckableLog {
  return typeof (log as Partial<CheckableLog>).health === 'function';
}

export function withTimeout<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Looks at the log and at the projection's progress for health checks and metrics: whether the log answers,
 * and how far each partition's projection trails the log's end. The embedded log is read in SQL; Kafka through
 * an admin client of its own (connected on first use).
 */
@Injectable()
export class LogProbe implements OnApplicationShutdown {
  private admin: Promise<Admin> | undefined;

  constructor(@Inject(OPERATIONS_OPTIONS) private readonly options: OperationsOptions) {}

  private get infrastructure(): Infrastructure {
    return this.options.infrastructure;
  }

  get kind(): 'kafka' | 'embedded' {
    return this.infrastructure.mode.log;
  }

  /** Resolves when the database answers `SELECT 1`. */
  async checkDatabase(): Promise<void> {
    await this.infrastructure.dataSource.query('SELECT 1');
  }

  /** Resolves when the log answers: the embedded log's table, or the Kafka cluster and topic. */
  async checkLog(): Promise<void> {
    const { eventLog } = this.infrastructure;
    if (isCheckable(eventLog)) return eventLog.health();
    if (this.kind === 'embedded') {
      await this.infrastructure.dataSource.query('SELECT 1 FROM log_records LIMIT 1');
      return;
    }
    await this.useAdmin(async (admin) => {
      await admin.describeCluster();
      await admin.fetchTopicOffsets(this.infrastructure.logName);
    });
  }

  /** How far the projection trails the log, per partition. */
  async projectionLag(): Promise<PartitionLag[]> {
    const applied = await this.appliedOffsets();
    if (this.kind === 'embedded') {
      const [{ end }]: { end: string }[] = await this.infrastructure.dataSource.query(
        'SELECT coalesce(max(log_offset) + 1, 0) AS end FROM log_records',
      );
      // One partition: the one the projection stores, 0 until it stored any.
      const partition = applied.size > 0 ? Math.min(...applied.keys()) : 0;
      return [lagOf(partition, Number(end), applied.get(partition) ?? 0)];
    }
    const offsets = await this.useAdmin((admin) => admin.fetchTopicOffsets(this.infrastructure.logName));
    return offsets
      .map((o) => lagOf(o.partition, Number(o.high), applied.get(o.partition) ?? Number(o.low)))
      .sort((a, b) => a.partition - b.partition);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dropAdmin();
  }

  private async appliedOffsets(): Promise<Map<number, number>> {
    const rows: { partition: number; next_offset: string }[] = await this.infrastructure.dataSource.query(
      'SELECT partition, next_offset FROM projection_offsets WHERE consumer = $1 AND topic = $2',
      [PROJECTOR_GROUP, this.infrastructure.logName],
    );
    return new Map(rows.map((r) => [r.partition, Number(r.next_offset)]));
  }

  private async useAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = await (this.admin ??= this.connectAdmin());
    try {
      return await work(admin);
    } catch (error) {
      // A fresh connection next time, rather than one stuck on a broker that went away.
      await this.dropAdmin();
      throw error;
    }
  }

  private async connectAdmin(): Promise<Admin> {
    const kafka = new Kafka({
      clientId: 'standoff-timeline-health',
      brokers: [...(this.options.kafkaBrokers ?? [])],
      connectionTimeout: 1000,
      requestTimeout: this.options.probeTimeoutMs,
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 },
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
    } catch (error) {
      this.admin = undefined;
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
    return admin;
  }

  private async dropAdmin(): Promise<void> {
    const pending = this.admin;
    this.admin = undefined;
    const admin = await pending?.catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
  }
}

function lagOf(partition: number, endOffset: number, nextOffset: number): PartitionLag {
  return { partition, endOffset, nextOffset, lag: Math.max(0, endOffset - nextOffset) };
}
