import { applyCorrection } from '@app/domain/correction';
import { isMetaType } from '@app/domain/events';
import type { RecordedEvent } from '@app/domain/recorded-event';
import { EVENT_COLUMNS, currentEventOf, eventRecordOf, type EventRow } from '@app/read-model/event-rows';
import type { Queryable } from '@app/read-model/queryable';

/** The accepted events of a standoff with these ids, as currently corrected. */
export async function loadEvents(
  tx: Queryable,
  standoffId: string,
  eventIds: readonly string[],
): Promise<ReadonlyMap<string, RecordedEvent>> {
  const events = new Map<string, RecordedEvent>();
  if (eventIds.length === 0) return events;
  const rows: EventRow[] = await tx.query(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE standoff_id = $1 AND event_id = ANY($2::uuid[])`,
    [standoffId, eventIds],
  );
  for (const row of rows) events.set(row.event_id, currentEventOf(row));
  return events;
}

export async function insertAcceptedEvents(
  tx: Queryable,
  commandId: string,
  accepted: readonly RecordedEvent[],
): Promise<void> {
  const rows = accepted.map((event) => eventRecordOf(event, event, commandId, isMetaType(event.type)));
  await tx.query(
    `INSERT INTO events (standoff_id, position, event_id, type, meta, occurred_at, occurred_precision, reported_at,
       reported_precision, recorded_at, actor, targets, summary, cameo, data, source, posted, command_id,
       posted_occurred_at)
     SELECT standoff_id, position, event_id, type, meta, occurred_at, occurred_precision, reported_at,
       reported_precision, recorded_at, actor, targets, summary, cameo, data, source, posted, command_id,
       occurred_at
       FROM jsonb_to_recordset($1::jsonb) AS x(standoff_id text, position int, event_id uuid, type text,
         meta boolean, occurred_at timestamptz, occurred_precision text, reported_at timestamptz,
         reported_precision text, recorded_at timestamptz, actor text, targets text[], summary text, cameo text,
         data jsonb, source jsonb, posted jsonb, command_id uuid)`,
    [JSON.stringify(rows)],
  );
}

export async function markRetracted(tx: Queryable, standoffId: string, eventId: string): Promise<void> {
  await tx.query(`UPDATE events SET retracted = true WHERE standoff_id = $1 AND event_id = $2`, [
    standoffId,
    eventId,
  ]);
}

/**
 * Rewrites an event's current columns from the event as posted and all its corrections, in their order;
 * returns the actor it now has.
 */
export async function recorrect(tx: Queryable, standoffId: string, eventId: string): Promise<string | null> {
  const [target]: EventRow[] = await tx.query(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE standoff_id = $1 AND event_id = $2`,
    [standoffId, eventId],
  );
  const corrections: { data: { set: Record<string, unknown> } }[] = await tx.query(
    `SELECT data FROM events
      WHERE standoff_id = $1 AND (meta OR type = 'claim.disputed') AND type = 'event.corrected'
        AND data ->> 'eventId' = $2
      ORDER BY reported_at, position`,
    [standoffId, eventId],
  );
  const current = corrections.reduce((event, c) => applyCorrection(event, c.data.set), target.posted);
  const row = eventRecordOf(current, target.posted, '', false);
  await tx.query(
    `UPDATE events SET occurred_at = $3, occurred_precision = $4, actor = $5, targets = $6, summary = $7,
       cameo = $8, data = $9, time_corrected = time_corrected OR $10
      WHERE standoff_id = $1 AND event_id = $2`,
    [
      standoffId,
      eventId,
      row.occurred_at,
      row.occurred_precision,
      row.actor,
      row.targets,
      row.summary,
      row.cameo,
      JSON.stringify(row.data),
      corrections.some((c) => 'occurredAt' in c.data.set),
    ],
  );
  return row.actor;
}
