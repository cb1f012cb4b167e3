import {
  Inject,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Infrastructure } from '@app/read-model/infrastructure';
import type { DecisionListener } from '@app/read-model/projections/decision-projection';
import { LogBindingError } from '@app/read-model/projections/log-binding';
import { ProjectionRunner, type ProjectionRunnerOptions } from './projection-runner';

export const PROJECTION_RUNNER = Symbol('PROJECTION_RUNNER');

@Module({})
export class ProjectorModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner) {}

  static forRoot(
    infrastructure: Infrastructure,
    listener?: DecisionListener,
    options: ProjectionRunnerOptions = {},
  ): DynamicModule {
    return {
      module: ProjectorModule,
      providers: [
        { provide: PROJECTION_RUNNER, useValue: new ProjectionRunner(infrastructure, listener, options) },
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
