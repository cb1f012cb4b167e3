import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each partition's projection last moved, and how many events it has applied: readiness tells a partition
 * that lags and makes no progress, in seconds and events (a record holds up to 1000 events, so records say little).
 */
export class ProjectionProgress1765000000000 implements MigrationInterface {
  name = 'ProjectionProgress1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE projection_offsets ADD COLUMN progressed_at timestamptz`);
    await db.query(`ALTER TABLE projection_offsets ADD COLUMN applied_events bigint NOT NULL DEFAULT 0`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE projection_offsets DROP COLUMN applied_events`);
    await db.query(`ALTER TABLE projection_offsets DROP COLUMN progressed_at`);
  }
}
