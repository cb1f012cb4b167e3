import {
  Inject,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Infrastructure } from '@app/platform/infrastructure';
import type { DecisionListener } from '@app/decisions/decision-projection';
import { DECISION_WAITER } from '@app/decisions/decisions.module';
import { LogBindingError } from '@app/decisions/log-binding';
import { APP_CONFIG, type AppConfig } from '@app/platform/config';
import { INFRASTRUCTURE } from '@app/platform/tokens';
import { FeedPublisher } from './feed-publisher';
import { ProjectionRunner, type ProjectionRunnerOptions } from './projection-runner';

export const PROJECTION_RUNNER = Symbol('PROJECTION_RUNNER');
/** The downstream topic's publisher (Kafka mode; null with the embedded log), run beside the projector. */
export const FEED_PUBLISHER = Symbol('FEED_PUBLISHER');

@Module({})
export class ProjectorModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Inject(FEED_PUBLISHER) private readonly publisher: FeedPublisher | null,
  ) {}

  /** Needs InfrastructureModule; wakes the DecisionsModule's waiter directly when the application has one. */
  static forRoot(options: ProjectionRunnerOptions = {}): DynamicModule {
    return {
      module: ProjectorModule,
      providers: [
        {
          provide: FEED_PUBLISHER,
          useFactory: (infrastructure: Infrastructure, config: AppConfig) =>
            infrastructure.feedTopic && config.feedPublisher
              ? new FeedPublisher(infrastructure.dataSource, infrastructure.feedTopic, {
                  listenUrl: infrastructure.notifications ? infrastructure.databaseUrl : undefined,
                })
              : null,
          inject: [INFRASTRUCTURE, APP_CONFIG],
        },
        {
          provide: PROJECTION_RUNNER,
          useFactory: (
            infrastructure: Infrastructure,
            publisher: FeedPublisher | null,
            waiter?: DecisionListener,
          ) => {
            // What this process decides wakes the publisher at once (others' decisions reach it by NOTIFY).
            const listener: DecisionListener = {
              decided: (commandIds) => {
                waiter?.decided(commandIds);
                publisher?.wake();
              },
              deadLettered: (letter) => waiter?.deadLettered?.(letter),
            };
            return new ProjectionRunner(infrastructure, listener, options);
          },
          inject: [INFRASTRUCTURE, FEED_PUBLISHER, { token: DECISION_WAITER, optional: true }],
        },
      ],
      exports: [PROJECTION_RUNNER, FEED_PUBLISHER],
    };
  }

  /**
   * Read models of another log are refused without stopping the process: the API beside keeps answering and
   * readiness says what to do. The projector alone exits on it (apps/projector main).
   */
  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.runner.start();
    } catch (error) {
      if (!(error instanceof LogBindingError)) throw error;
      new Logger(ProjectorModule.name).error(error.message);
      return;
    }
    this.publisher?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher?.stop();
    await this.runner.stop();
  }
}
