import { stateAt } from './state-at';
import {
  aCorrection,
  aDispute,
  anEvent,
  aRetraction,
  eventIdFor,
  given,
  upTo,
} from './test-support/builders';

const statement = (occurredAt: string, extra: { reportedAt?: string; actor?: string; cameo?: string } = {}) =>
  anEvent('statement.made', { occurredAt, ...extra, data: { topic: 't' } });

describe('stateAt', () => {
  describe('what it includes', () => {
    it('events that occurred by asOf', () => {
      const scenario = given(statement('2022-01-10'), statement('2022-01-11T08:00:00Z'));
      expect(scenario.stateAt({ asOf: '2022-01-10' }).eventCount).toBe(1);
      expect(scenario.stateAt({ asOf: '2022-01-11T07:59:59.999Z' }).eventCount).toBe(1);
      expect(scenario.stateAt({ asOf: '2022-01-11T08:00:00Z' }).eventCount).toBe(2);
    });

    it('events reported by knownAt: a backfill counts from its publication, not its recording', () => {
      const backfill = anEvent('statement.made', {
        occurredAt: '2021-12-01',
        reportedAt: '2021-12-02',
        recordedAt: '2022-03-01T00:00:00Z',
      });
      const scenario = given(backfill);
      expect(scenario.stateAt({ knownAt: '2021-12-01' }).eventCount).toBe(0);
      expect(scenario.stateAt({ knownAt: '2021-12-02' }).eventCount).toBe(1);
    });

    it('neither meta nor retracted events', () => {
      const retracted = statement('2022-01-10');
      const state = given(
        anEvent('standoff.described', { occurredAt: '2022-01-01', data: { title: 'T' } }),
        retracted,
        statement('2022-01-12'),
        aRetraction(retracted, { occurredAt: '2022-01-13' }),
      ).stateAt();
      expect(state.eventCount).toBe(1);
      expect(state.firstEventAt).toBe('2022-01-12');
    });

    it('events as corrected: a correction known at knownAt may move an event past asOf', () => {
      const moved = statement('2022-01-10');
      const fix = aCorrection(
        moved,
        { occurredAt: '2022-02-10' },
        { occurredAt: '2022-02-11', reportedAt: '2022-02-11' },
      );
      const scenario = given(moved, fix);
      expect(scenario.stateAt({ asOf: '2022-01-31', knownAt: '2022-02-10' }).eventCount).toBe(1);
      expect(scenario.stateAt({ asOf: '2022-01-31', knownAt: '2022-02-11' }).eventCount).toBe(0);
      expect(scenario.stateAt({ knownAt: '2022-02-11' }).firstEventAt).toBe('2022-02-10');
    });

    it('the disputed event only when it is included itself', () => {
      const later = statement('2022-02-10');
      const dispute = aDispute(later, { occurredAt: '2022-01-01' });
      expect(given(later, dispute).stateAt({ asOf: '2022-01-31' }).disputed).toEqual([]);
    });
  });

  describe('the header', () => {
    it('gives asOf and knownAt as instants, the version as given, and the first and last occurredAt', () => {
      const state = given(statement('2022-01-10T10:00:00+02:00'), statement('2022-01-09')).stateAt({
        asOf: '2022-01-31',
        knownAt: '2022-02-01T12:00:00Z',
        version: 42,
      });
      expect(state).toMatchObject({
        standoffId: 'test-standoff',
        title: null,
        asOf: '2022-01-31T23:59:59.999Z',
        knownAt: '2022-02-01T12:00:00.000Z',
        version: 42,
        eventCount: 2,
        firstEventAt: '2022-01-09',
        lastEventAt: '2022-01-10T08:00:00.000Z',
      });
    });

    it('has null first and last times with no event', () => {
      expect(given().stateAt()).toMatchObject({
        eventCount: 0,
        firstEventAt: null,
        lastEventAt: null,
        actors: [],
      });
    });

    it('names the actors taking part, sectors included, unknown ids with null', () => {
      const state = given(
        anEvent('statement.made', { occurredAt: '2022-01-10', actor: 'RUS.MIL', target: ['ZZZ', 'USA'] }),
        anEvent('statement.made', { occurredAt: '2022-01-11', actor: 'USA' }),
      ).stateAt();
      expect(state.actors).toEqual([
        { id: 'RUS.MIL', name: 'Russian Federation (military)', eventCount: 1 },
        { id: 'USA', name: 'United States', eventCount: 2 },
        { id: 'ZZZ', name: null, eventCount: 1 },
      ]);
    });
  });

  describe('lists', () => {
    it('sort by their first time field, then by their id fields in code-point order', () => {
      const position = (occurredAt: string, actor: string, topic: string) =>
        anEvent('position.stated', { occurredAt, actor, data: { topic, stance: 's' } });
      const state = given(
        position('2022-01-02', 'USA', 'b'),
        position('2022-01-01', 'USA', 'z'),
        position('2022-01-02', 'GBR', 'z'),
        position('2022-01-02', 'USA', 'B'),
        position('2022-01-02', 'USA', '\u{1F600}'),
        position('2022-01-02', 'USA', '\uFF5E'),
      ).stateAt();
      expect(state.positions.map((p) => [p.statedAt, p.actor, p.topic])).toEqual([
        ['2022-01-01', 'USA', 'z'],
        ['2022-01-02', 'GBR', 'z'],
        ['2022-01-02', 'USA', 'B'],
        ['2022-01-02', 'USA', 'b'],
        ['2022-01-02', 'USA', '\uFF5E'],
        ['2022-01-02', 'USA', '\u{1F600}'],
      ]);
    });

    it('sort meetings by the time they entered the state (their proposal or their creating schedule)', () => {
      const state = given(
        anEvent('meeting.proposed', { occurredAt: '2022-01-05', actor: 'RUS', data: { meetingId: 'b' } }),
        anEvent('meeting.scheduled', {
          occurredAt: '2022-01-03',
          actor: 'RUS',
          data: { meetingId: 'a', scheduledFor: '2022-02-01' },
        }),
      ).stateAt();
      expect(state.meetings.map((m) => m.meetingId)).toEqual(['a', 'b']);
    });

    it('sort the disputed events by eventId (they have no time field)', () => {
      const first = anEvent('statement.made', { occurredAt: '2022-01-01', eventId: eventIdFor(0xb) });
      const second = anEvent('statement.made', { occurredAt: '2022-01-02', eventId: eventIdFor(0xa) });
      const state = given(
        first,
        second,
        aDispute(first, { occurredAt: '2022-01-03' }),
        aDispute(second, { occurredAt: '2022-01-03' }),
      ).stateAt();
      expect(state.disputed.map((d) => d.eventId)).toEqual([second.eventId, first.eventId]);
    });
  });

  describe('tension', () => {
    it('sums the last 7 and 30 days before asOf, excluding their first instant and including asOf', () => {
      const events = [
        statement('2022-01-01T12:00:00Z', { cameo: '020' }), // +3.0: 31 days before asOf, out of both
        statement('2022-01-02T12:00:01Z', { cameo: '120' }), // −4.0: just inside 30 days
        statement('2022-01-25T12:00:00Z', { cameo: '163' }), // −8.0: exactly 7 days before, out of 7 days
        statement('2022-01-25T12:00:01Z', { cameo: '057' }), // +8.0
        statement('2022-02-01T12:00:00Z', { cameo: '042' }), // +1.9: at asOf
      ];
      const state = given(...events).stateAt({ asOf: '2022-02-01T12:00:00Z' });
      expect(state.tension).toEqual({
        last7Days: { events: 2, goldsteinSum: 9.9, goldsteinMean: 4.95 },
        last30Days: { events: 4, goldsteinSum: -2.1, goldsteinMean: -0.53 },
      });
    });

    it('rounds the mean to 2 decimals, half away from zero, and gives 0 for no event', () => {
      // −2.1 / 4 = −0.525 → −0.53; 1.9 / 3 = 0.6333… → 0.63
      const state = given(
        statement('2022-02-01', { cameo: '042' }),
        statement('2022-02-01', { cameo: '010' }),
        statement('2022-02-01', { cameo: '010' }),
      ).stateAt({ asOf: '2022-02-01' });
      expect(state.tension.last7Days).toEqual({ events: 3, goldsteinSum: 1.9, goldsteinMean: 0.63 });
      expect(given().stateAt().tension.last30Days).toEqual({ events: 0, goldsteinSum: 0, goldsteinMean: 0 });
    });

    it('keeps Goldstein sums exact (tenths)', () => {
      const many = Array.from({ length: 10 }, () => statement('2022-02-01', { cameo: '042' }));
      expect(given(...many).stateAt({ asOf: '2022-02-01' }).tension.last7Days.goldsteinSum).toBe(19);
    });
  });

  it('takes any order of the events it is given', () => {
    const a = statement('2022-01-01');
    const b = aDispute(a, { occurredAt: '2022-01-02' });
    const placed = given(a, b).events;
    const query = { standoffId: 's', asOf: upTo('2022-12-31'), knownAt: upTo('2022-12-31'), version: 2 };
    expect(stateAt([...placed].reverse(), query)).toEqual(stateAt(placed, query));
  });
});
