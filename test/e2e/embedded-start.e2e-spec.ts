import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import seedScenario from '@app/domain/fixtures/seed-scenario.json';
import { expectStatus, getEvent, getStandoff, ifMatch, postEvent, statement } from '../support/http';
import {
  childEnv,
  freePort,
  killStartedProcesses,
  spawnProcess,
  type ChildHandle,
} from '../support/processes';
import { waitFor } from '../support/services';
import { DIFF_LISTS } from '@app/domain/diff';

/*
 * The product as a user first runs it: `npm start` with no configuration at all, so the database is the embedded
 * PGlite under DATA_DIR and the log is a table in it, with the seed scenario loaded on the empty store. It must
 * serve, keep what was appended across a SIGTERM and a restart, and load the seed only once.
 */

const SEED = seedScenario.standoffId;
/** PGlite starts in about 5 s and the build takes about as long; leave room for a slow machine. */
const START_TIMEOUT_MS = 150_000;
/** Everything the user would not have set: the product must run on its defaults. */
const UNSET = [
  'DATABASE_URL',
  'KAFKA_BROKERS',
  'DATABASE_SCHEMA',
  'KAFKA_TOPIC',
  'KAFKA_PARTITIONS',
  'API_KEYS',
  'HOST',
  'SEED',
  'DECISION_WAIT_MS',
];

jest.setTimeout(START_TIMEOUT_MS + 60_000);

describe('npm start with no configuration', () => {
  let dataDir: string;
  let baseUrl: string;
  let port: number;
  let product: ChildHandle | undefined;
  const appendedId = randomUUID();

  const startProduct = async (name: string): Promise<ChildHandle> => {
    const child = spawnProcess(name, 'npm', ['start'], {
      env: childEnv({ DATA_DIR: dataDir, PORT: String(port), NO_UPDATE_NOTIFIER: '1' }, UNSET),
    });
    // Logged once listening and, on an empty store, once the seed is in.
    await child.waitForOutput(/listening on http:\/\/127\.0\.0\.1:\d+/, START_TIMEOUT_MS);
    return child;
  };

  const stopProduct = async (child: ChildHandle) => {
    // As a process manager stops it: SIGTERM to the process it started (npm), not to the group.
    child.signal('SIGTERM');
    const timer = setTimeout(() => child.signalGroup('SIGKILL'), 30_000);
    const exit = await child.exited;
    clearTimeout(timer);
    return exit;
  };

  // Every test starts from here (the product up on a fresh data directory), so none needs the one before it.
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'standoff-embedded-'));
    port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    product = await startProduct('npm-start-1');
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await killStartedProcesses();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts on an empty data directory with the seed scenario loaded', async () => {
    if (!product) throw new Error('the product did not start');
    expect(product.output()).toMatch(/database: embedded, log: embedded, projector in process/);
    expect(existsSync(join(dataDir, 'pglite'))).toBe(true);

    let list: request.Response | undefined;
    await waitFor(
      'the seed scenario to be served',
      async () => {
        list = await request(baseUrl).get('/v1/standoffs');
        return list.status === 200 && (list.body as { version: number }[])[0]?.version === 19;
      },
      30_000,
      200,
    );
    expect(product.output()).toMatch(/loaded the seed scenario into russia-us-ukraine-2022 \(19 events\)/);
    expect(list?.body).toEqual([
      {
        standoffId: SEED,
        title: 'Russia–United States standoff over Ukraine',
        version: 19,
        eventCount: 18,
        firstEventAt: '2021-12-15',
        lastEventAt: expect.any(String),
      },
    ]);
  });

  it('explains the seed’s state: every origin and lastChange names an event GET …/events/{eventId} returns', async () => {
    const lists = DIFF_LISTS;
    const named = new Set<string>();
    for (const [asOf, knownAt] of [
      ['2022-01-30', '2022-01-30'],
      ['2022-01-31', '2022-01-31'],
      ['2022-01-31', '2022-02-01'],
      ['2022-02-01', '2022-02-01'],
    ]) {
      const res = await request(baseUrl).get(`/v1/standoffs/${SEED}/state`).query({ asOf, knownAt });
      expectStatus(res, 200);
      const state = res.body as Record<string, { origin: string; lastChange: string }[]>;
      for (const list of lists) {
        for (const item of state[list]) {
          expect(item).toEqual(
            expect.objectContaining({ origin: expect.any(String), lastChange: expect.any(String) }),
          );
          named.add(item.origin).add(item.lastChange);
        }
      }
    }
    const types = new Map<string, string>();
    for (const eventId of named) {
      const res = await getEvent(baseUrl, SEED, eventId);
      expectStatus(res, 200);
      expect(res.body).toMatchObject({ eventId, status: 'accepted', retracted: false });
      types.set(eventId, (res.body as { type: string }).type);
    }
    // The Kremlin's denial changed its own follow-up, which it voided: the void document names it.
    const state = (await request(baseUrl).get(`/v1/standoffs/${SEED}/state`).query({ asOf: '2022-02-01' }))
      .body as { documents: { documentId: string; origin: string; lastChange: string }[] };
    const followUp = state.documents.find((d) => d.documentId === 'ru-written-follow-up');
    expect(followUp && types.get(followUp.origin)).toBe('document.delivered');
    expect(followUp && types.get(followUp.lastChange)).toBe('claim.disputed');
  });

  it('accepts an event, exits with 0 on SIGTERM, and keeps the event across a restart without loading the seed again', async () => {
    if (!product) throw new Error('the product did not start');
    await waitFor(
      'the seed scenario to be decided',
      async () => (await getStandoff(baseUrl, SEED)).headers.etag === '"19"',
      30_000,
      200,
    );
    const res = await postEvent(
      baseUrl,
      SEED,
      statement({ eventId: appendedId, occurredAt: '2022-02-02', summary: 'Appended after the seed' }),
      ifMatch(19),
    );
    expectStatus(res, 201);
    expect(res.headers.etag).toBe('"20"');
    expect(res.body).toMatchObject({ eventId: appendedId, position: 20 });

    const exit = await stopProduct(product);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(product.output()).toMatch(/SIGTERM: shutting down/);
    await expect(request(baseUrl).get('/health/live').timeout(2000)).rejects.toThrow(/ECONNREFUSED/);

    // Restarted on the same data directory.
    const again = await startProduct('npm-start-2');
    product = again;
    expect(again.output()).not.toMatch(/loaded the seed scenario/);

    const summary = await getStandoff(baseUrl, SEED);
    expectStatus(summary, 200);
    expect(summary.headers.etag).toBe('"20"');
    expect(summary.body).toMatchObject({ standoffId: SEED, version: 20, eventCount: 19 });
    const list = await request(baseUrl).get('/v1/standoffs');
    expect(list.body).toHaveLength(1);

    const appended = await getEvent(baseUrl, SEED, appendedId);
    expectStatus(appended, 200);
    expect(appended.body).toMatchObject({ eventId: appendedId, position: 20, status: 'accepted' });

    expect(await stopProduct(again)).toEqual({ code: 0, signal: null });
  });
});
