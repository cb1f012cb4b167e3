import type { DataSource } from 'typeorm';
import { ruleBook, RULES_V1, type Decider, type RuleBook } from '@app/domain/rules';
import { type Envelope } from '@app/event-log/envelope';
import { EmbeddedEventLog } from '@app/event-log/embedded-event-log.adapter';
import { DecisionProjection, UnknownRulesVersionError } from '@app/decisions/decision-projection';
import { FeedDivergedError } from '@app/decisions/feed-outbox';
import { createDataSource, migrate } from '@app/read-model/database';
import { databaseUrl, uniqueSchemaName, waitFor } from '../../../test/support/services';
import { rebuildBeside } from './rebuild';
import { commandOf, recordOf } from '../../../test/support/commands';

const STANDOFF = 'rule-versions';
const CONSUMER = 'rules-test';

/** A rule added later: an unverified claim is refused. */
const refusingUnverified: Decider = {
  factsNeeded: RULES_V1.factsNeeded,
  decide: (command, facts) =>
    command.events.some((event) => event.summary.includes('unverified'))
      ? {
          outcome: 'rejected',
          rejection: {
            slug: 'invalid-reference',
            title: 'Unverified claim',
            detail: 'unverified',
            errors: [],
          },
        }
      : RULES_V1.decide(command, facts),
};

/**
 * Issue 7, item 8: the log holds commands and a rebuild decides them again, so each record carries the version
 * of the rules it was appended under and is decided by it: a changed rule leaves past decisions as they were.
 */
describe('decisions under versioned rules, rebuilt on the real Postgres', () => {
  const schema = uniqueSchemaName('rules');
  let db: DataSource;
  let log: EmbeddedEventLog;

  beforeAll(async () => {
    db = createDataSource({ url: databaseUrl(), schema });
    await db.initialize();
    await migrate(db, { schema });
    log = new EmbeddedEventLog(db, { pollIntervalMs: 20 });
  });

  afterAll(async () => {
    await log.close();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.destroy();
  });

  async function project(book: RuleBook, records: number): Promise<void> {
    const subscription = await log.subscribe(
      new DecisionProjection(db, CONSUMER, 'embedded', undefined, book),
    );
    await waitFor('the projection', async () => (await appliedRecords()) === records);
    await subscription.stop();
  }

  async function appliedRecords(): Promise<number> {
    const rows: { next: number }[] = await db.query(
      `SELECT next_offset::int AS next FROM projection_offsets WHERE consumer = $1`,
      [CONSUMER],
    );
    return rows[0]?.next ?? 0;
  }

  /** Each command's decision in log order, named by the summary of its statement (the log holds it). */
  const decisions = async (): Promise<{ summary: string; outcome: string; slug: string | null }[]> => {
    const rows: { command_id: string; outcome: string; slug: string | null }[] = await db.query(
      `SELECT command_id, outcome, problem ->> 'slug' AS slug FROM decisions ORDER BY log_offset`,
    );
    return rows.map(({ command_id, outcome, slug }) => ({
      summary: summaries.get(command_id) ?? '(not appended by this test)',
      outcome,
      slug,
    }));
  };

  const rebuildWith = (book: RuleBook) =>
    rebuildBeside(
      {
        dataSource: db,
        eventLog: log,
        logName: 'embedded',
        consumer: CONSUMER,
        groupId: 'rules',
        ruleBook: book,
      },
      { pollMs: 20 },
    );

  it('keeps every past decision through a rebuild after a rule changed, and decides new commands by the new rule', async () => {
    const first = ruleBook({ 1: RULES_V1 });
    await log.append(statementCommand('a verified statement', first.current));
    await log.append(statementCommand('an unverified statement', first.current));
    await project(first, 2);
    expect(await decisions()).toEqual([
      { summary: 'a verified statement', outcome: 'accepted', slug: null },
      { summary: 'an unverified statement', outcome: 'accepted', slug: null },
    ]);

    // The rule changes: version 2 refuses unverified claims; version 1 is kept.
    const second = ruleBook({ 1: RULES_V1, 2: refusingUnverified });
    await log.append(statementCommand('another unverified statement', second.current));
    await log.append(statementCommand('another verified statement', second.current));
    await project(second, 4);
    expect((await decisions()).slice(2)).toEqual([
      { summary: 'another unverified statement', outcome: 'rejected', slug: 'invalid-reference' },
      { summary: 'another verified statement', outcome: 'accepted', slug: null },
    ]);

    const before = await db.query(
      `SELECT command_id, outcome, problem, version_after FROM decisions ORDER BY log_offset`,
    );
    await rebuildWith(second);
    expect(
      await db.query(`SELECT command_id, outcome, problem, version_after FROM decisions ORDER BY log_offset`),
    ).toEqual(before);

    // Had the rule been changed in place, the rebuild would have rewritten history: the feed readers were given
    // names other events from version 2 on, so the rebuild refuses to switch, and the past stays as it was.
    await expect(
      rebuildWith(ruleBook({ 1: refusingUnverified, 2: refusingUnverified })),
    ).rejects.toBeInstanceOf(FeedDivergedError);
    expect(
      await db.query(`SELECT command_id, outcome, problem, version_after FROM decisions ORDER BY log_offset`),
    ).toEqual(before);
  }, 60_000);

  it('holds the partition on a command recorded under rules this projector does not have, and dead-letters nothing', async () => {
    const envelope = statementCommand('from a newer API', 99);
    const projection = new DecisionProjection(db, CONSUMER, 'embedded', undefined, ruleBook({ 1: RULES_V1 }));
    const offset = String(await appliedRecords());
    const record = recordOf(envelope, Number(offset));
    await expect(projection.apply({ partition: 0, records: [record] })).rejects.toBeInstanceOf(
      UnknownRulesVersionError,
    );
    await expect(projection.apply({ partition: 0, records: [record] })).rejects.toThrow(
      /rules version 99, which this projector does not have/,
    );
    expect(String(await appliedRecords())).toBe(offset);
    const [{ letters }] = await db.query(`SELECT count(*)::int AS letters FROM dead_letters`);
    expect(letters).toBe(0);
  }, 60_000);
});

/** The statement's summary by command id, for every command the test appends. */
const summaries = new Map<string, string>();

function statementCommand(summary: string, rulesVersion: number): Envelope {
  const command = commandOf(
    STANDOFF,
    [{ type: 'statement.made', occurredAt: '2022-01-10', actor: 'RUS', target: 'USA', summary }],
    { rulesVersion },
  );
  summaries.set(command.commandId, summary);
  return command;
}
