import type { EntityManager } from 'typeorm';
import { applyCorrection } from '@app/domain/correction';
import { isMetaType, namedEventId } from '@app/domain/events';
import {
  decide,
  factsNeeded,
  type DecisionFacts,
  type EntityKind,
  type KnownEntity,
  type Rejection,
} from '@app/domain/decide';
import type { RecordedEvent } from '@app/domain/recorded-event';
import type { Envelope } from '@app/event-log/envelope';
import {
  OffsetGapError,
  type LogBatch,
  type LogConsumer,
  type LogRecord,
} from '@app/event-log/event-log.port';
import { contentHash } from '../content-hash';
import type { ProjectionDatabase } from '../projection-database';
import { deadLetteredCommandId, storeDeadLetter } from './dead-letters';
import { isTransientDatabaseFault } from './fault-kind';
import { findOriginalCommand, reusedKeyRejection } from '../idempotency';
import { SnapshotMaintainer } from '../snapshots/snapshot-maintainer';
import { EVENT_COLUMNS, currentEventOf, eventRecordOf, type EventRow } from '../event-rows';

export const DECISIONS_CHANNEL = 'standoff_decisions';
const NOTIFY_IDS = 200;

export interface DecisionListener {
  decided(commandIds: readonly string[]): void;
  deadLettered?(letter: {
    readonly partition: number;
    readonly offset: string;
    readonly commandId: string | undefined;
    readonly error: string;
  }): void;
}

/** Times a record is applied alone before it is judged poison. */
const POISON_ATTEMPTS = 2;

/**
 * The projector's write side: decides each command in log order and stores the outcome, the read-model rows
 * and the partition's next offset in one transaction, so a redelivered record changes nothing.
 */
export class DecisionProjection implements LogConsumer {
  constructor(
    private readonly db: ProjectionDatabase,
    private readonly consumerName: string,
    private readonly topic: string,
    private readonly listener?: DecisionListener,
    private readonly snapshots = new SnapshotMaintainer(),
  ) {}

  async resumeOffsets(partitions: readonly number[]): Promise<ReadonlyMap<number, string>> {
    const rows: { partition: number; next_offset: string }[] = await this.db.query(
      `SELECT partition, next_offset FROM projection_offsets
        WHERE consumer = $1 AND topic = $2 AND partition = ANY($3::int[])`,
      [this.consumerName, this.topic, partitions],
    );
    return new Map(rows.map((r) => [r.partition, String(r.next_offset)]));
  }

  /**
   * Applies the batch in one transaction. Should that fail for any reason but the database's state, some record
   * of it may be poison: the records are then applied one at a time, and one that fails twice alone while the
   * database answers is dead-lettered, so the partition always moves on. Transient faults propagate: the
   * adapter retries the batch from the stored offset.
   */
  async apply(batch: LogBatch): Promise<void> {
    if (batch.records.length === 0) return;
    try {
      await this.applyTogether(batch.partition, batch.records);
    } catch (error) {
      if (!mayBePoison(error)) throw error;
      for (const record of batch.records) await this.applyAlone(batch.partition, record);
    }
  }

  private async applyAlone(partition: number, record: LogRecord): Promise<void> {
    let failure: unknown;
    for (let attempt = 0; attempt < POISON_ATTEMPTS; attempt += 1) {
      try {
        await this.applyTogether(partition, [record]);
        return;
      } catch (error) {
        if (!mayBePoison(error)) throw error;
        failure = error;
      }
    }
    // A database that stopped answering proves nothing against the record: this throws, and the batch retries.
    await this.db.query('SELECT 1');
    await this.deadLetterAlone(partition, record, `could not be applied: ${messageOf(failure)}`);
  }

  private async deadLetterAlone(partition: number, record: LogRecord, error: string): Promise<void> {
    const commandId = deadLetteredCommandId(record);
    let stored = false;
    await this.db.transaction(async (tx) => {
      const nextOffset = await this.lockOffset(tx, partition);
      const offset = BigInt(record.offset);
      if (offset < nextOffset) return;
      if (offset > nextOffset) throw new OffsetGapError(partition, nextOffset.toString(), record.offset);
      await storeDeadLetter(tx, this.topic, record, error);
      await this.storeOffset(tx, partition, offset + 1n);
      if (commandId) await tx.query(`SELECT pg_notify($1, $2)`, [DECISIONS_CHANNEL, commandId]);
      stored = true;
    });
    if (!stored) return;
    this.listener?.deadLettered?.({ partition, offset: record.offset, commandId, error });
    if (commandId) this.listener?.decided([commandId]);
  }

  private async applyTogether(partition: number, records: readonly LogRecord[]): Promise<void> {
    const decided: string[] = [];
    // The standoffs that accept events in this batch: their snapshots may be due.
    const touched = new Set<string>();
    await this.db.transaction(async (tx) => {
      const nextOffset = await this.lockOffset(tx, partition);
      const first = records.find((record) => BigInt(record.offset) >= nextOffset);
      if (first && BigInt(first.offset) > nextOffset) {
        throw new OffsetGapError(partition, nextOffset.toString(), first.offset);
      }
      for (const record of records) {
        if (BigInt(record.offset) < nextOffset) continue;
        if (!record.envelope) {
          await storeDeadLetter(tx, this.topic, record, record.decodeError ?? 'undecodable record');
          continue;
        }
        if (await this.decideRecord(tx, record, record.envelope, touched))
          decided.push(record.envelope.commandId);
      }
      const last = records[records.length - 1];
      const next = BigInt(last.offset) + 1n;
      if (next > nextOffset) await this.storeOffset(tx, partition, next);
      for (const standoffId of touched) await this.snapshots.extend(tx, standoffId);
      // A NOTIFY payload holds less than 8000 bytes: a few hundred command ids each.
      for (let i = 0; i < decided.length; i += NOTIFY_IDS) {
        await tx.query(`SELECT pg_notify($1, $2)`, [
          DECISIONS_CHANNEL,
          decided.slice(i, i + NOTIFY_IDS).join(','),
        ]);
      }
    });
    if (decided.length > 0) this.listener?.decided(decided);
  }

  private async lockOffset(tx: EntityManager, partition: number): Promise<bigint> {
    await tx.query(
      `INSERT INTO projection_offsets (consumer, topic, partition, next_offset) VALUES ($1, $2, $3, 0)
       ON CONFLICT DO NOTHING`,
      [this.consumerName, this.topic, partition],
    );
    const rows: { next_offset: string }[] = await tx.query(
      `SELECT next_offset FROM projection_offsets WHERE consumer = $1 AND topic = $2 AND partition = $3 FOR UPDATE`,
      [this.consumerName, this.topic, partition],
    );
    return BigInt(rows[0].next_offset);
  }

  private async storeOffset(tx: EntityManager, partition: number, next: bigint): Promise<void> {
    await tx.query(
      `UPDATE projection_offsets SET next_offset = $4 WHERE consumer = $1 AND topic = $2 AND partition = $3`,
      [this.consumerName, this.topic, partition, next.toString()],
    );
  }

  /** Returns false when the command was decided before (the same record appended twice). */
  private async decideRecord(
    tx: EntityManager,
    record: LogRecord,
    envelope: Envelope,
    touched: Set<string>,
  ): Promise<boolean> {
    const seen: unknown[] = await tx.query(`SELECT 1 FROM decisions WHERE command_id = $1`, [
      envelope.commandId,
    ]);
    if (seen.length > 0) return false;
    await tx.query(`INSERT INTO standoffs (standoff_id, version) VALUES ($1, 0) ON CONFLICT DO NOTHING`, [
      envelope.standoffId,
    ]);
    const [{ version }]: { version: number }[] = await tx.query(
      `SELECT version FROM standoffs WHERE standoff_id = $1 FOR UPDATE`,
      [envelope.standoffId],
    );
    const original = await findOriginalCommand(tx, envelope);
    if (original === 'reused') {
      await this.storeRejection(tx, record, envelope, version, reusedKeyRejection(), false);
      return true;
    }
    if (original) {
      await this.storeDecision(tx, record, envelope, {
        outcome: 'duplicate',
        originalCommandId: original,
        problem: null,
        versionAfter: version,
        claimKey: false,
      });
      return true;
    }
    const facts = await this.loadFacts(tx, envelope, version);
    const decision = decide(
      {
        standoffId: envelope.standoffId,
        batch: envelope.batch,
        expectedVersion: envelope.expectedVersion,
        recordedAt: record.recordedAt,
        events: envelope.events,
      },
      facts,
    );
    if (decision.outcome === 'rejected') {
      await this.storeRejection(tx, record, envelope, version, decision.rejection, true);
      return true;
    }
    await this.storeAccepted(tx, envelope, decision.events);
    touched.add(envelope.standoffId);
    const created = decision.createdEntities;
    if (created.length > 0) {
      await tx.query(
        `INSERT INTO entities (standoff_id, kind, entity_id, created_by, creator_actor)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::uuid[], $5::text[])`,
        [
          envelope.standoffId,
          created.map((e) => e.kind),
          created.map((e) => e.entityId),
          created.map((e) => e.createdBy),
          created.map((e) => e.creatorActor),
        ],
      );
    }
    await tx.query(`UPDATE standoffs SET version = $2 WHERE standoff_id = $1`, [
      envelope.standoffId,
      decision.versionAfter,
    ]);
    await this.storeDecision(tx, record, envelope, {
      outcome: 'accepted',
      originalCommandId: null,
      problem: null,
      versionAfter: decision.versionAfter,
      claimKey: true,
    });
    return true;
  }

  private async loadFacts(tx: EntityManager, envelope: Envelope, version: number): Promise<DecisionFacts> {
    const needed = factsNeeded(envelope.events);
    const entities = new Map<string, KnownEntity>();
    if (needed.entities.length > 0) {
      const rows: { kind: EntityKind; entity_id: string; creator_actor: string | null }[] = await tx.query(
        `SELECT kind, entity_id, creator_actor FROM entities
          WHERE standoff_id = $1 AND (kind, entity_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
        [envelope.standoffId, needed.entities.map(([kind]) => kind), needed.entities.map(([, id]) => id)],
      );
      for (const row of rows)
        entities.set(`${row.kind}/${row.entity_id}`, { creatorActor: row.creator_actor });
    }
    const events = new Map<string, RecordedEvent>();
    const uuids = needed.eventIds.filter(isUuid);
    if (uuids.length > 0) {
      const rows: EventRow[] = await tx.query(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE standoff_id = $1 AND event_id = ANY($2::uuid[])`,
        [envelope.standoffId, uuids],
      );
      for (const row of rows) events.set(row.event_id, currentEventOf(row));
    }
    const taken: { event_id: string }[] = await tx.query(
      `SELECT event_id FROM decided_events WHERE standoff_id = $1 AND event_id = ANY($2::uuid[])`,
      [envelope.standoffId, envelope.events.map((e) => e.eventId)],
    );
    const takenIds = new Set(taken.map((r) => r.event_id));
    return {
      version,
      entity: (kind, id) => entities.get(`${kind}/${id}`),
      event: (eventId) => events.get(eventId),
      eventIdTaken: (eventId) => takenIds.has(eventId),
    };
  }

  private async storeAccepted(tx: EntityManager, envelope: Envelope, accepted: readonly RecordedEvent[]) {
    const rows = accepted.map((event) =>
      eventRecordOf(event, event, envelope.commandId, isMetaType(event.type)),
    );
    await tx.query(
      `INSERT INTO events (standoff_id, position, event_id, type, meta, occurred_at, occurred_precision, reported_at,
         reported_precision, recorded_at, actor, targets, summary, cameo, data, source, posted, command_id,
         posted_occurred_at)
       SELECT standoff_id, position, event_id, type, meta, occurred_at, occurred_precision, reported_at,
         reported_precision, recorded_at, actor, targets, summary, cameo, data, source, posted, command_id,
         occurred_at
         FROM jsonb_to_recordset($1::jsonb) AS x(standoff_id text, position int, event_id uuid, type text,
           meta boolean, occurred_at timestamptz, occurred_precision text, reported_at timestamptz,
           reported_precision text, recorded_at timestamptz, actor text, targets text[], summary text, cameo text,
           data jsonb, source jsonb, posted jsonb, command_id uuid)`,
      [JSON.stringify(rows)],
    );
    await this.invalidateSnapshots(tx, envelope.standoffId, accepted);
    for (const event of accepted) {
      const named = namedEventId(event);
      if (event.type === 'event.retracted' && named) {
        await tx.query(`UPDATE events SET retracted = true WHERE standoff_id = $1 AND event_id = $2`, [
          envelope.standoffId,
          named,
        ]);
      }
      if (event.type === 'event.corrected' && named) await this.recorrect(tx, envelope.standoffId, named);
    }
    const corrections = accepted.filter((e) => e.type === 'event.corrected');
    if (corrections.length > 0) await this.invalidateSnapshots(tx, envelope.standoffId, corrections);
  }

  /**
   * Snapshots from the earliest point of valid time the command changes: a new event's occurredAt, and for a
   * dispute, retraction or correction every time the named event (and the event a named dispute names) has had.
   * Called before corrections rewrite the named events, and again after.
   */
  private async invalidateSnapshots(
    tx: EntityManager,
    standoffId: string,
    accepted: readonly RecordedEvent[],
  ) {
    const named = accepted.flatMap((e) => namedEventId(e) ?? []);
    const earliestOwn = Math.min(
      ...accepted.filter((e) => !isMetaType(e.type)).map((e) => e.occurredAt),
      Number.POSITIVE_INFINITY,
    );
    const earliestNamed = named.length > 0 ? await this.earliestTimeOf(tx, standoffId, named) : undefined;
    const from = Math.min(earliestOwn, earliestNamed ?? Number.POSITIVE_INFINITY);
    if (Number.isFinite(from)) await this.snapshots.invalidateFrom(tx, standoffId, new Date(from));
  }

  private async earliestTimeOf(
    tx: EntityManager,
    standoffId: string,
    eventIds: string[],
  ): Promise<number | undefined> {
    const [row]: { earliest: Date | null }[] = await tx.query(
      `WITH named AS (
         SELECT posted_occurred_at, occurred_at, type, data FROM events
          WHERE standoff_id = $1 AND event_id = ANY($2::uuid[])
       )
       SELECT least(min(n.posted_occurred_at), min(n.occurred_at),
                    min(d.posted_occurred_at), min(d.occurred_at)) AS earliest
         FROM named n
         LEFT JOIN events d ON n.type = 'claim.disputed' AND d.standoff_id = $1
                           AND d.event_id = CASE WHEN n.type = 'claim.disputed'
                                                 THEN (n.data ->> 'eventId')::uuid END`,
      [standoffId, eventIds],
    );
    return row?.earliest?.getTime();
  }

  /** Rewrites an event's current columns from the event as posted and all its corrections, in their order. */
  private async recorrect(tx: EntityManager, standoffId: string, eventId: string): Promise<void> {
    const [target]: EventRow[] = await tx.query(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE standoff_id = $1 AND event_id = $2`,
      [standoffId, eventId],
    );
    const corrections: { data: { set: Record<string, unknown> } }[] = await tx.query(
      `SELECT data FROM events
        WHERE standoff_id = $1 AND (meta OR type = 'claim.disputed') AND type = 'event.corrected'
          AND data ->> 'eventId' = $2
        ORDER BY reported_at, position`,
      [standoffId, eventId],
    );
    const current = corrections.reduce((event, c) => applyCorrection(event, c.data.set), target.posted);
    const row = eventRecordOf(current, target.posted, '', false);
    await tx.query(
      `UPDATE events SET occurred_at = $3, occurred_precision = $4, actor = $5, targets = $6, summary = $7,
         cameo = $8, data = $9, time_corrected = time_corrected OR $10
        WHERE standoff_id = $1 AND event_id = $2`,
      [
        standoffId,
        eventId,
        row.occurred_at,
        row.occurred_precision,
        row.actor,
        row.targets,
        row.summary,
        row.cameo,
        JSON.stringify(row.data),
        corrections.some((c) => 'occurredAt' in c.data.set),
      ],
    );
    // Only a demand's issuer may withdraw it: the issuer as corrected.
    await tx.query(`UPDATE entities SET creator_actor = $3 WHERE standoff_id = $1 AND created_by = $2`, [
      standoffId,
      eventId,
      row.actor,
    ]);
  }

  private async storeRejection(
    tx: EntityManager,
    record: LogRecord,
    envelope: Envelope,
    version: number,
    rejection: Rejection,
    claimKey: boolean,
  ): Promise<void> {
    await this.storeDecision(tx, record, envelope, {
      outcome: 'rejected',
      originalCommandId: null,
      problem: rejection,
      versionAfter: version,
      claimKey,
    });
  }

  private async storeDecision(
    tx: EntityManager,
    record: LogRecord,
    envelope: Envelope,
    decision: {
      outcome: 'accepted' | 'rejected' | 'duplicate';
      originalCommandId: string | null;
      problem: Rejection | null;
      versionAfter: number;
      claimKey: boolean;
    },
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
}

function mayBePoison(error: unknown): boolean {
  return !(error instanceof OffsetGapError) && !isTransientDatabaseFault(error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
