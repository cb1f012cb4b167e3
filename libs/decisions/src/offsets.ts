import type { Queryable } from '@app/read-model/queryable';

/** Where a consumer of a topic stands in each partition: the next offset it will apply, kept with the read models. */
export interface OffsetKey {
  readonly consumer: string;
  readonly topic: string;
}

export async function storedOffsets(
  db: Queryable,
  key: OffsetKey,
  partitions: readonly number[],
): Promise<ReadonlyMap<number, string>> {
  const rows: { partition: number; next_offset: string }[] = await db.query(
    `SELECT partition, next_offset FROM projection_offsets
      WHERE consumer = $1 AND topic = $2 AND partition = ANY($3::int[])`,
    [key.consumer, key.topic, partitions],
  );
  return new Map(rows.map((r) => [r.partition, String(r.next_offset)]));
}

/** The partition's next offset, locked until the transaction ends: one writer per partition at a time. */
export async function lockOffset(tx: Queryable, key: OffsetKey, partition: number): Promise<bigint> {
  await tx.query(
    `INSERT INTO projection_offsets (consumer, topic, partition, next_offset) VALUES ($1, $2, $3, 0)
     ON CONFLICT DO NOTHING`,
    [key.consumer, key.topic, partition],
  );
  const rows: { next_offset: string }[] = await tx.query(
    `SELECT next_offset FROM projection_offsets WHERE consumer = $1 AND topic = $2 AND partition = $3 FOR UPDATE`,
    [key.consumer, key.topic, partition],
  );
  return BigInt(rows[0].next_offset);
}

export async function storeOffset(
  tx: Queryable,
  key: OffsetKey,
  partition: number,
  next: bigint,
): Promise<void> {
  await tx.query(
    `UPDATE projection_offsets SET next_offset = $4, progressed_at = now()
      WHERE consumer = $1 AND topic = $2 AND partition = $3`,
    [key.consumer, key.topic, partition, next.toString()],
  );
}
