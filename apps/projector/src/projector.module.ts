import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Infrastructure } from '@app/read-model/infrastructure';
import type { DecisionListener } from '@app/read-model/projections/decision-projection';
import { ProjectionRunner } from './projection-runner';

export const PROJECTION_RUNNER = Symbol('PROJECTION_RUNNER');

@Module({})
export class ProjectorModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner) {}

  static forRoot(infrastructure: Infrastructure, listener?: DecisionListener): DynamicModule {
    return {
      module: ProjectorModule,
      providers: [{ provide: PROJECTION_RUNNER, useValue: new ProjectionRunner(infrastructure, listener) }],
      exports: [PROJECTION_RUNNER],
    };
  }

  onApplicationBootstrap(): Promise<void> {
    return this.runner.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.runner.stop();
  }
}
