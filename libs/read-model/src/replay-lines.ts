import { foldEvents, initialState } from '@app/domain/fold';
import { isIncluded, latestTitle } from '@app/domain/knowledge';
import { toStandoffStateView } from '@app/domain/state-at';
import { eventView } from '@app/domain/timeline';
import { FoldOrderScan } from './fold-order-scan';
import type { Queryable } from './queryable';
import type { ReplayLine, ReplayRequest } from './temporal-queries';

/** The replay of a standoff at `version`, its events read page by page as the lines are consumed. */
export function replayLines(
  db: Queryable,
  request: ReplayRequest,
  version: number,
  pageSize: number,
): AsyncGenerator<ReplayLine> {
  const scan = new FoldOrderScan(
    db,
    request.standoffId,
    version,
    version,
    request.knownAt,
    { to: request.until },
    pageSize,
  );
  return linesOf(scan, { ...request, version });
}

/** The replay's lines: each included event with the running count, then the state folded along the way. */
async function* linesOf(
  scan: FoldOrderScan,
  request: ReplayRequest & { version: number },
): AsyncGenerator<ReplayLine> {
  let state = initialState();
  let eventCount = 0;
  for await (const page of scan.pages()) {
    const included = page.filter((known) => isIncluded(known) && known.event.occurredAt <= request.until);
    // One copy of the fold state per page, not per event.
    state = foldEvents(state, included);
    for (const known of included) yield { event: eventView(known), eventCount: ++eventCount };
  }
  // `pages()` has read the special rows, even when no event was included: the title is known.
  const title = latestTitle(scan.knowledge);
  yield {
    state: toStandoffStateView(state, {
      standoffId: request.standoffId,
      asOf: request.until,
      knownAt: request.knownAt,
      version: request.version,
      title,
    }),
  };
}
