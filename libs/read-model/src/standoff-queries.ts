import type { Rejection } from '@app/domain/decide';
import { formatTime, type Precision } from '@app/domain/time';
import type { Queryable } from './queryable';

export interface StandoffSummaryRow {
  readonly standoffId: string;
  readonly title: string | null;
  readonly version: number;
  readonly eventCount: number;
  readonly firstEventAt: string | null;
  readonly lastEventAt: string | null;
}

interface Row {
  standoff_id: string;
  version: number;
  title: string | null;
  event_count: string;
  first_at: Date | null;
  first_precision: Precision | null;
  last_at: Date | null;
  last_precision: Precision | null;
}

/** The standoffs with at least one accepted event, as the read models know them now. */
export async function loadStandoffSummaries(
  db: Queryable,
  standoffId?: string,
): Promise<StandoffSummaryRow[]> {
  const rows: Row[] = await db.query(
    `SELECT s.standoff_id, s.version,
       (SELECT data ->> 'title' FROM events t
         WHERE t.standoff_id = s.standoff_id AND t.type = 'standoff.described'
         ORDER BY occurred_at DESC, reported_at DESC, position DESC LIMIT 1) AS title,
       (SELECT count(*) FROM events c
         WHERE c.standoff_id = s.standoff_id AND NOT c.meta AND NOT c.retracted) AS event_count,
       f.occurred_at AS first_at, f.occurred_precision AS first_precision,
       l.occurred_at AS last_at, l.occurred_precision AS last_precision
     FROM standoffs s
     LEFT JOIN LATERAL (SELECT occurred_at, occurred_precision FROM events e
         WHERE e.standoff_id = s.standoff_id AND NOT e.meta AND NOT e.retracted
         ORDER BY occurred_at, reported_at, position LIMIT 1) f ON true
     LEFT JOIN LATERAL (SELECT occurred_at, occurred_precision FROM events e
         WHERE e.standoff_id = s.standoff_id AND NOT e.meta AND NOT e.retracted
         ORDER BY occurred_at DESC, reported_at DESC, position DESC LIMIT 1) l ON true
     WHERE s.version > 0 AND ($1::text IS NULL OR s.standoff_id = $1)
     ORDER BY s.standoff_id COLLATE "C"`,
    [standoffId ?? null],
  );
  return rows.map((r) => ({
    standoffId: r.standoff_id,
    title: r.title,
    version: r.version,
    eventCount: Number(r.event_count),
    firstEventAt: r.first_at ? formatTime(r.first_at.getTime(), r.first_precision ?? 'instant') : null,
    lastEventAt: r.last_at ? formatTime(r.last_at.getTime(), r.last_precision ?? 'instant') : null,
  }));
}

export interface RejectedEventRow {
  readonly commandId: string;
  /** The rejection the decision recorded. */
  readonly problem: Rejection;
}

/** A member of a rejected command (a reused idempotency key too), or undefined. */
export async function loadRejectedEvent(
  db: Queryable,
  standoffId: string,
  eventId: string,
): Promise<RejectedEventRow | undefined> {
  const rows: { command_id: string; problem: Rejection }[] = await db.query(
    `SELECT command_id, problem FROM decisions
      WHERE standoff_id = $1 AND outcome = 'rejected' AND $2::uuid = ANY(event_ids)
      ORDER BY decided_at LIMIT 1`,
    [standoffId, eventId],
  );
  return rows[0] ? { commandId: rows[0].command_id, problem: rows[0].problem } : undefined;
}

/**
 * The event a retried command's member stands for: a retry decided as a duplicate of its original (the same
 * idempotency key, other server-chosen ids) points at the original's member in the same place.
 */
export async function loadOriginalEventId(
  db: Queryable,
  standoffId: string,
  eventId: string,
): Promise<string | undefined> {
  const rows: { original: string | null }[] = await db.query(
    `SELECT o.event_ids[array_position(d.event_ids, $2::uuid)] AS original
       FROM decisions d JOIN decisions o ON o.command_id = d.original_command_id
      WHERE d.standoff_id = $1 AND d.outcome = 'duplicate' AND $2::uuid = ANY(d.event_ids)
      LIMIT 1`,
    [standoffId, eventId],
  );
  return rows[0]?.original ?? undefined;
}
