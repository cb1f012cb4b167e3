import type { RecordedEvent } from '@app/domain/recorded-event';
import type { FoldKey } from '../fold-key';
import type { Queryable } from '../queryable';

/** Before any event the catalogue accepts (its years start at 1900), and within Postgres's range. */
const LONG_AGO = new Date(Date.UTC(1000, 0, 1));

export const BEFORE_EVERYTHING: FoldKey<Date> = { occurredAt: LONG_AGO, reportedAt: LONG_AGO, position: 0 };

export interface CandidateRow {
  event_id: string;
  occurred_at: Date;
  reported_at: Date;
  position: number;
  posted: RecordedEvent;
}

/**
 * The knowledge events (disputes, retractions, corrections) that name the given events, and those naming such
 * a dispute (a retracted or corrected dispute), reported by `knownAt`: what `knowledgeView` needs to judge them.
 */
export async function loadKnowledgeAbout(
  db: Queryable,
  standoffId: string,
  eventIds: readonly string[],
  knownAt: Date,
): Promise<CandidateRow[]> {
  if (eventIds.length === 0) return [];
  // The second level is `= ANY(ARRAY(…))` rather than a join: the planner misjudges the first level's size and
  // would merge-join over the whole index.
  return db.query(
    `WITH about AS (
       SELECT event_id, occurred_at, reported_at, position, posted, type FROM events
        WHERE standoff_id = $1 AND (meta OR type = 'claim.disputed') AND reported_at <= $3
          AND data ->> 'eventId' = ANY($2::text[])
     )
     SELECT event_id, occurred_at, reported_at, position, posted FROM about
     UNION ALL
     SELECT e.event_id, e.occurred_at, e.reported_at, e.position, e.posted FROM events e
      WHERE e.standoff_id = $1 AND (e.meta OR e.type = 'claim.disputed') AND e.meta AND e.reported_at <= $3
        AND e.data ->> 'eventId' = ANY(ARRAY(SELECT event_id::text FROM about WHERE type = 'claim.disputed'))`,
    [standoffId, eventIds, knownAt],
  );
}

/** Merges rows by event id (a dispute may be both a candidate and knowledge about another candidate). */
export function distinctEvents(...groups: (readonly CandidateRow[])[]): RecordedEvent[] {
  const byId = new Map<string, RecordedEvent>();
  for (const group of groups) for (const row of group) byId.set(row.event_id, row.posted);
  return [...byId.values()];
}

export function maxReportedAt(rows: readonly CandidateRow[], floor: Date): Date {
  let max = floor.getTime();
  for (const row of rows) max = Math.max(max, row.reported_at.getTime());
  return new Date(max);
}
