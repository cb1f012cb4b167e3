import type { Rejection } from '@app/domain/decide';
import type { Envelope } from '@app/event-log/envelope';
import type { LogRecord } from '@app/event-log/event-log.port';
import type { Queryable } from '@app/read-model/queryable';
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

/** The client event ids of the envelope that an earlier command already took. */
export async function takenEventIds(tx: Queryable, envelope: Envelope): Promise<ReadonlySet<string>> {
  const taken: { event_id: string }[] = await tx.query(
    `SELECT event_id FROM decided_events WHERE standoff_id = $1 AND event_id = ANY($2::uuid[])`,
    [envelope.standoffId, envelope.events.map((e) => e.eventId)],
  );
  return new Set(taken.map((r) => r.event_id));
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
  if (decision.outcome === 'duplicate' || !decision.claimKey) return;
  const members = envelope.events.map((event, index) => ({
    event_id: event.eventId,
    member_index: index,
    content_hash: contentHash(event),
    posted: event,
  }));
  await tx.query(
    `INSERT INTO decided_events (standoff_id, event_id, command_id, member_index, content_hash, posted)
     SELECT $1, event_id, $2, member_index, content_hash, posted
       FROM jsonb_to_recordset($3::jsonb) AS x(event_id uuid, member_index int, content_hash text, posted jsonb)
     ON CONFLICT DO NOTHING`,
    [envelope.standoffId, envelope.commandId, JSON.stringify(members)],
  );
}
