import { Logger } from '@nestjs/common';
import type { LogSubscription } from '@app/event-log/event-log.port';
import { EVENTS_TOPIC } from '@app/event-log/topics';
import type { Infrastructure } from '@app/read-model/infrastructure';
import { DecisionProjection, type DecisionListener } from '@app/read-model/projections/decision-projection';
import { SnapshotMaintainer } from '@app/read-model/snapshots/snapshot-maintainer';

export const PROJECTOR_GROUP = 'standoff-projector';
const CATCH_UP_IDLE_MS = 3000;

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
  private catchingUp = false;
  private catchUpLoop: Promise<void> = Promise.resolve();
  private wakeCatchUp: (() => void) | undefined;

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
    this.catchingUp = true;
    this.catchUpLoop = this.catchUpSnapshots();
  }

  async stop(): Promise<void> {
    this.catchingUp = false;
    this.wakeCatchUp?.();
    await this.catchUpLoop;
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  /**
   * Builds the snapshots the projector's batches left due (after a deep invalidation or a rebuild, each batch
   * builds only a few), so that queries on a quiet standoff get fast again. Works while there is work, then
   * looks again every few seconds.
   */
  private async catchUpSnapshots(): Promise<void> {
    const maintainer = new SnapshotMaintainer();
    const db = this.infrastructure.dataSource;
    while (this.catchingUp) {
      let built = 0;
      try {
        const standoffs: { standoff_id: string }[] = await db.query(`SELECT standoff_id FROM standoffs`);
        for (const { standoff_id } of standoffs) {
          if (!this.catchingUp) break;
          built += await maintainer.catchUp(db, standoff_id);
        }
      } catch (error) {
        this.logger.warn(`snapshot catch-up failed, retrying: ${(error as Error).message}`);
      }
      if (built === 0) await this.idle(CATCH_UP_IDLE_MS);
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(), ms);
      this.wakeCatchUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
