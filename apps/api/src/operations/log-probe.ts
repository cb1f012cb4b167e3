import { Inject, Injectable } from '@nestjs/common';
import type { Infrastructure } from '@app/platform/infrastructure';
import { countDeadLetters } from '@app/decisions/dead-letters';
import { checkLogBinding, type LogBinding } from '@app/decisions/log-binding';
import { PROJECTOR_GROUP } from '@app/projection/projection-runner';

export const OPERATIONS_OPTIONS = Symbol('OPERATIONS_OPTIONS');

export interface OperationsOptions {
  readonly infrastructure: Infrastructure;
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
export class LogProbe {
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

  /** Resolves when the log answers: it can tell where each partition ends. */
  async checkLog(): Promise<void> {
    await this.infrastructure.eventLog.endOffsets();
  }

  /** How far the projection trails the log, per partition. */
  async projectionLag(): Promise<PartitionLag[]> {
    const [applied, ends] = await Promise.all([
      this.appliedOffsets(),
      this.infrastructure.eventLog.endOffsets(),
    ]);
    return [...ends]
      .map(([partition, end]) => lagOf(partition, Number(end), applied.get(partition) ?? 0))
      .sort((a, b) => a.partition - b.partition);
  }

  /** Whether the read models come from this log (a projector refuses them otherwise). */
  logBinding(): Promise<LogBinding> {
    const { dataSource, eventLog, logName } = this.infrastructure;
    return checkLogBinding(dataSource, eventLog, PROJECTOR_GROUP, logName);
  }

  /** When each partition's projection last moved its offset (epoch seconds); absent before its first batch. */
  async lastProgress(): Promise<{ partition: number; at: number }[]> {
    const rows: { partition: number; at: string }[] = await this.infrastructure.dataSource.query(
      `SELECT partition, extract(epoch FROM progressed_at)::float8 AS at FROM projection_offsets
        WHERE consumer = $1 AND topic = $2 AND progressed_at IS NOT NULL`,
      [PROJECTOR_GROUP, this.infrastructure.logName],
    );
    return rows.map((r) => ({ partition: r.partition, at: Number(r.at) }));
  }

  deadLetters(): Promise<{ total: number; pending: number }> {
    return countDeadLetters(this.infrastructure.dataSource);
  }

  private async appliedOffsets(): Promise<Map<number, number>> {
    const rows: { partition: number; next_offset: string }[] = await this.infrastructure.dataSource.query(
      'SELECT partition, next_offset FROM projection_offsets WHERE consumer = $1 AND topic = $2',
      [PROJECTOR_GROUP, this.infrastructure.logName],
    );
    return new Map(rows.map((r) => [r.partition, Number(r.next_offset)]));
  }
}

function lagOf(partition: number, endOffset: number, nextOffset: number): PartitionLag {
  return { partition, endOffset, nextOffset, lag: Math.max(0, endOffset - nextOffset) };
}
