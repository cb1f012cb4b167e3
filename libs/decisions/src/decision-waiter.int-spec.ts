import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource, migrate } from '@app/read-model/database';
import { commandOf, recordOf } from '../../../test/support/commands';
import { databaseUrl, uniqueSchemaName } from '../../../test/support/services';
import { storeDeadLetter } from './dead-letters';
import { DecisionProjection } from './decision-projection';
import { DecisionWaiter } from './decision-waiter';

const statement = { type: 'statement.made', occurredAt: '2022-01-10', actor: 'RUS', summary: 'A statement' };

/**
 * Waiters without LISTEN and without the projector's in-process notice: what they learn, they learn from the
 * safety poll, as a POST does whose notification was lost.
 */
describe('the decision waiter when no notice comes', () => {
  const schema = uniqueSchemaName('decision_waiter');
  let db: DataSource;
  let waiter: DecisionWaiter;

  beforeAll(async () => {
    db = createDataSource({ url: databaseUrl(), schema, poolSize: 4 });
    await db.initialize();
    await migrate(db, { schema });
    waiter = new DecisionWaiter(db);
    await waiter.start(undefined);
  });

  afterAll(async () => {
    await waiter.stop();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.query(`DROP SCHEMA IF EXISTS "${schema}_dashboard" CASCADE`);
    await db.destroy();
  });

  it('finds a decision recorded after the wait began', async () => {
    const command = commandOf('waiter-test', [statement]);
    const waiting = waiter.wait(command.commandId, 5000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // No listener: the projection tells nobody in this process.
    await new DecisionProjection(db, 'test', 'embedded').apply({
      partition: 0,
      records: [recordOf(command, 0)],
    });
    const started = Date.now();
    await expect(waiting).resolves.toMatchObject({ command_id: command.commandId, outcome: 'accepted' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('finds a command dead-lettered after the wait began', async () => {
    const command = commandOf('waiter-test', [statement]);
    const waiting = waiter.wait(command.commandId, 5000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await storeDeadLetter(db, 'embedded', recordOf(command, 100), 'set aside by the test');
    await expect(waiting).resolves.toMatchObject({
      command_id: command.commandId,
      outcome: 'dead-lettered',
      problem: { detail: expect.stringContaining('set aside by the test') },
    });
  });

  it('asks once per round for every command still waiting, not once per command', async () => {
    const query = jest.spyOn(db, 'query');
    try {
      const waits = Array.from({ length: 200 }, () => waiter.wait(randomUUID(), 2500));
      await expect(Promise.all(waits)).resolves.toEqual(waits.map(() => undefined));
      // Each command looks when its wait begins and (unless that look outlasted it) once more at its deadline;
      // in between, one question per round of the safety poll (about 10 in 2.5 s) serves all 200, where a
      // question per waiting command would make some 2,000.
      expect(query.mock.calls.length).toBeGreaterThanOrEqual(200);
      expect(query.mock.calls.length).toBeLessThanOrEqual(2 * 200 + 20);
    } finally {
      query.mockRestore();
    }
  });
});
