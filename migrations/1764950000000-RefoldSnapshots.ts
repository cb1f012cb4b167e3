import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The fold changed (a self-denial names its author in `disputedBy`; events are decoded into the catalogue's
 * union): snapshots hold the old fold's output, so they go, and the projector's catch-up folds them anew. A
 * state query meanwhile folds from an earlier snapshot or from the start: slower, never wrong.
 */
export class RefoldSnapshots1764950000000 implements MigrationInterface {
  name = 'RefoldSnapshots1764950000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM state_snapshots`);
  }

  async down(): Promise<void> {
    // Nothing to restore: snapshots are a cache of the fold.
  }
}
