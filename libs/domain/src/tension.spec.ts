import { aDenial, anEvent, aRetraction, given, startingAt, upTo } from './test-support/builders';
import { bucketStart } from './tension';

const zeroQuads = { verbalCooperation: 0, materialCooperation: 0, verbalConflict: 0, materialConflict: 0 };
const at = (occurredAt: string, cameo: string, actor = 'USA', target: string | string[] = 'RUS') =>
  anEvent('statement.made', { occurredAt, actor, target, cameo });

describe('tensionSeries', () => {
  it('counts events, Goldstein sum and mean and QuadClasses by the UTC day of occurredAt', () => {
    const series = given(
      at('2022-01-26', '036'),
      at('2022-01-26T23:30:00-01:00', '120'), // 00:30Z on the 27th
      at('2022-01-27', '163'),
    ).tension({ bucket: 'day' });
    expect(series).toEqual({
      bucket: 'day',
      series: [
        {
          start: '2022-01-26',
          end: '2022-01-26',
          events: 1,
          goldsteinSum: 4,
          goldsteinMean: 4,
          quadClass: { ...zeroQuads, verbalCooperation: 1 },
        },
        {
          start: '2022-01-27',
          end: '2022-01-27',
          events: 2,
          goldsteinSum: -12,
          goldsteinMean: -6,
          quadClass: { ...zeroQuads, verbalConflict: 1, materialConflict: 1 },
        },
      ],
    });
  });

  it('gives every bucket from `from` to `to`, empty ones with zeros', () => {
    const { series } = given(at('2022-01-27', '036')).tension({
      bucket: 'day',
      from: startingAt('2022-01-25'),
      to: upTo('2022-01-28'),
    });
    expect(series.map((p) => [p.start, p.events])).toEqual([
      ['2022-01-25', 0],
      ['2022-01-26', 0],
      ['2022-01-27', 1],
      ['2022-01-28', 0],
    ]);
    expect(series[0]).toEqual({
      start: '2022-01-25',
      end: '2022-01-25',
      events: 0,
      goldsteinSum: 0,
      goldsteinMean: 0,
      quadClass: zeroQuads,
    });
  });

  it('uses ISO weeks starting on Monday, each ending on Sunday', () => {
    const { series } = given(
      at('2022-01-26', '036'),
      at('2022-02-06', '036'),
      at('2022-02-07', '120'),
    ).tension({
      bucket: 'week',
    });
    expect(series.map((p) => [p.start, p.end, p.events])).toEqual([
      ['2022-01-24', '2022-01-30', 1],
      ['2022-01-31', '2022-02-06', 1],
      ['2022-02-07', '2022-02-13', 1],
    ]);
  });

  it('uses UTC months, each ending on its last day', () => {
    const { series } = given(at('2024-01-31T23:59:59Z', '036'), at('2024-03-01', '036')).tension({
      bucket: 'month',
    });
    expect(series.map((p) => [p.start, p.end, p.events])).toEqual([
      ['2024-01-01', '2024-01-31', 1],
      ['2024-02-01', '2024-02-29', 0],
      ['2024-03-01', '2024-03-31', 1],
    ]);
  });

  it('counts void events and disputes, not retracted or meta events', () => {
    const denied = at('2022-01-26', '036');
    const retracted = at('2022-01-26', '036');
    const { series } = given(
      denied,
      aDenial(denied, { occurredAt: '2022-01-26', cameo: '016' }),
      retracted,
      aRetraction(retracted, { occurredAt: '2022-01-26' }),
      anEvent('standoff.described', { occurredAt: '2022-01-26', data: { title: 't' } }),
    ).tension({ bucket: 'day' });
    expect(series).toMatchObject([{ events: 2, goldsteinSum: 2, goldsteinMean: 1 }]);
  });

  it('filters by actors taking part (all of them, sectors matching), knownAt and asOf', () => {
    const scenario = given(
      at('2022-01-26', '036', 'RUS.MIL', 'UKR'),
      at('2022-01-26', '120', 'USA', 'RUS'),
      anEvent('statement.made', {
        occurredAt: '2022-01-26',
        reportedAt: '2022-02-10',
        actor: 'RUS',
        cameo: '010',
      }),
      at('2022-02-05', '010', 'RUS', 'UKR'),
    );
    const events = (series: { events: number }[]) => series.map((p) => p.events);
    expect(events(scenario.tension({ bucket: 'month', actors: ['RUS', 'UKR'] }).series)).toEqual([1, 1]);
    expect(events(scenario.tension({ bucket: 'month', knownAt: '2022-02-09' }).series)).toEqual([2, 1]);
    expect(events(scenario.tension({ bucket: 'month' }).series)).toEqual([3, 1]);
    expect(scenario.tension({ bucket: 'month', asOf: upTo('2022-01-31') }).series).toMatchObject([
      { events: 3 },
    ]);
  });

  it('is empty with no event and no bounds', () => {
    expect(given().tension({ bucket: 'week' })).toEqual({ bucket: 'week', series: [] });
  });

  it('places days before 1970 in the right ISO week', () => {
    expect(bucketStart(Date.UTC(1969, 11, 31), 'week')).toBe(Date.UTC(1969, 11, 29));
    expect(bucketStart(Date.UTC(1900, 0, 1, 15), 'week')).toBe(Date.UTC(1900, 0, 1));
  });
});
