import { isMetaType, namedEventId } from '@app/domain/events';
import { parseTime } from '@app/domain/time';
import type { RecordedEvent } from '@app/domain/recorded-event';
import type { Queryable } from '@app/read-model/queryable';
import type { SnapshotMaintainer } from '@app/read-model/snapshots/snapshot-maintainer';
import { snapshotsInvalidated, timed } from './projection-timing';

/**
 * The earliest point of valid time the accepted events make stale: a new event's occurredAt, and for a
 * dispute, retraction or correction every time the named event (and the event a named dispute names) has had.
 * Asked before corrections rewrite the named events, and again after. Undefined when nothing became stale.
 */
export async function staleFrom(
  tx: Queryable,
  standoffId: string,
  accepted: readonly RecordedEvent[],
): Promise<number | undefined> {
  const named = accepted.flatMap((e) => namedEventId(e) ?? []);
  const earliestOwn = Math.min(
    ...accepted.filter((e) => !isMetaType(e.type)).map((e) => e.occurredAt),
    // A correction reported out of order may place its event there for some knowledge times only, however
    // the event stands now: the snapshots from there on must be judged again.
    ...accepted.flatMap((e) => correctedTimeOf(e) ?? []),
    Number.POSITIVE_INFINITY,
  );
  const earliestNamed = named.length > 0 ? await earliestTimeOf(tx, standoffId, named) : undefined;
  const from = Math.min(earliestOwn, earliestNamed ?? Number.POSITIVE_INFINITY);
  return Number.isFinite(from) ? from : undefined;
}

/** The valid time a correction sets for its event, if it sets one. */
function correctedTimeOf(event: RecordedEvent): number | undefined {
  if (event.type !== 'event.corrected') return undefined;
  const set = (event.data as { set?: { occurredAt?: unknown } }).set;
  return typeof set?.occurredAt === 'string' ? parseTime(set.occurredAt)?.ms : undefined;
}

/**
 * Drops the standoff's snapshots from `from` on, once per transaction: snapshots are built after the commit,
 * so nothing in between reads them.
 */
export async function invalidateSnapshots(
  tx: Queryable,
  snapshots: SnapshotMaintainer,
  standoffId: string,
  from: number,
): Promise<void> {
  await timed(
    snapshotsInvalidated,
    () => snapshots.invalidateFrom(tx, standoffId, new Date(from)),
    (ms) => ({ standoffId, ms }),
  );
}

/**
 * The earliest time the named events (and the events the named disputes name) have had. Both levels are index
 * lookups by id (`= ANY(ARRAY(…))`, not a join): without statistics, as in a rebuild's new tables, Postgres
 * planned the join as a hash over every event of the standoff, for every record.
 */
async function earliestTimeOf(
  tx: Queryable,
  standoffId: string,
  eventIds: string[],
): Promise<number | undefined> {
  const [row]: { earliest: Date | null }[] = await tx.query(
    `WITH named AS MATERIALIZED (
       SELECT posted_occurred_at, occurred_at, type, data FROM events
        WHERE standoff_id = $1 AND event_id = ANY($2::uuid[])
     )
     SELECT least(
       (SELECT least(min(posted_occurred_at), min(occurred_at)) FROM named),
       (SELECT least(min(d.posted_occurred_at), min(d.occurred_at)) FROM events d
         WHERE d.standoff_id = $1
           AND d.event_id = ANY(ARRAY(SELECT (n.data ->> 'eventId')::uuid FROM named n
                                       WHERE n.type = 'claim.disputed')))
     ) AS earliest`,
    [standoffId, eventIds],
  );
  return row?.earliest?.getTime();
}
