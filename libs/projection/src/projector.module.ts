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
import { INFRASTRUCTURE } from '@app/platform/tokens';
import { ProjectionRunner, type ProjectionRunnerOptions } from './projection-runner';

export const PROJECTION_RUNNER = Symbol('PROJECTION_RUNNER');

@Module({})
export class ProjectorModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner) {}

  /** Needs InfrastructureModule; wakes the DecisionsModule's waiter directly when the application has one. */
  static forRoot(options: ProjectionRunnerOptions = {}): DynamicModule {
    return {
      module: ProjectorModule,
      providers: [
        {
          provide: PROJECTION_RUNNER,
          useFactory: (infrastructure: Infrastructure, listener?: DecisionListener) =>
            new ProjectionRunner(infrastructure, listener, options),
          inject: [INFRASTRUCTURE, { token: DECISION_WAITER, optional: true }],
        },
      ],
      exports: [PROJECTION_RUNNER],
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
    }
  }

  onApplicationShutdown(): Promise<void> {
    return this.runner.stop();
  }
}
