import request from 'supertest';
import seedScenario from '@app/domain/fixtures/seed-scenario.json';
import { DIFF_LISTS } from '@app/domain/diff';
import {
  DIFF_EVENTS_LIMIT,
  diffOverKnowledgeTime,
  diffOverValidTime,
  eventsOverKnowledgeTime,
  eventsOverValidTime,
  type KnowledgeTimeDiff,
  type ValidTimeDiff,
} from '@app/domain/diff-events';
import { knowledgeView } from '@app/domain/knowledge';
import type { RecordedEvent } from '@app/domain/recorded-event';
import { eventView } from '@app/domain/timeline';
import { parseBound } from '@app/domain/time';
import { seedRequests } from '../../apps/api/src/seed/seed-loader';
import { dropSchema, startTestApp, type TestApp } from '../support/test-app';

/*
 * GET /v1/standoffs/{id}/diff end to end: the seed scenario's two diffs of issue 12 checked against what the
 * scenario's material says, every parameter error, and on a history long enough for snapshots, every answer
 * compared with the domain's diff over the whole history.
 */

const SEED = seedScenario.standoffId;
const LONG = 'diff-long-history';
const LONG_EVENTS = 1100;

let testApp: TestApp;
const api = () => request(testApp.server);

const seed = seedRequests();
/** The seed's events by their `ref` in the scenario file, as posted. */
const seedByRef = Object.fromEntries(
  seedScenario.events.map((event, i) => [event.ref, seed.events[i] as { eventId: string; summary: string }]),
);

function bound(text: string, side: 'start' | 'end'): number {
  const ms = parseBound(text, side);
  if (ms === undefined) throw new Error(`not a time: ${text}`);
  return ms;
}

const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const day = (n: number) => new Date(Date.UTC(2022, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
const ACTORS = ['RUS', 'USA', 'UKR', 'FRA'];

/**
 * A history of `LONG_EVENTS` events, about six a day, a tenth of them backdated by weeks and a seventh reported
 * days late, and every eighth a dispute, a retraction or a correction of an earlier event.
 */
function longHistory(): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  for (let i = 0; i < LONG_EVENTS; i++) {
    const on = Math.max(0, Math.floor(i / 6) - (i % 10 === 3 ? 20 : 0));
    const common = {
      eventId: uuid(0x5000 + i),
      occurredAt: day(on),
      reportedAt: day(on + (i % 7 === 0 ? 5 : 0)),
      summary: `event ${i}`,
    };
    const actor = ACTORS[i % 4];
    const other = ACTORS[(i + 1) % 4];
    switch (i % 8) {
      case 0:
        events.push({ ...common, type: 'contact.held', actor, target: other, data: { mode: 'call' } });
        break;
      case 1:
        events.push({
          ...common,
          type: 'position.stated',
          actor,
          data: { topic: `topic-${i % 3}`, stance: `stance ${i % 5}` },
        });
        break;
      case 2:
        events.push({
          ...common,
          type: 'forces.changed',
          actor: 'RUS',
          data: { area: `area-${i % 4}`, posture: i % 3 === 0 ? 'withdrawal' : 'buildup', troops: i * 10 },
        });
        break;
      case 3:
        events.push({ ...common, type: 'statement.made', actor, target: other });
        break;
      case 4:
        events.push({
          ...common,
          type: 'forces.estimated',
          actor: 'USA',
          data: { subject: 'RUS', area: `area-${i % 4}`, troops: { min: i, max: i + 100 } },
        });
        break;
      case 5:
        events.push({
          ...common,
          type: 'document.delivered',
          actor,
          target: other,
          data: { documentId: `doc-${i}`, kind: 'proposal' },
        });
        break;
      case 6:
        events.push({
          ...common,
          type: 'sanctions.threatened',
          actor: 'USA',
          target: 'RUS',
          data: { measures: [`measure-${i % 3}`] },
        });
        break;
      default: {
        const knowledge = { ...common, reportedAt: day(on + 3) };
        const kind = Math.floor(i / 8) % 3;
        if (kind === 0) {
          // Disputes the estimate three events back (by USA).
          events.push({
            ...knowledge,
            type: 'claim.disputed',
            actor: 'RUS',
            target: 'USA',
            data: { eventId: uuid(0x5000 + i - 3), reason: 'disputed' },
          });
        } else if (kind === 1) {
          events.push({
            ...knowledge,
            type: 'event.retracted',
            data: { eventId: uuid(0x5000 + i - 5), reason: 'retracted' },
          });
        } else {
          events.push({
            ...knowledge,
            type: 'event.corrected',
            data: { eventId: uuid(0x5000 + i - 7), set: { occurredAt: day(Math.max(0, on - 30)) } },
          });
        }
      }
    }
  }
  return events;
}

beforeAll(async () => {
  testApp = await startTestApp('diff', { log: 'embedded', env: { DECISION_WAIT_MS: '60000' } });
  for (const event of seed.events) {
    await api().post(`/v1/standoffs/${SEED}/events`).send(event).expect(201);
  }
  const history = longHistory();
  for (let i = 0; i < history.length; i += 550) {
    await api()
      .post(`/v1/standoffs/${LONG}/events:batch`)
      .send({ events: history.slice(i, i + 550) })
      .expect(201);
  }
}, 180_000);

afterAll(async () => {
  await testApp?.close();
  if (testApp) await dropSchema(testApp.schema);
});

function expectNothingElse(
  diff: ValidTimeDiff | KnowledgeTimeDiff,
  part: 'added' | 'removed' | 'changed',
  except: readonly string[],
): void {
  for (const list of DIFF_LISTS)
    if (!except.includes(list)) expect([part, list, diff[part][list]]).toEqual([part, list, []]);
}

describe('GET /v1/standoffs/{id}/diff on the seed scenario', () => {
  it('over 26 January → 1 February 2022: what followed the written responses', async () => {
    const res = await api().get(`/v1/standoffs/${SEED}/diff?from=2022-01-26&to=2022-02-01`).expect(200);
    const diff = res.body as ValidTimeDiff;
    expect(diff.from).toBe('2022-01-26T00:00:00.000Z');
    expect(diff.to).toBe('2022-02-01T23:59:59.999Z');
    expect(Date.parse(diff.knownAt)).toBeLessThanOrEqual(Date.now());

    // Russia's follow-up of 31 January, void since the Kremlin denied it on 1 February.
    expect(diff.added.documents).toEqual([
      expect.objectContaining({
        documentId: 'ru-written-follow-up',
        author: 'RUS',
        recipients: ['USA'],
        inReplyTo: 'us-written-response',
        deliveredAt: '2022-01-31',
        status: 'void',
        disputedBy: ['RUS'],
      }),
    ]);
    expect(diff.added.disputed).toEqual([
      expect.objectContaining({
        eventId: seedByRef['follow-up'].eventId,
        type: 'document.delivered',
        actor: 'RUS',
        void: true,
      }),
    ]);
    // The UN Security Council and the Blinken–Lavrov call; Putin–Macron; Johnson in Kyiv; Orbán in Moscow.
    expect(diff.added.contacts.map((c) => ({ actors: c.actors, count: c.count, byMode: c.byMode }))).toEqual([
      {
        actors: ['FRA', 'RUS'],
        count: 1,
        byMode: { call: 1, video: 0, meeting: 0, visit: 0, multilateral: 0 },
      },
      {
        actors: ['GBR', 'UKR'],
        count: 1,
        byMode: { call: 0, video: 0, meeting: 0, visit: 1, multilateral: 0 },
      },
      {
        actors: ['HUN', 'RUS'],
        count: 1,
        byMode: { call: 0, video: 0, meeting: 0, visit: 1, multilateral: 0 },
      },
      {
        actors: ['RUS', 'USA'],
        count: 2,
        byMode: { call: 1, video: 0, meeting: 0, visit: 0, multilateral: 1 },
      },
    ]);
    expect(diff.added.pacts).toEqual([
      expect.objectContaining({
        pactId: 'uk-poland-ukraine-trilateral',
        parties: ['GBR', 'POL', 'UKR'],
        status: 'in-preparation',
      }),
    ]);
    expect(diff.added.meetings).toEqual([
      expect.objectContaining({ meetingId: 'putin-macron-face-to-face', status: 'proposed' }),
    ]);
    expect(diff.added.positions).toEqual([
      expect.objectContaining({ actor: 'USA', topic: 'ukraine-sovereignty', statedAt: '2022-02-01' }),
    ]);
    // The responses were delivered at the start of 26 January: the state at `from` awaits both replies already,
    // and the void follow-up closes neither.
    expectNothingElse(diff, 'added', ['documents', 'disputed', 'contacts', 'pacts', 'meetings', 'positions']);
    expectNothingElse(diff, 'removed', []);
    expectNothingElse(diff, 'changed', []);

    const after26January = seedScenario.events.filter((e) => e.occurredAt > '2022-01-26');
    expect(diff.events.map((e) => e.summary)).toEqual(after26January.map((e) => e.summary));
    expect(diff.events).toHaveLength(12);
  });

  it('of 31 January as known on 31 January → on 1 February: the denial reopens the awaited reply', async () => {
    const res = await api()
      .get(`/v1/standoffs/${SEED}/diff?asOf=2022-01-31&knownFrom=2022-01-31&knownTo=2022-02-01`)
      .expect(200);
    const diff = res.body as KnowledgeTimeDiff;
    expect([diff.asOf, diff.knownFrom, diff.knownTo]).toEqual([
      '2022-01-31T23:59:59.999Z',
      '2022-01-31T23:59:59.999Z',
      '2022-02-01T23:59:59.999Z',
    ]);
    expect(seedScenario.expect['state knownAt 2022-02-01']['awaiting from RUS to USA']).toMatch(
      /^open again since 2022-01-26/,
    );
    // The reopened reply is the delivery's own: the void follow-up never closed it.
    const delivery = seedByRef['us-response'].eventId;
    expect(diff.added.awaiting).toEqual([
      {
        from: 'RUS',
        to: 'USA',
        documentId: 'us-written-response',
        since: '2022-01-26',
        origin: delivery,
        lastChange: delivery,
      },
    ]);
    expect(diff.changed.documents).toEqual([
      {
        before: expect.objectContaining({
          documentId: 'ru-written-follow-up',
          status: 'delivered',
          disputedBy: [],
        }),
        after: expect.objectContaining({
          documentId: 'ru-written-follow-up',
          status: 'void',
          disputedBy: ['RUS'],
          lastChange: seedByRef['kremlin-denial'].eventId,
        }),
      },
    ]);
    expect(diff.added.disputed).toEqual([
      expect.objectContaining({ eventId: seedByRef['follow-up'].eventId, void: true }),
    ]);
    expectNothingElse(diff, 'added', ['awaiting', 'disputed']);
    expectNothingElse(diff, 'removed', []);
    expectNothingElse(diff, 'changed', ['documents']);
    // Of everything reported on 1 February, only the denial bears on 31 January.
    expect(diff.events.map((e) => e.eventId)).toEqual([seedByRef['kremlin-denial'].eventId]);
    expect(diff.events[0]).toMatchObject({
      type: 'claim.disputed',
      summary: seedByRef['kremlin-denial'].summary,
    });
  });

  it('is empty between an instant and itself', async () => {
    const res = await api().get(
      `/v1/standoffs/${SEED}/diff?from=2022-01-31T12:00:00Z&to=2022-01-31T12:00:00Z`,
    );
    const diff = res.body as ValidTimeDiff;
    for (const part of ['added', 'removed', 'changed'] as const) expectNothingElse(diff, part, []);
    expect(diff.events).toEqual([]);
  });
});

describe('GET /v1/standoffs/{id}/diff refuses what it cannot answer', () => {
  async function problemOf(query: string, status = 400) {
    const res = await api().get(`/v1/standoffs/${SEED}/diff${query}`).expect(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    return res.body as { type: string; status: number; errors?: { path: string; message: string }[] };
  }
  const paths = (body: { errors?: { path: string }[] }) => body.errors?.map((e) => e.path);

  it('answers 400 naming from and to when no parameter is given', async () => {
    const body = await problemOf('');
    expect(body.type).toMatch(/invalid-parameter$/);
    expect(paths(body)).toEqual(['from', 'to']);
  });

  it('answers 400 for parameters of both diffs together, naming each', async () => {
    expect(paths(await problemOf('?from=2022-01-26&to=2022-02-01&knownTo=2022-02-01'))).toEqual([
      'from',
      'to',
      'knownTo',
    ]);
    expect(
      paths(await problemOf('?knownAt=2022-02-01&asOf=2022-01-31&knownFrom=2022-01-31&knownTo=2022-02-01')),
    ).toEqual(['knownAt', 'asOf', 'knownFrom', 'knownTo']);
  });

  it('answers 400 naming what is missing from either diff', async () => {
    expect(paths(await problemOf('?from=2022-01-26'))).toEqual(['to']);
    expect(paths(await problemOf('?knownAt=2022-01-26'))).toEqual(['from', 'to']);
    expect(paths(await problemOf('?asOf=2022-01-31&knownFrom=2022-01-31'))).toEqual(['knownTo']);
  });

  it('answers 400 for an unparsable date and for bounds in the wrong order', async () => {
    expect(paths(await problemOf('?from=26-01-2022&to=2022-02-01'))).toEqual(['from']);
    expect(paths(await problemOf('?from=2022-01-26&to=2022-02-01&knownAt=yesterday'))).toEqual(['knownAt']);
    expect(paths(await problemOf('?asOf=2022-02-30&knownFrom=2022-01-31&knownTo=2022-02-01'))).toEqual([
      'asOf',
    ]);
    expect(paths(await problemOf('?from=2022-02-01&to=2022-01-26'))).toEqual(['to']);
    expect(paths(await problemOf('?asOf=2022-01-31&knownFrom=2022-02-01&knownTo=2022-01-31'))).toEqual([
      'knownTo',
    ]);
    expect(paths(await problemOf('?from=2022-01-26&from=2022-01-27&to=2022-02-01'))).toEqual(['from']);
  });

  it('answers 404 for a standoff with no accepted event, as the state does', async () => {
    const res = await api()
      .get('/v1/standoffs/no-such-standoff/diff?from=2022-01-26&to=2022-02-01')
      .expect(404);
    const state = await api().get('/v1/standoffs/no-such-standoff/state').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.type).toBe(state.body.type);
  });
});

/** How much a diff says: items added, removed or changed, and events. */
function sizeOf(diff: ValidTimeDiff | KnowledgeTimeDiff): { items: number; changed: number; events: number } {
  const count = (part: 'added' | 'removed' | 'changed') =>
    DIFF_LISTS.reduce((n, list) => n + diff[part][list].length, 0);
  return { items: count('added') + count('removed'), changed: count('changed'), events: diff.events.length };
}

describe('GET /v1/standoffs/{id}/diff over a history long enough for snapshots', () => {
  // Snapshots are built beside the projector, after its commits: the diffs below are served from them.
  beforeAll(() => testApp.snapshotsBuilt());

  async function posted(): Promise<RecordedEvent[]> {
    const rows: { posted: RecordedEvent }[] = await testApp.running.infrastructure.dataSource.query(
      'SELECT posted FROM events WHERE standoff_id = $1 ORDER BY position',
      [LONG],
    );
    return rows.map((r) => r.posted);
  }

  it('has snapshots to serve the states from', async () => {
    const [{ count }]: { count: number }[] = await testApp.running.infrastructure.dataSource.query(
      'SELECT count(*)::int AS count FROM state_snapshots WHERE standoff_id = $1',
      [LONG],
    );
    expect(count).toBeGreaterThan(0);
  });

  it('equals the domain’s diff over the whole history, over valid time', async () => {
    const events = await posted();
    const sizes: ReturnType<typeof sizeOf>[] = [];
    expect(events).toHaveLength(LONG_EVENTS);
    const windows: [string, string, string][] = [
      ['2022-01-01', '2022-02-15', '2022-12-31'],
      ['2022-03-01', '2022-05-20', '2022-12-31'],
      ['2022-03-01', '2022-05-20', '2022-04-10'],
      ['2022-02-10', '2022-02-11', '2022-02-14'],
      ['2022-06-01', '2022-07-30', '2022-07-01'],
    ];
    for (const [from, to, knownAt] of windows) {
      const res = await api().get(`/v1/standoffs/${LONG}/diff`).query({ from, to, knownAt }).expect(200);
      const expected = diffOverValidTime(events, {
        standoffId: LONG,
        from: bound(from, 'start'),
        to: bound(to, 'end'),
        knownAt: bound(knownAt, 'end'),
        version: events.length,
      });
      expect(res.body).toEqual(JSON.parse(JSON.stringify(expected)));
      sizes.push(sizeOf(expected));
    }
    // The windows say something: items come and go, change, and events explain them.
    expect(sizes.filter((s) => s.items > 0 && s.changed > 0 && s.events > 0).length).toBeGreaterThanOrEqual(
      3,
    );
  });

  it('equals the domain’s diff over the whole history, over knowledge time', async () => {
    const events = await posted();
    const sizes: ReturnType<typeof sizeOf>[] = [];
    const windows: [string, string, string][] = [
      ['2022-03-01', '2022-03-01', '2022-03-20'],
      ['2022-05-01', '2022-02-01', '2022-12-31'],
      ['2022-06-15', '2022-06-14', '2022-06-18'],
      ['2022-12-31', '2022-01-01', '2022-12-31'],
    ];
    for (const [asOf, knownFrom, knownTo] of windows) {
      const res = await api()
        .get(`/v1/standoffs/${LONG}/diff`)
        .query({ asOf, knownFrom, knownTo })
        .expect(200);
      const expected = diffOverKnowledgeTime(events, {
        standoffId: LONG,
        asOf: bound(asOf, 'end'),
        knownFrom: bound(knownFrom, 'end'),
        knownTo: bound(knownTo, 'end'),
        version: events.length,
      });
      expect(res.body).toEqual(JSON.parse(JSON.stringify(expected)));
      sizes.push(sizeOf(expected));
    }
    expect(sizes.filter((s) => s.changed > 0 && s.events > 0).length).toBeGreaterThanOrEqual(3);
  });

  it('lists at most DIFF_EVENTS_LIMIT events of a wider window, the first ones, and says there are more', async () => {
    const events = await posted();
    const valid = await api()
      .get(`/v1/standoffs/${LONG}/diff`)
      .query({ from: '2000-01-01', to: '2030-12-31', knownAt: '2030-12-31' })
      .expect(200);
    const knowledge = await api()
      .get(`/v1/standoffs/${LONG}/diff`)
      .query({ asOf: '2030-12-31', knownFrom: '2000-01-01', knownTo: '2030-12-31' })
      .expect(200);
    const window = { standoffId: LONG, version: events.length };
    const expectedValid = diffOverValidTime(events, {
      ...window,
      from: bound('2000-01-01', 'start'),
      to: bound('2030-12-31', 'end'),
      knownAt: bound('2030-12-31', 'end'),
    });
    const expectedKnowledge = diffOverKnowledgeTime(events, {
      ...window,
      asOf: bound('2030-12-31', 'end'),
      knownFrom: bound('2000-01-01', 'end'),
      knownTo: bound('2030-12-31', 'end'),
    });
    const known = knowledgeView(events, bound('2030-12-31', 'end')).events;
    const allValid = eventsOverValidTime(known, {
      from: bound('2000-01-01', 'start'),
      to: bound('2030-12-31', 'end'),
    }).map(eventView);
    const allKnowledge = eventsOverKnowledgeTime(known, {
      asOf: bound('2030-12-31', 'end'),
      knownFrom: bound('2000-01-01', 'end'),
      knownTo: bound('2030-12-31', 'end'),
    }).map(eventView);
    // The states are whole; the events are the first of the window's, read with a bound, so that a retracted
    // event among the rows read may leave the list short of the limit: a prefix, never a gap.
    for (const [res, expected, all] of [
      [valid, expectedValid, allValid],
      [knowledge, expectedKnowledge, allKnowledge],
    ] as const) {
      const { events: listed, moreEvents, ...states } = res.body as ValidTimeDiff | KnowledgeTimeDiff;
      const { events: _events, moreEvents: _more, ...expectedStates } = expected;
      expect(states).toEqual(JSON.parse(JSON.stringify(expectedStates)));
      expect(all.length).toBeGreaterThan(listed.length);
      expect(listed.length).toBeLessThanOrEqual(DIFF_EVENTS_LIMIT);
      expect(listed.length).toBeGreaterThan(DIFF_EVENTS_LIMIT / 2);
      expect(listed).toEqual(JSON.parse(JSON.stringify(all.slice(0, listed.length))));
      expect(moreEvents).toBe(true);
    }
  });
});
