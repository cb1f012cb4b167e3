import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Infrastructure } from '@app/platform/infrastructure';
import { INFRASTRUCTURE } from '@app/platform/tokens';
import { DecisionWaiter } from './decision-waiter';

export const DECISION_WAITER = Symbol('DECISION_WAITER');

/**
 * The decision waiter, started once: POSTs wait on it, and a projector in the same process wakes it directly
 * (ProjectorModule injects it when present).
 */
@Global()
@Module({
  providers: [
    {
      provide: DECISION_WAITER,
      useFactory: async (infrastructure: Infrastructure) => {
        const waiter = new DecisionWaiter(infrastructure.dataSource);
        await waiter.start(infrastructure.notifications ? infrastructure.databaseUrl : undefined);
        return waiter;
      },
      inject: [INFRASTRUCTURE],
    },
  ],
  exports: [DECISION_WAITER],
})
export class DecisionsModule implements OnApplicationShutdown {
  constructor(@Inject(DECISION_WAITER) private readonly waiter: DecisionWaiter) {}

  onApplicationShutdown(): Promise<void> {
    return this.waiter.stop();
  }
}
