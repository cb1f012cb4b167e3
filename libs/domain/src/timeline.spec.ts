import {
  aCorrection,
  aDenial,
  aDispute,
  anEvent,
  aRetraction,
  given,
  startingAt,
  upTo,
} from './test-support/builders';
import { eventView } from './timeline';

describe('timeline', () => {
  const delivery = anEvent('document.delivered', {
    occurredAt: '2022-01-26',
    reportedAt: '2022-01-27T09:30:00+01:00',
    recordedAt: '2022-01-27T10:00:00Z',
    actor: 'USA',
    target: 'RUS',
    summary: 'The US delivers its written response',
    cameo: '036',
    data: { documentId: 'us-written-response', kind: 'response' },
    source: { name: 'State Department', url: 'https://www.state.gov/' },
  });

  it('returns each event in the shape of DESIGN.md §4', () => {
    expect(given(delivery).timeline()).toEqual([
      {
        eventId: delivery.eventId,
        standoffId: 'test-standoff',
        position: 1,
        type: 'document.delivered',
        occurredAt: '2022-01-26',
        reportedAt: '2022-01-27T08:30:00.000Z',
        recordedAt: '2022-01-27T10:00:00.000Z',
        actor: 'USA',
        target: ['RUS'],
        summary: 'The US delivers its written response',
        cameo: '036',
        goldstein: 4,
        quadClass: 'verbalCooperation',
        data: { documentId: 'us-written-response', kind: 'response' },
        source: { name: 'State Department', url: 'https://www.state.gov/' },
        status: 'accepted',
        disputedBy: [],
        void: false,
        retracted: false,
        correctedBy: [],
      },
    ]);
  });

  it('gives the fields as corrected, with the corrections and disputes known at knownAt', () => {
    const fix = aCorrection(
      delivery,
      { summary: 'NATO delivered it', actor: 'NATO', cameo: '0311' },
      {
        occurredAt: '2022-01-28',
      },
    );
    const dispute = aDispute(delivery, { occurredAt: '2022-01-29', actor: 'RUS' });
    const [view] = given(delivery, fix, dispute).timeline({ types: ['document.delivered'] });
    expect(view).toMatchObject({
      actor: 'NATO',
      summary: 'NATO delivered it',
      cameo: '0311',
      disputedBy: ['RUS'],
      correctedBy: [fix.eventId],
    });
    expect(given(delivery, fix, dispute).timeline({ knownAt: '2022-01-27' })[0]).toMatchObject({
      actor: 'USA',
      correctedBy: [],
      disputedBy: [],
    });
  });

  it('lists the included events in fold order: no meta events, disputes at their own occurredAt', () => {
    const denial = aDenial(delivery, { occurredAt: '2022-01-28' });
    const early = anEvent('statement.made', { occurredAt: '2022-01-20', actor: 'RUS' });
    const items = given(
      anEvent('standoff.described', { occurredAt: '2022-01-01', data: { title: 't' } }),
      denial,
      delivery,
      early,
    ).timeline();
    expect(items.map((i) => [i.type, i.void])).toEqual([
      ['statement.made', false],
      ['document.delivered', true],
      ['claim.disputed', false],
    ]);
  });

  it('leaves out retracted events unless asked, then marks them', () => {
    const retraction = aRetraction(delivery, { occurredAt: '2022-01-30' });
    expect(given(delivery, retraction).timeline()).toEqual([]);
    expect(given(delivery, retraction).timeline({ includeRetracted: true })).toMatchObject([
      { eventId: delivery.eventId, retracted: true },
    ]);
  });

  describe('filters', () => {
    const events = [
      anEvent('statement.made', { occurredAt: '2022-01-10', actor: 'RUS.MIL', target: 'UKR', cameo: '010' }),
      anEvent('statement.made', {
        occurredAt: '2022-01-11T10:00:00Z',
        actor: 'USA',
        target: 'RUS',
        cameo: '111',
      }),
      anEvent('appeal.made', {
        occurredAt: '2022-01-12',
        actor: 'USA',
        target: ['UKR', 'RUS'],
        cameo: '020',
      }),
    ];
    const ids = (items: { position: number }[]) => items.map((i) => i.position);

    it('from and to bound occurredAt, inclusive', () => {
      const scenario = given(...events);
      expect(ids(scenario.timeline({ from: startingAt('2022-01-11'), to: upTo('2022-01-11') }))).toEqual([2]);
      expect(ids(scenario.timeline({ from: startingAt('2022-01-11T10:00:00Z') }))).toEqual([2, 3]);
    });

    it('actors must all take part, as actor or target; RUS matches RUS.MIL', () => {
      const scenario = given(...events);
      expect(ids(scenario.timeline({ actors: ['RUS'] }))).toEqual([1, 2, 3]);
      expect(ids(scenario.timeline({ actors: ['RUS', 'UKR'] }))).toEqual([1, 3]);
      expect(ids(scenario.timeline({ actors: ['RUS.MIL'] }))).toEqual([1]);
      expect(ids(scenario.timeline({ actors: ['RU'] }))).toEqual([]);
    });

    it('types match any of them', () => {
      expect(ids(given(...events).timeline({ types: ['appeal.made', 'demand.tabled'] }))).toEqual([3]);
    });

    it('cameoPrefix matches the start of the code', () => {
      expect(ids(given(...events).timeline({ cameoPrefix: '01' }))).toEqual([1]);
      expect(ids(given(...events).timeline({ cameoPrefix: '1' }))).toEqual([2]);
    });
  });

  it('eventView formats a meta event too', () => {
    const description = anEvent('standoff.described', { occurredAt: '2021-12-15', data: { title: 'T' } });
    const known = given(description).knowledge().byId.get(description.eventId);
    expect(known && eventView(known)).toMatchObject({
      type: 'standoff.described',
      actor: null,
      cameo: null,
      goldstein: null,
      quadClass: null,
      status: 'accepted',
    });
  });
});
