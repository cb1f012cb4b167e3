/** One accepted event for the downstream topic (DESIGN.md §7): key = standoffId, the event JSON, CloudEvents. */
export interface FeedMessage {
  readonly sequence: number;
  readonly standoffId: string;
  readonly version: number;
  readonly eventId: string;
  readonly type: string;
  readonly recordedAt: string;
  /** The feed item, as JSON. */
  readonly value: string;
}

/**
 * Where the topic publisher writes: each call publishes the messages and the new high-water mark in one
 * transaction, so that a publisher killed at any point leaves both or neither; a new publisher fences the old.
 */
export interface FeedTopic {
  readonly topic: string;
  /** Creates the topic when missing and starts a producer that fences any earlier one (aborting its transaction). */
  connect(): Promise<void>;
  /** The last sequence published for the feed `feedId` (0: none); throws FeedMismatchError for another feed's mark. */
  publishedHighWater(feedId: string): Promise<number>;
  publish(messages: readonly FeedMessage[], feedId: string): Promise<void>;
  disconnect(): Promise<void>;
}

/** The topic's high-water mark was written for another feed (another database): publishing would skip or repeat. */
export class FeedMismatchError extends Error {
  constructor(topic: string, found: string, feedId: string) {
    super(
      `the topic ${topic} was published from another feed (${found}, this database's is ${feedId}): ` +
        'publishing from here would skip or repeat events. Point KAFKA_FEED_TOPIC at a new topic.',
    );
    this.name = 'FeedMismatchError';
  }
}
