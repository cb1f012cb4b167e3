import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The diff over knowledge time (DESIGN.md §9) reads the events reported in a window of knowledge time: indexed,
 * so that its cost follows the window, not the history.
 */
export class EventsByReport1765200000000 implements MigrationInterface {
  name = 'EventsByReport1765200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX events_by_report ON events (standoff_id, reported_at, position)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX events_by_report`);
  }
}
