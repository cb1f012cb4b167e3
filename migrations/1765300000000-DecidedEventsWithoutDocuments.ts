import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `decided_events` keeps what idempotency needs (the event id, its command, its place and its content hash):
 * its copy of each posted event was never read, and writing it cost the projector a third of its inserts. The
 * accepted events keep theirs in `events.posted`; a rejected command's events stay in the log.
 */
export class DecidedEventsWithoutDocuments1765300000000 implements MigrationInterface {
  name = 'DecidedEventsWithoutDocuments1765300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE decided_events DROP COLUMN posted`);
  }

  /** The accepted events get their documents back from `events`; a rejected command's stay empty. */
  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE decided_events ADD COLUMN posted jsonb NOT NULL DEFAULT '{}'`);
    await db.query(`
      UPDATE decided_events d SET posted = e.posted
        FROM events e WHERE e.standoff_id = d.standoff_id AND e.event_id = d.event_id`);
    await db.query(`ALTER TABLE decided_events ALTER COLUMN posted DROP DEFAULT`);
  }
}
