import type { DecisionFacts, FactsNeeded, WriteCommand } from '@app/domain/decide';
import { FIRST_RULES_VERSION, RULE_BOOK, type Decider, type RuleBook } from '@app/domain/rules';
import { EVENT_ID_PATTERN, namedEventId } from '@app/domain/events';
import { messageOf } from '@app/domain/error-message';
import type { RecordedEvent } from '@app/domain/recorded-event';
import type { Envelope } from '@app/event-log/envelope';
import {
  OffsetGapError,
  type LogBatch,
  type LogConsumer,
  type LogRecord,
} from '@app/event-log/event-log.port';
import type { Queryable } from '@app/read-model/queryable';
import { SnapshotMaintainer } from '@app/read-model/snapshots/snapshot-maintainer';
import type { StandoffChange } from '@app/read-model/snapshots/standoff-changes';
import { insertAcceptedEvents, loadEvents, markRetracted, recorrect } from './accepted-events';
import { deadLetteredCommandId, storeDeadLetter } from './dead-letters';
import { noticeDecided } from './decision-notices';
import { decidedMembers, isDecided, membersOf, storeDecision, type DecidedMember } from './decision-records';
import { entityKey, followCorrectedCreators, knownEntities, registerEntities } from './entity-registry';
import { isTransientDatabaseFault } from './fault-kind';
import { appendToFeed } from './feed-outbox';
import { findOriginalCommand, reusedKeyRejection } from './idempotency';
import { lockOffset, storedOffsets, storeOffset, type OffsetKey } from './offsets';
import type { ProjectionDatabase } from './projection-database';
import { batchApplied, timed } from './projection-timing';
import { invalidateSnapshots, staleFrom } from './snapshot-invalidation';
import { lockStandoffVersion, storeStandoffVersion } from './standoff-versions';

export { DECISIONS_CHANNEL } from './decision-notices';

export interface DeadLetterNotice {
  readonly partition: number;
  readonly offset: string;
  readonly commandId: string | undefined;
  readonly error: string;
}

export interface DecisionListener {
  decided(commandIds: readonly string[]): void;
  deadLettered?(letter: DeadLetterNotice): void;
  /** After a commit: the standoffs whose version moved, and from where their snapshots became stale. */
  changed?(changes: readonly StandoffChange[]): void;
}

/** A standoff's change within one transaction, as it accumulates. */
type Change = { -readonly [K in keyof StandoffChange]: StandoffChange[K] };

/** Times a record is applied alone before it is judged poison. */
const POISON_ATTEMPTS = 2;

/**
 * The projector's write side: decides each command in log order and stores the outcome, the read-model rows
 * and the partition's next offset in one transaction, so a redelivered record changes nothing. The stores it
 * calls each own their tables (offsets, dead letters, decisions, the entity registry, events). Snapshots are
 * only deleted here, where the events make them stale; the listener's `changed` hears what to build again
 * (the projection runner's SnapshotBuilder, after the commit).
 */
export class DecisionProjection implements LogConsumer {
  private readonly offsets: OffsetKey;

  /** Only deletes what became stale: snapshots are built after the commit (SnapshotBuilder). */
  private readonly snapshots = new SnapshotMaintainer();

  constructor(
    private readonly db: ProjectionDatabase,
    consumer: string,
    private readonly topic: string,
    private readonly listener?: DecisionListener,
    private readonly ruleBook: RuleBook = RULE_BOOK,
  ) {
    this.offsets = { consumer, topic };
  }

  resumeOffsets(partitions: readonly number[]): Promise<ReadonlyMap<number, string>> {
    return storedOffsets(this.db, this.offsets, partitions);
  }

  /**
   * Applies the batch in one transaction. Should that fail for any reason but the database's state, some record
   * of it may be poison: the records are then applied one at a time, and one that fails twice alone while the
   * database answers is dead-lettered, so the partition always moves on. Transient faults propagate: the
   * adapter retries the batch from the stored offset.
   */
  async apply(batch: LogBatch): Promise<void> {
    if (batch.records.length === 0) return;
    await timed(
      batchApplied,
      () => this.applyAll(batch),
      (ms) => ({ partition: batch.partition, records: batch.records.length, ms }),
    );
  }

  private async applyAll(batch: LogBatch): Promise<void> {
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
    const stored = await this.db.transaction(async (tx) => {
      if (!(await this.claimOffsets(tx, partition, [record]))) return false;
      await storeDeadLetter(tx, this.topic, record, error);
      await storeOffset(tx, this.offsets, partition, BigInt(record.offset) + 1n);
      if (commandId) await noticeDecided(tx, [commandId]);
      return true;
    });
    if (!stored) return;
    this.listener?.deadLettered?.({ partition, offset: record.offset, commandId, error });
    if (commandId) this.listener?.decided([commandId]);
  }

  private async applyTogether(partition: number, records: readonly LogRecord[]): Promise<void> {
    const decided: string[] = [];
    const undecodable: DeadLetterNotice[] = [];
    // The standoffs this batch decides for: their versions and what became stale, for the snapshot builder.
    const changes = new Map<string, Change>();
    // The events this batch accepts, in order: numbered for the feed at the end of the transaction.
    const feed: RecordedEvent[] = [];
    await this.db.transaction(async (tx) => {
      const nextOffset = await lockOffset(tx, this.offsets, partition);
      this.refuseGap(partition, nextOffset, records);
      for (const record of records) {
        if (BigInt(record.offset) < nextOffset) continue;
        if (!record.envelope) {
          const error = record.decodeError ?? 'undecodable record';
          await storeDeadLetter(tx, this.topic, record, error);
          undecodable.push({ partition, offset: record.offset, commandId: undefined, error });
          continue;
        }
        if (await this.decideRecord(tx, record, record.envelope, changes, feed))
          decided.push(record.envelope.commandId);
      }
      const next = BigInt(records[records.length - 1].offset) + 1n;
      const events = records
        .filter((record) => BigInt(record.offset) >= nextOffset)
        .reduce((sum, record) => sum + (record.envelope?.events.length ?? 0), 0);
      if (next > nextOffset) await storeOffset(tx, this.offsets, partition, next, events);
      for (const change of changes.values()) {
        if (change.staleFrom !== undefined)
          await invalidateSnapshots(tx, this.snapshots, change.standoffId, change.staleFrom);
      }
      await appendToFeed(tx, feed);
      await noticeDecided(tx, decided);
    });
    const moved = [...changes.values()].filter((change) => change.versionAfter > change.versionBefore);
    if (moved.length > 0) this.listener?.changed?.(moved);
    for (const letter of undecodable) this.listener?.deadLettered?.(letter);
    if (decided.length > 0) this.listener?.decided(decided);
  }

  /** Whether the records start at the stored offset (false: applied already); throws when they start after it. */
  private async claimOffsets(
    tx: Queryable,
    partition: number,
    records: readonly LogRecord[],
  ): Promise<boolean> {
    const nextOffset = await lockOffset(tx, this.offsets, partition);
    this.refuseGap(partition, nextOffset, records);
    return BigInt(records[records.length - 1].offset) >= nextOffset;
  }

  private refuseGap(partition: number, nextOffset: bigint, records: readonly LogRecord[]): void {
    const first = records.find((record) => BigInt(record.offset) >= nextOffset);
    if (first && BigInt(first.offset) > nextOffset) {
      throw new OffsetGapError(partition, nextOffset.toString(), first.offset);
    }
  }

  /** Returns false when the command was decided before (the same record appended twice). */
  private async decideRecord(
    tx: Queryable,
    record: LogRecord,
    envelope: Envelope,
    changes: Map<string, Change>,
    feed: RecordedEvent[],
  ): Promise<boolean> {
    if (await isDecided(tx, envelope.commandId)) return false;
    const version = await lockStandoffVersion(tx, envelope.standoffId);
    const change = changes.get(envelope.standoffId) ?? {
      standoffId: envelope.standoffId,
      versionBefore: version,
      versionAfter: version,
      staleFrom: undefined,
    };
    changes.set(envelope.standoffId, change);
    const decided = await decidedMembers(tx, envelope);
    const original = await findOriginalCommand(tx, envelope, decided);
    if (original === 'reused') {
      await storeDecision(tx, record, envelope, {
        outcome: 'rejected',
        originalCommandId: null,
        problem: reusedKeyRejection(),
        versionAfter: version,
        claimKey: false,
      });
      return true;
    }
    if (original) {
      await storeDecision(tx, record, envelope, {
        outcome: 'duplicate',
        originalCommandId: original,
        problem: null,
        versionAfter: version,
        claimKey: false,
      });
      return true;
    }
    const rules = this.rulesOf(envelope);
    const command: WriteCommand = {
      standoffId: envelope.standoffId,
      batch: envelope.batch,
      expectedVersion: envelope.expectedVersion,
      recordedAt: record.recordedAt,
      events: envelope.events,
    };
    const facts = await this.loadFacts(tx, envelope, rules.factsNeeded(command), version, decided);
    const decision = rules.decide(command, facts);
    if (decision.outcome === 'rejected') {
      await storeDecision(tx, record, envelope, {
        outcome: 'rejected',
        originalCommandId: null,
        problem: decision.rejection,
        versionAfter: version,
        claimKey: true,
      });
      return true;
    }
    const staleFrom = await this.storeAccepted(tx, envelope, decision.events, feed);
    change.versionAfter = decision.versionAfter;
    change.staleFrom = earlier(change.staleFrom, staleFrom);
    await registerEntities(tx, envelope.standoffId, decision.createdEntities);
    await storeStandoffVersion(tx, envelope.standoffId, decision.versionAfter);
    await storeDecision(tx, record, envelope, {
      outcome: 'accepted',
      originalCommandId: null,
      problem: null,
      versionAfter: decision.versionAfter,
      claimKey: true,
    });
    return true;
  }

  /** The rules the command was recorded under: a rebuild decides it as it was decided then. */
  private rulesOf(envelope: Envelope): Decider {
    const version = envelope.rulesVersion ?? FIRST_RULES_VERSION;
    const rules = this.ruleBook.rules(version);
    if (!rules) throw new UnknownRulesVersionError(version, this.ruleBook.current);
    return rules;
  }

  private async loadFacts(
    tx: Queryable,
    envelope: Envelope,
    needed: FactsNeeded,
    version: number,
    decided: readonly DecidedMember[],
  ): Promise<DecisionFacts> {
    const entities = await knownEntities(tx, envelope.standoffId, needed.entities);
    const events = await loadEvents(tx, envelope.standoffId, needed.eventIds.filter(isUuid));
    const taken = new Set(decided.map((row) => row.event_id));
    return {
      version,
      entity: (kind, id) => entities.get(entityKey(kind, id)),
      event: (eventId) => events.get(eventId),
      eventIdTaken: (eventId) => taken.has(eventId),
    };
  }

  private async storeAccepted(
    tx: Queryable,
    envelope: Envelope,
    accepted: readonly RecordedEvent[],
    feed: RecordedEvent[],
  ): Promise<number | undefined> {
    const { standoffId } = envelope;
    await insertAcceptedEvents(tx, envelope.commandId, accepted, membersOf(envelope));
    // Taken into the feed (the outbox) by appendToFeed, last in the transaction.
    feed.push(...accepted);
    let stale = await staleFrom(tx, standoffId, accepted);
    await markRetracted(tx, standoffId, namedBy(accepted, 'event.retracted'));
    await followCorrectedCreators(
      tx,
      standoffId,
      await recorrect(tx, standoffId, namedBy(accepted, 'event.corrected')),
    );
    const corrections = accepted.filter((e) => e.type === 'event.corrected');
    if (corrections.length > 0) {
      stale = earlier(stale, await staleFrom(tx, standoffId, corrections));
    }
    return stale;
  }
}

/**
 * A record appended under rules newer than this projector's (an API upgraded before its projectors). Not
 * poison: deciding it later, in its place, keeps every rebuild equal to the live models, where a dead letter
 * replayed at another offset would not. The partition holds, and readiness reports it, until a projector
 * with these rules runs.
 */
export class UnknownRulesVersionError extends Error {
  constructor(version: number, current: number) {
    super(
      `a command was recorded under rules version ${version}, which this projector does not have (it has up ` +
        `to ${current}): the partition holds until a projector with these rules runs; upgrade the projectors`,
    );
    this.name = 'UnknownRulesVersionError';
  }
}

function mayBePoison(error: unknown): boolean {
  return (
    !(error instanceof OffsetGapError) &&
    !(error instanceof UnknownRulesVersionError) &&
    !isTransientDatabaseFault(error)
  );
}

/** The distinct events that the accepted events of this type name. */
function namedBy(accepted: readonly RecordedEvent[], type: string): string[] {
  return [...new Set(accepted.flatMap((event) => (event.type === type ? (namedEventId(event) ?? []) : [])))];
}

function earlier(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

function isUuid(value: string): boolean {
  return EVENT_ID_PATTERN.test(value);
}
