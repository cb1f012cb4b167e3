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

/** An accepted event's place in its command and its content hash: what a retry is recognised by. */
export interface CommandMember {
  readonly memberIndex: number;
  readonly contentHash: string;
}

/**
 * Stores the accepted events, each sent once: as inserted, an event's current columns are its posted values, so
 * `data` and `source` are taken from `posted` in SQL rather than sent twice (a fifth less insert time). Each
 * row also keeps its place in the command and its content hash (`decidedMembers` reads them).
 */
export async function insertAcceptedEvents(
  tx: Queryable,
  commandId: string,
  accepted: readonly RecordedEvent[],
  members: ReadonlyMap<string, CommandMember> = new Map(),
): Promise<void> {
  const rows = accepted.map((event) => {
    const {
      data: _data,
      source: _source,
      ...columns
    } = eventRecordOf(event, event, commandId, isMetaType(event.type));
    const member = members.get(event.eventId);
    return { ...columns, member_index: member?.memberIndex, content_hash: member?.contentHash };
  });
  await tx.query(
    `INSERT INTO events (standoff_id, position, event_id, type, meta, occurred_at, occurred_precision, reported_at,
       reported_precision, recorded_at, actor, targets, summary, cameo, data, source, posted, command_id,
       posted_occurred_at, member_index, content_hash)
     SELECT standoff_id, position, event_id, type, meta, occurred_at, occurred_precision, reported_at,
       reported_precision, recorded_at, actor, targets, summary, cameo, posted -> 'data',
       NULLIF(posted -> 'source', 'null'::jsonb), posted, command_id, occurred_at, member_index, content_hash
       FROM jsonb_to_recordset($1::jsonb) AS x(standoff_id text, position int, event_id uuid, type text,
         meta boolean, occurred_at timestamptz, occurred_precision text, reported_at timestamptz,
         reported_precision text, recorded_at timestamptz, actor text, targets text[], summary text, cameo text,
         posted jsonb, command_id uuid, member_index int, content_hash text)`,
    [JSON.stringify(rows)],
  );
}

/** Marks the named events retracted, in one statement. */
export async function markRetracted(
  tx: Queryable,
  standoffId: string,
  eventIds: readonly string[],
): Promise<void> {
  if (eventIds.length === 0) return;
  await tx.query(`UPDATE events SET retracted = true WHERE standoff_id = $1 AND event_id = ANY($2::uuid[])`, [
    standoffId,
    eventIds,
  ]);
}

/**
 * Rewrites the current columns of the named events from each event as posted and all its corrections, in their
 * order (those of this command included, stored before); returns the actor each now has. Three statements
 * whatever the number of events.
 */
export async function recorrect(
  tx: Queryable,
  standoffId: string,
  eventIds: readonly string[],
): Promise<ReadonlyMap<string, string | null>> {
  const actors = new Map<string, string | null>();
  if (eventIds.length === 0) return actors;
  const targets: EventRow[] = await tx.query(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE standoff_id = $1 AND event_id = ANY($2::uuid[])`,
    [standoffId, eventIds],
  );
  const corrections: { named: string; data: { set: Record<string, unknown> } }[] = await tx.query(
    `SELECT data ->> 'eventId' AS named, data FROM events
      WHERE standoff_id = $1 AND (meta OR type = 'claim.disputed') AND type = 'event.corrected'
        AND data ->> 'eventId' = ANY($2::text[])
      ORDER BY reported_at, position`,
    [standoffId, eventIds],
  );
  const rows = targets.map((target) => {
    const own = corrections.filter((c) => c.named === target.event_id);
    const current = own.reduce((event, c) => applyCorrection(event, c.data.set), target.posted);
    const row = eventRecordOf(current, target.posted, '', false);
    actors.set(target.event_id, row.actor);
    return { ...row, time_corrected: own.some((c) => 'occurredAt' in c.data.set) };
  });
  await tx.query(
    `UPDATE events e SET occurred_at = x.occurred_at, occurred_precision = x.occurred_precision, actor = x.actor,
       targets = x.targets, summary = x.summary, cameo = x.cameo, data = x.data,
       time_corrected = e.time_corrected OR x.time_corrected
      FROM jsonb_to_recordset($2::jsonb) AS x(event_id uuid, occurred_at timestamptz, occurred_precision text,
        actor text, targets text[], summary text, cameo text, data jsonb, time_corrected boolean)
     WHERE e.standoff_id = $1 AND e.event_id = x.event_id`,
    [standoffId, JSON.stringify(rows)],
  );
  return actors;
}
