import type { RecordedEvent } from '@app/domain/recorded-event';
import type { Queryable } from '@app/read-model/queryable';

/** The channel on which the projector tells feed readers (in any process) the last sequence it committed. */
export const FEED_CHANNEL = 'standoff_feed';

/**
 * Appends a transaction's accepted events to the feed (the outbox the topic publisher reads), numbered from the
 * single-row counter. Call it last in the transaction: the counter's row lock is then held only for the commit,
 * and it orders the committers, so no sequence becomes visible before a smaller one. A reader that has passed N
 * can never meet a late-committing N-1 (see README, "Feed positions").
 */
export async function appendToFeed(tx: Queryable, accepted: readonly RecordedEvent[]): Promise<void> {
  if (accepted.length === 0) return;
  const [{ last }]: { last: string }[] = await tx.query(
    `WITH taken AS (UPDATE feed_sequence SET last_sequence = last_sequence + $1 RETURNING last_sequence)
     SELECT last_sequence::text AS last FROM taken`,
    [accepted.length],
  );
  const first = Number(last) - accepted.length + 1;
  // The item is made from `events.posted` when read (feedItemOf): the row holds only its place.
  await tx.query(
    `INSERT INTO feed (sequence, standoff_id, version, event_id, type)
     SELECT $1::bigint + x.n - 1, x.standoff_id, x.version, x.event_id, x.type
       FROM unnest($2::text[], $3::int[], $4::uuid[], $5::text[]) WITH ORDINALITY
         AS x(standoff_id, version, event_id, type, n)`,
    [
      first,
      accepted.map((event) => event.standoffId),
      accepted.map((event) => event.position),
      accepted.map((event) => event.eventId),
      accepted.map((event) => event.type),
    ],
  );
  await tx.query(`SELECT pg_notify($1, $2)`, [FEED_CHANNEL, last]);
}

/**
 * After a rebuild, the live feed keeps its rows and sequences (readers and the topic publisher hold positions in
 * it; the same log gives the same accepted events, so the rebuilt feed holds nothing new but what the live
 * projector had not applied when it stopped). Those are appended here, in the rebuilt order, with new sequences.
 * Schemas are quoted identifiers.
 */
export async function carryOverFeed(
  tx: Queryable,
  rebuiltSchema: string,
  liveSchema: string,
): Promise<number> {
  // Should the rebuilt history differ from the one readers were given (a dead letter replayed at another offset
  // is decided in its first place by a rebuild), positions would name other events: refuse the switch.
  const [diverged]: { standoff_id: string; version: number }[] = await tx.query(
    `SELECT r.standoff_id, r.version FROM ${rebuiltSchema}.feed r
       JOIN ${liveSchema}.feed l ON l.standoff_id = r.standoff_id AND l.version = r.version
      WHERE l.event_id <> r.event_id
      LIMIT 1`,
  );
  if (diverged) throw new FeedDivergedError(diverged.standoff_id, diverged.version);
  // The feed reads each item from its event: a position whose event the rebuild did not accept would name none.
  // The rebuilt events are the live schema's by now (the switch moves the read models before the feed).
  const [orphaned]: { standoff_id: string; version: number }[] = await tx.query(
    `SELECT l.standoff_id, l.version FROM ${liveSchema}.feed l
      WHERE NOT EXISTS (SELECT 1 FROM ${liveSchema}.events e
                         WHERE e.standoff_id = l.standoff_id AND e.position = l.version AND e.event_id = l.event_id)
      LIMIT 1`,
  );
  if (orphaned) throw new FeedDivergedError(orphaned.standoff_id, orphaned.version);
  const [{ count }]: { count: number }[] = await tx.query(
    `WITH missing AS (
       SELECT r.standoff_id, r.version, r.event_id, r.type, row_number() OVER (ORDER BY r.sequence) AS n
         FROM ${rebuiltSchema}.feed r
        WHERE NOT EXISTS (SELECT 1 FROM ${liveSchema}.feed l
                           WHERE l.standoff_id = r.standoff_id AND l.version = r.version)),
     counter AS (
       UPDATE ${liveSchema}.feed_sequence SET last_sequence = last_sequence + (SELECT count(*) FROM missing)
       RETURNING last_sequence - (SELECT count(*) FROM missing) AS base),
     inserted AS (
       INSERT INTO ${liveSchema}.feed (sequence, standoff_id, version, event_id, type)
       SELECT counter.base + m.n, m.standoff_id, m.version, m.event_id, m.type FROM missing m, counter
       RETURNING 1)
     SELECT count(*)::int AS count FROM inserted`,
  );
  return count;
}

/** A rebuild that would give a feed position to another event than readers were given: it does not switch. */
export class FeedDivergedError extends Error {
  constructor(standoffId: string, version: number) {
    super(
      `the rebuilt history differs from the live feed at ${standoffId} version ${version} (a replayed dead letter ` +
        'decided in another place): the rebuild did not switch, and the live read models are unchanged',
    );
    this.name = 'FeedDivergedError';
  }
}
