import { Module, type DynamicModule, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EVENT_LOG } from '@app/event-log/event-log.port';
import { DecisionWaiter } from '@app/read-model/decision-waiter';
import type { Infrastructure } from '@app/read-model/infrastructure';
import { SnapshotTemporalQueries } from '@app/read-model/snapshots/snapshot-temporal-queries';
import { TEMPORAL_QUERIES } from '@app/read-model/temporal-queries';
import { ProjectorModule } from '../../projector/src/projector.module';
import { AdminController } from './admin/admin.controller';
import { APP_CONFIG, type AppConfig } from './config/config';
import { DATA_SOURCE, INFRASTRUCTURE } from './infrastructure/tokens';
import { OperationsModule } from './operations/operations.module';
import { PageModule } from './page/page.module';
import { AppendEventsHandler } from './standoffs/commands/append-events.handler';
import { DECISION_WAITER, DecisionResults } from './standoffs/decision-results';
import {
  GetEventHandler,
  GetStandoffHandler,
  ListStandoffsHandler,
} from './standoffs/queries/standoff-queries.handler';
import {
  GetStateHandler,
  GetTensionHandler,
  GetTimelineHandler,
  ReplayHandler,
} from './standoffs/queries/temporal-queries.handler';
import { StandoffsController } from './standoffs/standoffs.controller';
import { TimelineController } from './standoffs/timeline.controller';

export interface AppModuleOptions {
  readonly config: AppConfig;
  readonly infrastructure: Infrastructure;
  /** Run the projector in this process too (`npm start`); `start:api` runs the API alone. */
  readonly withProjector: boolean;
}

@Module({})
export class AppModule implements OnApplicationShutdown {
  constructor(@Inject(DECISION_WAITER) private readonly waiter: DecisionWaiter) {}

  static async forRoot(options: AppModuleOptions): Promise<DynamicModule> {
    const { infrastructure } = options;
    const waiter = new DecisionWaiter(infrastructure.dataSource);
    await waiter.start(infrastructure.notifications ? infrastructure.databaseUrl : undefined);
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        OperationsModule.forRoot({ infrastructure }),
        PageModule,
        ...(options.withProjector
          ? [
              ProjectorModule.forRoot(infrastructure, waiter, {
                rebuildOnLogChange: options.config.rebuildOnLogChange,
              }),
            ]
          : []),
      ],
      controllers: [StandoffsController, TimelineController, AdminController],
      providers: [
        { provide: APP_CONFIG, useValue: options.config },
        { provide: INFRASTRUCTURE, useValue: infrastructure },
        { provide: DATA_SOURCE, useValue: infrastructure.dataSource },
        { provide: EVENT_LOG, useValue: infrastructure.eventLog },
        { provide: DECISION_WAITER, useValue: waiter },
        DecisionResults,
        AppendEventsHandler,
        ListStandoffsHandler,
        GetStandoffHandler,
        GetEventHandler,
        { provide: TEMPORAL_QUERIES, useValue: new SnapshotTemporalQueries(infrastructure.dataSource) },
        GetStateHandler,
        GetTimelineHandler,
        GetTensionHandler,
        ReplayHandler,
      ],
    };
  }

  onApplicationShutdown(): Promise<void> {
    return this.waiter.stop();
  }
}
