import { Logger } from '@nestjs/common';
import type { LogSubscription } from '@app/event-log/event-log.port';
import { EVENTS_TOPIC } from '@app/event-log/topics';
import type { Infrastructure } from '@app/read-model/infrastructure';
import { DecisionProjection, type DecisionListener } from '@app/read-model/projections/decision-projection';

export const PROJECTOR_GROUP = 'standoff-projector';

/**
 * The Kafka consumer group for a topic: one group per topic, because kafkajs's assigner hands out only the
 * leader's topics, so projectors of two topics in one group starve each other. The production topic keeps the
 * plain name. (Offsets in Postgres stay under PROJECTOR_GROUP and the topic.)
 */
export function projectorGroupId(logName: string): string {
  return logName === EVENTS_TOPIC ? PROJECTOR_GROUP : `${PROJECTOR_GROUP}.${logName}`;
}

/** Consumes the log and keeps the read models, from the offsets stored beside them, until stopped. */
export class ProjectionRunner {
  private readonly logger = new Logger(ProjectionRunner.name);
  private subscription: LogSubscription | undefined;

  constructor(
    private readonly infrastructure: Infrastructure,
    private readonly listener?: DecisionListener,
  ) {}

  async start(): Promise<void> {
    const projection = new DecisionProjection(
      this.infrastructure.dataSource,
      PROJECTOR_GROUP,
      this.infrastructure.logName,
      this.listener,
    );
    this.subscription = await this.infrastructure.eventLog.subscribe(projection, {
      groupId: projectorGroupId(this.infrastructure.logName),
    });
    this.logger.log(
      `projecting ${this.infrastructure.logName} as ${projectorGroupId(this.infrastructure.logName)}`,
    );
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
  }
}
