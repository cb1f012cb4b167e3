import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { PROJECTOR_GROUP } from '@app/event-log/topics';
import { expectStatus, getStandoff, postBatch, statement, type JsonObject } from '../support/http';
import { killStartedProcesses, spawnTsEntry, storeProcessEnv, type ChildHandle } from '../support/processes';
import { testKafka, waitFor } from '../support/services';
import { dropSchema, startTestApp, type TestApp } from '../support/test-app';

/*
 * An acknowledged event is never lost and a redelivered one never counts twice (DESIGN.md §2, §6): 10,000 events
 * are posted through `events:batch` to an API without a projector of its own, while a projector runs as a child
 * process; that projector is SIGKILLed part-way, a new one takes over, and every acknowledged event ends up
 * stored exactly once, in gap-free positions. Then the stored offsets are moved back to 0 and the whole log is
 * delivered again: nothing changes.
 */

const STANDOFFS = 10;
const BATCHES = 100;
const BATCH_SIZE = 100;
const TOTAL = BATCHES * BATCH_SIZE;
/** Batches in flight at once. Each waits for its decision, so ingestion stays close behind the projector. */
const CONCURRENCY = 4;
/** Decisions stored before the first projector is killed (of BATCHES commands). */
const KILL_AFTER_DECISIONS = 20;

jest.setTimeout(170_000);

interface PostedBatch {
  readonly standoffId: string;
  readonly eventIds: readonly string[];
  readonly status: number;
}

/** What must not change when the log is delivered again. */
interface Snapshot {
  readonly events: string;
  readonly decisions: string;
  readonly decidedEvents: string;
  readonly standoffs: string;
  readonly counts: Record<string, number>;
}

const standoffOf = (batch: number) => `crash-recovery-${batch % STANDOFFS}`;

function batchEvents(batch: number): JsonObject[] {
  return Array.from({ length: BATCH_SIZE }, (_, member) =>
    statement({
      eventId: randomUUID(),
      occurredAt: `2022-01-${String(1 + (member % 28)).padStart(2, '0')}`,
      reportedAt: '2022-02-01',
      summary: `batch ${batch}, member ${member}`,
    }),
  );
}

async function count(db: DataSource, sql: string, parameters: unknown[] = []): Promise<number> {
  const [row]: { n: string }[] = await db.query(sql, parameters);
  return Number(row.n);
}

async function snapshot(db: DataSource): Promise<Snapshot> {
  const md5 = async (sql: string) => ((await db.query(sql)) as { h: string | null }[])[0].h ?? '';
  return {
    events:
      await md5(`SELECT md5(string_agg(concat_ws('|', standoff_id, position, event_id, type, occurred_at,
        reported_at, recorded_at, actor, targets, summary, cameo, data, source, posted, retracted, command_id,
        member_index, content_hash), ','
        ORDER BY standoff_id, position)) AS h FROM events`),
    decisions: await md5(`SELECT md5(string_agg(concat_ws('|', command_id, standoff_id, outcome, problem,
        event_ids, version_after, log_partition, log_offset), ',' ORDER BY command_id)) AS h FROM decisions`),
    decidedEvents:
      await md5(`SELECT md5(string_agg(concat_ws('|', standoff_id, event_id, command_id, member_index,
        content_hash), ',' ORDER BY standoff_id, event_id)) AS h FROM decided_events`),
    standoffs: await md5(`SELECT md5(string_agg(concat_ws('|', standoff_id, version), ','
        ORDER BY standoff_id)) AS h FROM standoffs`),
    counts: {
      events: await count(db, 'SELECT count(*) AS n FROM events'),
      decisions: await count(db, 'SELECT count(*) AS n FROM decisions'),
      decidedEvents: await count(db, 'SELECT count(*) AS n FROM decided_events'),
      deadLetters: await count(db, 'SELECT count(*) AS n FROM dead_letters'),
    },
  };
}

/** Runs `work` over `items` with at most `limit` at a time, in order of start. */
async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

describe('crash recovery of the projector on Kafka', () => {
  let api: TestApp;
  let db: DataSource;
  let topic: string;

  const startProjector = async (name: string): Promise<ChildHandle> => {
    const projector = spawnTsEntry(name, 'apps/projector/src/main.ts', [], {
      env: storeProcessEnv({ schema: api.schema, topic }),
    });
    await projector.waitForOutput(/projector running/, 60_000);
    return projector;
  };

  /** The stored next offset of every partition, as the projector keeps it in Postgres. */
  const storedOffsets = async (): Promise<Map<number, bigint>> => {
    const rows: { partition: number; next_offset: string }[] = await db.query(
      'SELECT partition, next_offset FROM projection_offsets WHERE consumer = $1 AND topic = $2',
      [PROJECTOR_GROUP, topic],
    );
    return new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
  };

  const logEnds = async (): Promise<Map<number, bigint>> => {
    const admin = testKafka('crash-recovery-admin').admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
    } finally {
      await admin.disconnect();
    }
  };

  const caughtUp = async (ends: Map<number, bigint>): Promise<boolean> => {
    const stored = await storedOffsets();
    return [...ends].every(([partition, end]) => end === 0n || stored.get(partition) === end);
  };

  beforeAll(async () => {
    api = await startTestApp('crash-recovery', {
      withProjector: false,
      env: { DECISION_WAIT_MS: '500' },
    });
    db = api.running.infrastructure.dataSource;
    if (api.topic === undefined) throw new Error('the crash test needs the Kafka log');
    topic = api.topic;
  });

  afterAll(async () => {
    await killStartedProcesses();
    if (api) {
      await api.close();
      await dropSchema(api.schema);
    }
  });

  it('keeps every acknowledged event exactly once across a SIGKILL, and a full redelivery changes nothing', async () => {
    const first = await startProjector('projector-1');

    // Ingest while the first projector decides; kill it once some, not all, decisions are stored.
    const ingestion = inPool(
      Array.from({ length: BATCHES }, (_, batch) => batch),
      CONCURRENCY,
      async (batch): Promise<PostedBatch> => {
        const standoffId = standoffOf(batch);
        const events = batchEvents(batch);
        const res = await postBatch(api.server, standoffId, events);
        return { standoffId, eventIds: events.map((e) => e.eventId as string), status: res.status };
      },
    );
    let decidedAtKill = 0;
    await waitFor(
      `${KILL_AFTER_DECISIONS} decisions by the first projector`,
      async () => {
        decidedAtKill = await count(db, 'SELECT count(*) AS n FROM decisions');
        return decidedAtKill >= KILL_AFTER_DECISIONS;
      },
      60_000,
      10,
    );
    first.signalGroup('SIGKILL');
    const killed = await first.exited;
    expect(killed.signal).toBe('SIGKILL');
    const decidedAfterKill = await count(db, 'SELECT count(*) AS n FROM decisions');
    expect(decidedAfterKill).toBeLessThan(BATCHES);

    const second = await startProjector('projector-2');
    const posted = await ingestion;
    const statuses = posted.map((p) => p.status);
    const acknowledged = posted.filter((p) => p.status === 201 || p.status === 202);
    expect(statuses.filter((s) => s !== 201 && s !== 202)).toEqual([]);
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThan(0);
    const acknowledgedIds = acknowledged.flatMap((p) => p.eventIds);
    expect(acknowledgedIds).toHaveLength(TOTAL);

    // The second projector joins once the group has given up on the killed one (its session timeout).
    await waitFor(
      `all ${BATCHES} commands decided after the crash`,
      async () => (await count(db, 'SELECT count(*) AS n FROM decisions')) === BATCHES,
      120_000,
      250,
    );

    // Every acknowledged event exactly once.
    expect(await count(db, 'SELECT count(*) AS n FROM events')).toBe(TOTAL);
    const storedIds: { event_id: string }[] = await db.query('SELECT event_id FROM events');
    expect(new Set(storedIds.map((r) => r.event_id))).toEqual(new Set(acknowledgedIds));
    expect(await count(db, `SELECT count(*) AS n FROM decisions WHERE outcome <> 'accepted'`)).toBe(0);
    expect(await count(db, 'SELECT count(*) AS n FROM dead_letters')).toBe(0);

    // Positions 1..N without gaps per standoff, versions equal to the counts.
    const perStandoff: {
      standoff_id: string;
      n: string;
      lo: number;
      hi: number;
      distinct: string;
      version: number;
    }[] = await db.query(`SELECT e.standoff_id, count(*) AS n, min(e.position) AS lo, max(e.position) AS hi,
           count(DISTINCT e.position) AS distinct, s.version
         FROM events e JOIN standoffs s USING (standoff_id)
        GROUP BY e.standoff_id, s.version ORDER BY e.standoff_id`);
    expect(perStandoff).toHaveLength(STANDOFFS);
    for (const row of perStandoff) {
      const n = Number(row.n);
      expect({
        standoff: row.standoff_id,
        n,
        lo: row.lo,
        hi: row.hi,
        distinct: Number(row.distinct),
      }).toEqual({
        standoff: row.standoff_id,
        n: TOTAL / STANDOFFS,
        lo: 1,
        hi: n,
        distinct: n,
      });
      expect(row.version).toBe(n);
    }
    // Each batch's members hold consecutive positions in array order, each with its content hash.
    expect(
      await count(
        db,
        `SELECT count(*) AS n FROM (
           SELECT command_id FROM events
            GROUP BY command_id
           HAVING count(DISTINCT position - member_index) <> 1 OR count(*) <> ${BATCH_SIZE}
               OR bool_or(member_index IS NULL OR content_hash IS NULL)) broken`,
      ),
    ).toBe(0);
    const overHttp = await getStandoff(api.server, standoffOf(0));
    expectStatus(overHttp, 200);
    expect(overHttp.body).toMatchObject({ version: TOTAL / STANDOFFS, eventCount: TOTAL / STANDOFFS });
    expect(overHttp.headers.etag).toBe(`"${TOTAL / STANDOFFS}"`);

    const ends = await logEnds();
    await waitFor('the offsets stored at the end of the log', () => caughtUp(ends), 30_000, 100);
    const before = await snapshot(db);
    expect(before.counts).toEqual({
      events: TOTAL,
      decisions: BATCHES,
      // Only a rejected command's ids are kept apart: an accepted one's are its events.
      decidedEvents: 0,
      deadLetters: 0,
    });

    // Deliver the whole log again: stop the projector, move its stored offsets back to 0, start a new one.
    const stopped = await second.stop(30_000);
    expect(stopped).toEqual({ code: 0, signal: null });
    const reset = await db.query(
      'UPDATE projection_offsets SET next_offset = 0 WHERE consumer = $1 AND topic = $2',
      [PROJECTOR_GROUP, topic],
    );
    expect(reset[1]).toBe(3);
    expect([...(await storedOffsets()).values()]).toEqual([0n, 0n, 0n]);

    const third = await startProjector('projector-3');
    await waitFor('the replay to reach the end of the log again', () => caughtUp(ends), 120_000, 100);
    const after = await snapshot(db);
    expect(after).toEqual(before);
    expect(await storedOffsets()).toEqual(ends);

    expect(await third.stop(30_000)).toEqual({ code: 0, signal: null });
  });
});
