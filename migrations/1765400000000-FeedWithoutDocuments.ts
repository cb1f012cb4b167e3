import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { RecordedEvent } from '../libs/domain/src/recorded-event';
import { feedItemOf } from '../libs/read-model/src/feed/feed-item';

/**
 * A feed row keeps its place (sequence, standoff, version, event) and no longer a copy of the event: the item is
 * made from `events.posted` when read, which is the same event as accepted (posted never changes, and a
 * rebuild keeps each event at its version or refuses to switch). Writing the copy cost the projector about two
 * thirds of its feed insert.
 */
export class FeedWithoutDocuments1765400000000 implements MigrationInterface {
  name = 'FeedWithoutDocuments1765400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE feed DROP COLUMN item`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE feed ADD COLUMN item jsonb`);
    for (let after = 0; ;) {
      const rows: { sequence: string; posted: RecordedEvent }[] = await db.query(
        `SELECT f.sequence::text AS sequence, e.posted FROM feed f
           JOIN events e ON e.standoff_id = f.standoff_id AND e.position = f.version
          WHERE f.sequence > $1 ORDER BY f.sequence LIMIT 1000`,
        [after],
      );
      if (rows.length === 0) break;
      await db.query(
        `UPDATE feed f SET item = x.item FROM jsonb_to_recordset($1::jsonb) AS x(sequence bigint, item jsonb)
          WHERE f.sequence = x.sequence`,
        [JSON.stringify(rows.map((row) => ({ sequence: row.sequence, item: feedItemOf(row.posted) })))],
      );
      after = Number(rows[rows.length - 1].sequence);
    }
    await db.query(`ALTER TABLE feed ALTER COLUMN item SET NOT NULL`);
  }
}
