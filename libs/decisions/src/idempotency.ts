import type { Rejection } from '@app/domain/decide';
import type { Envelope } from '@app/event-log/envelope';
import type { Queryable } from '@app/read-model/queryable';
import { contentHash } from './content-hash';
import { decidedMembers, type DecidedMember } from './decision-records';

/**
 * A retried write: the same idempotency key, or the same client event ids, with the same content names the
 * original command; with other content it is 'reused'.
 */
export async function findOriginalCommand(
  db: Queryable,
  envelope: Pick<Envelope, 'standoffId' | 'idempotencyKey' | 'requestHash' | 'events'>,
  /** The envelope's event ids already taken, when the caller has looked them up (the projector). */
  decided?: readonly DecidedMember[],
): Promise<string | 'reused' | undefined> {
  if (envelope.idempotencyKey !== null) {
    const rows: { command_id: string; request_hash: string }[] = await db.query(
      `SELECT command_id, request_hash FROM decisions
        WHERE standoff_id = $1 AND idempotency_key = $2 AND outcome <> 'duplicate'`,
      [envelope.standoffId, envelope.idempotencyKey],
    );
    if (rows.length > 0) return rows[0].request_hash === envelope.requestHash ? rows[0].command_id : 'reused';
  }
  const clientIds = envelope.events.filter((e) => e.clientEventId).map((e) => e.eventId);
  if (clientIds.length === 0) return undefined;
  const clientSet = new Set(clientIds.map((id) => id.toLowerCase()));
  const rows = (decided ?? (await decidedMembers(db, envelope))).filter((row) => clientSet.has(row.event_id));
  if (rows.length === 0) return undefined;
  const byId = new Map(rows.map((r) => [r.event_id, r]));
  const originalCommand = rows[0].command_id;
  const sameCommand = envelope.events.every((event, index) => {
    const row = byId.get(event.eventId);
    return (
      row !== undefined &&
      row.command_id === originalCommand &&
      row.member_index === index &&
      row.content_hash === contentHash(event)
    );
  });
  if (!sameCommand) return 'reused';
  const [{ count }]: { count: number }[] = await db.query(
    `SELECT cardinality(event_ids) AS count FROM decisions WHERE command_id = $1`,
    [originalCommand],
  );
  return count === envelope.events.length ? originalCommand : 'reused';
}

export function reusedKeyRejection(): Rejection {
  const message = 'the idempotency key or event id was used before with other content';
  return {
    slug: 'idempotency-key-reused',
    title: 'Idempotency key reused with other content',
    detail: message,
    errors: [{ path: '', message }],
  };
}
