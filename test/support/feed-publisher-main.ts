import { loadConfig } from '@app/platform/config';
import { openInfrastructureFor } from '@app/platform/infrastructure';
import { FeedPublisher } from '@app/projection/feed-publisher';

/**
 * The topic publisher alone in a process of its own, for tests that SIGKILL it (a projector process would make
 * its restart wait for the consumer group to let go of the killed member).
 */
async function main(): Promise<void> {
  const infrastructure = await openInfrastructureFor(loadConfig());
  if (!infrastructure.feedTopic) throw new Error('the feed publisher needs KAFKA_BROKERS');
  const publisher = new FeedPublisher(infrastructure.dataSource, infrastructure.feedTopic, {
    listenUrl: infrastructure.databaseUrl,
    batchSize: Number(process.env.FEED_PUBLISH_BATCH ?? 500),
  });
  publisher.start();
  console.log('publisher running');
  process.on('SIGTERM', () => {
    void publisher
      .stop()
      .then(() => infrastructure.close())
      .then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
