import type { Queryable } from './idempotency';

/** Every read model, in an order that respects their references. The log itself (`log_records`) stays. */
const READ_MODEL_TABLES = [
  'state_snapshots',
  'decided_events',
  'decisions',
  'entities',
  'events',
  'standoffs',
  'dead_letters',
  'projection_offsets',
];

/** Empties the read models so that a projector starting afterwards rebuilds them from the log's first record. */
export async function dropReadModels(db: Queryable): Promise<void> {
  await db.query(`TRUNCATE ${READ_MODEL_TABLES.join(', ')}`);
}

export interface ProjectionProgress {
  /** Records applied, over every partition. */
  readonly applied: number;
  readonly events: number;
}

export async function projectionProgress(
  db: Queryable,
  consumer: string,
  topic: string,
): Promise<ProjectionProgress> {
  const [row]: { applied: string | null; events: string }[] = await db.query(
    `SELECT (SELECT sum(next_offset) FROM projection_offsets WHERE consumer = $1 AND topic = $2) AS applied,
            (SELECT count(*) FROM events) AS events`,
    [consumer, topic],
  );
  return { applied: Number(row.applied ?? 0), events: Number(row.events) };
}
