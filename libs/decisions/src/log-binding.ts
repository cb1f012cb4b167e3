import type { EventLog } from '@app/event-log/event-log.port';
import type { Queryable } from '@app/read-model/queryable';

/**
 * Read models belong to the log they were built from: their stored offsets mean something only there. A
 * projector that took a new log's records for already applied ones (a fresh broker, a recreated topic, the
 * wrong DATABASE_URL) would skip them silently, so the binding is checked before projecting and by readiness.
 */
export type LogBinding =
  | { readonly ok: true; readonly logId: string; readonly bound: boolean }
  | { readonly ok: false; readonly logId: string; readonly problem: string };

export const REMEDY =
  'run `npm run rebuild` to rebuild the read models from this log, point DATABASE_URL (or DATABASE_SCHEMA) at ' +
  'the read models of this log, or set REBUILD_ON_LOG_CHANGE=true to rebuild on start';

export async function checkLogBinding(
  db: Queryable,
  log: EventLog,
  consumer: string,
  topic: string,
): Promise<LogBinding> {
  const [logId, ends, stored, [binding]] = await Promise.all([
    log.identity(),
    log.endOffsets(),
    db.query(
      `SELECT partition, next_offset::text AS next_offset FROM projection_offsets WHERE consumer = $1 AND topic = $2`,
      [consumer, topic],
    ) as Promise<{ partition: number; next_offset: string }[]>,
    db.query(`SELECT log_id FROM projection_log WHERE consumer = $1 AND topic = $2`, [
      consumer,
      topic,
    ]) as Promise<{ log_id: string }[]>,
  ]);
  if (binding && binding.log_id !== logId) {
    return {
      ok: false,
      logId,
      problem: `the read models were built from log ${binding.log_id}, not from ${logId}: ${REMEDY}`,
    };
  }
  const pastEnd = stored.filter((row) => BigInt(row.next_offset) > BigInt(ends.get(row.partition) ?? '0'));
  if (pastEnd.length > 0) {
    const where = pastEnd
      .map(
        (row) =>
          `partition ${row.partition} at ${row.next_offset} (log ends at ${ends.get(row.partition) ?? 0})`,
      )
      .join(', ');
    return {
      ok: false,
      logId,
      problem: `the read models have applied records this log does not hold (${where}): ${REMEDY}`,
    };
  }
  return { ok: true, logId, bound: binding !== undefined };
}

/** Ties the read models to the log; called once they are known to belong to it (or hold nothing yet). */
export async function bindToLog(
  db: Queryable,
  consumer: string,
  topic: string,
  logId: string,
): Promise<void> {
  await db.query(
    `INSERT INTO projection_log (consumer, topic, log_id) VALUES ($1, $2, $3)
     ON CONFLICT (consumer, topic) DO UPDATE SET log_id = EXCLUDED.log_id, bound_at = now()`,
    [consumer, topic, logId],
  );
}

export class LogBindingError extends Error {
  constructor(readonly detail: string) {
    super(`refusing to project: ${detail}`);
    this.name = 'LogBindingError';
  }
}
