import { Inject, Module, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import type { FeedHub } from '@app/read-model/feed/feed-hub';
import { FeedController } from './feed.controller';
import { FeedMetrics } from './feed-metrics';
import { FEED_HUB, feedHubProvider } from './feed-hub.provider';

/** The feeds for dashboards (DESIGN.md §7): SSE and pull over the feed the projector commits. */
@Module({
  controllers: [FeedController],
  providers: [feedHubProvider, FeedMetrics],
  exports: [FEED_HUB],
})
export class FeedModule implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(@Inject(FEED_HUB) private readonly hub: FeedHub) {}

  beforeApplicationShutdown(): void {
    this.hub.endSubscribers();
  }

  onApplicationShutdown(): Promise<void> {
    return this.hub.stop();
  }
}
