import { Global, Module, type DynamicModule } from '@nestjs/common';
import { EVENT_LOG } from '@app/event-log/event-log.port';
import { APP_CONFIG, type AppConfig } from './config';
import type { Infrastructure } from './infrastructure';
import { DATA_SOURCE, INFRASTRUCTURE } from './tokens';

/**
 * Binds the ports to the adapters the configuration chose, by token, once for the whole application: the
 * infrastructure is opened before Nest starts (connect, migrate, prepare the log), and every port is derived
 * from it here.
 */
@Global()
@Module({})
export class InfrastructureModule {
  static forRoot(config: AppConfig, infrastructure: Infrastructure): DynamicModule {
    return {
      module: InfrastructureModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: INFRASTRUCTURE, useValue: infrastructure },
        {
          provide: DATA_SOURCE,
          useFactory: (opened: Infrastructure) => opened.dataSource,
          inject: [INFRASTRUCTURE],
        },
        {
          provide: EVENT_LOG,
          useFactory: (opened: Infrastructure) => opened.eventLog,
          inject: [INFRASTRUCTURE],
        },
      ],
      exports: [APP_CONFIG, INFRASTRUCTURE, DATA_SOURCE, EVENT_LOG],
    };
  }
}
