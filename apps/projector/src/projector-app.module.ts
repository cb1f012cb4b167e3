import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@app/platform/config';
import type { Infrastructure } from '@app/platform/infrastructure';
import { InfrastructureModule } from '@app/platform/infrastructure.module';
import { ProjectorModule } from '@app/projection/projector.module';

/** `npm run start:projector`: the infrastructure and the projector, nothing else. */
@Module({})
export class ProjectorAppModule {
  static forRoot(config: AppConfig, infrastructure: Infrastructure): DynamicModule {
    return {
      module: ProjectorAppModule,
      imports: [
        InfrastructureModule.forRoot(config, infrastructure),
        ProjectorModule.forRoot({ rebuildOnLogChange: config.rebuildOnLogChange }),
      ],
    };
  }
}
