import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { RecordedEvent } from '@app/domain/recorded-event';
import { createDataSource, migrate } from '@app/read-model/database';
import { globalFeedPage } from '@app/read-model/feed/feed-queries';
import { commandOf, recordOf } from '../../../test/support/commands';
import { databaseUrl, uniqueSchemaName } from '../../../test/support/services';
import type { LogRecord } from '@app/event-log/event-log.port';
import { Feeds1765100000000 } from '../../../migrations/1765100000000-Feeds';
import { FeedWithoutDocuments1765400000000 } from '../../../migrations/1765400000000-FeedWithoutDocuments';
import { DecisionProjection } from './decision-projection';
import { insertAcceptedEvents } from './accepted-events';
import { appendToFeed, carryOverFeed, FeedDivergedError } from './feed-outbox';

function statementRecord(offset: number, standoffId: string): LogRecord {
  const body = {
    type: 'statement.made',
    occurredAt: '2022-01-10',
    actor: 'RUS',
    summary: `statement ${offset}`,
  };
  return recordOf(commandOf(standoffId, [body]), offset, Date.UTC(2026, 10, 1) + offset * 1000);
}

function statement(standoffId: string, position: number): RecordedEvent {
  return {
    eventId: randomUUID(),
    standoffId,
    position,
    type: 'statement.made',
    occurredAt: Date.UTC(2022, 0, 10),
    occurredPrecision: 'day',
    reportedAt: Date.UTC(2022, 0, 10),
    reportedPrecision: 'day',
    recordedAt: Date.now(),
    actor: 'RUS',
    target: [],
    summary: 'A statement',
    cameo: '010',
    data: {},
    source: null,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('feed positions with several committers at once', () => {
  let db: DataSource;
  const schema = uniqueSchemaName('feed_outbox');

  beforeAll(async () => {
    db = createDataSource({ url: databaseUrl(), schema, poolSize: 12 });
    await db.initialize();
    await migrate(db, { schema });
  });

  afterAll(async () => {
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.query(`DROP SCHEMA IF EXISTS "${schema}_dashboard" CASCADE`);
    await db.destroy();
  });

  it('never lets a reader pass a sequence that commits late: every reader sees each event once, in order', async () => {
    const committers = 8;
    const transactionsEach = 12;
    let writing = true;
    // Transactions that linger between taking their numbers and committing, in random order.
    const write = async (committer: number) => {
      for (let t = 0; t < transactionsEach; t += 1) {
        await db.transaction(async (tx) => {
          await sleep(Math.random() * 5);
          const events = [1, 2, 3].slice(0, 1 + (t % 3)).map((i) => statement(`s-${committer}`, t * 3 + i));
          // The feed reads each item from its event, stored in the same transaction as the projector does.
          await insertAcceptedEvents(tx, randomUUID(), events);
          await appendToFeed(tx, events);
          await sleep(Math.random() * 15);
        });
      }
    };
    const read = async (): Promise<number[]> => {
      const seen: number[] = [];
      let after = 0;
      for (;;) {
        const done = !writing;
        const page = await globalFeedPage(db, after, undefined, 7);
        for (const row of page) seen.push(row.sequence);
        if (page.length > 0) after = page[page.length - 1].sequence;
        else if (done) return seen;
        else await sleep(1);
      }
    };
    const readers = [read(), read(), read()];
    await Promise.all(Array.from({ length: committers }, (_, c) => write(c)));
    writing = false;
    const results = await Promise.all(readers);

    const [{ total }]: { total: number }[] = await db.query(`SELECT count(*)::int AS total FROM feed`);
    expect(total).toBeGreaterThan(committers * transactionsEach);
    const expected = Array.from({ length: total }, (_, i) => i + 1);
    for (const seen of results) expect(seen).toEqual(expected);
  }, 60_000);

  it('carries the events stored before the feed existed into it, as the projector would have written them', async () => {
    await db.query(`TRUNCATE feed, events`);
    await db.query(`UPDATE feed_sequence SET last_sequence = 0`);
    const projection = new DecisionProjection(db, 'test', 'embedded');
    await projection.apply({
      partition: 0,
      records: [0, 1, 2, 3, 4].map((offset) => statementRecord(offset, offset % 2 ? 'odd' : 'even')),
    });
    const feedOf = () =>
      db.query(`SELECT sequence::int, standoff_id, version, event_id, type FROM feed ORDER BY 1`);
    const storedItems = async () =>
      ((await db.query(`SELECT item FROM feed ORDER BY sequence`)) as { item: unknown }[]).map((r) => r.item);
    const written = await feedOf();
    expect(written).toHaveLength(5);
    const itemsRead = (await globalFeedPage(db, 0, undefined, 100)).map((row) => row.item);
    expect(itemsRead.map((item) => item.version)).toEqual([1, 1, 2, 2, 3]);

    const runner = db.createQueryRunner();
    await runner.connect();
    try {
      // Back to stored items: each is what the feed reads from events.posted today.
      await new FeedWithoutDocuments1765400000000().down(runner);
      expect(await storedItems()).toEqual(itemsRead);
      await new Feeds1765100000000().down(runner);
      await new Feeds1765100000000().up(runner);
      expect(await storedItems()).toEqual(itemsRead);
      await new FeedWithoutDocuments1765400000000().up(runner);
    } finally {
      await runner.release();
    }
    expect(await feedOf()).toEqual(written);
    const [{ last }] = await db.query(`SELECT last_sequence::int AS last FROM feed_sequence`);
    expect(last).toBe(5);
  });
  it('refuses a rebuild whose events lack one the live feed names: its item would be read from nothing', async () => {
    // The live feed here: the five statements of the test before (even v1–v3, odd v1–v2). At the switch the
    // rebuilt events are already in the live schema, and the rebuilt feed waits beside it.
    const rebuilt = `${schema}_rebuilt`;
    const [live, shadow] = [schema, rebuilt].map((name) => `"${name}"`);
    await db.query(`CREATE SCHEMA ${shadow}`);
    try {
      await db.query(`CREATE TABLE ${shadow}.feed (LIKE ${live}.feed INCLUDING ALL)`);
      await db.query(`INSERT INTO ${shadow}.feed SELECT * FROM ${live}.feed`);
      // The rebuild did not accept even v3 (say its rules had changed), and gave no other event its place.
      const [kept] = await db.query(`SELECT * FROM events WHERE standoff_id = 'even' AND position = 3`);
      await db.query(`DELETE FROM events WHERE standoff_id = 'even' AND position = 3`);
      await db.query(`DELETE FROM ${shadow}.feed WHERE standoff_id = 'even' AND version = 3`);
      await expect(db.transaction((tx) => carryOverFeed(tx, shadow, live))).rejects.toBeInstanceOf(
        FeedDivergedError,
      );
      await db.query(`INSERT INTO events SELECT * FROM json_populate_record(NULL::events, $1)`, [
        JSON.stringify(kept),
      ]);
      await expect(db.transaction((tx) => carryOverFeed(tx, shadow, live))).resolves.toBe(0);
    } finally {
      await db.query(`DROP SCHEMA ${shadow} CASCADE`);
    }
  });
});
