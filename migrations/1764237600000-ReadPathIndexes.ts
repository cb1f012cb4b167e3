import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the read path looks up on every query, indexed so its cost does not grow with the history: the latest
 * title, and the events whose valid time a correction changed (as known earlier they may stand anywhere).
 */
export class ReadPathIndexes1764237600000 implements MigrationInterface {
  name = 'ReadPathIndexes1764237600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE INDEX events_titles ON events (standoff_id, occurred_at DESC, reported_at DESC, position DESC)
      WHERE type = 'standoff.described'`);
    await db.query(`ALTER TABLE events ADD COLUMN time_corrected boolean NOT NULL DEFAULT false`);
    await db.query(`
      UPDATE events e SET time_corrected = true
       WHERE EXISTS (SELECT 1 FROM events c
                      WHERE c.standoff_id = e.standoff_id AND c.meta AND c.type = 'event.corrected'
                        AND c.data ->> 'eventId' = e.event_id::text AND (c.data -> 'set') ? 'occurredAt')`);
    await db.query(`
      CREATE INDEX events_time_corrected ON events (standoff_id, occurred_at, reported_at, position)
      WHERE time_corrected`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX events_time_corrected`);
    await db.query(`ALTER TABLE events DROP COLUMN time_corrected`);
    await db.query(`DROP INDEX events_titles`);
  }
}
