import { unmarked } from '@app/domain/knowledge';
import type { RecordedEvent } from '@app/domain/recorded-event';
import { eventView, type EventView } from '@app/domain/timeline';

/** An event of the feed: as `GET …/events/{eventId}` returned it when it was accepted, with the version after it. */
export type FeedItem = EventView & { readonly version: number };

/** In the global feed, each item also carries its sequence. */
export type GlobalFeedItem = FeedItem & { readonly sequence: number };

/** The event as accepted: nothing disputes, retracts or corrects it yet; its position is the version after it. */
export function feedItemOf(event: RecordedEvent): FeedItem {
  const view = eventView(unmarked(event));
  return { ...view, version: event.position };
}
