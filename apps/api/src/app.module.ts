import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';
import { DecisionsModule } from '@app/decisions/decisions.module';
import type { Infrastructure } from '@app/platform/infrastructure';
import { LiveTemporalQueries } from '@app/read-model/live-temporal-queries';
import { TEMPORAL_QUERIES } from '@app/read-model/temporal-queries';
import { ProjectorModule } from '@app/projection/projector.module';
import { AdminController } from './admin/admin.controller';
import type { AppConfig } from '@app/platform/config';
import { InfrastructureModule } from '@app/platform/infrastructure.module';
import { DATA_SOURCE } from '@app/platform/tokens';
import { CsvExportController } from './feed/csv-export.controller';
import { FeedModule } from './feed/feed.module';
import { OperationsModule } from './operations/operations.module';
import { PageModule } from './page/page.module';
import { AppendEventsHandler } from './standoffs/commands/append-events.handler';
import { DecisionResults } from './standoffs/decision-results';
import {
  GetEventHandler,
  GetStandoffHandler,
  ListStandoffsHandler,
} from './standoffs/queries/standoffs.handler';
import {
  GetDiffHandler,
  GetStateHandler,
  GetTensionHandler,
  GetTimelineHandler,
  ReplayHandler,
} from './standoffs/queries/temporal.handler';
import { StandoffsController } from './standoffs/standoffs.controller';
import { DiffController } from './standoffs/diff.controller';
import { TemporalController } from './standoffs/temporal.controller';

export interface AppModuleOptions {
  readonly config: AppConfig;
  readonly infrastructure: Infrastructure;
  /** Run the projector in this process too (`npm start`); `start:api` runs the API alone. */
  readonly withProjector: boolean;
}

/** The API: its controllers and handlers over the infrastructure; with `withProjector`, the projector too. */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    const { config, infrastructure } = options;
    return {
      module: AppModule,
      imports: [
        InfrastructureModule.forRoot(config, infrastructure),
        DecisionsModule,
        CqrsModule.forRoot(),
        OperationsModule.forRoot({ stallAfterSeconds: config.projectionStallSeconds }),
        PageModule,
        FeedModule,
        ...(options.withProjector
          ? [ProjectorModule.forRoot({ rebuildOnLogChange: config.rebuildOnLogChange })]
          : []),
      ],
      // CSV first: it passes every request but `Accept: text/csv` on to the JSON routes of the same paths.
      controllers: [
        CsvExportController,
        StandoffsController,
        TemporalController,
        DiffController,
        AdminController,
      ],
      providers: [
        DecisionResults,
        AppendEventsHandler,
        ListStandoffsHandler,
        GetStandoffHandler,
        GetEventHandler,
        {
          provide: TEMPORAL_QUERIES,
          useFactory: (db: DataSource) => LiveTemporalQueries.over(db),
          inject: [DATA_SOURCE],
        },
        GetStateHandler,
        GetDiffHandler,
        GetTimelineHandler,
        GetTensionHandler,
        ReplayHandler,
      ],
    };
  }
}
