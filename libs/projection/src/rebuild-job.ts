import { randomUUID } from 'node:crypto';
import type { Infrastructure } from '@app/platform/infrastructure';
import { rebuildBeside } from './rebuild';
import { rebuildTargetFor, type ProjectionRunner } from './projection-runner';

export interface RebuildStatus {
  readonly jobId: string;
  readonly state: 'running' | 'done' | 'failed';
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** Log records to apply (the log's end when the rebuild started) and applied so far. */
  readonly records: { readonly total: number; readonly applied: number };
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly etaSeconds: number | null;
  readonly error: string | null;
}

const POLL_MS = 500;

/**
 * Rebuilds every read model from the log beside the live ones and switches when complete (`rebuildBeside`),
 * reporting progress. The log decides the same way twice, so the rebuilt read models answer as before; a
 * failed rebuild leaves the live models serving.
 */
export class RebuildJob {
  readonly jobId = randomUUID();
  private readonly startedAt = Date.now();
  private status: RebuildStatus;

  constructor(
    private readonly infrastructure: Infrastructure,
    /** The live projector of this process, if any: paused for the switch only. */
    private readonly runner?: ProjectionRunner,
  ) {
    this.status = {
      jobId: this.jobId,
      state: 'running',
      startedAt: new Date(this.startedAt).toISOString(),
      finishedAt: null,
      records: { total: 0, applied: 0 },
      events: 0,
      eventsPerSecond: 0,
      etaSeconds: null,
      error: null,
    };
  }

  get progress(): RebuildStatus {
    return this.status;
  }

  async run(report: (status: RebuildStatus) => void = () => undefined): Promise<RebuildStatus> {
    const runner = this.runner;
    try {
      await rebuildBeside(rebuildTargetFor(this.infrastructure, this.jobId), {
        live: runner && { stop: () => runner.stop(), start: () => runner.start() },
        report: ({ total, applied, events }) => {
          this.update(total, applied, events);
          report(this.status);
        },
        pollMs: POLL_MS,
      });
      this.status = { ...this.status, state: 'done', finishedAt: new Date().toISOString(), etaSeconds: 0 };
    } catch (error) {
      this.status = {
        ...this.status,
        state: 'failed',
        finishedAt: new Date().toISOString(),
        error: error instanceof Error ? error.message : String(error),
      };
    }
    report(this.status);
    return this.status;
  }

  private update(total: number, applied: number, events: number): void {
    const seconds = Math.max((Date.now() - this.startedAt) / 1000, 0.001);
    const recordsPerSecond = applied / seconds;
    this.status = {
      ...this.status,
      records: { total, applied },
      events,
      eventsPerSecond: Math.round(events / seconds),
      etaSeconds: recordsPerSecond > 0 ? Math.ceil((total - applied) / recordsPerSecond) : null,
    };
  }
}
