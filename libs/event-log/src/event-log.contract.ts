import { randomUUID } from 'node:crypto';
import { CODEC_VERSION, type Envelope } from './envelope';
import {
  LogUnavailableError,
  type EventLog,
  type LogBatch,
  type LogConsumer,
  type LogRecord,
  type LogSubscription,
} from './event-log.port';

/**
 * The behaviour every EventLog adapter must show, as one jest suite run against each of them (imported by the
 * adapters' *.int-spec.ts; not a test file itself).
 */

export interface EventLogUnderTest {
  readonly log: EventLog;
  /** Writes bytes as the next record of `standoffId`, bypassing the codec. */
  appendRaw(standoffId: string, payload: Buffer): Promise<void>;
  /** A consumer group no other test uses (the embedded log ignores groups). */
  newGroupId(): string;
  /** Closes what the factory opened and removes what it created (topic, schema). */
  cleanup(): Promise<void>;
}

const TEST_TIMEOUT_MS = 60_000;

export function describeEventLogContract(name: string, factory: () => Promise<EventLogUnderTest>): void {
  describe(`${name} (EventLog contract)`, () => {
    let subject: EventLogUnderTest;
    let subscriptions: LogSubscription[];

    beforeEach(async () => {
      subject = await factory();
      subscriptions = [];
    }, TEST_TIMEOUT_MS);

    afterEach(async () => {
      await Promise.all(subscriptions.map((subscription) => subscription.stop()));
      await subject?.cleanup();
    }, TEST_TIMEOUT_MS);

    async function subscribe(consumer: MemoryLogConsumer, groupId: string): Promise<LogSubscription> {
      const subscription = await subject.log.subscribe(consumer, { groupId });
      subscriptions.push(subscription);
      return subscription;
    }

    it(
      'delivers appended envelopes unchanged, stamped near now, in append order per standoff',
      async () => {
        const consumer = new MemoryLogConsumer();
        const standoffs = ['kosovo-1999', 'cuba-1962', 'ukraine-2022'];
        const appended: Envelope[] = [];
        const startedAt = Date.now();
        for (let n = 0; n < 6; n += 1) {
          appended.push(envelopeFor(standoffs[n % 3], n));
          await subject.log.append(appended[n]);
        }
        await subscribe(consumer, subject.newGroupId());
        for (let n = 6; n < 15; n += 1) {
          appended.push(envelopeFor(standoffs[n % 3], n));
          await subject.log.append(appended[n]);
        }
        await waitFor('15 records applied', () => consumer.applied.length >= 15);
        const finishedAt = Date.now();

        expect(consumer.violations).toEqual([]);
        expect(consumer.applied).toHaveLength(15);
        const byCommand = new Map(consumer.applied.map((record) => [record.envelope?.commandId, record]));
        for (const envelope of appended) {
          const record = byCommand.get(envelope.commandId);
          expect(record?.envelope).toEqual(envelope);
          expect(record?.decodeError).toBeUndefined();
          expect(record?.recordedAt).toBeGreaterThanOrEqual(startedAt - CLOCK_SLACK_MS);
          expect(record?.recordedAt).toBeLessThanOrEqual(finishedAt + CLOCK_SLACK_MS);
        }
        for (const standoffId of standoffs) {
          const records = consumer.applied.filter((record) => record.envelope?.standoffId === standoffId);
          expect(new Set(records.map((record) => record.partition)).size).toBe(1);
          expect(records.map((record) => record.envelope?.commandId)).toEqual(
            appended.filter((e) => e.standoffId === standoffId).map((e) => e.commandId),
          );
        }
        expectOffsetsIncreasePerPartition(consumer.applied);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'resumes from the offsets the consumer reports, not from where the log last delivered',
      async () => {
        const groupId = subject.newGroupId();
        const first = new MemoryLogConsumer();
        const firstSubscription = await subscribe(first, groupId);
        const appended = await appendMany(subject.log, 10, 4);
        await waitFor('the first 10 records', () => first.applied.length >= 10);
        await firstSubscription.stop();

        appended.push(...(await appendMany(subject.log, 10, 4, 10)));
        const again = await subscribe(first, groupId);
        await waitFor('all 20 records', () => first.applied.length >= 20);
        await again.stop();
        expect(first.violations).toEqual([]);
        expect(commandIds(first.applied)).toEqual(new Set(appended.map((e) => e.commandId)));
        expect(first.applied).toHaveLength(20);

        // A consumer whose store is behind what was delivered to the group (a restored read model) gets the rest.
        const behind = new Map(
          [...first.offsets].map(([partition, next]) => [partition, maxBigInt(0n, next - 2n)]),
        );
        const restored = new MemoryLogConsumer(behind);
        const expected = first.applied.filter(
          (record) => BigInt(record.offset) >= (behind.get(record.partition) ?? 0n),
        );
        const restoredSubscription = await subscribe(restored, groupId);
        await waitFor(`${expected.length} records again`, () => restored.applied.length >= expected.length);
        await settle();
        await restoredSubscription.stop();
        expect(restored.violations).toEqual([]);
        expect(positions(restored.applied)).toEqual(positions(expected));

        // A consumer with no offsets (a rebuild) reads the whole log again.
        const rebuilt = new MemoryLogConsumer();
        await subscribe(rebuilt, groupId);
        await waitFor('the whole log again', () => rebuilt.applied.length >= 20);
        await settle();
        expect(rebuilt.violations).toEqual([]);
        expect(positions(rebuilt.applied)).toEqual(positions(first.applied));
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'hands an undecodable record to apply without an envelope, and goes on',
      async () => {
        const consumer = new MemoryLogConsumer();
        await subscribe(consumer, subject.newGroupId());
        const garbage = Buffer.from([0x6e, 0x6f, 0x74, 0x20, 0x6a, 0x73, 0x6f, 0x6e, 0x00, 0xff, 0xfe]);
        await subject.appendRaw('cuba-1962', garbage);
        await subject.appendRaw('cuba-1962', Buffer.from(JSON.stringify({ codecVersion: 99 })));
        const valid = envelopeFor('cuba-1962', 1);
        await subject.log.append(valid);
        await waitFor('3 records applied', () => consumer.applied.length >= 3);

        expect(consumer.violations).toEqual([]);
        const [notJson, unknownVersion, decoded] = consumer.applied;
        expect(notJson.envelope).toBeUndefined();
        expect(notJson.decodeError).toMatch(/JSON/);
        expect(Buffer.compare(notJson.raw, garbage)).toBe(0);
        expect(unknownVersion.envelope).toBeUndefined();
        expect(unknownVersion.decodeError).toMatch(/codec version/);
        expect(decoded.envelope).toEqual(valid);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'applies a failed batch again without skipping records',
      async () => {
        const consumer = new MemoryLogConsumer();
        consumer.failuresToInduce = 2;
        await subscribe(consumer, subject.newGroupId());
        const appended = await appendMany(subject.log, 6, 2);
        await waitFor('6 records applied', () => consumer.applied.length >= 6);
        await settle();

        expect(consumer.failedAttempts).toBe(2);
        expect(consumer.violations).toEqual([]);
        expect(consumer.applied).toHaveLength(6);
        expect(commandIds(consumer.applied)).toEqual(new Set(appended.map((e) => e.commandId)));
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'delivers 200 concurrent appends exactly once',
      async () => {
        const consumer = new MemoryLogConsumer();
        await subscribe(consumer, subject.newGroupId());
        const appended = Array.from({ length: 200 }, (_, n) => envelopeFor(`standoff-${n % 20}`, n));
        await Promise.all(appended.map((envelope) => subject.log.append(envelope)));
        await waitFor('200 records applied', () => consumer.applied.length >= 200);
        await settle();

        expect(consumer.violations).toEqual([]);
        expect(consumer.applied).toHaveLength(200);
        expect(commandIds(consumer.applied)).toEqual(new Set(appended.map((e) => e.commandId)));
        expectOffsetsIncreasePerPartition(consumer.applied);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'round-trips an envelope of about 1 MiB',
      async () => {
        const consumer = new MemoryLogConsumer();
        await subscribe(consumer, subject.newGroupId());
        const large = envelopeFor('cuba-1962', 0, { cable: 'x'.repeat(1024 * 1024) });
        await subject.log.append(large);
        const after = envelopeFor('cuba-1962', 1);
        await subject.log.append(after);
        await waitFor('2 records applied', () => consumer.applied.length >= 2);

        expect(consumer.violations).toEqual([]);
        expect(consumer.applied[0].envelope).toEqual(large);
        expect(consumer.applied[0].raw.length).toBeGreaterThan(1024 * 1024);
        expect(consumer.applied[1].envelope).toEqual(after);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'refuses a record larger than the log takes, and appends nothing',
      async () => {
        const consumer = new MemoryLogConsumer();
        await subscribe(consumer, subject.newGroupId());
        const huge = envelopeFor('cuba-1962', 0, { cable: 'x'.repeat(5 * 1024 * 1024) });
        await expect(subject.log.append(huge)).rejects.toBeInstanceOf(RangeError);
        const after = envelopeFor('cuba-1962', 1);
        await subject.log.append(after);
        await waitFor('1 record applied', () => consumer.applied.length >= 1);
        await settle();
        expect(consumer.applied.map((record) => record.envelope)).toEqual([after]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'rejects appends after close with LogUnavailableError',
      async () => {
        await subject.log.close();
        await expect(subject.log.append(envelopeFor('cuba-1962', 0))).rejects.toBeInstanceOf(
          LogUnavailableError,
        );
      },
      TEST_TIMEOUT_MS,
    );
  });
}

/**
 * A LogConsumer keeping its offsets in memory, as the projector keeps them in Postgres. It records every batch
 * and notes a violation whenever a batch does not start exactly at its stored offset (a gap or a repeat) or
 * its offsets are not consecutive.
 */
export class MemoryLogConsumer implements LogConsumer {
  readonly offsets: Map<number, bigint>;
  readonly applied: LogRecord[] = [];
  readonly batches: LogBatch[] = [];
  readonly violations: string[] = [];
  failuresToInduce = 0;
  failedAttempts = 0;

  constructor(offsets: ReadonlyMap<number, bigint> = new Map()) {
    this.offsets = new Map(offsets);
  }

  async resumeOffsets(partitions: readonly number[]): Promise<ReadonlyMap<number, string>> {
    const stored = new Map<number, string>();
    for (const partition of partitions) {
      const next = this.offsets.get(partition);
      if (next !== undefined) stored.set(partition, next.toString());
    }
    return stored;
  }

  async apply(batch: LogBatch): Promise<void> {
    if (this.failuresToInduce > 0) {
      this.failuresToInduce -= 1;
      this.failedAttempts += 1;
      throw new Error('induced failure');
    }
    if (batch.records.length === 0) return;
    let expected = this.offsets.get(batch.partition) ?? 0n;
    for (const record of batch.records) {
      const offset = BigInt(record.offset);
      if (record.partition !== batch.partition) {
        this.violations.push(`record of partition ${record.partition} in a batch of ${batch.partition}`);
      }
      if (offset !== expected) {
        this.violations.push(`partition ${batch.partition}: got offset ${offset}, expected ${expected}`);
      }
      expected = offset + 1n;
    }
    this.batches.push(batch);
    this.applied.push(...batch.records);
    this.offsets.set(batch.partition, expected);
  }
}

/** Clocks of the broker and of this process may differ a little. */
const CLOCK_SLACK_MS = 2000;

export function envelopeFor(standoffId: string, n: number, data: Record<string, unknown> = {}): Envelope {
  return {
    codecVersion: CODEC_VERSION,
    commandId: randomUUID(),
    standoffId,
    batch: false,
    idempotencyKey: null,
    requestHash: `hash-${n}`,
    expectedVersion: null,
    events: [
      {
        eventId: randomUUID(),
        clientEventId: false,
        type: 'statement.issued',
        occurredAt: { ms: Date.UTC(1962, 9, 16) + n * 60_000, precision: 'instant' },
        reportedAt: null,
        actor: 'USA',
        target: ['SOV'],
        summary: `statement ${n}`,
        cameo: null,
        data,
        source: null,
      },
    ],
  };
}

async function appendMany(log: EventLog, count: number, standoffs: number, from = 0): Promise<Envelope[]> {
  const appended: Envelope[] = [];
  for (let n = from; n < from + count; n += 1) {
    const envelope = envelopeFor(`standoff-${n % standoffs}`, n);
    await log.append(envelope);
    appended.push(envelope);
  }
  return appended;
}

function expectOffsetsIncreasePerPartition(records: readonly LogRecord[]): void {
  const last = new Map<number, bigint>();
  for (const record of records) {
    const offset = BigInt(record.offset);
    const previous = last.get(record.partition);
    if (previous !== undefined) expect(offset > previous).toBe(true);
    last.set(record.partition, offset);
  }
}

function commandIds(records: readonly LogRecord[]): Set<string | undefined> {
  return new Set(records.map((record) => record.envelope?.commandId));
}

function positions(records: readonly LogRecord[]): string[] {
  return records.map((record) => `${record.partition}:${record.offset}`).sort();
}

function maxBigInt(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** Gives a misbehaving adapter the time to deliver something twice before the assertions. */
function settle(ms = 300): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
