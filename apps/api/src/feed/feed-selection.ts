import type { Queryable } from '@app/read-model/queryable';
import {
  feedHead,
  globalFeedPage,
  standoffFeedHead,
  standoffFeedPage,
  type FeedRow,
} from '@app/read-model/feed/feed-queries';
import type { FeedItem, GlobalFeedItem } from '@app/read-model/feed/feed-item';

/**
 * Which feed a reader follows, and what a position means in it: a standoff's version in a standoff's feed, the
 * global sequence in the global feed (optionally narrowed to some standoffs).
 */
export type FeedSelection =
  | { readonly kind: 'standoff'; readonly standoffId: string }
  | { readonly kind: 'global'; readonly standoffs: readonly string[] };

export function positionOf(selection: FeedSelection, row: FeedRow): number {
  return selection.kind === 'standoff' ? row.version : row.sequence;
}

export function matches(selection: FeedSelection, row: FeedRow): boolean {
  return selection.kind === 'standoff'
    ? row.standoffId === selection.standoffId
    : selection.standoffs.length === 0 || selection.standoffs.includes(row.standoffId);
}

export function pageAfter(
  db: Queryable,
  selection: FeedSelection,
  after: number,
  limit: number,
): Promise<FeedRow[]> {
  return selection.kind === 'standoff'
    ? standoffFeedPage(db, selection.standoffId, after, limit)
    : globalFeedPage(db, after, selection.standoffs, limit);
}

/** Where "only what comes next" starts. */
export function currentPosition(db: Queryable, selection: FeedSelection): Promise<number> {
  return selection.kind === 'standoff' ? standoffFeedHead(db, selection.standoffId) : feedHead(db);
}

/** The feed item as served: the global feed adds the sequence. */
export function itemOf(selection: FeedSelection, row: FeedRow): FeedItem | GlobalFeedItem {
  return selection.kind === 'standoff' ? row.item : { ...row.item, sequence: row.sequence };
}
