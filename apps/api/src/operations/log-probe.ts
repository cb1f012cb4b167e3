import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Infrastructure } from '@app/platform/infrastructure';
import { countDeadLetters } from '@app/decisions/dead-letters';
import { checkLogBinding, type LogBinding } from '@app/decisions/log-binding';
import { PROJECTOR_GROUP } from '@app/event-log/topics';
import { projectorGroupId, type ProjectionRunner } from '@app/projection/projection-runner';
import { PROJECTION_RUNNER } from '@app/projection/projector.module';
import { judgeOwnership, type Ownership } from './projection-ownership';

export const OPERATIONS_OPTIONS = Symbol('OPERATIONS_OPTIONS');

export interface OperationsOptions {
  readonly infrastructure: Infrastructure;
  /** `/health/ready` fails when a partition's projection lags by more records than this. */
  readonly maxProjectionLag: number;
  /** Each readiness probe fails after this long. */
  readonly probeTimeoutMs: number;
  /** `/health/ready` fails when a partition lags and has applied nothing for this long. */
  readonly stallAfterSeconds: number;
}

export const DEFAULT_MAX_PROJECTION_LAG = 1000;
export const DEFAULT_PROBE_TIMEOUT_MS = 3000;
export const DEFAULT_STALL_AFTER_SECONDS = 30;

export interface PartitionLag {
  readonly partition: number;
  /** The offset the next record appended to the partition will get. */
  readonly endOffset: number;
  /** The next offset the projector will apply (stored with the read models). */
  readonly nextOffset: number;
  readonly lag: number;
  /** Events the projection has applied from this partition (a record holds up to 1000). */
  readonly appliedEvents: number;
  /** While it lags: seconds since it last applied anything (as seen by the read models and by this probe). */
  readonly secondsWithoutProgress: number;
  /** It lags and has applied nothing for longer than the stall bound. */
  readonly stalled: boolean;
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
  /** Per partition, the next offset this probe last saw and since when: progress it saw itself. */
  private readonly seen = new Map<number, { nextOffset: number; since: number }>();

  constructor(
    @Inject(OPERATIONS_OPTIONS) private readonly options: OperationsOptions,
    private readonly modules: ModuleRef,
  ) {}

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
      .map(([partition, end]) => this.lagOf(partition, Number(end), applied.get(partition)))
      .sort((a, b) => a.partition - b.partition);
  }

  /**
   * Whether every partition has a projector: the one in this process has joined its group and holds its share,
   * and (Kafka) the group's live members hold every partition of the log.
   */
  async projectionOwnership(): Promise<Ownership> {
    const { eventLog, logName } = this.infrastructure;
    const groupId = projectorGroupId(logName);
    const [ends, group] = await Promise.all([eventLog.endOffsets(), eventLog.groupOwnership?.(groupId)]);
    return judgeOwnership({
      partitions: [...ends.keys()].sort((a, b) => a - b),
      groupId,
      inProcess: this.runner()?.status(),
      group,
    });
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

  private runner(): ProjectionRunner | undefined {
    try {
      return this.modules.get<ProjectionRunner>(PROJECTION_RUNNER, { strict: false });
    } catch {
      return undefined; // the API alone: no projector in this process
    }
  }

  private async appliedOffsets(): Promise<Map<number, AppliedOffset>> {
    const rows: {
      partition: number;
      next_offset: string;
      applied_events: string;
      idle_seconds: number | null;
    }[] = await this.infrastructure.dataSource.query(
      `SELECT partition, next_offset, applied_events,
              extract(epoch FROM now() - progressed_at)::float8 AS idle_seconds
         FROM projection_offsets WHERE consumer = $1 AND topic = $2`,
      [PROJECTOR_GROUP, this.infrastructure.logName],
    );
    return new Map(
      rows.map((r) => [
        r.partition,
        {
          nextOffset: Number(r.next_offset),
          appliedEvents: Number(r.applied_events),
          idleSeconds: r.idle_seconds === null ? undefined : Number(r.idle_seconds),
        },
      ]),
    );
  }

  /**
   * A partition stalls when it lags and nothing moved for the bound: not since the read models last stored
   * progress (an idle partition's last progress may be old when a record arrives) and not since this probe
   * first saw it at its current offset.
   */
  private lagOf(partition: number, endOffset: number, applied: AppliedOffset | undefined): PartitionLag {
    const nextOffset = applied?.nextOffset ?? 0;
    const lag = Math.max(0, endOffset - nextOffset);
    const now = Date.now();
    const seen = this.seen.get(partition);
    const since = seen && seen.nextOffset === nextOffset ? seen.since : now;
    this.seen.set(partition, { nextOffset, since });
    const observed = (now - since) / 1000;
    const secondsWithoutProgress =
      lag === 0 ? 0 : Math.floor(Math.min(observed, applied?.idleSeconds ?? observed));
    return {
      partition,
      endOffset,
      nextOffset,
      lag,
      appliedEvents: applied?.appliedEvents ?? 0,
      secondsWithoutProgress,
      stalled: lag > 0 && secondsWithoutProgress >= this.options.stallAfterSeconds,
    };
  }
}

interface AppliedOffset {
  readonly nextOffset: number;
  readonly appliedEvents: number;
  /** Seconds since the projection last stored progress here; undefined when it never did. */
  readonly idleSeconds: number | undefined;
}
