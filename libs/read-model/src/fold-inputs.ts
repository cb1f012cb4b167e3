import type { RecordedEvent } from '@app/domain/recorded-event';
import { baseConditions, REGULAR, regularClauses, SPECIAL } from './event-conditions';
import type { Queryable } from './queryable';

/**
 * Every event a fold of the standoff within `horizon` as known at `knownAt` can need whose valid time lies in
 * [from, to]: the special rows whole, the regular rows in range. One statement: one consistent snapshot.
 */
export async function loadForFold(
  db: Queryable,
  standoffId: string,
  horizon: number,
  knownAt: number,
  range: { from?: number; to?: number },
): Promise<RecordedEvent[]> {
  const c = baseConditions(standoffId, horizon, knownAt);
  const inRange = [REGULAR, ...regularClauses(c, range)].join(' AND ');
  // Two branches so that the regular one can use the index on (standoff_id, occurred_at, …).
  const rows: { posted: RecordedEvent }[] = await db.query(
    `SELECT e.posted FROM events e WHERE ${c} AND ${SPECIAL}
     UNION ALL
     SELECT e.posted FROM events e WHERE ${c} AND ${inRange}`,
    c.parameters,
  );
  return rows.map((r) => r.posted);
}
