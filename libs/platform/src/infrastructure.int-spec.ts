import {
  databaseUrl,
  kafkaBrokers,
  testKafka,
  uniqueName,
  uniqueSchemaName,
} from '../../../test/support/services';
import { openInfrastructure, type Infrastructure } from './infrastructure';
import { capturingLogs } from '../../../test/support/json-log';

describe('the infrastructure on Kafka', () => {
  const topic = uniqueName('infrastructure');
  const feedTopic = `${topic}.timeline`;
  const schema = uniqueSchemaName('infrastructure');
  let infrastructure: Infrastructure | undefined;

  afterAll(async () => {
    if (infrastructure) {
      await infrastructure.feedTopic?.disconnect();
      await infrastructure.dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await infrastructure.dataSource.query(`DROP SCHEMA IF EXISTS "${schema}_dashboard" CASCADE`);
      await infrastructure.close();
    }
    const admin = testKafka('infrastructure-int-spec').admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, feedTopic], timeout: 10_000 }).catch(() => undefined);
    await admin.disconnect();
  }, 60_000);

  it("writes the log adapters' info lines to the application's JSON log", async () => {
    const lines = await capturingLogs(async () => {
      infrastructure = await openInfrastructure({
        databaseUrl: databaseUrl(),
        schema,
        kafkaBrokers: kafkaBrokers(),
        kafkaPartitions: 2,
        topic,
        feedTopic,
        dataDir: './data',
        clientId: 'infrastructure-int-spec',
      });
      await infrastructure.feedTopic?.connect();
    });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        context: 'KafkaEventLog',
        message: `created topic ${topic} with 2 partitions`,
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        context: 'KafkaFeedTopic',
        message: `created topic ${feedTopic} with 2 partitions`,
      }),
    );
  }, 60_000);
});
