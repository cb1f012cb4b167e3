import { createHash } from 'node:crypto';
import { MAX_INSTANT, MAX_POSITION, MIN_INSTANT } from './event-conditions';
import type { TimelineCursor, TimelineFilters } from './temporal-queries';

/** 2: the digest binds the standoff too (a cursor of version 1 could be replayed on another standoff). */
const CURSOR_VERSION = 2;

/**
 * A short digest of the listing a cursor belongs to: the standoff and the timeline filters, the order of
 * repeated values aside (it does not change results). A cursor of another standoff or other filters would
 * otherwise resume at a fold key that means nothing there and silently skip or repeat items.
 */
export function timelineFiltersDigest(standoffId: string, filters: TimelineFilters): string {
  const canonical = JSON.stringify([
    standoffId,
    filters.from ?? null,
    filters.to ?? null,
    [...(filters.actors ?? [])].sort(),
    [...(filters.types ?? [])].sort(),
    filters.cameoPrefix ?? null,
    filters.includeRetracted === true,
  ]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

export function encodeTimelineCursor(cursor: TimelineCursor): string {
  const { knownAt, horizon, after, filters } = cursor;
  const payload = [
    CURSOR_VERSION,
    knownAt,
    horizon,
    after.occurredAt,
    after.reportedAt,
    after.position,
    filters,
  ];
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

function isSafeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** An instant SQL can read: a cursor holding another could not resume. */
function isInstant(value: unknown): value is number {
  return isSafeInteger(value) && value >= MIN_INSTANT && value <= MAX_INSTANT;
}

function isPosition(value: unknown): value is number {
  return isSafeInteger(value) && value >= 1 && value <= MAX_POSITION;
}

/**
 * Reads a cursor given back by a client: the cursor, or why it cannot be used (malformed, or issued for other
 * filters).
 */
export function decodeTimelineCursor(
  text: string,
  standoffId: string,
  filters: TimelineFilters,
): { cursor: TimelineCursor } | { error: string } {
  const malformed = { error: 'is not a cursor this API issued' };
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(text)) return malformed;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return malformed;
  }
  if (!Array.isArray(payload) || payload.length !== 7 || payload[0] !== CURSOR_VERSION) return malformed;
  const [, knownAt, horizon, occurredAt, reportedAt, position, digest] = payload as unknown[];
  if (!isInstant(knownAt) || !isInstant(occurredAt) || !isInstant(reportedAt)) return malformed;
  if (!isPosition(horizon) || !isPosition(position) || typeof digest !== 'string') return malformed;
  if (digest !== timelineFiltersDigest(standoffId, filters)) {
    return {
      error:
        'was issued for another standoff or other filters: use it on the same standoff and repeat the first ' +
        'page’s from, to, actor, type, cameo and includeRetracted',
    };
  }
  return {
    cursor: {
      knownAt,
      horizon,
      after: { occurredAt, reportedAt, position },
      filters: digest,
    },
  };
}
