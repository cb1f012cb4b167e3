import { AssignerProtocol, ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';
import { messageOf } from '@app/domain/error-message';
import { LogUnavailableError, type GroupOwnership } from './event-log.port';
import type { EventLogLogger } from './event-log-logger.port';
import { errorTypes } from './kafka-errors';
import { MAX_RECORD_BYTES } from './topics';

/**
 * What makes a topic the log of record: infinite retention, no compaction, and the broker's clock on every
 * record (producer timestamps would let clients set recordedAt). Created so, and checked on a topic made elsewhere.
 */
export const REQUIRED_TOPIC_CONFIG: Readonly<Record<string, string>> = {
  'retention.ms': '-1',
  'cleanup.policy': 'delete',
  'message.timestamp.type': 'LogAppendTime',
};

export interface KafkaTopicAdminOptions {
  readonly topic: string;
  /** Partitions of the topic when prepare() creates it. */
  readonly partitions: number;
  /** Replicas per partition when prepare() creates the topic. Default: the broker's default. */
  readonly replicationFactor?: number;
  readonly logger: EventLogLogger;
  /** A request to the broker succeeded. */
  readonly onReachable: () => void;
}

/** The log's topic as the admin client sees it: created or checked, its offsets, the groups that read it. */
export class KafkaTopicAdmin {
  private admin: Admin | undefined;
  private adminConnecting: Promise<Admin> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkaTopicAdminOptions,
  ) {}

  /** Creates the topic, or checks that the one there can be the log of record. */
  async prepare(): Promise<void> {
    const { topic, partitions, replicationFactor, logger } = this.options;
    const admin = await this.connectedAdmin();
    try {
      const created = await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            numPartitions: partitions,
            ...(replicationFactor ? { replicationFactor } : {}),
            configEntries: [
              ...Object.entries(REQUIRED_TOPIC_CONFIG).map(([name, value]) => ({ name, value })),
              { name: 'max.message.bytes', value: String(MAX_RECORD_BYTES) },
            ],
          },
        ],
      });
      if (created) {
        logger('info', `created topic ${topic} with ${partitions} partitions`);
      } else {
        await this.checkExistingTopic(admin);
      }
    } catch (error) {
      if (errorTypes(error).includes('TOPIC_ALREADY_EXISTS')) return this.checkExistingTopic(admin);
      throw new LogUnavailableError(`could not prepare topic ${topic}: ${messageOf(error)}`, error);
    }
  }

  /** A fresh broker formats its storage with a new random cluster id, so a new log never shares a name. */
  identity(): Promise<string> {
    return this.asked(async (admin) => {
      const { clusterId } = await admin.describeCluster();
      return `kafka:${clusterId}/${this.options.topic}`;
    });
  }

  endOffsets(): Promise<ReadonlyMap<number, string>> {
    return this.asked(async (admin) => {
      const offsets = await admin.fetchTopicOffsets(this.options.topic);
      this.options.onReachable();
      return new Map(offsets.map((o) => [o.partition, o.high]));
    });
  }

  groupOwnership(groupId: string): Promise<GroupOwnership> {
    return this.asked(async (admin) => {
      const { groups } = await admin.describeGroups([groupId]);
      const group = groups[0];
      const owned = new Set<number>();
      for (const member of group?.members ?? []) {
        if (member.memberAssignment.length === 0) continue;
        const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
        for (const partition of decoded?.assignment[this.options.topic] ?? []) owned.add(partition);
      }
      return {
        state: group?.state ?? 'Dead',
        members: group?.members.length ?? 0,
        owned: [...owned].sort((a, b) => a - b),
      };
    });
  }

  /** The earliest offset still in the partition (0 with infinite retention). */
  async lowWatermark(partition: number): Promise<bigint> {
    const admin = await this.connectedAdmin();
    const offsets = await admin.fetchTopicOffsets(this.options.topic);
    const entry = offsets.find((o) => o.partition === partition);
    return BigInt(entry?.low ?? '0');
  }

  async close(): Promise<void> {
    const admin = this.admin ?? (await this.adminConnecting?.catch(() => undefined));
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  /** A question to the broker; whatever fails says that Kafka is unavailable. */
  private async asked<T>(question: (admin: Admin) => Promise<T>): Promise<T> {
    try {
      return await question(await this.connectedAdmin());
    } catch (error) {
      if (error instanceof LogUnavailableError) throw error;
      throw new LogUnavailableError(`Kafka is unavailable: ${messageOf(error)}`, error);
    }
  }

  private async connectedAdmin(): Promise<Admin> {
    if (this.admin) return this.admin;
    this.adminConnecting ??= (async () => {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
      } catch (error) {
        await admin.disconnect().catch(() => undefined);
        throw new LogUnavailableError(`Kafka is unavailable: ${messageOf(error)}`, error);
      }
      this.admin = admin;
      return admin;
    })().finally(() => {
      this.adminConnecting = undefined;
    });
    return this.adminConnecting;
  }

  private async checkExistingTopic(admin: Admin): Promise<void> {
    const { topic, partitions, logger } = this.options;
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const count = topics[0]?.partitions.length ?? 0;
    if (count !== partitions) {
      logger('warn', `topic ${topic} exists with ${count} partitions (configured: ${partitions})`);
    }
    // The log of record: a topic made elsewhere with a finite retention or compaction would lose events, and
    // producer timestamps would let clients set recordedAt.
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    });
    const configs = new Map((resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
    const wrong = Object.entries(REQUIRED_TOPIC_CONFIG).filter(
      ([name, value]) => configs.get(name) !== value,
    );
    if (wrong.length > 0) {
      const found = wrong.map(([name, value]) => `${name}=${configs.get(name)} (needs ${value})`).join(', ');
      throw new LogUnavailableError(`topic ${topic} cannot be the log of record: ${found}`);
    }
  }
}
