import { knowledgeView, type KnownEvent } from '@app/domain/knowledge';
import type { RecordedEvent } from '@app/domain/recorded-event';
import type { Queryable } from './idempotency';

/**
 * The named events as known at `knownAt`, with what is needed to judge them: the disputes, retractions and
 * corrections naming them, and those naming the disputes (a retracted or corrected dispute).
 */
export async function loadKnownEvents(
  db: Queryable,
  standoffId: string,
  eventIds: readonly string[],
  knownAt: number,
): Promise<Map<string, KnownEvent>> {
  if (eventIds.length === 0) return new Map();
  const rows: { posted: RecordedEvent }[] = await db.query(
    `WITH named AS (
       SELECT posted, event_id FROM events WHERE standoff_id = $1 AND event_id = ANY($2::uuid[])
     ), about AS (
       SELECT posted, event_id, type FROM events
        WHERE standoff_id = $1 AND (meta OR type = 'claim.disputed') AND data ->> 'eventId' = ANY($2::text[])
     ), about_disputes AS (
       SELECT e.posted FROM events e JOIN about a ON a.type = 'claim.disputed'
        WHERE e.standoff_id = $1 AND e.meta AND e.data ->> 'eventId' = a.event_id::text
     )
     SELECT posted FROM named UNION ALL SELECT posted FROM about UNION ALL SELECT posted FROM about_disputes`,
    [standoffId, eventIds],
  );
  const view = knowledgeView(
    rows.map((r) => r.posted),
    knownAt,
  );
  const known = new Map<string, KnownEvent>();
  for (const id of eventIds) {
    const event = view.byId.get(id);
    if (event) known.set(id, event);
  }
  return known;
}
