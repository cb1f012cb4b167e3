import type { Precision } from '@app/domain/time';
import type { RecordedEvent } from '@app/domain/recorded-event';

/** An `events` row as `pg` returns it (timestamps as Date, the current — corrected — values in the columns). */
export interface EventRow {
  standoff_id: string;
  position: number;
  event_id: string;
  type: string;
  occurred_at: Date;
  occurred_precision: string;
  reported_at: Date;
  reported_precision: string;
  recorded_at: Date;
  actor: string | null;
  targets: string[];
  summary: string;
  cameo: string | null;
  data: Record<string, unknown>;
  source: RecordedEvent['source'];
  /** The event as posted, kept whole so that corrections can always be re-applied from the original. */
  posted: RecordedEvent;
  retracted: boolean;
}

export const EVENT_COLUMNS = `standoff_id, position, event_id, type, occurred_at, occurred_precision, reported_at,
  reported_precision, recorded_at, actor, targets, summary, cameo, data, source, posted, retracted`;

export function currentEventOf(row: EventRow): RecordedEvent {
  return {
    eventId: row.event_id,
    standoffId: row.standoff_id,
    position: row.position,
    type: row.type,
    occurredAt: row.occurred_at.getTime(),
    occurredPrecision: row.occurred_precision as Precision,
    reportedAt: row.reported_at.getTime(),
    reportedPrecision: row.reported_precision as Precision,
    recordedAt: row.recorded_at.getTime(),
    actor: row.actor,
    target: row.targets,
    summary: row.summary,
    cameo: row.cameo,
    data: row.data,
    source: row.source,
  };
}

/** One row for `jsonb_to_recordset`: the current values plus the event as posted. */
export function eventRecordOf(
  current: RecordedEvent,
  posted: RecordedEvent,
  commandId: string,
  meta: boolean,
) {
  return {
    standoff_id: current.standoffId,
    position: current.position,
    event_id: current.eventId,
    type: current.type,
    meta,
    occurred_at: new Date(current.occurredAt).toISOString(),
    occurred_precision: current.occurredPrecision,
    reported_at: new Date(current.reportedAt).toISOString(),
    reported_precision: current.reportedPrecision,
    recorded_at: new Date(current.recordedAt).toISOString(),
    actor: current.actor,
    targets: current.target,
    summary: current.summary,
    cameo: current.cameo,
    data: current.data,
    source: current.source,
    posted,
    command_id: commandId,
  };
}
