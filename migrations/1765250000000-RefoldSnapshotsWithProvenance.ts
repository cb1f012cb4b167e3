import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The fold now names the events behind every item of the state (`origin`, `lastChange`: DESIGN.md §9), and a
 * snapshot resumes the fold from what it holds: a snapshot of the old fold would give items without them. So
 * they go, and the projector's catch-up folds them anew. A state query meanwhile folds from an earlier
 * snapshot or from the start: slower, never wrong.
 */
export class RefoldSnapshotsWithProvenance1765250000000 implements MigrationInterface {
  name = 'RefoldSnapshotsWithProvenance1765250000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM state_snapshots`);
  }

  async down(): Promise<void> {
    // Nothing to restore: snapshots are a cache of the fold, and the old fold reads these ones as well.
  }
}
