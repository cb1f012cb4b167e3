import type { KnownEvent } from '@app/domain/knowledge';
import { eventView, inTimeline, type TimelineQuery } from '@app/domain/timeline';
import { keyOf } from './fold-key';
import { FoldOrderScan } from './fold-order-scan';
import type { Queryable } from './queryable';
import type { TimelinePage, TimelineRequest } from './temporal-queries';
import { encodeTimelineCursor, timelineFiltersDigest } from './timeline-cursor';

/**
 * One page of the timeline of a standoff at `version`: the first page pins its `knownAt` and horizon in the
 * next cursor, so later appends neither shift nor repeat items.
 */
export async function readTimelinePage(
  db: Queryable,
  request: TimelineRequest,
  version: number,
  pageSize: number,
): Promise<TimelinePage> {
  const { cursor } = request;
  const knownAt = cursor?.knownAt ?? request.knownAt;
  const horizon = cursor ? Math.min(cursor.horizon, version) : version;
  const query: TimelineQuery = { ...request, knownAt };
  const scan = new FoldOrderScan(
    db,
    request.standoffId,
    horizon,
    version,
    knownAt,
    {
      from: request.from,
      to: request.to,
      after: cursor?.after,
      types: request.types,
      actors: request.actors,
      cameoPrefix: request.cameoPrefix,
    },
    Math.min(Math.max(request.limit + 1, 100), pageSize),
  );
  const items: KnownEvent[] = [];
  scanning: for await (const page of scan.pages()) {
    for (const known of page) {
      if (!inTimeline(known, query)) continue;
      items.push(known);
      if (items.length > request.limit) break scanning;
    }
  }
  const more = items.length > request.limit;
  const shown = more ? items.slice(0, request.limit) : items;
  const nextCursor = more
    ? encodeTimelineCursor({
        knownAt,
        horizon,
        after: keyOf(shown[shown.length - 1].event),
        filters: timelineFiltersDigest(request.standoffId, request),
      })
    : null;
  return { items: shown.map(eventView), nextCursor };
}
