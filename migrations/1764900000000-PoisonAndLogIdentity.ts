import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dead letters that say which command they held (so a waiting POST gets an answer and an admin can replay it),
 * and the identity of the log the read models were built from (so a projector never applies a different log's
 * records on top of them).
 */
export class PoisonAndLogIdentity1764900000000 implements MigrationInterface {
  name = 'PoisonAndLogIdentity1764900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE dead_letters ADD COLUMN command_id uuid`);
    await db.query(`ALTER TABLE dead_letters ADD COLUMN standoff_id text`);
    await db.query(`ALTER TABLE dead_letters ADD COLUMN replayed_at timestamptz`);
    await db.query(
      `CREATE INDEX dead_letters_by_command ON dead_letters (command_id) WHERE command_id IS NOT NULL`,
    );
    await db.query(`
      CREATE TABLE projection_log (
        consumer   text NOT NULL,
        topic      text NOT NULL,
        log_id     text NOT NULL,
        bound_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, topic)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE projection_log`);
    await db.query(`DROP INDEX dead_letters_by_command`);
    for (const column of ['replayed_at', 'standoff_id', 'command_id']) {
      await db.query(`ALTER TABLE dead_letters DROP COLUMN ${column}`);
    }
  }
}
