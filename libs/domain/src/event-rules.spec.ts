import fc from 'fast-check';
import { type EventDraft, validateEvent } from './catalogue';
import { checkCorrectionKeepsIdentity, checkEventRules } from './event-rules';
import { dataFieldsOf } from './events';
import seedScenario from './fixtures/seed-scenario.json';
import type { RecordedEvent } from './recorded-event';
import { formatTime } from './time';

const NOW = Date.parse('2022-02-02T12:00:00.000Z');
const NAMED_EVENT_ID = '6f1c2a4e-3b5d-4c7e-9f80-1a2b3c4d5e6f';

type Body = Record<string, unknown>;

/** The seed's events as posted: `ref` dropped, `data.eventRef` replaced by a UUID. */
const seedBodies: Body[] = seedScenario.events.map((seedEvent) => {
  const { ref: _ref, data, ...event } = seedEvent as Body & { data: Body };
  const { eventRef, ...rest } = data;
  return { ...event, data: eventRef === undefined ? data : { ...rest, eventId: NAMED_EVENT_ID } };
});

function draftOf(body: unknown): EventDraft {
  const result = validateEvent(body, { now: NOW });
  if (!result.ok) throw new Error(`expected a valid event, got ${JSON.stringify(result.errors)}`);
  return result.event;
}

/** An accepted event as the log would store it. */
function givenRecorded(body: unknown, position = 1): RecordedEvent {
  const draft = draftOf(body);
  const reportedAt = draft.reportedAt ?? { ms: NOW, precision: 'instant' as const };
  return {
    eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    standoffId: 'russia-us-ukraine-2022',
    position,
    type: draft.type,
    occurredAt: draft.occurredAt.ms,
    occurredPrecision: draft.occurredAt.precision,
    reportedAt: reportedAt.ms,
    reportedPrecision: reportedAt.precision,
    recordedAt: NOW,
    actor: draft.actor,
    target: draft.target,
    summary: draft.summary,
    cameo: draft.cameo,
    data: draft.data,
    source: draft.source,
  };
}

/** The stored event back in the form a client posts. */
function postedFormOf(event: RecordedEvent): Body {
  return {
    type: event.type,
    occurredAt: formatTime(event.occurredAt, event.occurredPrecision),
    reportedAt: formatTime(event.reportedAt, event.reportedPrecision),
    ...(event.actor === null ? {} : { actor: event.actor }),
    target: event.target,
    summary: event.summary,
    ...(event.cameo === null ? {} : { cameo: event.cameo }),
    data: event.data,
  };
}

const bySeedRef = (ref: string): RecordedEvent => {
  const index = seedScenario.events.findIndex((event) => event.ref === ref);
  return givenRecorded(seedBodies[index], index + 1);
};

const pathsOf = (errors: readonly { path: string }[]) => errors.map((error) => error.path);

describe('checkEventRules', () => {
  it('finds nothing wrong with any seed event as recorded', () => {
    const recorded = seedBodies.map((body, index) => givenRecorded(body, index + 1));
    expect(recorded.map(checkEventRules)).toEqual(recorded.map(() => []));
  });

  describe('given the US written response, corrected', () => {
    const response = bySeedRef('us-response');

    it.each([
      [
        'to drop its required kind',
        { data: { documentId: 'us-written-response' } },
        '/data/kind',
        'is required',
      ],
      [
        'to an unknown kind',
        { data: { ...response.data, kind: 'memo' } },
        '/data/kind',
        'must be one of: draft-treaty, proposal, response, letter, note',
      ],
      [
        'to have no recipient',
        { target: [] },
        '/target',
        'must name at least one target: document.delivered is addressed to someone',
      ],
      ['to be addressed to its own author', { actor: 'RUS' }, '/target/0', 'must differ from the actor'],
      [
        'to a CAMEO code outside cameo.json',
        { cameo: '999' },
        '/cameo',
        'must be a CAMEO event code of cameo.json, such as "036"',
      ],
      [
        'to a year after 2100',
        { occurredAt: Date.parse('2101-01-01') },
        '/occurredAt',
        'must fall within the years 1900–2100 (UTC)',
      ],
      [
        'to a summary with a carriage return',
        { summary: 'a\rb' },
        '/summary',
        'must not contain control characters other than line feed and tab (U+000D at 1)',
      ],
    ])('reports a corrected event %s', (_name, correction, path, message) => {
      expect(checkEventRules({ ...response, ...correction })).toEqual([{ path, message }]);
    });

    it('reports every broken rule, one per path', () => {
      const corrected = { ...response, actor: 'rus', target: ['USA', 'USA'], data: { kind: 'memo' } };
      expect(pathsOf(checkEventRules(corrected))).toEqual([
        '/actor',
        '/target/1',
        '/data/documentId',
        '/data/kind',
      ]);
    });
  });

  it('holds a meta event to the meta rules', () => {
    const title = bySeedRef('title');
    expect(checkEventRules(title)).toEqual([]);
    expect(pathsOf(checkEventRules({ ...title, actor: 'RUS', target: ['USA'], cameo: '010' }))).toEqual([
      '/actor',
      '/target',
      '/cameo',
    ]);
  });

  it('reports a type the catalogue does not know, and nothing else', () => {
    expect(checkEventRules({ ...bySeedRef('us-response'), type: 'document.deliverd', actor: 'rus' })).toEqual(
      [
        {
          path: '/type',
          message: 'must be an event type of the catalogue; did you mean document.delivered?',
        },
      ],
    );
  });

  it('reports at the same paths as validateEvent, whatever data field is broken', () => {
    const junk = fc.oneof(
      fc.integer({ min: -5, max: -1 }),
      fc.constant(''),
      fc.constant('Not An Id'),
      fc.constant([]),
    );
    const seedEvents = seedBodies.map((body, index) => givenRecorded(body, index + 1));
    const brokenData = fc
      .constantFrom(...seedEvents)
      .chain((event) =>
        fc.tuple(
          fc.constant(event),
          fc.constantFrom(...Object.keys(dataFieldsOf(event.type as never)), 'extra'),
          junk,
        ),
      );
    fc.assert(
      fc.property(brokenData, ([event, field, value]) => {
        const corrected = { ...event, data: { ...event.data, [field]: value } };
        const posted = validateEvent(postedFormOf(corrected), { now: NOW });
        const postedPaths = posted.ok ? [] : pathsOf(posted.errors);
        expect(pathsOf(checkEventRules(corrected))).toEqual(postedPaths);
      }),
    );
  });
});

describe('checkCorrectionKeepsIdentity', () => {
  const demand = bySeedRef('ru-demand');
  const contact = bySeedRef('unsc');

  it('accepts a correction that changes anything but the type and the entity ids', () => {
    const corrected = {
      ...demand,
      actor: 'BLR',
      summary: 'Belarus, not Russia',
      data: { ...demand.data, text: 'x' },
    };
    expect(checkCorrectionKeepsIdentity(demand, corrected)).toEqual([]);
  });

  it('accepts an entity id restated as it was', () => {
    expect(checkCorrectionKeepsIdentity(demand, { ...demand, data: { ...demand.data } })).toEqual([]);
  });

  it('reports a changed type', () => {
    expect(checkCorrectionKeepsIdentity(demand, { ...demand, type: 'demand.withdrawn' })).toEqual([
      { path: '/type', message: 'cannot change: the event stays demand.tabled' },
    ]);
  });

  it('reports a changed entity id', () => {
    const corrected = { ...demand, data: { ...demand.data, demandId: 'another-demand' } };
    expect(checkCorrectionKeepsIdentity(demand, corrected)).toEqual([
      { path: '/data/demandId', message: 'cannot change: it stays "no-nato-membership-for-ukraine"' },
    ]);
  });

  it('reports a removed entity id', () => {
    const { documentId: _documentId, ...data } = bySeedRef('us-response').data;
    expect(
      pathsOf(checkCorrectionKeepsIdentity(bySeedRef('us-response'), { ...bySeedRef('us-response'), data })),
    ).toEqual(['/data/documentId']);
  });

  it('reports an entity id added where the event had none', () => {
    const corrected = { ...contact, data: { ...contact.data, meetingId: 'unsc-session' } };
    expect(checkCorrectionKeepsIdentity(contact, corrected)).toEqual([
      { path: '/data/meetingId', message: 'cannot be added: the event has no meetingId' },
    ]);
  });

  it('reports the type and every entity id at once', () => {
    const corrected = { ...demand, type: 'pact.proposed', data: { demandId: 'x', pactId: 'y' } };
    expect(pathsOf(checkCorrectionKeepsIdentity(demand, corrected))).toEqual([
      '/type',
      '/data/demandId',
      '/data/pactId',
    ]);
  });
});

describe('an example the catalogue accepts', () => {
  it('is recorded with event ids in data lower-cased and its default CAMEO code, and satisfies checkEventRules', () => {
    const dispute = givenRecorded({ ...seedBodies[14], data: { eventId: NAMED_EVENT_ID.toUpperCase() } });
    expect(dispute.data.eventId).toBe(NAMED_EVENT_ID);
    expect(dispute.cameo).toBe('016');
    expect(checkEventRules(dispute)).toEqual([]);
  });
});
