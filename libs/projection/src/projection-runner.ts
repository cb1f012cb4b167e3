import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { LogConsumer, LogSubscription } from '@app/event-log/event-log.port';
import { EVENTS_TOPIC, PROJECTOR_GROUP } from '@app/event-log/topics';
import type { Infrastructure } from '@app/platform/infrastructure';
import { withLogContext } from '@app/platform/logging/log-context';
import { DecisionProjection, type DecisionListener } from '@app/decisions/decision-projection';
import { bindToLog, checkLogBinding, LogBindingError } from '@app/decisions/log-binding';
import { rebuildBeside, type RebuildTarget } from './rebuild';
import { SnapshotBuilder } from '@app/read-model/snapshots/snapshot-builder';

/** Where the projector of this process stands, for readiness. */
export interface ProjectorStatus {
  /** `joining` until it holds its partitions (a consumer group may take a session timeout to let it in). */
  readonly state: 'stopped' | 'refused' | 'joining' | 'assigned';
  readonly partitions: readonly number[];
}

export interface ProjectionRunnerOptions {
  /** Rebuild the read models when they come from another log, instead of refusing to project. */
  readonly rebuildOnLogChange?: boolean;
}

/**
 * The Kafka consumer group for a topic: one group per topic, because kafkajs's assigner hands out only the
 * leader's topics, so projectors of two topics in one group starve each other. The production topic keeps the
 * plain name. (Offsets in Postgres stay under PROJECTOR_GROUP and the topic.)
 */
export function projectorGroupId(logName: string): string {
  return logName === EVENTS_TOPIC ? PROJECTOR_GROUP : `${PROJECTOR_GROUP}.${logName}`;
}

/** What a rebuild of this process's read models projects into, read with a consumer group of its own. */
export function rebuildTargetFor(infrastructure: Infrastructure, rebuildId: string): RebuildTarget {
  const { dataSource, eventLog, logName } = infrastructure;
  return {
    dataSource,
    eventLog,
    logName,
    consumer: PROJECTOR_GROUP,
    groupId: `${projectorGroupId(logName)}.rebuild.${rebuildId}`,
    liveGroupId: projectorGroupId(logName),
  };
}

/** Consumes the log and keeps the read models, from the offsets stored beside them, until stopped. */
export class ProjectionRunner {
  private readonly logger = new Logger(ProjectionRunner.name);
  private subscription: LogSubscription | undefined;
  /** Why the runner refused to project (read models of another log), if it did. */
  refusal: string | undefined;
  /** Builds the snapshots after the projector's commits, off its transactions. */
  readonly snapshots: SnapshotBuilder;

  constructor(
    private readonly infrastructure: Infrastructure,
    private readonly listener?: DecisionListener,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.snapshots = new SnapshotBuilder(infrastructure.dataSource, {
      warn: (message) => this.logger.warn(message),
    });
  }

  /**
   * Projects from where the read models stand, once they are known to come from this log; read models of
   * another log are refused (LogBindingError), or rebuilt first with `rebuildOnLogChange`.
   */
  async start(): Promise<void> {
    await this.ensureBoundToLog();
    const projection = new DecisionProjection(
      this.infrastructure.dataSource,
      PROJECTOR_GROUP,
      this.infrastructure.logName,
      {
        decided: (commandIds) => this.listener?.decided(commandIds),
        deadLettered: (letter) => {
          this.logger.error({
            message:
              `dead-lettered partition ${letter.partition} offset ${letter.offset}` +
              `${letter.commandId ? ` (command ${letter.commandId})` : ''}: ${letter.error}`,
            partition: letter.partition,
            offset: letter.offset,
            ...(letter.commandId ? { commandId: letter.commandId } : {}),
          });
          this.listener?.deadLettered?.(letter);
        },
        changed: (changes) => this.snapshots.changed(changes),
      },
    );
    // Every entry logged while a batch is applied names its partition.
    const consumer: LogConsumer = {
      resumeOffsets: (partitions) => projection.resumeOffsets(partitions),
      apply: (batch) => withLogContext({ partition: batch.partition }, () => projection.apply(batch)),
    };
    this.subscription = await this.infrastructure.eventLog.subscribe(consumer, {
      groupId: projectorGroupId(this.infrastructure.logName),
    });
    this.logger.log(
      `projecting ${this.infrastructure.logName} as ${projectorGroupId(this.infrastructure.logName)}`,
    );
    this.snapshots.start();
  }

  private async ensureBoundToLog(): Promise<void> {
    const { dataSource, eventLog, logName } = this.infrastructure;
    const binding = await checkLogBinding(dataSource, eventLog, PROJECTOR_GROUP, logName);
    if (binding.ok) {
      this.refusal = undefined;
      if (!binding.bound) await bindToLog(dataSource, PROJECTOR_GROUP, logName, binding.logId);
      return;
    }
    if (!this.options.rebuildOnLogChange) {
      this.refusal = binding.problem;
      throw new LogBindingError(binding.problem);
    }
    this.logger.warn(`${binding.problem}; REBUILD_ON_LOG_CHANGE is set: rebuilding from ${binding.logId}`);
    const progress = await rebuildBeside({
      ...rebuildTargetFor(this.infrastructure, randomUUID()),
      replacingAnotherLog: true,
    });
    this.logger.log(`rebuilt ${progress.events} events from ${progress.total} records of ${binding.logId}`);
  }

  status(): ProjectorStatus {
    if (this.refusal) return { state: 'refused', partitions: [] };
    const held = this.subscription?.status();
    if (!held) return { state: 'stopped', partitions: [] };
    return { state: held.assigned ? 'assigned' : 'joining', partitions: held.partitions };
  }

  async stop(): Promise<void> {
    await this.snapshots.stop();
    await this.subscription?.stop();
    this.subscription = undefined;
  }
}
