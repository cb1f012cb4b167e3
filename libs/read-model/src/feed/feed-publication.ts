import type { Queryable } from '../queryable';

/** This database's feed: a high-water mark on a topic is only meaningful for the feed that wrote it. */
export async function feedIdentity(db: Queryable): Promise<string> {
  const [row]: { feed_id: string }[] = await db.query(`SELECT feed_id FROM feed_sequence`);
  return row.feed_id;
}

/**
 * A copy of the topic's high-water mark for /metrics and /health/ready in any process. Not the mark itself: that
 * is committed in Kafka with the messages.
 */
export async function recordPublished(db: Queryable, topic: string, sequence: number): Promise<void> {
  await db.query(
    `INSERT INTO feed_publication (topic, published_sequence, published_at) VALUES ($1, $2, now())
     ON CONFLICT (topic) DO UPDATE SET published_sequence = excluded.published_sequence, published_at = now()`,
    [topic, sequence],
  );
}

export interface PublicationStatus {
  readonly topic: string;
  readonly head: number;
  readonly published: number;
  /** Accepted events not on the topic yet. */
  readonly lag: number;
  /** Seconds since the publisher last published (null: never). */
  readonly idleSeconds: number | null;
}

export async function publicationStatus(db: Queryable): Promise<PublicationStatus[]> {
  const rows: { topic: string; head: string; published: string; idle: number | null }[] = await db.query(
    `SELECT p.topic, s.last_sequence::text AS head, p.published_sequence::text AS published,
            extract(epoch FROM now() - p.published_at)::float8 AS idle
       FROM feed_sequence s CROSS JOIN feed_publication p`,
  );
  return rows.map((row) => ({
    topic: row.topic,
    head: Number(row.head),
    published: Number(row.published),
    lag: Math.max(0, Number(row.head) - Number(row.published)),
    idleSeconds: row.idle,
  }));
}
