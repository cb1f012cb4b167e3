import { Inject, Injectable, Logger } from '@nestjs/common';
import { Gauge } from 'prom-client';
import type { Infrastructure } from '@app/platform/infrastructure';
import { INFRASTRUCTURE } from '@app/platform/tokens';
import type { FeedHub } from '@app/read-model/feed/feed-hub';
import { Metrics } from '../operations/metrics';
import { publisherStatus } from '../operations/publisher-probe';
import { FEED_HUB } from './feed-hub.provider';
import { messageOf } from '@app/domain/error-message';

/** The feed's figures on /metrics: SSE subscribers of this process, and the topic publisher's lag. */
@Injectable()
export class FeedMetrics {
  constructor(
    metrics: Metrics,
    @Inject(FEED_HUB) hub: FeedHub,
    @Inject(INFRASTRUCTURE) infrastructure: Infrastructure,
  ) {
    const logger = new Logger(FeedMetrics.name);
    new Gauge({
      name: 'standoff_feed_subscribers',
      help: 'SSE feed subscribers connected to this process',
      registers: [metrics.registry],
      collect() {
        this.set(hub.subscribers);
      },
    });
    if (!infrastructure.feedTopic) return;
    new Gauge({
      name: 'standoff_feed_publisher_lag_events',
      help: 'Accepted events not yet published to the downstream topic',
      labelNames: ['topic'],
      registers: [metrics.registry],
      async collect() {
        this.reset();
        try {
          const status = await publisherStatus(infrastructure);
          if (status) this.set({ topic: status.topic }, status.lag);
        } catch (error) {
          logger.warn(`publisher lag unknown: ${messageOf(error)}`);
        }
      },
    });
  }
}
