import type { Queryable } from './queryable';

/** The standoff's version (its accepted events), 0 when it has none. */
export async function standoffVersion(db: Queryable, standoffId: string): Promise<number> {
  const rows: { version: number }[] = await db.query(`SELECT version FROM standoffs WHERE standoff_id = $1`, [
    standoffId,
  ]);
  return rows[0]?.version ?? 0;
}
