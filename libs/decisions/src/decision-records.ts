import type { Rejection } from '@app/domain/decide';
import type { Envelope } from '@app/event-log/envelope';
import type { LogRecord } from '@app/event-log/event-log.port';
import type { Queryable } from '@app/read-model/queryable';
import type { CommandMember } from './accepted-events';
import { contentHash } from './content-hash';

/** How a command ended, as the projector records it: the answer a waiting or retried POST gets. */
export interface DecisionRecord {
  readonly outcome: 'accepted' | 'rejected' | 'duplicate';
  readonly originalCommandId: string | null;
  readonly problem: Rejection | null;
  readonly versionAfter: number;
  /** Whether the command takes its idempotency key and client event ids for itself (not a duplicate's). */
  readonly claimKey: boolean;
}

export async function isDecided(tx: Queryable, commandId: string): Promise<boolean> {
  const rows: unknown[] = await tx.query(`SELECT 1 FROM decisions WHERE command_id = $1`, [commandId]);
  return rows.length > 0;
}

/** An event id an earlier command took: which command, in which place, with which content. */
export interface DecidedMember {
  readonly event_id: string;
  readonly command_id: string;
  readonly content_hash: string;
  readonly member_index: number;
}

/**
 * The event ids of the envelope that earlier commands already took, in one lookup (idempotency and the decider):
 * an accepted command's are its events, a rejected command's are kept in `decided_events`.
 */
export async function decidedMembers(
  tx: Queryable,
  envelope: Pick<Envelope, 'standoffId' | 'events'>,
): Promise<readonly DecidedMember[]> {
  return tx.query(
    `SELECT event_id, command_id, coalesce(content_hash, '') AS content_hash, coalesce(member_index, -1) AS member_index
       FROM events WHERE standoff_id = $1 AND event_id = ANY($2::uuid[])
     UNION ALL
     SELECT event_id, command_id, content_hash, member_index FROM decided_events
      WHERE standoff_id = $1 AND event_id = ANY($2::uuid[])`,
    [envelope.standoffId, envelope.events.map((e) => e.eventId)],
  );
}

/** Each event's place in the command and its content hash, by event id: stored with the accepted events. */
export function membersOf(envelope: Pick<Envelope, 'events'>): ReadonlyMap<string, CommandMember> {
  return new Map(
    envelope.events.map((event, index) => [
      event.eventId,
      { memberIndex: index, contentHash: contentHash(event) },
    ]),
  );
}

export async function storeDecision(
  tx: Queryable,
  record: LogRecord,
  envelope: Envelope,
  decision: DecisionRecord,
): Promise<void> {
  await tx.query(
    `INSERT INTO decisions (command_id, standoff_id, idempotency_key, request_hash, batch, outcome,
       original_command_id, problem, event_ids, version_after, log_partition, log_offset)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::uuid[], $10, $11, $12)`,
    [
      envelope.commandId,
      envelope.standoffId,
      decision.claimKey ? envelope.idempotencyKey : null,
      envelope.requestHash,
      envelope.batch,
      decision.outcome,
      decision.originalCommandId,
      decision.problem ? JSON.stringify(decision.problem) : null,
      envelope.events.map((e) => e.eventId),
      decision.versionAfter,
      record.partition,
      record.offset,
    ],
  );
  // An accepted command's event ids are taken by its events (insertAcceptedEvents stores their members).
  if (decision.outcome !== 'rejected' || !decision.claimKey) return;
  const members = envelope.events.map((event, index) => ({
    event_id: event.eventId,
    member_index: index,
    content_hash: contentHash(event),
  }));
  await tx.query(
    `INSERT INTO decided_events (standoff_id, event_id, command_id, member_index, content_hash)
     SELECT $1, u.event_id, $2, u.member_index, u.content_hash
       FROM unnest($3::uuid[], $4::int[], $5::text[]) AS u(event_id, member_index, content_hash)
     ON CONFLICT DO NOTHING`,
    [
      envelope.standoffId,
      envelope.commandId,
      members.map((m) => m.event_id),
      members.map((m) => m.member_index),
      members.map((m) => m.content_hash),
    ],
  );
}
