import { storableText } from '@app/domain/catalogue';
import { EVENT_ID_PATTERN } from '@app/domain/events';
import type { LogRecord } from '@app/event-log/event-log.port';
import type { Queryable } from '@app/read-model/queryable';

/** A record the projector could not apply, kept with the error so an admin can see it and replay it. */
export interface DeadLetter {
  readonly id: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly commandId: string | null;
  readonly standoffId: string | null;
  readonly error: string;
  readonly receivedAt: string;
  readonly replayedAt: string | null;
  /** The record's bytes as UTF-8 text, shortened for listing. */
  readonly payloadPreview: string;
  readonly payloadBytes: number;
}

interface DeadLetterRow {
  id: string;
  topic: string;
  partition: number;
  log_offset: string;
  command_id: string | null;
  standoff_id: string | null;
  error: string;
  received_at: Date;
  replayed_at: Date | null;
  payload: Buffer;
}

const PREVIEW_CHARS = 2000;

export async function storeDeadLetter(
  db: Queryable,
  topic: string,
  record: LogRecord,
  error: string,
): Promise<void> {
  await db.query(
    `INSERT INTO dead_letters (topic, partition, log_offset, payload, error, command_id, standoff_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT DO NOTHING`,
    [
      topic,
      record.partition,
      record.offset,
      record.raw,
      // Postgres text refuses U+0000 and a lone surrogate; an error message may quote the poison itself.
      storableText(error),
      deadLetteredCommandId(record) ?? null,
      record.envelope ? storableText(record.envelope.standoffId) : null,
    ],
  );
}

export async function listDeadLetters(
  db: Queryable,
  options: { readonly limit: number; readonly afterId?: string },
): Promise<DeadLetter[]> {
  const rows: DeadLetterRow[] = await db.query(
    `SELECT id::text AS id, topic, partition, log_offset::text AS log_offset, command_id, standoff_id, error,
            received_at, replayed_at, payload
       FROM dead_letters WHERE id > $1 ORDER BY id LIMIT $2`,
    [options.afterId ?? '0', options.limit],
  );
  return rows.map(deadLetterOf);
}

export async function findDeadLetter(
  db: Queryable,
  id: string,
): Promise<(DeadLetter & { raw: Buffer }) | undefined> {
  const rows: DeadLetterRow[] = await db.query(
    `SELECT id::text AS id, topic, partition, log_offset::text AS log_offset, command_id, standoff_id, error,
            received_at, replayed_at, payload
       FROM dead_letters WHERE id = $1`,
    [id],
  );
  return rows[0] && { ...deadLetterOf(rows[0]), raw: rows[0].payload };
}

export async function markReplayed(db: Queryable, id: string): Promise<void> {
  await db.query(`UPDATE dead_letters SET replayed_at = now() WHERE id = $1`, [id]);
}

export async function countDeadLetters(db: Queryable): Promise<{ total: number; pending: number }> {
  const [row]: { total: number; pending: number }[] = await db.query(
    `SELECT count(*)::int AS total, (count(*) FILTER (WHERE replayed_at IS NULL))::int AS pending
       FROM dead_letters`,
  );
  return row;
}

function deadLetterOf(row: DeadLetterRow): DeadLetter {
  const payload = Buffer.isBuffer(row.payload) ? row.payload : Buffer.from(row.payload);
  return {
    id: row.id,
    topic: row.topic,
    partition: row.partition,
    offset: row.log_offset,
    commandId: row.command_id,
    standoffId: row.standoff_id,
    error: row.error,
    receivedAt: new Date(row.received_at).toISOString(),
    replayedAt: row.replayed_at ? new Date(row.replayed_at).toISOString() : null,
    payloadPreview: payload.subarray(0, PREVIEW_CHARS).toString('utf8'),
    payloadBytes: payload.length,
  };
}

/** The command a dead letter holds, when its record held one with a well-formed id (a waiting POST has one). */
export function deadLetteredCommandId(record: LogRecord): string | undefined {
  const value = record.envelope?.commandId;
  return typeof value === 'string' && EVENT_ID_PATTERN.test(value) ? value : undefined;
}
