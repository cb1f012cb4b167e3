import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { Infrastructure } from '@app/platform/infrastructure';
import { INFRASTRUCTURE } from '@app/platform/tokens';
import { HealthController } from './health.controller';
import {
  DEFAULT_MAX_PROJECTION_LAG,
  DEFAULT_PROBE_TIMEOUT_MS,
  DEFAULT_STALL_AFTER_SECONDS,
  LogProbe,
  OPERATIONS_OPTIONS,
  type OperationsOptions,
} from './log-probe';
import { Metrics } from './metrics';
import { MetricsController } from './metrics.controller';

export interface OperationsModuleOptions {
  readonly maxProjectionLag?: number;
  readonly probeTimeoutMs?: number;
  readonly stallAfterSeconds?: number;
}

/**
 * Health (`/health/live`, `/health/ready`) and metrics (`/metrics`). Global, so that any handler can inject
 * `Metrics` to count appends and decision latencies.
 */
@Global()
@Module({})
export class OperationsModule {
  static forRoot(options: OperationsModuleOptions = {}): DynamicModule {
    const resolve = (infrastructure: Infrastructure): OperationsOptions => ({
      infrastructure,
      maxProjectionLag: options.maxProjectionLag ?? DEFAULT_MAX_PROJECTION_LAG,
      probeTimeoutMs: options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
      stallAfterSeconds: options.stallAfterSeconds ?? DEFAULT_STALL_AFTER_SECONDS,
    });
    return {
      module: OperationsModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: OPERATIONS_OPTIONS, useFactory: resolve, inject: [INFRASTRUCTURE] },
        LogProbe,
        Metrics,
      ],
      exports: [Metrics],
    };
  }
}
