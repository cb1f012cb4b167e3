import { compareFoldOrder, isIncluded, latestTitle } from './knowledge';
import { aCorrection, aDenial, aDispute, anEvent, aRetraction, given } from './test-support/builders';

const followUp = () =>
  anEvent('document.delivered', {
    occurredAt: '2022-01-31',
    actor: 'RUS',
    target: 'USA',
    data: { documentId: 'ru-written-follow-up', kind: 'note', inReplyTo: 'us-written-response' },
  });

describe('the knowledge view', () => {
  it('knows the events reported by knownAt, and no other', () => {
    const early = anEvent('statement.made', { occurredAt: '2022-01-10', reportedAt: '2022-01-10' });
    const late = anEvent('statement.made', { occurredAt: '2022-01-05', reportedAt: '2022-01-20' });
    const view = given(early, late).knowledge('2022-01-15');
    expect(view.events.map((k) => k.event.eventId)).toEqual([early.eventId]);
    expect(view.byId.has(late.eventId)).toBe(false);
  });

  it('orders by occurredAt, then reportedAt, then position', () => {
    const a = anEvent('statement.made', { occurredAt: '2022-01-02', reportedAt: '2022-01-05' });
    const b = anEvent('statement.made', { occurredAt: '2022-01-02', reportedAt: '2022-01-03' });
    const c = anEvent('statement.made', { occurredAt: '2022-01-01', reportedAt: '2022-01-09' });
    const d = anEvent('statement.made', { occurredAt: '2022-01-02', reportedAt: '2022-01-03' });
    const { events } = given(a, b, c, d);
    expect(
      given(d, c, b, a)
        .knowledge()
        .events.map((k) => k.event.eventId),
    ).toEqual([c, d, b, a].map((e) => e.eventId));
    expect([...events].sort(compareFoldOrder).map((e) => e.eventId)).toEqual(
      [c, b, d, a].map((e) => e.eventId),
    );
  });

  describe('retractions', () => {
    it('take effect from their own reportedAt, whatever either occurredAt', () => {
      const statement = anEvent('statement.made', { occurredAt: '2022-01-10' });
      const retraction = aRetraction(statement, { occurredAt: '2022-03-01', reportedAt: '2022-01-20' });
      const scenario = given(statement, retraction);
      expect(scenario.knowledge('2022-01-19').byId.get(statement.eventId)?.retracted).toBe(false);
      expect(scenario.knowledge('2022-01-20').byId.get(statement.eventId)?.retracted).toBe(true);
      const known = scenario.knowledge('2022-01-20').byId.get(statement.eventId);
      expect(known && isIncluded(known)).toBe(false);
    });

    it('are final: a retraction naming a retraction is ignored', () => {
      const statement = anEvent('statement.made', { occurredAt: '2022-01-10' });
      const retraction = aRetraction(statement, { occurredAt: '2022-01-11' });
      const second = aRetraction(retraction, { occurredAt: '2022-01-12' });
      const view = given(statement, retraction, second).knowledge();
      expect(view.byId.get(statement.eventId)?.retracted).toBe(true);
      expect(view.byId.get(retraction.eventId)?.retracted).toBe(false);
    });
  });

  describe('corrections', () => {
    const statement = anEvent('statement.made', {
      occurredAt: '2022-01-10',
      actor: 'RUS',
      summary: 'first',
      data: { topic: 'a' },
    });

    it('apply in (reportedAt, position) order, whatever the order they were posted in', () => {
      const second = aCorrection(
        statement,
        { summary: 'second', data: { topic: 'b' } },
        {
          occurredAt: '2022-01-12',
          reportedAt: '2022-01-12',
        },
      );
      const first = aCorrection(
        statement,
        { summary: 'first fix', data: { quote: 'q' } },
        {
          occurredAt: '2022-01-11',
          reportedAt: '2022-01-11',
        },
      );
      const known = given(statement, second, first).knowledge().byId.get(statement.eventId);
      expect(known?.event.summary).toBe('second');
      expect(known?.event.data).toEqual({ topic: 'b', quote: 'q' });
      expect(known?.correctedBy).toEqual([first.eventId, second.eventId]);
    });

    it('apply by position when reported together', () => {
      const a = aCorrection(statement, { summary: 'a' }, { occurredAt: '2022-01-11' });
      const b = aCorrection(statement, { summary: 'b' }, { occurredAt: '2022-01-11' });
      expect(given(statement, a, b).knowledge().byId.get(statement.eventId)?.event.summary).toBe('b');
      expect(given(statement, b, a).knowledge().byId.get(statement.eventId)?.event.summary).toBe('a');
    });

    it('are not applied before they are reported', () => {
      const fix = aCorrection(
        statement,
        { summary: 'fixed' },
        { occurredAt: '2022-01-11', reportedAt: '2022-02-01' },
      );
      const known = given(statement, fix).knowledge('2022-01-31').byId.get(statement.eventId);
      expect(known?.event.summary).toBe('first');
      expect(known?.correctedBy).toEqual([]);
    });

    it('move the event in fold order when they move occurredAt', () => {
      const other = anEvent('statement.made', { occurredAt: '2022-01-15' });
      const fix = aCorrection(statement, { occurredAt: '2022-01-20' }, { occurredAt: '2022-01-21' });
      const view = given(statement, other, fix).knowledge();
      expect(
        view.events.filter((k) => k.event.type === 'statement.made').map((k) => k.event.eventId),
      ).toEqual([other.eventId, statement.eventId]);
    });

    it('no longer apply once retracted', () => {
      const fix = aCorrection(statement, { summary: 'fixed' }, { occurredAt: '2022-01-11' });
      const retraction = aRetraction(fix, { occurredAt: '2022-01-12' });
      const view = given(statement, fix, retraction).knowledge();
      expect(view.byId.get(statement.eventId)?.event.summary).toBe('first');
      expect(view.byId.get(fix.eventId)?.retracted).toBe(true);
    });
  });

  describe('disputes', () => {
    it('add the disputing actors to disputedBy, sorted and without repeats', () => {
      const document = followUp();
      const view = given(
        document,
        aDispute(document, { occurredAt: '2022-02-01', actor: 'USA' }),
        aDispute(document, { occurredAt: '2022-02-01', actor: 'GBR' }),
        aDispute(document, { occurredAt: '2022-02-02', actor: 'USA' }),
      ).knowledge();
      expect(view.byId.get(document.eventId)).toMatchObject({ disputedBy: ['GBR', 'USA'], void: false });
    });

    it('make the event void when its own actor disputes it, naming that actor, from the denial’s reportedAt', () => {
      const document = followUp();
      const denial = aDenial(document, { occurredAt: '2022-02-01', reportedAt: '2022-02-01' });
      const scenario = given(document, denial);
      expect(scenario.knowledge('2022-01-31').byId.get(document.eventId)).toMatchObject({
        void: false,
        disputedBy: [],
      });
      expect(scenario.knowledge('2022-02-01').byId.get(document.eventId)).toMatchObject({
        void: true,
        disputedBy: ['RUS'],
      });
    });

    it('are undone by their retraction', () => {
      const document = followUp();
      const denial = aDenial(document, { occurredAt: '2022-02-01' });
      const dispute = aDispute(document, { occurredAt: '2022-02-01', actor: 'USA' });
      const view = given(
        document,
        denial,
        dispute,
        aRetraction(denial, { occurredAt: '2022-02-02' }),
        aRetraction(dispute, { occurredAt: '2022-02-02' }),
      ).knowledge();
      expect(view.byId.get(document.eventId)).toMatchObject({ void: false, disputedBy: [] });
    });

    it('are judged on the disputed event as corrected', () => {
      const document = followUp();
      const dispute = aDispute(document, { occurredAt: '2022-02-01', actor: 'USA' });
      const fix = aCorrection(document, { actor: 'USA', target: 'RUS' }, { occurredAt: '2022-02-03' });
      const scenario = given(document, dispute, fix);
      expect(scenario.knowledge('2022-02-02').byId.get(document.eventId)).toMatchObject({
        disputedBy: ['USA'],
      });
      // Corrected, the event is the disputing actor's own: a self-denial, void, still naming its author.
      expect(scenario.knowledge('2022-02-03').byId.get(document.eventId)).toMatchObject({
        disputedBy: ['USA'],
        void: true,
      });
    });

    it('are judged as corrected themselves: correcting the dispute’s actor changes whether it voids', () => {
      const document = followUp();
      const denial = aDenial(document, { occurredAt: '2022-02-01' });
      const fix = aCorrection(denial, { actor: 'FRA' }, { occurredAt: '2022-02-03' });
      const scenario = given(document, denial, fix);
      expect(scenario.knowledge('2022-02-02').byId.get(document.eventId)).toMatchObject({ void: true });
      expect(scenario.knowledge('2022-02-03').byId.get(document.eventId)).toMatchObject({
        void: false,
        disputedBy: ['FRA'],
      });
    });

    it('count whatever asOf and whatever the disputed event’s occurredAt', () => {
      const document = followUp();
      const denial = aDenial(document, { occurredAt: '2025-01-01', reportedAt: '2022-02-01' });
      expect(given(document, denial).knowledge('2022-02-01').byId.get(document.eventId)?.void).toBe(true);
    });

    it('of a dispute or of a meta event are ignored', () => {
      const document = followUp();
      const dispute = aDispute(document, { occurredAt: '2022-02-01', actor: 'USA' });
      const title = anEvent('standoff.described', { occurredAt: '2022-01-01', data: { title: 'T' } });
      const view = given(
        document,
        dispute,
        title,
        aDispute(dispute, { occurredAt: '2022-02-02', actor: 'GBR' }),
        aDispute(title, { occurredAt: '2022-02-02', actor: 'GBR' }),
      ).knowledge();
      expect(view.byId.get(dispute.eventId)?.disputedBy).toEqual([]);
      expect(view.byId.get(title.eventId)?.disputedBy).toEqual([]);
    });
  });

  describe('the title', () => {
    it('is the latest known description in fold order, whatever asOf', () => {
      const first = anEvent('standoff.described', { occurredAt: '2021-12-01', data: { title: 'First' } });
      const renamed = anEvent('standoff.described', {
        occurredAt: '2022-06-01',
        reportedAt: '2022-06-02',
        data: { title: 'Renamed' },
      });
      const scenario = given(renamed, first);
      expect(latestTitle(scenario.knowledge('2022-06-01'))).toBe('First');
      expect(latestTitle(scenario.knowledge('2022-06-02'))).toBe('Renamed');
      expect(scenario.stateAt({ asOf: '2021-12-01', knownAt: '2022-06-02' }).title).toBe('Renamed');
    });

    it('is null when no description is known', () => {
      expect(
        latestTitle(given(anEvent('statement.made', { occurredAt: '2022-01-01' })).knowledge()),
      ).toBeNull();
    });
  });
});
