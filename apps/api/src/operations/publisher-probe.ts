import type { Infrastructure } from '@app/platform/infrastructure';
import { feedHead } from '@app/read-model/feed/feed-queries';
import { publicationStatus } from '@app/read-model/feed/feed-publication';

/** An accepted event still unpublished after this long means the publisher is stalled (or none runs). */
export const PUBLISHER_STALL_SECONDS = 30;

export interface PublisherStatus {
  readonly topic: string;
  /** The feed's last sequence and the last one on the topic. */
  readonly head: number;
  readonly published: number;
  /** Accepted events not on the topic yet. */
  readonly lag: number;
  readonly idleSeconds: number | null;
  /** How long the oldest unpublished event has waited (0: none waits). */
  readonly waitingSeconds: number;
  /** Why it is not healthy, if it is not. */
  readonly problem?: string;
}

/**
 * How the downstream topic's publisher (in whatever process runs it) is doing, from the progress it records in
 * Postgres; undefined with the embedded log, which has no topic.
 */
export async function publisherStatus(infrastructure: Infrastructure): Promise<PublisherStatus | undefined> {
  const topic = infrastructure.feedTopic?.topic;
  if (topic === undefined) return undefined;
  const db = infrastructure.dataSource;
  const recorded = (await publicationStatus(db)).find((s) => s.topic === topic);
  const head = recorded?.head ?? (await feedHead(db));
  const published = recorded?.published ?? 0;
  const lag = Math.max(0, head - published);
  const idleSeconds = recorded?.idleSeconds ?? null;
  const waitingSeconds = lag > 0 ? await oldestWaitSeconds(db, published) : 0;
  // Events may wait long after a backlog (a projector restart, an outage): a publisher that keeps publishing is
  // catching up, not stalled. Stalled is events waiting while nothing was published for as long.
  const stalled =
    waitingSeconds > PUBLISHER_STALL_SECONDS &&
    (idleSeconds === null || idleSeconds > PUBLISHER_STALL_SECONDS);
  return {
    topic,
    head,
    published,
    lag,
    idleSeconds,
    waitingSeconds,
    ...(stalled
      ? {
          problem:
            idleSeconds === null
              ? `no publisher has published to ${topic} and ${lag} events wait: is a projector running?`
              : `${lag} events wait for ${topic}, the oldest for ${Math.round(waitingSeconds)} s: the publisher is stalled`,
        }
      : {}),
  };
}

async function oldestWaitSeconds(db: Infrastructure['dataSource'], published: number): Promise<number> {
  const [row]: { waiting: number | null }[] = await db.query(
    `SELECT extract(epoch FROM now() - e.recorded_at)::float8 AS waiting
       FROM feed f JOIN events e ON e.standoff_id = f.standoff_id AND e.position = f.version
      WHERE f.sequence > $1 ORDER BY f.sequence LIMIT 1`,
    [published],
  );
  return Math.max(0, row?.waiting ?? 0);
}
