import type { Queryable } from '@app/read-model/queryable';

/** The standoff's version (its accepted events), locked until the transaction ends; 0 for a new standoff. */
export async function lockStandoffVersion(tx: Queryable, standoffId: string): Promise<number> {
  await tx.query(`INSERT INTO standoffs (standoff_id, version) VALUES ($1, 0) ON CONFLICT DO NOTHING`, [
    standoffId,
  ]);
  const [{ version }]: { version: number }[] = await tx.query(
    `SELECT version FROM standoffs WHERE standoff_id = $1 FOR UPDATE`,
    [standoffId],
  );
  return version;
}

export async function storeStandoffVersion(
  tx: Queryable,
  standoffId: string,
  version: number,
): Promise<void> {
  await tx.query(`UPDATE standoffs SET version = $2 WHERE standoff_id = $1`, [standoffId, version]);
}
