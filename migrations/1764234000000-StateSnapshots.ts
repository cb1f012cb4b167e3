import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Snapshots of the fold at checkpoints of valid time, as known now, so that a state query folds a bounded tail
 * instead of the whole history (README, "Read path").
 */
export class StateSnapshots1764234000000 implements MigrationInterface {
  name = 'StateSnapshots1764234000000';

  async up(db: QueryRunner): Promise<void> {
    // The valid time an event was posted with; `occurred_at` follows corrections.
    await db.query(`ALTER TABLE events ADD COLUMN posted_occurred_at timestamptz`);
    await db.query(
      `UPDATE events SET posted_occurred_at = to_timestamp(((posted ->> 'occurredAt')::bigint) / 1000.0)`,
    );
    await db.query(`ALTER TABLE events ALTER COLUMN posted_occurred_at SET NOT NULL`);
    await db.query(`
      CREATE TABLE state_snapshots (
        standoff_id     text NOT NULL,
        seq             integer NOT NULL,
        occurred_at     timestamptz NOT NULL,
        reported_at     timestamptz NOT NULL,
        position        integer NOT NULL,
        max_reported_at timestamptz NOT NULL,
        folded          integer NOT NULL,
        state           jsonb NOT NULL,
        PRIMARY KEY (standoff_id, seq)
      )`);
    await db.query(`CREATE INDEX state_snapshots_by_time ON state_snapshots (standoff_id, occurred_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE state_snapshots`);
    await db.query(`ALTER TABLE events DROP COLUMN posted_occurred_at`);
  }
}
