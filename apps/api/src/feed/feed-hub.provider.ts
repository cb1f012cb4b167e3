import { Logger, type Provider } from '@nestjs/common';
import { DECISION_WAITER } from '@app/decisions/decisions.module';
import type { DecisionWaiter } from '@app/decisions/decision-waiter';
import { DATA_SOURCE } from '@app/platform/tokens';
import { FeedHub } from '@app/read-model/feed/feed-hub';
import type { DataSource } from 'typeorm';
import { messageOf } from '@app/domain/error-message';

export const FEED_HUB = Symbol('FEED_HUB');

/**
 * The process's feed hub, woken by every decision notice: the projector in this process calls the waiter
 * directly, one in another process reaches it by NOTIFY.
 */
export const feedHubProvider: Provider = {
  provide: FEED_HUB,
  useFactory: async (db: DataSource, waiter: DecisionWaiter) => {
    const logger = new Logger(FeedHub.name);
    const hub = new FeedHub(db, (error) => logger.warn(`reading the feed failed: ${messageOf(error)}`));
    await hub.start();
    waiter.observe(() => hub.wake());
    return hub;
  },
  inject: [DATA_SOURCE, DECISION_WAITER],
};
