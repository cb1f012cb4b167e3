import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { messageOf } from '@app/domain/error-message';
import { FEED_CHANNEL } from '@app/decisions/feed-outbox';
import { FeedMismatchError, type FeedMessage, type FeedTopic } from '@app/event-log/feed-topic.port';
import { feedIdentity, recordPublished } from '@app/read-model/feed/feed-publication';
import { globalFeedPage, type FeedRow } from '@app/read-model/feed/feed-queries';

export interface FeedPublisherOptions {
  /** Set when LISTEN/NOTIFY and advisory locks work across connections (not on PGlite). */
  readonly listenUrl?: string;
  /** Events per Kafka transaction. */
  readonly batchSize?: number;
}

/** Should a wake-up be missed, or another process hold the lead, the publisher looks again this often. */
const IDLE_POLL_MS = 1000;
const RETRY_MS = 1000;
const DEFAULT_BATCH = 500;
const PUBLISHER_LOCK_CLASS = 7_306_126;

/**
 * Publishes the committed feed to the downstream topic, in sequence order (so version order per standoff), a
 * transaction per batch that also commits the high-water mark. One publisher per database leads (a session
 * advisory lock, so that several projector processes do not fence each other in turn); it wakes on the feed's
 * NOTIFY and on the projector beside it.
 */
export class FeedPublisher {
  private readonly logger = new Logger(FeedPublisher.name);
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private session: Client | undefined;
  private connected = false;
  private highWater = 0;
  /** A wake-up arrived since the last look at the feed. */
  private woken = false;
  /** Why it does not publish, when it cannot (another feed's mark on the topic). */
  refusal: string | undefined;

  constructor(
    private readonly db: DataSource,
    private readonly topic: FeedTopic,
    private readonly options: FeedPublisherOptions = {},
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
    await this.topic.disconnect();
    await this.session?.end().catch(() => undefined);
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        if (!(await this.lead())) {
          await this.idle(IDLE_POLL_MS);
          continue;
        }
        const feedId = await feedIdentity(this.db);
        if (!this.connected) {
          await this.topic.connect();
          this.highWater = await this.topic.publishedHighWater(feedId);
          await recordPublished(this.db, this.topic.topic, this.highWater);
          this.connected = true;
          this.refusal = undefined;
          this.logger.log(`publishing to ${this.topic.topic} after sequence ${this.highWater}`);
        }
        this.woken = false;
        const rows = await globalFeedPage(
          this.db,
          this.highWater,
          undefined,
          this.options.batchSize ?? DEFAULT_BATCH,
        );
        if (rows.length === 0) {
          await this.idle(IDLE_POLL_MS);
          continue;
        }
        await this.topic.publish(rows.map(toFeedMessage), feedId);
        this.highWater = rows[rows.length - 1].sequence;
        await recordPublished(this.db, this.topic.topic, this.highWater);
      } catch (error) {
        if (this.stopping) return;
        if (error instanceof FeedMismatchError) this.refusal = error.message;
        this.logger.error(`publishing to ${this.topic.topic} failed: ${messageOf(error)}`);
        // A new producer aborts whatever was left open and the mark is read again: nothing is sent twice.
        this.connected = false;
        await this.topic.disconnect();
        await this.idle(error instanceof FeedMismatchError ? 30_000 : RETRY_MS);
      }
    }
  }

  /** Whether this process leads; takes the lead when free. Without a session of its own (PGlite) it always does. */
  private async lead(): Promise<boolean> {
    if (!this.options.listenUrl) return true;
    if (this.session) return true;
    const session = new Client({ connectionString: this.options.listenUrl });
    session.on('error', () => undefined);
    try {
      await session.connect();
      const [{ locked }] = (
        await session.query(`SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked`, [
          PUBLISHER_LOCK_CLASS,
          this.topic.topic,
        ])
      ).rows as { locked: boolean }[];
      if (!locked) {
        await session.end();
        return false;
      }
      session.on('notification', () => this.wake());
      session.on('end', () => {
        // The lead is lost with the session: publish no more until it is taken again.
        if (this.session === session) this.session = undefined;
        this.connected = false;
      });
      await session.query(`LISTEN ${FEED_CHANNEL}`);
      this.session = session;
      return true;
    } catch (error) {
      await session.end().catch(() => undefined);
      throw error;
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.woken && !this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}

function toFeedMessage(row: FeedRow): FeedMessage {
  const { item } = row;
  return {
    sequence: row.sequence,
    standoffId: item.standoffId,
    version: item.version,
    eventId: item.eventId,
    type: item.type,
    recordedAt: item.recordedAt,
    value: JSON.stringify(item),
  };
}
