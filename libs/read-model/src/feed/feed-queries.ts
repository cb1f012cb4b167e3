import type { RecordedEvent } from '@app/domain/recorded-event';
import type { Queryable } from '../queryable';
import { feedItemOf, type FeedItem } from './feed-item';

/** A feed row: the item with the global sequence it was committed under. */
export interface FeedRow {
  readonly sequence: number;
  readonly standoffId: string;
  readonly version: number;
  readonly type: string;
  readonly item: FeedItem;
}

interface Row {
  sequence: string;
  standoff_id: string;
  version: number;
  type: string;
  posted: RecordedEvent | null;
}

/**
 * A feed row holds its place; the item is the event as accepted, made from `events.posted` (which never
 * changes) at the version the row names.
 */
const FEED_ROWS = `SELECT f.sequence::text AS sequence, f.standoff_id, f.version, f.type, e.posted
  FROM feed f LEFT JOIN events e ON e.standoff_id = f.standoff_id AND e.position = f.version`;

function toFeedRow(row: Row): FeedRow {
  // A row without its event would be skipped by a join and break exact resume: never hand out a gap.
  if (!row.posted)
    throw new Error(`feed sequence ${row.sequence} names no event (${row.standoff_id} v${row.version})`);
  return {
    sequence: Number(row.sequence),
    standoffId: row.standoff_id,
    version: row.version,
    type: row.type,
    item: feedItemOf(row.posted),
  };
}

/** A standoff's accepted events after `version`, in version order. */
export async function standoffFeedPage(
  db: Queryable,
  standoffId: string,
  afterVersion: number,
  limit: number,
): Promise<FeedRow[]> {
  const rows: Row[] = await db.query(
    `${FEED_ROWS} WHERE f.standoff_id = $1 AND f.version > $2 ORDER BY f.version LIMIT $3`,
    [standoffId, afterVersion, limit],
  );
  return rows.map(toFeedRow);
}

/** Every standoff's (or the listed standoffs') accepted events after `sequence`, in sequence order. */
export async function globalFeedPage(
  db: Queryable,
  afterSequence: number,
  standoffs: readonly string[] | undefined,
  limit: number,
): Promise<FeedRow[]> {
  const rows: Row[] =
    standoffs && standoffs.length > 0
      ? await db.query(
          `${FEED_ROWS} WHERE f.standoff_id = ANY($2::text[]) AND f.sequence > $1 ORDER BY f.sequence LIMIT $3`,
          [afterSequence, standoffs, limit],
        )
      : await db.query(`${FEED_ROWS} WHERE f.sequence > $1 ORDER BY f.sequence LIMIT $2`, [
          afterSequence,
          limit,
        ]);
  return rows.map(toFeedRow);
}

/** The last sequence committed: every sequence up to it is visible, none after it is. */
export async function feedHead(db: Queryable): Promise<number> {
  const [row]: { last: string }[] = await db.query(`SELECT last_sequence::text AS last FROM feed_sequence`);
  return row ? Number(row.last) : 0;
}

/** The standoff's last version in the feed (0: none yet). */
export async function standoffFeedHead(db: Queryable, standoffId: string): Promise<number> {
  const [row]: { version: number | null }[] = await db.query(
    `SELECT max(version) AS version FROM feed WHERE standoff_id = $1`,
    [standoffId],
  );
  return row?.version ?? 0;
}
