import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { RecordedEvent } from '../libs/domain/src/recorded-event';
import { feedItemOf } from '../libs/read-model/src/feed/feed-item';

/**
 * The feed of accepted events (DESIGN.md §7), which is also the outbox the topic publisher reads: one row per
 * accepted event with the global `sequence` it was given at commit time (a single-row counter taken under lock
 * at the end of the projector's transaction), and the publisher's progress. Existing events are carried over in
 * the order they were recorded.
 */
export class Feeds1765100000000 implements MigrationInterface {
  name = 'Feeds1765100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE feed (
        sequence    bigint PRIMARY KEY,
        standoff_id text NOT NULL,
        version     integer NOT NULL,
        event_id    uuid NOT NULL,
        type        text NOT NULL,
        item        jsonb NOT NULL,
        UNIQUE (standoff_id, version)
      )`);
    // The global feed filtered by standoff (`?standoff=`) walks this index instead of every sequence.
    await db.query(`CREATE INDEX feed_by_standoff ON feed (standoff_id, sequence)`);
    await db.query(`
      CREATE TABLE feed_sequence (
        only_row      boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        last_sequence bigint NOT NULL,
        feed_id       uuid NOT NULL DEFAULT gen_random_uuid()
      )`);
    await db.query(`
      CREATE TABLE feed_publication (
        topic              text PRIMARY KEY,
        published_sequence bigint NOT NULL,
        published_at       timestamptz NOT NULL DEFAULT now()
      )`);
    let sequence = 0;
    for (let after = { recordedAt: '-infinity', standoffId: '', position: 0 }; ;) {
      const rows: { posted: RecordedEvent; recorded_at: string; standoff_id: string; position: number }[] =
        await db.query(
          `SELECT posted, recorded_at::text AS recorded_at, standoff_id, position FROM events
            WHERE (recorded_at, standoff_id COLLATE "C", position) > ($1::timestamptz, $2 COLLATE "C", $3)
            ORDER BY recorded_at, standoff_id COLLATE "C", position LIMIT 1000`,
          [after.recordedAt, after.standoffId, after.position],
        );
      if (rows.length === 0) break;
      const items = rows.map((row) => ({ sequence: (sequence += 1), item: feedItemOf(row.posted) }));
      await db.query(
        `INSERT INTO feed (sequence, standoff_id, version, event_id, type, item)
         SELECT x.sequence, x.item ->> 'standoffId', (x.item ->> 'version')::int, (x.item ->> 'eventId')::uuid,
                x.item ->> 'type', x.item
           FROM jsonb_to_recordset($1::jsonb) AS x(sequence bigint, item jsonb)`,
        [JSON.stringify(items)],
      );
      const last = rows[rows.length - 1];
      after = { recordedAt: last.recorded_at, standoffId: last.standoff_id, position: last.position };
    }
    await db.query(`INSERT INTO feed_sequence (last_sequence) VALUES ($1)`, [sequence]);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE feed_publication`);
    await db.query(`DROP TABLE feed_sequence`);
    await db.query(`DROP TABLE feed`);
  }
}
