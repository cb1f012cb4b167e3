import type { DataSource } from 'typeorm';
import { createDataSource, migrate } from '@app/read-model/database';
import { AcceptedMembersInEvents1765400000001 } from '../../../migrations/1765400000001-AcceptedMembersInEvents';
import { commandOf, recordOf } from '../../../test/support/commands';
import { databaseUrl, uniqueSchemaName } from '../../../test/support/services';
import { DecisionProjection } from './decision-projection';
import { decidedMembers } from './decision-records';
import { findOriginalCommand } from './idempotency';

const STANDOFF = 'members';

function statement(n: number): Record<string, unknown> {
  return {
    eventId: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
    type: 'statement.made',
    occurredAt: '2022-01-10',
    actor: 'RUS',
    summary: `statement ${n}`,
  };
}

describe('the event ids a command took, kept with its accepted events', () => {
  const schema = uniqueSchemaName('accepted_members');
  let db: DataSource;
  const accepted = commandOf(STANDOFF, [statement(1), statement(2)]);
  // Expects a version the standoff is not at: rejected, and its ids are claimed all the same.
  const rejected = { ...commandOf(STANDOFF, [statement(3), statement(4)]), expectedVersion: 7 };

  beforeAll(async () => {
    db = createDataSource({ url: databaseUrl(), schema });
    await db.initialize();
    await migrate(db, { schema });
    const projection = new DecisionProjection(db, 'test', 'embedded');
    await projection.apply({ partition: 0, records: [recordOf(accepted, 0), recordOf(rejected, 1)] });
  });

  afterAll(async () => {
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.query(`DROP SCHEMA IF EXISTS "${schema}_dashboard" CASCADE`);
    await db.destroy();
  });

  const members = async () =>
    [
      ...(await decidedMembers(db, {
        standoffId: STANDOFF,
        events: [...accepted.events, ...rejected.events],
      })),
    ].sort((a, b) => a.event_id.localeCompare(b.event_id));

  it('keeps only a rejected command’s ids apart, and finds both commands’ retries', async () => {
    const [{ apart }]: { apart: number }[] = await db.query(
      `SELECT count(*)::int AS apart FROM decided_events`,
    );
    expect(apart).toBe(2);
    expect((await members()).map((m) => [m.command_id, m.member_index])).toEqual([
      [accepted.commandId, 0],
      [accepted.commandId, 1],
      [rejected.commandId, 0],
      [rejected.commandId, 1],
    ]);
    for (const original of [accepted, rejected]) {
      const retry = { ...original, requestHash: 'another request', idempotencyKey: null };
      expect(await findOriginalCommand(db, retry)).toBe(original.commandId);
    }
  });

  it('moves the members of the accepted events between the tables either way, losing nothing', async () => {
    const before = await members();
    const runner = db.createQueryRunner();
    await runner.connect();
    try {
      await new AcceptedMembersInEvents1765400000001().down(runner);
      const [{ kept }]: { kept: number }[] = await db.query(
        `SELECT count(*)::int AS kept FROM decided_events`,
      );
      expect(kept).toBe(4);
      await new AcceptedMembersInEvents1765400000001().up(runner);
    } finally {
      await runner.release();
    }
    expect(await members()).toEqual(before);
    const [{ apart }]: { apart: number }[] = await db.query(
      `SELECT count(*)::int AS apart FROM decided_events`,
    );
    expect(apart).toBe(2);
  });
});
