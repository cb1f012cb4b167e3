import { Logger } from '@nestjs/common';
import {
  databaseUrl,
  kafkaBrokers,
  testKafka,
  uniqueName,
  uniqueSchemaName,
} from '../../../test/support/services';
import { openInfrastructure, type Infrastructure } from './infrastructure';
import { JsonLogger } from './logging/json-logger';

/** The JSON lines the application's logger wrote to stdout while `work` ran. */
async function jsonLinesOf(work: () => Promise<void>): Promise<Record<string, unknown>[]> {
  const chunks: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  Logger.overrideLogger(new JsonLogger(['log', 'warn', 'error']));
  try {
    await work();
  } finally {
    write.mockRestore();
    Logger.overrideLogger(false);
  }
  return chunks
    .flatMap((chunk) => chunk.split('\n').filter((line) => line.startsWith('{')))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

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
    const lines = await jsonLinesOf(async () => {
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
