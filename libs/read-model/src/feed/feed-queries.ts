import type { Queryable } from '../queryable';
import type { FeedItem } from './feed-item';

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
  item: FeedItem;
}

const COLUMNS = `sequence::text AS sequence, standoff_id, version, type, item`;

function toFeedRow(row: Row): FeedRow {
  return {
    sequence: Number(row.sequence),
    standoffId: row.standoff_id,
    version: row.version,
    type: row.type,
    item: row.item,
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
    `SELECT ${COLUMNS} FROM feed WHERE standoff_id = $1 AND version > $2 ORDER BY feed.version LIMIT $3`,
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
          `SELECT ${COLUMNS} FROM feed WHERE standoff_id = ANY($2::text[]) AND sequence > $1
            ORDER BY feed.sequence LIMIT $3`,
          [afterSequence, standoffs, limit],
        )
      : await db.query(`SELECT ${COLUMNS} FROM feed WHERE sequence > $1 ORDER BY feed.sequence LIMIT $2`, [
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
