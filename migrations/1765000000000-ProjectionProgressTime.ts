import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each partition's projection last moved its offset, so that an operator can see in `/metrics` a
 * partition that has stopped making progress (NULL until the first batch after this migration).
 */
export class ProjectionProgressTime1765000000000 implements MigrationInterface {
  name = 'ProjectionProgressTime1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE projection_offsets ADD COLUMN progressed_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE projection_offsets DROP COLUMN progressed_at`);
  }
}
