import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An accepted event keeps its place in its command and its content hash in `events` itself, and
 * `decided_events` keeps only the event ids a rejected command claimed: the projector wrote every accepted
 * event twice (a 1000-row insert per command into `decided_events`), where one row serves both.
 */
export class AcceptedMembersInEvents1765400000001 implements MigrationInterface {
  name = 'AcceptedMembersInEvents1765400000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE events ADD COLUMN member_index integer, ADD COLUMN content_hash text`);
    await db.query(`
      UPDATE events e SET member_index = d.member_index, content_hash = d.content_hash
        FROM decided_events d WHERE d.standoff_id = e.standoff_id AND d.event_id = e.event_id`);
    await db.query(`
      DELETE FROM decided_events d USING events e WHERE d.standoff_id = e.standoff_id AND d.event_id = e.event_id`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      INSERT INTO decided_events (standoff_id, event_id, command_id, member_index, content_hash)
      SELECT standoff_id, event_id, command_id, member_index, content_hash FROM events
       WHERE content_hash IS NOT NULL
      ON CONFLICT DO NOTHING`);
    await db.query(`ALTER TABLE events DROP COLUMN member_index, DROP COLUMN content_hash`);
  }
}
