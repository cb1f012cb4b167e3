import type { DocumentKind } from '../events';
import type { RecordedEvent, RecordedEventOf } from '../recorded-event';
import { entityKey, sortedSet, type DocumentEntry, type FoldState } from '../state';
import { occurred } from './event-parts';
import { latestOf } from './provenance';

/** Kinds of document that open an awaited reply from each recipient. */
const AWAITING_KINDS: ReadonlySet<DocumentKind> = new Set(['draft-treaty', 'proposal', 'response']);

export interface DocumentMarkers {
  readonly void: boolean;
  readonly disputedBy: readonly string[];
  /** The disputes behind `disputedBy` and `void`, in fold order. */
  readonly disputes: readonly RecordedEvent[];
}

/**
 * A delivered document, listed even when void so that the denial is visible; only one that is not void closes
 * its author's awaited reply to the document it answers, and opens replies awaited from its recipients.
 */
export function deliverDocument(
  state: FoldState,
  event: RecordedEventOf<'document.delivered'>,
  markers: DocumentMarkers,
): void {
  const { documentId, kind, inReplyTo } = event.data;
  const author = event.actor;
  if (state.documents[entityKey(documentId)]) return;
  const document: DocumentEntry = {
    documentId,
    author,
    recipients: sortedSet(event.target).filter((r) => r !== author),
    kind,
    inReplyTo: inReplyTo ?? null,
    deliveredAt: occurred(event),
    void: markers.void,
    disputedBy: [...markers.disputedBy],
    origin: event.eventId,
    lastChange: latestOf(event, markers.disputes),
  };
  state.documents[entityKey(documentId)] = document;
  if (document.void) return;
  const repliedTo = inReplyTo === undefined ? undefined : state.documents[entityKey(inReplyTo)];
  if (repliedTo && repliedTo.recipients.includes(author)) {
    delete state.awaiting[entityKey(repliedTo.documentId, author)];
  }
  if (AWAITING_KINDS.has(kind)) {
    for (const from of document.recipients) {
      state.awaiting[entityKey(documentId, from)] = {
        from,
        to: author,
        documentId,
        since: document.deliveredAt,
        origin: event.eventId,
        lastChange: event.eventId,
      };
    }
  }
}
