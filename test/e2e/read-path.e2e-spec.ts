import request from 'supertest';
import seedScenario from '@app/domain/fixtures/seed-scenario.json';
import type { RecordedEvent } from '@app/domain/recorded-event';
import { stateAt } from '@app/domain/state-at';
import type { StandoffState } from '@app/domain/state';
import { tensionSeries, type TensionBucket } from '@app/domain/tension';
import { parseBound } from '@app/domain/time';
import { timeline, type EventView, type TimelineQuery } from '@app/domain/timeline';
import { EventHistoryQueries } from '@app/read-model/history-queries';
import {
  TEMPORAL_QUERIES,
  type ReplayLine,
  type ReplayRequest,
  type TemporalQueries,
  type TimelinePage,
} from '@app/read-model/temporal-queries';
import { problem, ProblemError } from '../../apps/api/src/http/problem';
import { seedRequests } from '../../apps/api/src/seed/seed-loader';
import { dropSchema, startTestApp, type TestApp } from '../support/test-app';

/*
 * The read path end to end: events posted over HTTP, decided by the projector, read back through the temporal
 * routes. Every answer is compared with the pure domain function over the same events (`events.posted`, read
 * from the read model), and the seed scenario's own expectations are checked through `/state`.
 */

const SEED = seedScenario.standoffId;
const KNOWLEDGE = 'knowledge-check';
const PAGING = 'paging-check';
const FAR_FUTURE = '2099-12-31';

let testApp: TestApp;

function api() {
  return request(testApp.server);
}

function end(text: string): number {
  const ms = parseBound(text, 'end');
  if (ms === undefined) throw new Error(`not a time: ${text}`);
  return ms;
}

function start(text: string): number {
  const ms = parseBound(text, 'start');
  if (ms === undefined) throw new Error(`not a time: ${text}`);
  return ms;
}

async function postEvent(standoffId: string, event: Record<string, unknown>): Promise<void> {
  const res = await api().post(`/v1/standoffs/${standoffId}/events`).send(event);
  if (res.status !== 201)
    throw new Error(`POST ${standoffId} answered ${res.status}: ${JSON.stringify(res.body)}`);
}

/** The standoff's accepted events as the read model keeps them for the fold. */
async function postedEvents(standoffId: string): Promise<RecordedEvent[]> {
  const rows: { posted: RecordedEvent }[] = await testApp.running.infrastructure.dataSource.query(
    'SELECT posted FROM events WHERE standoff_id = $1 ORDER BY position',
    [standoffId],
  );
  return rows.map((r) => r.posted);
}

async function getState(standoffId: string, asOf: string, knownAt: string): Promise<StandoffState> {
  const res = await api().get(`/v1/standoffs/${standoffId}/state`).query({ asOf, knownAt }).expect(200);
  return res.body as StandoffState;
}

function expectedState(events: RecordedEvent[], standoffId: string, asOf: string, knownAt: string) {
  return stateAt(events, { standoffId, asOf: end(asOf), knownAt: end(knownAt), version: events.length });
}

async function getTimeline(standoffId: string, query: string): Promise<TimelinePage> {
  const res = await api().get(`/v1/standoffs/${standoffId}/events?${query}`).expect(200);
  return res.body as TimelinePage;
}

/** Every page of a timeline query, following nextCursor. */
async function allPages(standoffId: string, query: string): Promise<{ items: EventView[]; pages: number }> {
  const items: EventView[] = [];
  let pages = 0;
  let cursor: string | null = null;
  do {
    const page = await getTimeline(
      standoffId,
      `${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    items.push(...page.items);
    pages++;
    cursor = page.nextCursor;
  } while (cursor !== null && pages < 100);
  return { items, pages };
}

function parseNdjson(text: string): unknown[] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as unknown);
}

function expectProblemNaming(res: request.Response, status: number, parameter: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.status).toBe(status);
  expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: parameter })]));
}

const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/**
 * A standoff exercising what the knowledge time changes: a backfill, corrections moving events across
 * valid times (one known only later), a retraction, a dispute by another actor, a denial by the event's own
 * actor (void), and actors with sectors.
 */
function knowledgeEvents(base: number): Record<string, unknown>[] {
  const id = (n: number) => uuid(base + n);
  return [
    {
      eventId: id(1),
      type: 'standoff.described',
      occurredAt: '2022-01-01',
      reportedAt: '2022-01-01',
      summary: 'A standoff to check knowledge time',
      data: { title: 'Knowledge check' },
    },
    {
      eventId: id(2),
      type: 'forces.changed',
      occurredAt: '2022-01-10',
      reportedAt: '2022-01-11',
      actor: 'RUS.MIL',
      target: 'UKR',
      summary: 'Troops massed at the border',
      data: { area: 'border', posture: 'buildup', troops: 100000 },
    },
    {
      eventId: id(3),
      type: 'statement.made',
      occurredAt: '2022-01-12',
      reportedAt: '2022-01-12',
      actor: 'USA',
      target: 'RUS',
      summary: 'A statement, later redated',
    },
    {
      eventId: id(4),
      type: 'demand.tabled',
      occurredAt: '2022-01-05',
      reportedAt: '2022-01-20',
      actor: 'RUS',
      target: ['USA', 'NATO'],
      summary: 'A demand reported late',
      data: { demandId: 'security-guarantees', text: 'Guarantees' },
    },
    {
      eventId: id(5),
      type: 'event.corrected',
      occurredAt: '2022-01-25',
      reportedAt: '2022-01-25',
      summary: 'The statement was made in February',
      data: { eventId: id(3), set: { occurredAt: '2022-02-15', cameo: '043' } },
    },
    {
      eventId: id(6),
      type: 'sanctions.threatened',
      occurredAt: '2022-01-15',
      reportedAt: '2022-01-15',
      actor: 'USA',
      target: 'RUS',
      summary: 'Sanctions threatened',
      data: { measures: ['export controls'] },
    },
    {
      eventId: id(7),
      type: 'event.retracted',
      occurredAt: '2022-01-18',
      reportedAt: '2022-01-18',
      summary: 'Misreported',
      data: { eventId: id(6), reason: 'misreported' },
    },
    {
      eventId: id(8),
      type: 'claim.disputed',
      occurredAt: '2022-01-14',
      reportedAt: '2022-01-14',
      actor: 'UKR',
      target: 'RUS',
      summary: 'Ukraine disputes the figure',
      data: { eventId: id(2), reason: 'exaggerated' },
    },
    {
      eventId: id(9),
      type: 'claim.disputed',
      occurredAt: '2022-01-30',
      reportedAt: '2022-01-30',
      actor: 'RUS.MIL',
      target: 'UKR',
      summary: 'The military denies the build-up',
      data: { eventId: id(2), reason: 'exercises only' },
    },
    {
      eventId: id(10),
      type: 'contact.held',
      occurredAt: '2022-02-01',
      reportedAt: '2022-02-01',
      actor: 'RUS',
      target: 'USA',
      summary: 'A video call',
      data: { mode: 'video' },
    },
    {
      eventId: id(11),
      type: 'event.corrected',
      occurredAt: '2022-02-02',
      reportedAt: '2022-02-02',
      summary: 'The call was in early January',
      data: { eventId: id(10), set: { occurredAt: '2022-01-03' } },
    },
    {
      eventId: id(12),
      type: 'demand.rejected',
      occurredAt: '2022-01-21',
      reportedAt: '2022-01-21',
      actor: 'NATO',
      target: 'RUS',
      summary: 'NATO rejects the demand',
      data: { demandId: 'security-guarantees' },
    },
    {
      eventId: id(13),
      type: 'statement.made',
      occurredAt: '2022-01-13T10:30:00+03:00',
      reportedAt: '2022-01-13T12:00:00Z',
      actor: 'RUS.GOV',
      target: 'USA',
      summary: 'The government answers',
    },
  ];
}

const AS_OF = ['2022-01-04', '2022-01-12', '2022-01-14', '2022-01-31', '2022-02-20', FAR_FUTURE];
const KNOWN_AT = [
  '2022-01-11',
  '2022-01-14',
  '2022-01-19',
  '2022-01-24',
  '2022-01-26',
  '2022-01-31',
  '2022-02-01',
  '2022-02-02',
  FAR_FUTURE,
];

beforeAll(async () => {
  testApp = await startTestApp('read-path', { log: 'embedded' });
  const { standoffId, events } = seedRequests();
  for (const event of events) await postEvent(standoffId, event);
  for (const event of knowledgeEvents(0x100)) await postEvent(KNOWLEDGE, event);
  for (const event of knowledgeEvents(0x200)) await postEvent(PAGING, event);
}, 120_000);

afterAll(async () => {
  await testApp?.close();
  if (testApp) await dropSchema(testApp.schema);
});

describe('GET /v1/standoffs/{id}/state', () => {
  describe('meets the seed scenario’s expectations', () => {
    it('as of 30 January as known then: documents, awaited replies, the rejected demand, the title', async () => {
      const expected = seedScenario.expect['state asOf 2022-01-30 knownAt 2022-01-30'];
      const state = await getState(SEED, '2022-01-30', '2022-01-30');
      expect(state.documents.map((d) => d.documentId)).toEqual(expected['documents delivered']);
      expect(state.documents.every((d) => d.status === 'delivered')).toBe(true);
      expect(state.awaiting).toEqual(
        expected.awaiting.map((awaited) => ({
          ...awaited,
          origin: expect.any(String),
          lastChange: expect.any(String),
        })),
      );
      expect(state.demands).toHaveLength(1);
      expect(state.demands[0].status).toBe(expected['demand status']);
      expect(state.demands[0].rejectedBy).toEqual(expected['demand rejectedBy']);
      expect(state.title).toBe(expected.title);
    });

    it('as known on 31 January: no reply awaited from Russia to the US', async () => {
      expect(seedScenario.expect['state knownAt 2022-01-31']['awaiting from RUS to USA']).toMatch(/^none/);
      const state = await getState(SEED, '2022-01-31', '2022-01-31');
      expect(state.awaiting.filter((a) => a.from === 'RUS' && a.to === 'USA')).toEqual([]);
    });

    it('as known on 1 February: the reply is awaited again and the follow-up is void, also as of 31 January', async () => {
      const expected = seedScenario.expect['state knownAt 2022-02-01'];
      expect(expected['awaiting from RUS to USA']).toMatch(/^open again since 2022-01-26/);
      for (const asOf of ['2022-01-31', '2022-02-01']) {
        const state = await getState(SEED, asOf, '2022-02-01');
        expect(state.awaiting.filter((a) => a.from === 'RUS' && a.to === 'USA')).toMatchObject([
          { from: 'RUS', to: 'USA', documentId: 'us-written-response', since: '2022-01-26' },
        ]);
        const followUp = state.documents.find((d) => d.documentId === 'ru-written-follow-up');
        expect(followUp?.status).toBe(expected['ru-written-follow-up status']);
      }
    });

    it('as of 1 February as known now: pact, meeting, contacts, version and event count', async () => {
      const expected = seedScenario.expect['state asOf 2022-02-01'];
      const res = await api().get(`/v1/standoffs/${SEED}/state?asOf=2022-02-01`).expect(200);
      const state = res.body as StandoffState;
      expect(state.pacts.map((p) => ({ pactId: p.pactId, status: p.status }))).toEqual(expected.pacts);
      expect(state.meetings.map((m) => ({ meetingId: m.meetingId, status: m.status }))).toEqual(
        expected.meetings,
      );
      const contact = state.contacts.find((c) => c.actors[0] === 'RUS' && c.actors[1] === 'USA');
      expect(contact?.count).toBe(expected['contacts RUS–USA count']);
      expect(state.version).toBe(expected.version);
      expect(state.eventCount).toBe(expected.eventCount);
      expect(state.asOf).toBe('2022-02-01T23:59:59.999Z');
      expect(Date.parse(state.knownAt)).toBeLessThanOrEqual(Date.now());
    });
  });

  it('names the Kremlin as the disputer of its own follow-up, once its denial of 1 February is known', async () => {
    const follow = (body: StandoffState) =>
      body.documents.find((d) => d.documentId === 'ru-written-follow-up');
    const before = (
      await api().get(`/v1/standoffs/${SEED}/state?asOf=2022-02-01&knownAt=2022-01-31`).expect(200)
    ).body as StandoffState;
    expect(follow(before)).toMatchObject({ status: 'delivered', disputedBy: [] });
    const after = (
      await api().get(`/v1/standoffs/${SEED}/state?asOf=2022-02-01&knownAt=2022-02-01`).expect(200)
    ).body as StandoffState;
    expect(follow(after)).toMatchObject({ status: 'void', disputedBy: ['RUS'] });
    expect(after.disputed).toEqual([
      expect.objectContaining({ actor: 'RUS', disputedBy: ['RUS'], void: true }),
    ]);
  });

  it('equals stateAt over the same events for every asOf × knownAt of a grid (seed)', async () => {
    const events = await postedEvents(SEED);
    for (const asOf of ['2021-12-16', '2022-01-26', '2022-01-30', '2022-01-31', '2022-02-01', FAR_FUTURE]) {
      for (const knownAt of ['2021-12-17', '2022-01-30', '2022-01-31', '2022-02-01', FAR_FUTURE]) {
        expect(await getState(SEED, asOf, knownAt)).toEqual(expectedState(events, SEED, asOf, knownAt));
      }
    }
  });

  it('equals stateAt through corrections, retractions, disputes, denials and backfills', async () => {
    const events = await postedEvents(KNOWLEDGE);
    for (const asOf of AS_OF) {
      for (const knownAt of KNOWN_AT) {
        expect({ asOf, knownAt, state: await getState(KNOWLEDGE, asOf, knownAt) }).toEqual({
          asOf,
          knownAt,
          state: expectedState(events, KNOWLEDGE, asOf, knownAt),
        });
      }
    }
    // Spot checks that the grid covers what it should.
    const early = await getState(KNOWLEDGE, '2022-01-31', '2022-01-26');
    expect(early.forces).toEqual([expect.objectContaining({ actor: 'RUS.MIL', disputedBy: ['UKR'] })]);
    const late = await getState(KNOWLEDGE, '2022-01-31', '2022-01-31');
    expect(late.forces).toEqual([]);
    expect(late.disputed).toEqual([expect.objectContaining({ eventId: uuid(0x102), void: true })]);
    const callMoved = await getState(KNOWLEDGE, '2022-01-04', '2022-02-02');
    expect(callMoved.contacts).toEqual([expect.objectContaining({ actors: ['RUS', 'USA'], count: 1 })]);
    const callNotYetMoved = await getState(KNOWLEDGE, '2022-01-04', '2022-02-01');
    expect(callNotYetMoved.contacts).toEqual([]);
  });

  it('takes dates as the end of their day and accepts RFC 3339 instants', async () => {
    const events = await postedEvents(KNOWLEDGE);
    const res = await api()
      .get(`/v1/standoffs/${KNOWLEDGE}/state`)
      .query({ asOf: '2022-01-13T08:00:00+01:00', knownAt: '2022-01-13T12:00:00Z' })
      .expect(200);
    expect(res.body).toEqual(
      stateAt(events, {
        standoffId: KNOWLEDGE,
        asOf: Date.parse('2022-01-13T07:00:00Z'),
        knownAt: Date.parse('2022-01-13T12:00:00Z'),
        version: events.length,
      }),
    );
    expect(res.body.asOf).toBe('2022-01-13T07:00:00.000Z');
  });

  it('answers bounds far outside the events’ years', async () => {
    const empty = await getState(KNOWLEDGE, '0000-01-01', '9999-12-31');
    expect(empty.eventCount).toBe(0);
    expect(empty.title).toBe('Knowledge check');
    const nothingKnown = await getState(KNOWLEDGE, '9999-12-31', '0000-01-01');
    expect(nothingKnown).toMatchObject({ eventCount: 0, title: null, version: 13 });
    await api().get(`/v1/standoffs/${KNOWLEDGE}/events?from=0000-01-01&to=9999-12-31`).expect(200);
    await api().get(`/v1/standoffs/${KNOWLEDGE}/replay?until=0000-01-01&knownAt=0000-01-01`).expect(200);
  });
});

describe('GET /v1/standoffs/{id}/events', () => {
  it('lists the included events in fold order, as the domain timeline does', async () => {
    const events = await postedEvents(SEED);
    const page = await getTimeline(SEED, `knownAt=${FAR_FUTURE}`);
    expect(page.nextCursor).toBeNull();
    expect(page.items).toEqual(timeline(events, { knownAt: end(FAR_FUTURE) }));
    expect(page.items).toHaveLength(18);
    const followUp = page.items.find(
      (e) => e.type === 'document.delivered' && e.data.documentId === 'ru-written-follow-up',
    );
    expect(followUp?.void).toBe(true);
  });

  const filterCases: [string, string, Omit<TimelineQuery, 'knownAt'>][] = [
    ['every listed actor, sectors matching', 'actor=RUS', { actors: ['RUS'] }],
    ['two actors that must both take part', 'actor=RUS&actor=UKR', { actors: ['RUS', 'UKR'] }],
    ['a sector only', 'actor=RUS.MIL', { actors: ['RUS.MIL'] }],
    [
      'any of the types',
      'type=claim.disputed&type=forces.changed',
      { types: ['claim.disputed', 'forces.changed'] },
    ],
    ['a CAMEO prefix, as corrected', 'cameo=04', { cameoPrefix: '04' }],
    [
      'a valid-time range',
      'from=2022-01-12&to=2022-01-21',
      { from: start('2022-01-12'), to: end('2022-01-21') },
    ],
    ['retracted events on request', 'includeRetracted=true', { includeRetracted: true }],
    [
      'all filters together',
      'actor=USA&type=statement.made&type=sanctions.threatened&from=2022-01-01&includeRetracted=true',
      {
        actors: ['USA'],
        types: ['statement.made', 'sanctions.threatened'],
        from: start('2022-01-01'),
        includeRetracted: true,
      },
    ],
  ];

  it.each(filterCases)(
    'filters by %s (%s) as the domain does, at every knownAt',
    async (_name, query, filters) => {
      const events = await postedEvents(KNOWLEDGE);
      for (const knownAt of KNOWN_AT) {
        const page = await getTimeline(KNOWLEDGE, `${query}&knownAt=${knownAt}`);
        expect({ knownAt, items: page.items }).toEqual({
          knownAt,
          items: timeline(events, { ...filters, knownAt: end(knownAt) }),
        });
      }
    },
  );

  it('matches sectors with the actor filter and marks retracted events', async () => {
    const rus = await getTimeline(KNOWLEDGE, `actor=RUS&knownAt=${FAR_FUTURE}`);
    expect(new Set(rus.items.map((e) => e.actor))).toEqual(
      new Set(['RUS', 'RUS.MIL', 'RUS.GOV', 'NATO', 'UKR', 'USA']),
    );
    expect(
      rus.items.every((e) => [e.actor, ...e.target].some((a) => a === 'RUS' || a?.startsWith('RUS.'))),
    ).toBe(true);
    const withRetracted = await getTimeline(KNOWLEDGE, `includeRetracted=true&knownAt=${FAR_FUTURE}`);
    const retracted = withRetracted.items.filter((e) => e.retracted);
    expect(retracted.map((e) => e.eventId)).toEqual([uuid(0x106)]);
    const without = await getTimeline(KNOWLEDGE, `knownAt=${FAR_FUTURE}`);
    expect(without.items.some((e) => e.retracted)).toBe(false);
  });

  it('pages with limit and cursor through the same list, whatever the page size', async () => {
    const whole = (await getTimeline(KNOWLEDGE, `knownAt=${FAR_FUTURE}&includeRetracted=true`)).items;
    for (const limit of [1, 2, 3, 5]) {
      const { items, pages } = await allPages(
        KNOWLEDGE,
        `knownAt=${FAR_FUTURE}&includeRetracted=true&limit=${limit}`,
      );
      expect(items).toEqual(whole);
      expect(pages).toBe(Math.max(1, Math.ceil(whole.length / limit)));
    }
  });

  it('pins knownAt and the log position: appends between pages neither shift nor repeat items', async () => {
    const query = 'knownAt=2022-03-01&includeRetracted=true';
    const before = (await getTimeline(PAGING, query)).items;
    const first = await getTimeline(PAGING, `${query}&limit=3`);
    expect(first.items).toEqual(before.slice(0, 3));
    expect(first.nextCursor).not.toBeNull();
    const last = before[before.length - 1];
    const penultimate = before[before.length - 2];
    // Each would change the listing at knownAt 2022-03-01 if it were seen: a backfill dated before the first
    // page, a correction moving a later event before it, and a retraction of a later event.
    await postEvent(PAGING, {
      type: 'statement.made',
      occurredAt: '2021-12-01',
      reportedAt: '2022-02-05',
      actor: 'USA',
      target: 'RUS',
      summary: 'A backfilled statement',
    });
    await postEvent(PAGING, {
      type: 'event.corrected',
      occurredAt: '2022-02-10',
      reportedAt: '2022-02-10',
      summary: 'Redated to December',
      data: { eventId: last.eventId, set: { occurredAt: '2021-12-02' } },
    });
    await postEvent(PAGING, {
      type: 'event.retracted',
      occurredAt: '2022-02-10',
      reportedAt: '2022-02-10',
      summary: 'Withdrawn',
      data: { eventId: penultimate.eventId, reason: 'not confirmed' },
    });
    const rest: EventView[] = [];
    let cursor = first.nextCursor;
    while (cursor !== null) {
      const page = await getTimeline(PAGING, `${query}&limit=3&cursor=${encodeURIComponent(cursor)}`);
      rest.push(...page.items);
      cursor = page.nextCursor;
    }
    expect([...first.items, ...rest]).toEqual(before);
    // A fresh listing sees the appends.
    const after = (await getTimeline(PAGING, query)).items;
    expect(after).not.toEqual(before);
    expect(after[0].occurredAt).toBe('2021-12-01');
  });

  it('takes the knownAt from the cursor when the next request leaves it out', async () => {
    const first = await getTimeline(KNOWLEDGE, 'knownAt=2022-01-19&limit=2');
    const second = await getTimeline(KNOWLEDGE, `limit=100&cursor=${first.nextCursor}`);
    const events = await postedEvents(KNOWLEDGE);
    expect([...first.items, ...second.items]).toEqual(timeline(events, { knownAt: end('2022-01-19') }));
  });

  it('refuses a malformed cursor, one issued for other filters, and a knownAt the cursor does not pin', async () => {
    expectProblemNaming(await api().get(`/v1/standoffs/${SEED}/events?cursor=not-a-cursor`), 400, 'cursor');
    expectProblemNaming(
      await api().get(`/v1/standoffs/${SEED}/events?cursor=${'x'.repeat(600)}`),
      400,
      'cursor',
    );
    const forged = Buffer.from(JSON.stringify([1, 'x', 1, 0, 0, 1, 'd'])).toString('base64url');
    expectProblemNaming(await api().get(`/v1/standoffs/${SEED}/events?cursor=${forged}`), 400, 'cursor');
    const { nextCursor } = await getTimeline(SEED, 'limit=2&type=contact.held');
    expect(nextCursor).not.toBeNull();
    expectProblemNaming(
      await api().get(`/v1/standoffs/${SEED}/events?limit=2&type=demand.rejected&cursor=${nextCursor}`),
      400,
      'cursor',
    );
    expectProblemNaming(
      await api().get(
        `/v1/standoffs/${SEED}/events?limit=2&type=contact.held&knownAt=2022-01-01&cursor=${nextCursor}`,
      ),
      400,
      'knownAt',
    );
    await api()
      .get(`/v1/standoffs/${SEED}/events?limit=2&type=contact.held&cursor=${nextCursor}`)
      .expect(200);
  });

  it('refuses a cursor of another standoff, whose fold key would silently skip items here', async () => {
    const other = await getTimeline(PAGING, 'limit=1');
    expect(other.nextCursor).not.toBeNull();
    const res = await api().get(`/v1/standoffs/${KNOWLEDGE}/events?limit=1&cursor=${other.nextCursor}`);
    expectProblemNaming(res, 400, 'cursor');
    expect(res.body.errors[0].message).toMatch(/another standoff/);
  });
});

describe('GET /v1/standoffs/{id}/tension', () => {
  it.each<TensionBucket>(['day', 'week', 'month'])('answers the domain’s series by %s', async (bucket) => {
    for (const [standoffId, knownAts] of [
      [SEED, ['2022-01-30', FAR_FUTURE]],
      [KNOWLEDGE, KNOWN_AT],
    ] as const) {
      const events = await postedEvents(standoffId);
      for (const knownAt of knownAts) {
        for (const [range, bounds] of [
          ['', {}],
          ['&from=2022-01-10&to=2022-02-10', { from: start('2022-01-10'), to: end('2022-02-10') }],
          ['&from=2022-01-20', { from: start('2022-01-20') }],
          ['&actor=RUS&actor=USA', { actors: ['RUS', 'USA'] }],
        ] as const) {
          const res = await api()
            .get(`/v1/standoffs/${standoffId}/tension?bucket=${bucket}&knownAt=${knownAt}${range}`)
            .expect(200);
          expect({ knownAt, range, body: res.body }).toEqual({
            knownAt,
            range,
            body: tensionSeries(events, { bucket, knownAt: end(knownAt), ...bounds }),
          });
        }
      }
    }
  });

  it('lists empty buckets with zeros, ISO weeks from Monday, and defaults to days', async () => {
    const days = await api().get(`/v1/standoffs/${SEED}/tension?from=2022-01-27&to=2022-01-30`).expect(200);
    expect(days.body.bucket).toBe('day');
    expect(days.body.series).toEqual(
      ['2022-01-27', '2022-01-28', '2022-01-29', '2022-01-30'].map((day) => ({
        start: day,
        end: day,
        events: 0,
        goldsteinSum: 0,
        goldsteinMean: 0,
        quadClass: { verbalCooperation: 0, materialCooperation: 0, verbalConflict: 0, materialConflict: 0 },
      })),
    );
    const weeks = await api()
      .get(`/v1/standoffs/${SEED}/tension?bucket=week&knownAt=${FAR_FUTURE}`)
      .expect(200);
    expect(weeks.body.series[0]).toMatchObject({ start: '2021-12-13', end: '2021-12-19' });
    expect(weeks.body.series.map((p: { start: string }) => p.start)).toEqual([
      '2021-12-13',
      '2021-12-20',
      '2021-12-27',
      '2022-01-03',
      '2022-01-10',
      '2022-01-17',
      '2022-01-24',
      '2022-01-31',
    ]);
    expect(weeks.body.series[3].events).toBe(0);
    const months = await api()
      .get(`/v1/standoffs/${SEED}/tension?bucket=month&knownAt=${FAR_FUTURE}`)
      .expect(200);
    expect(months.body.series.map((p: { start: string; end: string }) => [p.start, p.end])).toEqual([
      ['2021-12-01', '2021-12-31'],
      ['2022-01-01', '2022-01-31'],
      ['2022-02-01', '2022-02-28'],
    ]);
    const counted = months.body.series.reduce((sum: number, p: { events: number }) => sum + p.events, 0);
    expect(counted).toBe(18);
  });
});

describe('GET /v1/standoffs/{id}/replay', () => {
  it('streams each included event in fold order with its count, then the state as of until', async () => {
    for (const [standoffId, until, knownAt] of [
      [SEED, '2022-02-01', FAR_FUTURE],
      [SEED, '2022-01-30', '2022-01-30'],
      [KNOWLEDGE, '2022-01-31', '2022-01-26'],
      [KNOWLEDGE, FAR_FUTURE, FAR_FUTURE],
      [KNOWLEDGE, '2022-01-04', '2022-02-02'],
    ]) {
      const events = await postedEvents(standoffId);
      const res = await api().get(`/v1/standoffs/${standoffId}/replay`).query({ until, knownAt }).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
      const lines = parseNdjson(res.text) as ReplayLine[];
      const expectedEvents = timeline(events, { knownAt: end(knownAt), to: end(until) });
      expect(lines).toEqual([
        ...expectedEvents.map((event, i) => ({ event, eventCount: i + 1 })),
        { state: expectedState(events, standoffId, until, knownAt) },
      ]);
      const state = await getState(standoffId, until, knownAt);
      expect(lines[lines.length - 1]).toEqual({ state });
    }
  });

  it('defaults until and knownAt to now', async () => {
    const res = await api().get(`/v1/standoffs/${SEED}/replay`).expect(200);
    // A stream is sniff-proof too: helmet's header is set before the handler writes.
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const lines = parseNdjson(res.text) as ReplayLine[];
    expect(lines).toHaveLength(19);
    const last = lines[18];
    expect('state' in last && last.state.eventCount).toBe(18);
  });

  describe('when reading fails', () => {
    let replay: jest.SpyInstance;

    function failingReplay(linesBefore: number, error: Error): void {
      const queries = testApp.running.app.get<TemporalQueries>(TEMPORAL_QUERIES);
      const real = queries.replay.bind(queries);
      replay = jest.spyOn(queries, 'replay').mockImplementation(async (request) => {
        const lines = await real(request);
        if (!lines) return undefined;
        return (async function* () {
          let produced = 0;
          for await (const line of lines) {
            if (produced++ === linesBefore) throw error;
            yield line;
          }
        })();
      });
    }

    afterEach(() => replay.mockRestore());

    it('ends the stream with an error line once a line was sent', async () => {
      failingReplay(2, new Error('the database went away'));
      const res = await api().get(`/v1/standoffs/${SEED}/replay`).expect(200);
      const lines = parseNdjson(res.text);
      expect(lines).toHaveLength(3);
      expect(lines[0]).toHaveProperty('eventCount', 1);
      expect(lines[1]).toHaveProperty('eventCount', 2);
      // An unexpected failure is logged, not shown.
      expect(lines[2]).toEqual({
        error: expect.objectContaining({ status: 500, detail: 'The server failed to handle the request.' }),
      });
    });

    it('answers a problem when nothing was sent yet', async () => {
      failingReplay(
        0,
        new ProblemError(problem('log-unavailable', 'Log Unavailable', 503, 'The log is down.')),
      );
      const res = await api().get(`/v1/standoffs/${SEED}/replay`);
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 503, detail: 'The log is down.' });
    });
  });
});

describe('a standoff of thousands of events', () => {
  const LARGE = 'replay-large';
  const COUNT = 2400;

  /** Statements spread over two years, every 50th redated by a correction, every 70th disputed. */
  function largeEvents(): Record<string, unknown>[] {
    const events: Record<string, unknown>[] = [];
    const day = (n: number) =>
      new Date(Date.UTC(2021, 0, 1) + (n % 730) * 86_400_000).toISOString().slice(0, 10);
    for (let i = 0; i < COUNT; i++) {
      events.push({
        eventId: uuid(0x10000 + i),
        type: 'statement.made',
        occurredAt: day((i * 7919) % 730),
        reportedAt: day(((i * 7919) % 730) + (i % 3)),
        actor: i % 2 === 0 ? 'USA' : 'RUS.GOV',
        target: i % 2 === 0 ? 'RUS' : 'USA',
        summary: `Statement ${i}`,
      });
      if (i % 50 === 49) {
        events.push({
          type: 'event.corrected',
          occurredAt: '2023-01-05',
          reportedAt: day(i % 730),
          summary: `Redating statement ${i - 10}`,
          data: { eventId: uuid(0x10000 + i - 10), set: { occurredAt: day(i * 13) } },
        });
      }
      if (i % 70 === 69) {
        events.push({
          type: 'claim.disputed',
          occurredAt: day(i),
          reportedAt: day(i + 1),
          actor: 'UKR',
          summary: `Disputing statement ${i - 5}`,
          data: { eventId: uuid(0x10000 + i - 5) },
        });
      }
    }
    return events;
  }

  beforeAll(async () => {
    const events = largeEvents();
    for (let i = 0; i < events.length; i += 1000) {
      const res = await api()
        .post(`/v1/standoffs/${LARGE}/events:batch`)
        .send({ events: events.slice(i, i + 1000) });
      if (res.status !== 201) throw new Error(`batch answered ${res.status}: ${JSON.stringify(res.body)}`);
    }
  }, 120_000);

  it('replays as the domain does, read a thousand rows at a time', async () => {
    const events = await postedEvents(LARGE);
    expect(events.length).toBeGreaterThan(COUNT);
    for (const knownAt of ['2021-09-30', FAR_FUTURE]) {
      const res = await api()
        .get(`/v1/standoffs/${LARGE}/replay`)
        .query({ until: '2022-06-30', knownAt })
        .expect(200);
      const lines = parseNdjson(res.text);
      const expectedEvents = timeline(events, { knownAt: end(knownAt), to: end('2022-06-30') });
      expect(expectedEvents.length).toBeGreaterThan(knownAt === FAR_FUTURE ? 1000 : 100);
      expect(lines).toEqual([
        ...expectedEvents.map((event, i) => ({ event, eventCount: i + 1 })),
        { state: expectedState(events, LARGE, '2022-06-30', knownAt) },
      ]);
    }
  });

  it('pages the timeline with the largest limit as the domain lists it', async () => {
    const events = await postedEvents(LARGE);
    const { items, pages } = await allPages(LARGE, `knownAt=${FAR_FUTURE}&limit=1000&actor=RUS`);
    expect(pages).toBe(3);
    expect(items).toEqual(timeline(events, { knownAt: end(FAR_FUTURE), actors: ['RUS'] }));
  });
});

describe('the temporal queries read page by page', () => {
  // Small pages make every merge of special and regular rows, and every page boundary, happen.
  const paged = () => new EventHistoryQueries(testApp.running.infrastructure.dataSource, { pageSize: 2 });

  async function replayOf(request: ReplayRequest): Promise<AsyncIterable<ReplayLine>> {
    const lines = await paged().replay(request);
    if (!lines) throw new Error(`no standoff ${request.standoffId}`);
    return lines;
  }

  async function collect(lines: AsyncIterable<ReplayLine>): Promise<ReplayLine[]> {
    const all: ReplayLine[] = [];
    for await (const line of lines) all.push(line);
    return all;
  }

  it('answers the replay and the timeline as the domain does, pages of two rows at a time', async () => {
    for (const standoffId of [SEED, KNOWLEDGE]) {
      const events = await postedEvents(standoffId);
      for (const knownAt of [...KNOWN_AT, '2022-01-30']) {
        const lines = await collect(
          await replayOf({ standoffId, until: end(FAR_FUTURE), knownAt: end(knownAt) }),
        );
        const expectedEvents = timeline(events, { knownAt: end(knownAt) });
        expect(lines.slice(0, -1)).toEqual(expectedEvents.map((event, i) => ({ event, eventCount: i + 1 })));
        expect(lines[lines.length - 1]).toEqual({
          state: expectedState(events, standoffId, FAR_FUTURE, knownAt),
        });
        const page = await paged().timeline({
          standoffId,
          knownAt: end(knownAt),
          limit: 1000,
          includeRetracted: true,
        });
        expect(page?.items).toEqual(timeline(events, { knownAt: end(knownAt), includeRetracted: true }));
      }
    }
  });

  it('keeps a replay whole when a correction moves an event it has not reached before its position', async () => {
    const standoffId = 'replay-race';
    for (const event of knowledgeEvents(0x300)) await postEvent(standoffId, event);
    const knownAt = end('2022-03-01');
    const events = await postedEvents(standoffId);
    const expected = await collect(await replayOf({ standoffId, until: end(FAR_FUTURE), knownAt }));
    const lines = await replayOf({ standoffId, until: end(FAR_FUTURE), knownAt });
    const iterator = lines[Symbol.asyncIterator]();
    const seen: ReplayLine[] = [];
    for (let i = 0; i < 3; i++) {
      const next = await iterator.next();
      if (next.done) throw new Error('the replay ended early');
      seen.push(next.value);
    }
    // Read in the second page of regular rows (pages of two): a regular row, named by no knowledge event.
    const rejection = uuid(0x300 + 12);
    expect(expected.some((line) => 'event' in line && line.event.eventId === rejection)).toBe(true);
    await postEvent(standoffId, {
      type: 'event.corrected',
      occurredAt: '2022-02-10',
      reportedAt: '2022-02-10',
      summary: 'Redated before everything',
      data: { eventId: rejection, set: { occurredAt: '2021-12-02' } },
    });
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) seen.push(next.value);
    expect(seen).toEqual(expected);
    expect(expected[expected.length - 1]).toEqual({
      state: expectedState(events, standoffId, FAR_FUTURE, '2022-03-01'),
    });
  });
});

describe('bad requests and unknown standoffs', () => {
  it.each([
    ['state', 'asOf=yesterday', 'asOf'],
    ['state', 'knownAt=2022-13-01', 'knownAt'],
    ['state', 'asOf=2022-01-01&asOf=2022-01-02', 'asOf'],
    ['events', 'limit=0', 'limit'],
    ['events', 'limit=1001', 'limit'],
    ['events', 'limit=ten', 'limit'],
    ['events', 'actor=rus', 'actor'],
    ['events', 'type=demand.made', 'type'],
    ['events', 'cameo=04x', 'cameo'],
    ['events', 'includeRetracted=yes', 'includeRetracted'],
    ['events', 'from=2022-02-01&to=2022-01-01', 'to'],
    ['events', 'from=2022-02-30', 'from'],
    ['tension', 'bucket=year', 'bucket'],
    ['tension', 'bucket=day&from=1900-01-01&to=2100-01-01', 'bucket'],
    ['tension', 'actor=', 'actor'],
    ['tension', 'knownAt=now', 'knownAt'],
    ['replay', 'until=2022-02-01T25:00:00Z', 'until'],
    ['replay', 'knownAt=2022-02-01T10:00:00', 'knownAt'],
  ])('GET …/%s?%s is a 400 naming %s', async (route, query, parameter) => {
    expectProblemNaming(await api().get(`/v1/standoffs/${SEED}/${route}?${query}`), 400, parameter);
  });

  it.each(['state', 'events', 'tension', 'replay'])(
    'GET …/%s with a malformed standoff id is a 400 naming it',
    async (route) => {
      expectProblemNaming(await api().get(`/v1/standoffs/Not_An_Id/${route}`), 400, 'standoffId');
    },
  );

  it.each(['state', 'events', 'tension', 'replay'])(
    'GET …/%s of a standoff without events is a 404',
    async (route) => {
      const res = await api().get(`/v1/standoffs/no-such-standoff/${route}`);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 404, title: 'Standoff Not Found' });
    },
  );
});
