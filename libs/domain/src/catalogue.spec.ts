import fc from 'fast-check';
import { type EventDraft, MAX_NESTING_DEPTH, validateEvent } from './catalogue';
import { EVENT_TYPES, type EventType, META_TYPES, type PostedEventOf } from './events';
import type { FieldError } from './field-error';
import seedScenario from './fixtures/seed-scenario.json';

const NOW = Date.parse('2022-02-02T12:00:00.000Z');
const DISPUTED_EVENT_ID = '6f1c2a4e-3b5d-4c7e-9f80-1a2b3c4d5e6f';

/** One valid example of each type: the compiler checks each against the posted shape. */
const EXAMPLES: { readonly [T in EventType]: PostedEventOf<T> } = {
  'standoff.described': {
    type: 'standoff.described',
    occurredAt: '2021-12-15',
    summary: 'Russia and the United States at odds over Ukraine',
    data: {
      title: 'Russia–United States standoff over Ukraine',
      description: 'Security demands and replies',
    },
  },
  'statement.made': {
    type: 'statement.made',
    occurredAt: '2022-02-01T10:30:00+03:00',
    actor: 'USA',
    target: 'RUS',
    summary: 'Washington stresses its willingness to keep talking',
    data: { topic: 'security', quote: 'a substantive exchange' },
  },
  'position.stated': {
    type: 'position.stated',
    occurredAt: '2022-02-01',
    actor: 'USA',
    summary: 'The US restates its commitment to Ukraine’s sovereignty',
    data: { topic: 'ukraine-sovereignty', stance: 'committed to Ukraine’s territorial integrity' },
  },
  'appeal.made': {
    type: 'appeal.made',
    occurredAt: '2022-02-01',
    actor: 'USA',
    target: 'RUS',
    summary: 'The US urges Russia to pull back',
    data: { request: 'withdraw forces from Ukraine’s borders' },
  },
  'demand.tabled': {
    type: 'demand.tabled',
    occurredAt: '2021-12-17',
    actor: 'RUS',
    target: ['USA', 'NATO'],
    summary: 'Russia demands that Ukraine be barred from NATO',
    data: { demandId: 'no-nato-membership-for-ukraine', text: 'Bar Ukraine from ever joining NATO' },
  },
  'demand.rejected': {
    type: 'demand.rejected',
    occurredAt: '2022-01-26',
    actor: 'USA',
    target: 'RUS',
    summary: 'The US rejects the demand',
    data: { demandId: 'no-nato-membership-for-ukraine' },
  },
  'demand.accepted': {
    type: 'demand.accepted',
    occurredAt: '2022-01-27',
    actor: 'BLR',
    summary: 'Belarus backs the demand',
    data: { demandId: 'no-nato-membership-for-ukraine' },
  },
  'demand.withdrawn': {
    type: 'demand.withdrawn',
    occurredAt: '2022-03-01',
    actor: 'RUS',
    summary: 'Russia drops the demand',
    data: { demandId: 'no-nato-membership-for-ukraine' },
  },
  'document.delivered': {
    type: 'document.delivered',
    occurredAt: '2022-01-26',
    actor: 'USA',
    target: 'RUS',
    summary: 'The US delivers its written response',
    data: {
      documentId: 'us-written-response',
      kind: 'response',
      inReplyTo: 'ru-draft-treaty-us',
      title: 'Reply',
    },
  },
  'contact.held': {
    type: 'contact.held',
    occurredAt: '2022-01-21T10:00:00+01:00',
    actor: 'USA',
    target: 'RUS',
    summary: 'Blinken and Lavrov meet in Geneva',
    data: {
      mode: 'meeting',
      level: 'minister',
      place: 'Geneva',
      meetingId: 'geneva-talks',
      people: [
        { name: 'Antony Blinken', role: 'Secretary of State', actor: 'USA' },
        { name: 'Sergey Lavrov' },
      ],
    },
  },
  'meeting.proposed': {
    type: 'meeting.proposed',
    occurredAt: '2022-02-01',
    actor: 'RUS',
    target: 'FRA',
    summary: 'Putin and Macron discuss a face-to-face meeting',
    data: {
      meetingId: 'putin-macron-face-to-face',
      participants: ['RUS', 'FRA'],
      proposedFor: '2022-02-07',
      place: 'Moscow',
      conditions: 'none stated',
    },
  },
  'meeting.scheduled': {
    type: 'meeting.scheduled',
    occurredAt: '2022-02-03',
    actor: 'RUS',
    target: 'FRA',
    summary: 'The meeting is set for Monday',
    data: {
      meetingId: 'putin-macron-face-to-face',
      scheduledFor: '2022-02-07T12:00:00+03:00',
      place: 'Moscow',
    },
  },
  'meeting.cancelled': {
    type: 'meeting.cancelled',
    occurredAt: '2022-02-05',
    actor: 'FRA',
    target: 'RUS',
    summary: 'Paris calls the meeting off',
    data: { meetingId: 'putin-macron-face-to-face', reason: 'no agenda agreed' },
  },
  'pact.proposed': {
    type: 'pact.proposed',
    occurredAt: '2022-02-01',
    actor: 'UKR',
    target: ['GBR', 'POL'],
    summary: 'A trilateral pact is in preparation',
    data: {
      pactId: 'uk-poland-ukraine-trilateral',
      name: 'Trilateral security pact',
      parties: ['GBR', 'POL', 'UKR'],
    },
  },
  'pact.signed': {
    type: 'pact.signed',
    occurredAt: '2022-02-17',
    actor: 'UKR',
    target: ['GBR', 'POL'],
    summary: 'The trilateral pact is signed',
    data: {
      pactId: 'uk-poland-ukraine-trilateral',
      name: 'Trilateral security pact',
      parties: ['GBR', 'POL', 'UKR'],
    },
  },
  'pact.suspended': {
    type: 'pact.suspended',
    occurredAt: '2022-06-01',
    actor: 'POL',
    summary: 'Poland suspends the pact',
    data: { pactId: 'uk-poland-ukraine-trilateral' },
  },
  'forces.changed': {
    type: 'forces.changed',
    occurredAt: '2022-02-10',
    actor: 'RUS.MIL',
    target: 'BLR',
    summary: 'Joint exercises begin in Belarus',
    data: { area: 'Belarus', posture: 'exercise', troops: 30000 },
  },
  'forces.estimated': {
    type: 'forces.estimated',
    occurredAt: '2022-01-28',
    actor: 'USA',
    summary: 'Washington estimates the troops near Ukraine',
    data: { subject: 'RUS.MIL', area: 'Ukraine border', troops: { min: 100000, max: 130000 } },
  },
  'sanctions.threatened': {
    type: 'sanctions.threatened',
    occurredAt: '2022-01-25',
    actor: 'USA',
    target: 'RUS',
    summary: 'The US warns of severe sanctions',
    data: { measures: ['export controls', 'exclusion from SWIFT'] },
  },
  'sanctions.imposed': {
    type: 'sanctions.imposed',
    occurredAt: '2022-02-22',
    actor: 'GBR',
    target: 'RUS',
    summary: 'London freezes the assets of five banks',
    data: { measures: ['asset freezes'] },
  },
  'relations.reduced': {
    type: 'relations.reduced',
    occurredAt: '2022-02-12',
    actor: 'USA',
    target: 'UKR',
    summary: 'The US draws down its embassy in Kyiv',
    data: { measure: 'drawdown' },
  },
  'claim.disputed': {
    type: 'claim.disputed',
    occurredAt: '2022-02-01',
    actor: 'RUS',
    target: 'USA',
    summary: 'The Kremlin says the notes concerned a different issue',
    data: { eventId: DISPUTED_EVENT_ID, reason: 'notes on a different issue' },
  },
  'event.retracted': {
    type: 'event.retracted',
    occurredAt: '2022-02-02',
    summary: 'Recorded twice',
    data: { eventId: DISPUTED_EVENT_ID, reason: 'duplicate' },
  },
  'event.corrected': {
    type: 'event.corrected',
    occurredAt: '2022-02-02',
    summary: 'The response was delivered a day later',
    data: {
      eventId: DISPUTED_EVENT_ID,
      set: { occurredAt: '2022-01-27', target: 'RUS', data: { title: null } },
    },
  },
  'event.recorded': {
    type: 'event.recorded',
    occurredAt: '2022-02-02',
    actor: 'UKR',
    target: 'RUS',
    cameo: '1042',
    summary: 'Kyiv demands a policy change',
    data: { anything: ['goes', { here: true }] },
  },
};

type Body = Record<string, unknown>;

const example = (type: EventType): Body => structuredClone(EXAMPLES[type]) as unknown as Body;

/** The example with top-level fields replaced; `undefined` removes one. */
function given(type: EventType, fields: Body = {}): Body {
  return withFields(example(type), fields);
}

/** The example with data fields replaced; `undefined` removes one. */
function givenData(type: EventType, fields: Body): Body {
  const body = example(type);
  return { ...body, data: withFields(body.data as Body, fields) };
}

function withFields(base: Body, fields: Body): Body {
  const result = { ...base, ...fields };
  for (const [key, value] of Object.entries(fields)) if (value === undefined) delete result[key];
  return result;
}

function whenValidated(body: unknown, now = NOW) {
  return validateEvent(body, { now });
}

function thenAccepted(body: unknown, now = NOW): EventDraft {
  const result = whenValidated(body, now);
  if (!result.ok) throw new Error(`expected the event to be accepted, got ${JSON.stringify(result.errors)}`);
  return result.event;
}

function thenErrors(body: unknown, now = NOW): FieldError[] {
  const result = whenValidated(body, now);
  if (result.ok) throw new Error('expected the event to be rejected');
  return result.errors;
}

const thenRejectedAt = (body: unknown, now = NOW): string[] =>
  thenErrors(body, now).map((error) => error.path);

describe('validateEvent', () => {
  describe('given a valid example of each type', () => {
    it('knows the 25 types of EVENTS.md, three of them meta', () => {
      expect(EVENT_TYPES).toHaveLength(25);
      expect(new Set(EVENT_TYPES).size).toBe(25);
      expect(META_TYPES).toEqual(['standoff.described', 'event.retracted', 'event.corrected']);
    });

    it.each(EVENT_TYPES)('accepts %s', (type) => {
      const draft = thenAccepted(example(type));
      expect(draft.type).toBe(type);
      expect(draft.data).toEqual(EXAMPLES[type].data);
    });
  });

  describe('given the seed scenario with data.eventRef replaced by a UUID and the file-only ref dropped', () => {
    const events = seedScenario.events.map((seedEvent, index) => {
      const { ref: _ref, data, ...event } = seedEvent as Body & { type: string; summary: string; data: Body };
      const { eventRef, ...rest } = data;
      const eventId = `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`;
      return {
        eventId,
        ...event,
        data: eventRef === undefined ? data : { ...rest, eventId: DISPUTED_EVENT_ID },
      };
    });

    it.each(events.map((event, index) => [index + 1, event.type, event] as const))(
      'accepts seed event %i (%s)',
      (_position, _type, event) => {
        expect(thenAccepted(event).summary).toBe(event.summary);
      },
    );

    it('defaults the CAMEO codes the seed leaves out and keeps those it gives', () => {
      const cameos = events.map((event) => thenAccepted(event).cameo);
      expect(cameos).toEqual([
        null, // standoff.described: meta
        '1042',
        '1042',
        '036',
        '036',
        '120', // demand.rejected default
        '120',
        '111',
        '010',
        '041', // contact.held by call
        '041',
        '036',
        '010', // position.stated default
        '020', // appeal.made default
        '016', // claim.disputed default
        '042', // contact.held by visit
        '032',
        '043',
        '036', // meeting.proposed default
      ]);
    });
  });

  describe('the body', () => {
    it.each([null, [], 'event', 42])('rejects %p as a whole, at the empty pointer', (body) => {
      expect(thenErrors(body)).toEqual([{ path: '', message: 'must be a JSON object: one event' }]);
    });

    it('rejects an unknown top-level field, suggesting the field a typo meant', () => {
      const body = {
        ...withFields(example('statement.made'), { occurredAt: undefined }),
        ocurredAt: '2022-02-01',
      };
      expect(thenErrors(body)).toEqual([
        { path: '/ocurredAt', message: 'is not a field of an event; did you mean occurredAt?' },
        { path: '/occurredAt', message: 'is required' },
      ]);
    });

    it('rejects fields the log sets, such as recordedAt', () => {
      expect(thenErrors(given('statement.made', { recordedAt: '2022-02-01' }))).toEqual([
        { path: '/recordedAt', message: 'is set by the log, not by the client' },
      ]);
    });

    it('reports every offending path at once, one error each', () => {
      const body = given('demand.tabled', {
        occurredAt: '2022-13-01',
        actor: 'rus',
        target: ['USA', 'USA'],
        summary: '',
        data: { demandId: 'Bad Id' },
      });
      expect(thenRejectedAt(body)).toEqual([
        '/occurredAt',
        '/actor',
        '/target/1',
        '/summary',
        '/data/demandId',
        '/data/text',
      ]);
    });
  });

  describe('eventId', () => {
    it.each([
      ['a version 4 UUID', '6F1C2A4E-3B5D-4C7E-9F80-1A2B3C4D5E6F'],
      ['a version 7 UUID', '017F22E2-79B0-7CC3-98C4-DC0C0C07398F'],
      ['a version 1 UUID', 'c232ab00-9414-11ec-b3c8-9f6bdeced846'],
    ])('accepts %s and stores it lower-case', (_name, eventId) => {
      expect(thenAccepted(given('statement.made', { eventId })).eventId).toBe(eventId.toLowerCase());
    });

    it('is absent from the draft when the client chose none', () => {
      expect(thenAccepted(example('statement.made'))).not.toHaveProperty('eventId');
    });

    it.each(['not-a-uuid', '6f1c2a4e3b5d4c7e9f801a2b3c4d5e6f', 42])('rejects %p at /eventId', (eventId) => {
      expect(thenRejectedAt(given('statement.made', { eventId }))).toEqual(['/eventId']);
    });
  });

  describe('type', () => {
    it('is required', () => {
      expect(thenErrors(given('statement.made', { type: undefined }))).toEqual([
        { path: '/type', message: 'is required' },
      ]);
    });

    it('suggests the known type a typo meant', () => {
      expect(thenErrors(given('demand.tabled', { type: 'demand.table' }))).toEqual([
        { path: '/type', message: 'must be an event type of the catalogue; did you mean demand.tabled?' },
      ]);
    });

    it('lists the types when nothing is close', () => {
      const [error] = thenErrors(given('statement.made', { type: 'Announcement' }));
      expect(error.path).toBe('/type');
      expect(error.message).toContain('statement.made, position.stated');
    });

    it('still checks the fields that do not depend on the type', () => {
      expect(thenRejectedAt(given('statement.made', { type: 7, summary: 7, actor: 'usa' }))).toEqual([
        '/type',
        '/actor',
        '/summary',
      ]);
    });
  });

  describe('occurredAt and reportedAt', () => {
    it('reads a date as day precision and a date-time as an instant', () => {
      const draft = thenAccepted(
        given('statement.made', { occurredAt: '2022-01-31', reportedAt: '2022-02-01T09:15:00.250+01:00' }),
      );
      expect(draft.occurredAt).toEqual({ ms: Date.parse('2022-01-31T00:00:00Z'), precision: 'day' });
      expect(draft.reportedAt).toEqual({ ms: Date.parse('2022-02-01T08:15:00.250Z'), precision: 'instant' });
    });

    it('leaves reportedAt out of the draft when absent, for the log to default', () => {
      expect(thenAccepted(given('statement.made', { reportedAt: undefined }))).not.toHaveProperty(
        'reportedAt',
      );
    });

    it('requires occurredAt', () => {
      expect(thenErrors(given('statement.made', { occurredAt: undefined }))).toEqual([
        { path: '/occurredAt', message: 'is required' },
      ]);
    });

    it.each([
      ['an impossible date', '2022-02-30'],
      ['a date-time without offset', '2022-02-01T10:00:00'],
      ['a date-time with a space', '2022-02-01 10:00:00Z'],
      ['an epoch number', 1643673600000],
      ['a year before 1900', '1899-12-31'],
      ['a year after 2100', '2101-01-01'],
      ['an instant whose UTC year is 2101', '2100-12-31T23:00:00-05:00'],
    ])('rejects %s at /occurredAt and at /reportedAt', (_name, time) => {
      expect(thenRejectedAt(given('statement.made', { occurredAt: time, reportedAt: time }))).toEqual([
        '/occurredAt',
        '/reportedAt',
      ]);
    });

    it.each(['1900-01-01', '2100-12-31T23:59:59.999Z'])(
      'accepts the bounds of the supported years (%s)',
      (occurredAt) => {
        expect(
          thenAccepted(given('statement.made', { occurredAt, reportedAt: undefined })).occurredAt.ms,
        ).toBe(Date.parse(occurredAt));
      },
    );

    it('accepts reportedAt equal to now', () => {
      expect(
        thenAccepted(given('statement.made', { reportedAt: new Date(NOW).toISOString() })).reportedAt?.ms,
      ).toBe(NOW);
    });

    it('rejects reportedAt one millisecond after now, by the clock it is given', () => {
      const reportedAt = new Date(NOW + 1).toISOString();
      expect(thenErrors(given('statement.made', { reportedAt }))).toEqual([
        { path: '/reportedAt', message: 'must not be later than now (2022-02-02T12:00:00.000Z)' },
      ]);
      expect(thenAccepted(given('statement.made', { reportedAt }), NOW + 1).reportedAt?.ms).toBe(NOW + 1);
    });

    it('places a day-precision reportedAt at the start of its day when comparing with now', () => {
      expect(thenAccepted(given('statement.made', { reportedAt: '2022-02-02' })).reportedAt?.ms).toBeLessThan(
        NOW,
      );
      expect(thenRejectedAt(given('statement.made', { reportedAt: '2022-02-03' }))).toEqual(['/reportedAt']);
    });
  });

  describe('actor', () => {
    it.each(['RUS', 'NATO', 'RUS.MIL', 'ABCDEFGHIJ.KLMNOPQRST', 'ZZZ'])('accepts %s', (actor) => {
      expect(thenAccepted(given('statement.made', { actor, target: undefined })).actor).toBe(actor);
    });

    it.each(['rus', 'R', 'ABCDEFGHIJK', 'RUS.MIL.GOV', 'RUS.', 'RU5', 42])(
      'rejects %p at /actor',
      (actor) => {
        expect(thenRejectedAt(given('statement.made', { actor, target: undefined }))).toEqual(['/actor']);
      },
    );

    it.each([undefined, null])('is required of every non-meta type (given %p)', (actor) => {
      expect(thenErrors(given('statement.made', { actor }))).toEqual([
        { path: '/actor', message: 'is required' },
      ]);
    });

    it.each(META_TYPES)('must be absent from the meta type %s', (type) => {
      expect(thenErrors(given(type, { actor: 'RUS' }))).toEqual([
        { path: '/actor', message: `must be absent: ${type} is a meta event and has no actor` },
      ]);
    });

    it('may be given as null on a meta type, as the stored event shows it', () => {
      expect(
        thenAccepted(given('event.retracted', { actor: null, target: [], cameo: null })).actor,
      ).toBeNull();
    });
  });

  describe('target', () => {
    it('turns a single actor id into a list of one', () => {
      expect(thenAccepted(given('statement.made', { target: 'RUS' })).target).toEqual(['RUS']);
    });

    it('keeps a list in the order given', () => {
      expect(thenAccepted(given('statement.made', { target: ['UKR', 'RUS.MIL'] })).target).toEqual([
        'UKR',
        'RUS.MIL',
      ]);
    });

    it('is an empty list when absent on a type where it is optional', () => {
      expect(thenAccepted(given('statement.made', { target: undefined })).target).toEqual([]);
    });

    it.each([
      ['a bad id in a list, at its index', ['RUS', 'ukr'], ['/target/1']],
      ['a repeated id, at the repeat', ['RUS', 'UKR', 'RUS'], ['/target/2']],
      ['the actor in a list, at its index', ['USA', 'RUS'], ['/target/0']],
      ['the actor given alone, at /target', 'USA', ['/target']],
      ['a bad id given alone, at /target', 'russia', ['/target']],
      ['neither a string nor an array', { id: 'RUS' }, ['/target']],
      ['null', null, ['/target']],
    ])('rejects %s', (_name, target, paths) => {
      expect(thenRejectedAt(given('statement.made', { target }))).toEqual(paths);
    });

    it.each(['demand.tabled', 'document.delivered'] as const)('needs at least one on %s', (type) => {
      expect(thenErrors(given(type, { target: undefined }))).toEqual([
        { path: '/target', message: `must name at least one target: ${type} is addressed to someone` },
      ]);
      expect(thenRejectedAt(given(type, { target: [] }))).toEqual(['/target']);
    });

    it.each(META_TYPES)('must be absent from the meta type %s, though an empty list is allowed', (type) => {
      expect(thenRejectedAt(given(type, { target: 'RUS' }))).toEqual(['/target']);
      expect(thenAccepted(given(type, { target: [] })).target).toEqual([]);
    });
  });

  describe('summary', () => {
    it.each([
      ['absent', undefined, 'is required'],
      ['not a string', 42, 'must be a string'],
      ['empty', '', 'must not be empty or blank'],
      ['blank', ' \n\t ', 'must not be empty or blank'],
      ['2001 characters', 'x'.repeat(2001), 'must be at most 2000 characters (has 2001)'],
      [
        'a carriage return (only line feed and tab are allowed)',
        'line\r\nbreak',
        'must not contain control characters other than line feed and tab (U+000D at 4)',
      ],
      [
        'a C0 control character',
        'bell\u0007',
        'must not contain control characters other than line feed and tab (U+0007 at 4)',
      ],
      ['DEL', 'del\u007f', 'must not contain control characters other than line feed and tab (U+007F at 3)'],
      [
        'a C1 control character',
        'next\u0085line',
        'must not contain control characters other than line feed and tab (U+0085 at 4)',
      ],
    ])('rejects a summary that is %s', (_name, summary, message) => {
      expect(thenErrors(given('statement.made', { summary }))).toEqual([{ path: '/summary', message }]);
    });

    it('accepts line feeds and tabs (the only control characters allowed)', () => {
      expect(thenAccepted(given('statement.made', { summary: 'first\n\tsecond' })).summary).toBe(
        'first\n\tsecond',
      );
    });

    it('counts characters as code points: 2000 emoji fit', () => {
      const summary = '🇺'.repeat(2000);
      expect(summary.length).toBe(4000);
      expect(thenAccepted(given('statement.made', { summary })).summary).toBe(summary);
    });

    it('accepts exactly 2000 characters and a single one', () => {
      expect(thenAccepted(given('statement.made', { summary: 'x'.repeat(2000) })).summary).toHaveLength(2000);
      expect(thenAccepted(given('statement.made', { summary: 'x' })).summary).toBe('x');
    });
  });

  describe('cameo', () => {
    it.each([
      ['statement.made', '010'],
      ['position.stated', '010'],
      ['appeal.made', '020'],
      ['demand.tabled', '100'],
      ['demand.rejected', '120'],
      ['demand.accepted', '080'],
      ['demand.withdrawn', '080'],
      ['document.delivered', '036'],
      ['meeting.proposed', '036'],
      ['meeting.scheduled', '036'],
      ['meeting.cancelled', '164'],
      ['pact.proposed', '030'],
      ['pact.signed', '057'],
      ['pact.suspended', '161'],
      ['forces.estimated', '010'],
      ['sanctions.threatened', '1312'],
      ['sanctions.imposed', '163'],
      ['relations.reduced', '160'],
      ['claim.disputed', '016'],
    ] as const)('defaults %s to %s', (type, cameo) => {
      expect(thenAccepted(given(type, { cameo: undefined })).cameo).toBe(cameo);
      expect(thenAccepted(given(type, { cameo: null })).cameo).toBe(cameo);
    });

    it.each([
      ['call', '041'],
      ['video', '041'],
      ['meeting', '044'],
      ['visit', '042'],
      ['multilateral', '040'],
    ])('defaults contact.held by mode %s to %s', (mode, cameo) => {
      expect(thenAccepted(givenData('contact.held', { mode })).cameo).toBe(cameo);
    });

    it.each([
      ['buildup', '154'],
      ['deployment', '154'],
      ['exercise', '150'],
      ['alert', '152'],
      ['withdrawal', '087'],
    ])('defaults forces.changed by posture %s to %s', (posture, cameo) => {
      expect(thenAccepted(givenData('forces.changed', { posture })).cameo).toBe(cameo);
    });

    it('keeps a given code over the default', () => {
      expect(thenAccepted(given('contact.held', { cameo: '111' })).cameo).toBe('111');
    });

    it('is required on event.recorded, which has no default', () => {
      expect(thenErrors(given('event.recorded', { cameo: undefined }))).toEqual([
        { path: '/cameo', message: 'is required: event.recorded has no default CAMEO code' },
      ]);
    });

    it.each(['999', '36', 36, ''])('rejects %p, which is not a code of cameo.json', (cameo) => {
      expect(thenRejectedAt(given('statement.made', { cameo }))).toEqual(['/cameo']);
    });

    it.each(META_TYPES)('is null on the meta type %s and must not be given', (type) => {
      expect(thenAccepted(example(type)).cameo).toBeNull();
      expect(thenRejectedAt(given(type, { cameo: '010' }))).toEqual(['/cameo']);
    });
  });

  describe('data', () => {
    it('is an empty object when absent from a type with no required field', () => {
      expect(thenAccepted(given('appeal.made', { data: undefined })).data).toEqual({});
    });

    it.each([[[]], ['text'], [null], [7]])('must be an object, not %p', (data) => {
      expect(thenErrors(given('appeal.made', { data }))).toEqual([
        { path: '/data', message: 'must be an object' },
      ]);
    });

    it('keeps fields the type does not name, as given', () => {
      const draft = thenAccepted(
        givenData('demand.tabled', { deadline: '2022-03-01', extra: { nested: [1, 2] } }),
      );
      expect(draft.data).toEqual({
        demandId: 'no-nato-membership-for-ukraine',
        text: 'Bar Ukraine from ever joining NATO',
        deadline: '2022-03-01',
        extra: { nested: [1, 2] },
      });
    });

    it('does not change the body it was given', () => {
      const body = given('claim.disputed', { data: { eventId: DISPUTED_EVENT_ID.toUpperCase() } });
      const copy = structuredClone(body);
      thenAccepted(body);
      expect(body).toEqual(copy);
    });

    it('reports the required fields at their own paths when data is absent', () => {
      expect(thenErrors(given('demand.tabled', { data: undefined }))).toEqual([
        { path: '/data/demandId', message: 'is required' },
        { path: '/data/text', message: 'is required' },
      ]);
    });

    it.each([
      ['standoff.described', 'title'],
      ['position.stated', 'topic'],
      ['position.stated', 'stance'],
      ['demand.tabled', 'demandId'],
      ['demand.tabled', 'text'],
      ['demand.rejected', 'demandId'],
      ['demand.accepted', 'demandId'],
      ['demand.withdrawn', 'demandId'],
      ['document.delivered', 'documentId'],
      ['document.delivered', 'kind'],
      ['contact.held', 'mode'],
      ['meeting.proposed', 'meetingId'],
      ['meeting.scheduled', 'meetingId'],
      ['meeting.scheduled', 'scheduledFor'],
      ['meeting.cancelled', 'meetingId'],
      ['pact.proposed', 'pactId'],
      ['pact.proposed', 'name'],
      ['pact.signed', 'pactId'],
      ['pact.suspended', 'pactId'],
      ['forces.changed', 'area'],
      ['forces.changed', 'posture'],
      ['forces.estimated', 'subject'],
      ['forces.estimated', 'area'],
      ['forces.estimated', 'troops'],
      ['claim.disputed', 'eventId'],
      ['event.retracted', 'eventId'],
      ['event.retracted', 'reason'],
      ['event.corrected', 'eventId'],
      ['event.corrected', 'set'],
    ] as const)('requires %s data.%s', (type, field) => {
      const body = givenData(type, { [field]: undefined });
      expect(thenErrors(body)).toEqual([{ path: `/data/${field}`, message: 'is required' }]);
    });

    it.each([
      ['standoff.described', 'description'],
      ['statement.made', 'topic'],
      ['statement.made', 'quote'],
      ['appeal.made', 'request'],
      ['document.delivered', 'inReplyTo'],
      ['document.delivered', 'title'],
      ['contact.held', 'level'],
      ['contact.held', 'place'],
      ['contact.held', 'meetingId'],
      ['contact.held', 'people'],
      ['meeting.proposed', 'participants'],
      ['meeting.proposed', 'proposedFor'],
      ['meeting.proposed', 'place'],
      ['meeting.proposed', 'conditions'],
      ['meeting.scheduled', 'place'],
      ['meeting.cancelled', 'reason'],
      ['pact.proposed', 'parties'],
      ['pact.signed', 'name'],
      ['pact.signed', 'parties'],
      ['forces.changed', 'troops'],
      ['sanctions.threatened', 'measures'],
      ['sanctions.imposed', 'measures'],
      ['relations.reduced', 'measure'],
      ['claim.disputed', 'reason'],
    ] as const)('lets %s leave out data.%s', (type, field) => {
      expect(thenAccepted(givenData(type, { [field]: undefined })).data).not.toHaveProperty(field);
    });

    it.each([
      ['standoff.described', 'title', ''],
      ['standoff.described', 'description', 42],
      ['statement.made', 'quote', ['a']],
      ['position.stated', 'stance', '   '],
      ['appeal.made', 'request', null],
      ['demand.tabled', 'text', { text: 'x' }],
      ['document.delivered', 'title', 7],
      ['contact.held', 'place', ''],
      ['meeting.proposed', 'conditions', false],
      ['meeting.cancelled', 'reason', ''],
      ['pact.proposed', 'name', ''],
      ['forces.changed', 'area', 3],
      ['event.retracted', 'reason', ''],
    ] as const)('rejects %s data.%s given as %p: text fields are non-empty strings', (type, field, value) => {
      expect(thenErrors(givenData(type, { [field]: value }))).toEqual([
        { path: `/data/${field}`, message: 'must be a non-empty string' },
      ]);
    });

    it.each([
      ['demand.tabled', 'demandId'],
      ['demand.rejected', 'demandId'],
      ['document.delivered', 'documentId'],
      ['document.delivered', 'inReplyTo'],
      ['contact.held', 'meetingId'],
      ['meeting.proposed', 'meetingId'],
      ['meeting.scheduled', 'meetingId'],
      ['meeting.cancelled', 'meetingId'],
      ['pact.proposed', 'pactId'],
      ['pact.signed', 'pactId'],
      ['pact.suspended', 'pactId'],
    ] as const)('checks %s data.%s against the entity id pattern', (type, field) => {
      for (const id of ['Upper-case', '-leading-hyphen', 'under_score', 'a'.repeat(65), '', 12]) {
        expect(thenRejectedAt(givenData(type, { [field]: id }))).toEqual([`/data/${field}`]);
      }
      for (const id of ['a', '0-9', 'a'.repeat(64), 'ru-draft-treaty-us']) {
        expect(thenAccepted(givenData(type, { [field]: id })).data[field]).toBe(id);
      }
    });

    it.each([
      ['document.delivered', 'kind', 'treaty', 'draft-treaty, proposal, response, letter, note'],
      ['contact.held', 'mode', 'phone', 'call, video, meeting, visit, multilateral'],
      [
        'contact.held',
        'level',
        'president',
        'head-of-state, head-of-government, minister, deputy, envoy, official',
      ],
      ['forces.changed', 'posture', 'retreat', 'buildup, exercise, deployment, alert, withdrawal'],
      ['relations.reduced', 'measure', 'sanctions', 'expulsion, drawdown, break'],
    ] as const)('rejects %s data.%s outside its values (%s)', (type, field, value, values) => {
      expect(thenErrors(givenData(type, { [field]: value }))).toEqual([
        { path: `/data/${field}`, message: `must be one of: ${values}` },
      ]);
    });

    describe('times in data', () => {
      it.each([
        ['meeting.proposed', 'proposedFor'],
        ['meeting.scheduled', 'scheduledFor'],
      ] as const)('checks %s data.%s like occurredAt, and keeps it as given', (type, field) => {
        expect(thenRejectedAt(givenData(type, { [field]: '2022-02-07T12:00' }))).toEqual([`/data/${field}`]);
        expect(thenRejectedAt(givenData(type, { [field]: '2222-02-07' }))).toEqual([`/data/${field}`]);
        expect(thenAccepted(givenData(type, { [field]: '2022-02-07T12:00:00Z' })).data[field]).toBe(
          '2022-02-07T12:00:00Z',
        );
      });
    });

    describe('forces.changed troops', () => {
      it.each([0, 1, 190000])('accepts %p', (troops) => {
        expect(thenAccepted(givenData('forces.changed', { troops })).data.troops).toBe(troops);
      });

      it.each([-1, 1.5, '100', null, 2 ** 53])('rejects %p: an integer ≥ 0', (troops) => {
        expect(thenErrors(givenData('forces.changed', { troops }))).toEqual([
          { path: '/data/troops', message: 'must be an integer ≥ 0' },
        ]);
      });
    });

    describe('forces.estimated', () => {
      it.each([{ min: 100000 }, { max: 130000 }, { min: 0, max: 0 }, { min: 5, max: 5 }])(
        'accepts troops %p',
        (troops) => {
          expect(thenAccepted(givenData('forces.estimated', { troops })).data.troops).toEqual(troops);
        },
      );

      it.each([
        ['neither bound', {}, '/data/troops', 'must give min, max or both'],
        [
          'min above max',
          { min: 130000, max: 100000 },
          '/data/troops',
          'min (130000) must not exceed max (100000)',
        ],
        ['a negative min', { min: -1, max: 5 }, '/data/troops/min', 'must be an integer ≥ 0'],
        ['a fractional max', { max: 2.5 }, '/data/troops/max', 'must be an integer ≥ 0'],
        ['a number', 100000, '/data/troops', 'must be an object { min, max }'],
      ])('rejects %s', (_name, troops, path, message) => {
        expect(thenErrors(givenData('forces.estimated', { troops }))).toEqual([{ path, message }]);
      });

      it('reports both bad bounds', () => {
        expect(thenRejectedAt(givenData('forces.estimated', { troops: { min: 'many', max: -3 } }))).toEqual([
          '/data/troops/min',
          '/data/troops/max',
        ]);
      });

      it('checks the subject as an actor id', () => {
        expect(thenRejectedAt(givenData('forces.estimated', { subject: 'russia' }))).toEqual([
          '/data/subject',
        ]);
      });
    });

    describe('events named in data', () => {
      it.each(['claim.disputed', 'event.retracted', 'event.corrected'] as const)(
        'requires %s data.eventId to be a UUID, and stores it lower-case',
        (type) => {
          expect(thenRejectedAt(givenData(type, { eventId: 'follow-up' }))).toEqual(['/data/eventId']);
          const upper = DISPUTED_EVENT_ID.toUpperCase();
          expect(thenAccepted(givenData(type, { eventId: upper })).data.eventId).toBe(DISPUTED_EVENT_ID);
        },
      );

      it('keeps an eventId field as given on a type that names no event', () => {
        const draft = thenAccepted(givenData('statement.made', { eventId: 'ABC' }));
        expect(draft.data.eventId).toBe('ABC');
      });
    });

    describe('contact.held people', () => {
      it.each([
        ['not an array', { name: 'Putin' }, ['/data/people']],
        ['an entry that is not an object', ['Putin'], ['/data/people/0']],
        ['an entry without a name', [{ name: 'Putin' }, { role: 'President' }], ['/data/people/1/name']],
        ['a bad role', [{ name: 'Putin', role: 1 }], ['/data/people/0/role']],
        ['a bad actor', [{ name: 'Putin', actor: 'rus' }], ['/data/people/0/actor']],
      ])('rejects %s', (_name, people, paths) => {
        expect(thenRejectedAt(givenData('contact.held', { people }))).toEqual(paths);
      });

      it('accepts an empty list and keeps extra fields of a person', () => {
        expect(thenAccepted(givenData('contact.held', { people: [] })).data.people).toEqual([]);
        const people = [{ name: 'Putin', born: 1952 }];
        expect(thenAccepted(givenData('contact.held', { people })).data.people).toEqual(people);
      });
    });

    describe('participants and parties', () => {
      it.each([
        ['meeting.proposed', 'participants'],
        ['pact.proposed', 'parties'],
        ['pact.signed', 'parties'],
      ] as const)('checks %s data.%s as a non-empty list of distinct actor ids', (type, field) => {
        expect(thenRejectedAt(givenData(type, { [field]: 'RUS' }))).toEqual([`/data/${field}`]);
        expect(thenRejectedAt(givenData(type, { [field]: [] }))).toEqual([`/data/${field}`]);
        expect(thenRejectedAt(givenData(type, { [field]: ['RUS', 'fra', 'RUS'] }))).toEqual([
          `/data/${field}/1`,
          `/data/${field}/2`,
        ]);
      });
    });

    describe('sanctions measures', () => {
      it.each(['sanctions.threatened', 'sanctions.imposed'] as const)(
        'checks %s data.measures as a non-empty list of non-empty strings',
        (type) => {
          expect(thenRejectedAt(givenData(type, { measures: 'export controls' }))).toEqual([
            '/data/measures',
          ]);
          expect(thenRejectedAt(givenData(type, { measures: [] }))).toEqual(['/data/measures']);
          expect(thenRejectedAt(givenData(type, { measures: ['ok', ''] }))).toEqual(['/data/measures/1']);
        },
      );
    });

    describe('event.corrected set', () => {
      const givenSet = (set: unknown) => givenData('event.corrected', { set });

      it('accepts every correctable field at once', () => {
        const set = {
          occurredAt: '2022-01-27T08:00:00Z',
          actor: 'NATO',
          target: ['RUS', 'BLR'],
          cameo: '036',
          summary: 'NATO delivered it, a day later',
          data: { title: 'Counterproposal', kind: 'proposal', obsolete: null },
        };
        expect(thenAccepted(givenSet(set)).data.set).toEqual(set);
      });

      it.each([
        ['not an object', 'occurredAt=2022-01-27', ['/data/set']],
        ['empty', {}, ['/data/set']],
        ['a field that cannot be corrected', { type: 'statement.made' }, ['/data/set/type']],
        ['reportedAt, which is not correctable', { reportedAt: '2022-01-27' }, ['/data/set/reportedAt']],
        ['a bad occurredAt', { occurredAt: '27 January 2022' }, ['/data/set/occurredAt']],
        ['a bad actor', { actor: 'nato' }, ['/data/set/actor']],
        ['a removed actor', { actor: null }, ['/data/set/actor']],
        ['a repeated target', { target: ['RUS', 'RUS'] }, ['/data/set/target/1']],
        ['a target equal to the actor it sets', { actor: 'USA', target: 'USA' }, ['/data/set/target']],
        ['a target that is not a list', { target: 42 }, ['/data/set/target']],
        ['an unknown cameo', { cameo: '999' }, ['/data/set/cameo']],
        ['a removed cameo', { cameo: null }, ['/data/set/cameo']],
        ['a bad summary', { summary: 'tab\u000b' }, ['/data/set/summary']],
        ['data that is not an object', { data: ['title'] }, ['/data/set/data']],
        ['empty data', { data: {} }, ['/data/set/data']],
        ['a removed entity id', { data: { demandId: null } }, ['/data/set/data/demandId']],
        ['a malformed entity id', { data: { documentId: 'Not An Id' } }, ['/data/set/data/documentId']],
      ])('rejects a set with %s', (_name, set, paths) => {
        expect(thenRejectedAt(givenSet(set))).toEqual(paths);
      });

      it('suggests the correctable field a typo meant', () => {
        expect(thenErrors(givenSet({ sumary: 'x' }))[0].message).toContain('did you mean summary?');
      });

      it('lets a set restate an entity id, which only the original can tell unchanged', () => {
        expect(
          thenAccepted(givenSet({ data: { meetingId: 'geneva-talks', place: 'Geneva' } })).data.set,
        ).toEqual({
          data: { meetingId: 'geneva-talks', place: 'Geneva' },
        });
      });
    });
  });

  describe('source', () => {
    it.each([
      [{ name: 'US State Department', url: 'https://www.state.gov/briefings/' }],
      [{ url: 'http://example.org/report' }],
      [{ name: 'seed article' }],
    ])('accepts %p', (source) => {
      expect(thenAccepted(given('statement.made', { source })).source).toEqual(source);
    });

    it.each([undefined, null, {}])('is null when given as %p', (source) => {
      expect(thenAccepted(given('statement.made', { source })).source).toBeNull();
    });

    it.each([
      ['a url that is not http(s)', { url: 'ftp://example.org/file' }, '/source/url'],
      ['a url that is not a url', { url: 'state.gov' }, '/source/url'],
      ['a javascript: url', { url: 'javascript:alert(1)' }, '/source/url'],
      ['a name that is not a string', { name: 3 }, '/source/name'],
      ['an unknown field', { name: 'x', publisher: 'y' }, '/source/publisher'],
      ['a string', 'US State Department', '/source'],
    ])('rejects %s', (_name, source, path) => {
      expect(thenRejectedAt(given('statement.made', { source }))).toEqual([path]);
    });
  });

  describe('values Postgres cannot store', () => {
    it('rejects U+0000 in any string, at the string', () => {
      const body = givenData('statement.made', { notes: ['fine', 'nul\u0000here'] });
      expect(thenErrors(body)).toEqual([
        { path: '/data/notes/1', message: 'must not contain the NUL character (U+0000)' },
      ]);
    });

    it('rejects U+0000 in a field name, at the object holding it', () => {
      expect(thenRejectedAt(givenData('statement.made', { extra: { 'a\u0000b': 1 } }))).toEqual([
        '/data/extra',
      ]);
    });

    it.each([
      ['the summary', { summary: 'x\ud800y' }, '/summary'],
      ['a data value', { data: { note: 'x\udc00' } }, '/data/note'],
      ['a source name', { source: { name: '\ud83d' } }, '/source/name'],
      ['a data key, at the object holding it', { data: { extra: { 'k\ud800': 1 } } }, '/data/extra'],
    ])('rejects a lone UTF-16 surrogate in %s', (_name, fields, path) => {
      const errors = thenErrors(given('statement.made', fields));
      expect(errors.map((e) => e.path)).toContain(path);
      expect(errors.find((e) => e.path === path)?.message).toMatch(/lone UTF-16 surrogate/);
    });

    it('accepts a well-formed surrogate pair (an emoji)', () => {
      expect(
        thenAccepted(given('statement.made', { summary: 'flag \ud83c\uddfa\ud83c\udde6' })).summary,
      ).toBe('flag \ud83c\uddfa\ud83c\udde6');
    });

    it('escapes ~ and / in the pointer it reports', () => {
      const body = givenData('statement.made', { 'a/b': { 'c~d': '\u0000' } });
      expect(thenRejectedAt(body)).toEqual(['/data/a~1b/c~0d']);
    });

    it('reports U+0000 in the summary once, as a control character', () => {
      expect(thenErrors(given('statement.made', { summary: 'a\u0000' }))).toEqual([
        {
          path: '/summary',
          message: 'must not contain control characters other than line feed and tab (U+0000 at 1)',
        },
      ]);
    });

    const nested = (levels: number): unknown => (levels <= 1 ? {} : { a: nested(levels - 1) });

    it(`accepts data nested ${MAX_NESTING_DEPTH} levels deep, counting data itself`, () => {
      expect(thenAccepted(given('event.recorded', { data: nested(MAX_NESTING_DEPTH) })).data).toEqual(
        nested(MAX_NESTING_DEPTH),
      );
    });

    it(`rejects data nested ${MAX_NESTING_DEPTH + 1} levels deep, at the level too deep`, () => {
      expect(thenErrors(given('event.recorded', { data: nested(MAX_NESTING_DEPTH + 1) }))).toEqual([
        { path: `/data${'/a'.repeat(MAX_NESTING_DEPTH)}`, message: 'nests deeper than 32 levels' },
      ]);
    });

    it('counts arrays as levels too', () => {
      let deep: unknown = [];
      for (let level = 1; level < 40; level++) deep = [deep];
      expect(thenRejectedAt(given('event.recorded', { data: { deep } }))).toEqual([
        `/data/deep${'/0'.repeat(MAX_NESTING_DEPTH - 1)}`,
      ]);
    });
  });

  describe('properties', () => {
    const anyField = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string(), fc.constantFrom(...EVENT_TYPES));
    const anyBody = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record(
        {
          type: anyField,
          occurredAt: anyField,
          reportedAt: anyField,
          actor: anyField,
          target: anyField,
          summary: anyField,
          cameo: anyField,
          data: anyField,
          source: anyField,
          eventId: anyField,
        },
        { requiredKeys: [] },
      ),
    );

    it('never throws, and reports each path once, as a JSON pointer', () => {
      fc.assert(
        fc.property(anyBody, (body) => {
          const result = whenValidated(body);
          if (result.ok) return;
          const paths = result.errors.map((error) => error.path);
          expect(result.errors.length).toBeGreaterThan(0);
          expect(new Set(paths).size).toBe(paths.length);
          for (const path of paths) expect(path === '' || path.startsWith('/')).toBe(true);
        }),
      );
    });

    it('rejects a valid event whose field is replaced by junk, at that field only', () => {
      const junk = fc.oneof(
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.integer(), { minLength: 1 }),
      );
      const field = fc.constantFrom(
        'type',
        'occurredAt',
        'reportedAt',
        'actor',
        'summary',
        'data',
        'eventId',
      );
      fc.assert(
        fc.property(fc.constantFrom(...EVENT_TYPES), field, junk, (type, name, value) => {
          fc.pre(!(value === null && META_TYPES.includes(type as never) && name === 'actor'));
          const paths = thenRejectedAt(given(type, { [name]: value }));
          expect(paths.length).toBeGreaterThan(0);
          for (const path of paths) expect(path === `/${name}` || path.startsWith(`/${name}/`)).toBe(true);
        }),
      );
    });
  });
});
