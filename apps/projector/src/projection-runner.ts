import { Logger } from '@nestjs/common';
import type { LogSubscription } from '@app/event-log/event-log.port';
import type { Infrastructure } from '@app/read-model/infrastructure';
import { DecisionProjection, type DecisionListener } from '@app/read-model/projections/decision-projection';

export const PROJECTOR_GROUP = 'standoff-projector';

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
      groupId: PROJECTOR_GROUP,
    });
    this.logger.log(`projecting ${this.infrastructure.logName} as ${PROJECTOR_GROUP}`);
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
  }
}
