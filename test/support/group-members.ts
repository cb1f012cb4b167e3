import { Partitioners } from 'kafkajs';
import { childEnv, spawnProcess, type ChildHandle } from './processes';
import { kafkaBrokers } from './services';

/**
 * A bare kafkajs member of a consumer group in a process of its own, holding whatever it is assigned without
 * reading it, with the session timeout given: SIGKILL it and the group keeps waiting for it that long.
 */
export async function spawnIdleMember(
  name: string,
  topic: string,
  groupId: string,
  sessionTimeoutMs: number,
): Promise<ChildHandle> {
  const script = `
    const { Kafka, logLevel } = require('kafkajs');
    const [brokers, topic, groupId, session] = process.argv.slice(1);
    const kafka = new Kafka({ clientId: 'idle-member', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId, sessionTimeout: Number(session), heartbeatInterval: 1000 });
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      consumer.pause([{ topic }]);
      console.log('joined ' + JSON.stringify(e.payload.memberAssignment));
    });
    (async () => {
      await consumer.connect();
      await consumer.subscribe({ topic });
      await consumer.run({ eachBatch: async () => undefined });
    })();`;
  const member = spawnProcess(
    name,
    process.execPath,
    ['-e', script, kafkaBrokers().join(','), topic, groupId, String(sessionTimeoutMs)],
    { env: childEnv({}) },
  );
  await member.waitForOutput(/joined/, 30_000);
  return member;
}

/** The partition kafkajs's default partitioner gives a key, as the API's producer does. */
export function partitionOfKey(topic: string, key: string, partitions: number): number {
  const partitioner = Partitioners.DefaultPartitioner();
  return partitioner({
    topic,
    partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 1,
      replicas: [1],
      isr: [1],
      partitionErrorCode: 0,
      offlineReplicas: [],
    })),
    message: { key, value: null },
  });
}
