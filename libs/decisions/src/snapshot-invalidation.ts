import { isMetaType, namedEventId } from '@app/domain/events';
import type { RecordedEvent } from '@app/domain/recorded-event';
import type { Queryable } from '@app/read-model/queryable';
import type { SnapshotMaintainer } from '@app/read-model/snapshots/snapshot-maintainer';
import { snapshotsInvalidated, timed } from './projection-timing';

/**
 * Drops the snapshots from the earliest point of valid time the accepted events change: a new event's
 * occurredAt, and for a dispute, retraction or correction every time the named event (and the event a named
 * dispute names) has had. Called before corrections rewrite the named events, and again after. Returns that
 * point (ms), or undefined when nothing became stale: the snapshot builder is told.
 */
export async function invalidateSnapshots(
  tx: Queryable,
  snapshots: SnapshotMaintainer,
  standoffId: string,
  accepted: readonly RecordedEvent[],
): Promise<number | undefined> {
  const named = accepted.flatMap((e) => namedEventId(e) ?? []);
  const earliestOwn = Math.min(
    ...accepted.filter((e) => !isMetaType(e.type)).map((e) => e.occurredAt),
    Number.POSITIVE_INFINITY,
  );
  const earliestNamed = named.length > 0 ? await earliestTimeOf(tx, standoffId, named) : undefined;
  const from = Math.min(earliestOwn, earliestNamed ?? Number.POSITIVE_INFINITY);
  if (!Number.isFinite(from)) return undefined;
  await timed(
    snapshotsInvalidated,
    () => snapshots.invalidateFrom(tx, standoffId, new Date(from)),
    (ms) => ({ standoffId, ms }),
  );
  return from;
}

async function earliestTimeOf(
  tx: Queryable,
  standoffId: string,
  eventIds: string[],
): Promise<number | undefined> {
  const [row]: { earliest: Date | null }[] = await tx.query(
    `WITH named AS (
       SELECT posted_occurred_at, occurred_at, type, data FROM events
        WHERE standoff_id = $1 AND event_id = ANY($2::uuid[])
     )
     SELECT least(min(n.posted_occurred_at), min(n.occurred_at),
                  min(d.posted_occurred_at), min(d.occurred_at)) AS earliest
       FROM named n
       LEFT JOIN events d ON n.type = 'claim.disputed' AND d.standoff_id = $1
                         AND d.event_id = CASE WHEN n.type = 'claim.disputed'
                                               THEN (n.data ->> 'eventId')::uuid END`,
    [standoffId, eventIds],
  );
  return row?.earliest?.getTime();
}
