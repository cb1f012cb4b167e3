import { knowledgeView, type KnownEvent } from '@app/domain/knowledge';
import type { Queryable } from './queryable';
import { distinctEvents, loadKnowledgeAbout, type CandidateRow } from './snapshots/snapshot-events';

/** The named events as known at `knownAt`, judged with every dispute, retraction and correction about them. */
export async function loadKnownEvents(
  db: Queryable,
  standoffId: string,
  eventIds: readonly string[],
  knownAt: number,
): Promise<Map<string, KnownEvent>> {
  if (eventIds.length === 0) return new Map();
  const named: CandidateRow[] = await db.query(
    `SELECT event_id, occurred_at, reported_at, position, posted FROM events
      WHERE standoff_id = $1 AND event_id = ANY($2::uuid[])`,
    [standoffId, eventIds],
  );
  const knowledge = await loadKnowledgeAbout(db, standoffId, eventIds, new Date(knownAt));
  const view = knowledgeView(distinctEvents(named, knowledge), knownAt);
  const known = new Map<string, KnownEvent>();
  for (const id of eventIds) {
    const event = view.byId.get(id);
    if (event) known.set(id, event);
  }
  return known;
}
