import type { FoldState } from './state';
import { evolve, foldEvents, foldEventsOnto, initialState } from './fold';
import { knowledgeView, unmarked } from './knowledge';
import { includedEvents, toStandoffStateView } from './state-at';
import { aDenial, aDispute, anEvent, aRetraction, given, withoutProvenance } from './test-support/builders';

const demand = (extra: { occurredAt?: string; actor?: string; target?: string[] } = {}) =>
  anEvent('demand.tabled', {
    occurredAt: extra.occurredAt ?? '2021-12-17',
    actor: extra.actor ?? 'RUS',
    target: extra.target ?? ['USA', 'NATO'],
    data: { demandId: 'no-nato-membership-for-ukraine', text: 'Bar Ukraine from ever joining NATO' },
  });
const stance = (
  type: 'demand.rejected' | 'demand.accepted' | 'demand.withdrawn',
  actor: string,
  occurredAt: string,
) =>
  anEvent(type, { occurredAt, actor, target: 'RUS', data: { demandId: 'no-nato-membership-for-ukraine' } });
const document = (
  documentId: string,
  actor: string,
  target: string | string[],
  occurredAt: string,
  kind: string,
  inReplyTo?: string,
) => anEvent('document.delivered', { occurredAt, actor, target, data: { documentId, kind, inReplyTo } });

describe('the fold', () => {
  describe('demand.tabled', () => {
    it('tables a demand from the actor to the sorted targets', () => {
      const state = given(demand()).stateAt();
      expect(withoutProvenance(state.demands)).toEqual([
        {
          demandId: 'no-nato-membership-for-ukraine',
          issuer: 'RUS',
          addressees: ['NATO', 'USA'],
          text: 'Bar Ukraine from ever joining NATO',
          status: 'tabled',
          tabledAt: '2021-12-17',
          rejectedBy: [],
          acceptedBy: [],
          updatedAt: '2021-12-17',
        },
      ]);
    });

    it('does not table it again under the same id', () => {
      const again = anEvent('demand.tabled', {
        occurredAt: '2022-01-01',
        actor: 'USA',
        target: 'RUS',
        data: { demandId: 'no-nato-membership-for-ukraine', text: 'other' },
      });
      expect(given(demand(), again).stateAt().demands).toMatchObject([
        { issuer: 'RUS', text: expect.any(String) },
      ]);
      expect(given(demand(), again).stateAt().demands[0].text).toBe('Bar Ukraine from ever joining NATO');
    });
  });

  describe('demand.rejected and demand.accepted', () => {
    it('make the demand rejected when only rejections stand', () => {
      const state = given(demand(), stance('demand.rejected', 'USA', '2022-01-26')).stateAt();
      expect(state.demands[0]).toMatchObject({
        status: 'rejected',
        rejectedBy: ['USA'],
        updatedAt: '2022-01-26',
      });
    });

    it('make the demand accepted when only acceptances stand', () => {
      const state = given(demand(), stance('demand.accepted', 'USA', '2022-01-26')).stateAt();
      expect(state.demands[0]).toMatchObject({ status: 'accepted', acceptedBy: ['USA'], rejectedBy: [] });
    });

    it('make the demand contested when both stand', () => {
      const state = given(
        demand(),
        stance('demand.rejected', 'USA', '2022-01-26'),
        stance('demand.accepted', 'HUN', '2022-01-27'),
      ).stateAt();
      expect(state.demands[0]).toMatchObject({
        status: 'contested',
        rejectedBy: ['USA'],
        acceptedBy: ['HUN'],
      });
    });

    it('keep each actor’s latest stance only', () => {
      const scenario = given(
        demand(),
        stance('demand.rejected', 'USA', '2022-01-26'),
        stance('demand.rejected', 'NATO', '2022-01-26'),
        stance('demand.accepted', 'USA', '2022-02-10'),
      );
      expect(scenario.stateAt({ asOf: '2022-02-01' }).demands[0]).toMatchObject({
        status: 'rejected',
        rejectedBy: ['NATO', 'USA'],
        acceptedBy: [],
      });
      expect(scenario.stateAt({ asOf: '2022-02-10' }).demands[0]).toMatchObject({
        status: 'contested',
        rejectedBy: ['NATO'],
        acceptedBy: ['USA'],
        updatedAt: '2022-02-10',
      });
    });

    it('are skipped when dated before the tabling, and still counted', () => {
      const state = given(stance('demand.rejected', 'USA', '2021-12-01'), demand()).stateAt();
      expect(state.demands[0]).toMatchObject({ status: 'tabled', rejectedBy: [] });
      expect(state.eventCount).toBe(2);
    });
  });

  describe('demand.withdrawn', () => {
    it('withdraws the demand for good, whatever follows', () => {
      const state = given(
        demand(),
        stance('demand.withdrawn', 'RUS', '2022-03-01'),
        stance('demand.accepted', 'USA', '2022-03-02'),
      ).stateAt();
      expect(state.demands[0]).toMatchObject({
        status: 'withdrawn',
        acceptedBy: ['USA'],
        updatedAt: '2022-03-02',
      });
    });

    it('is skipped when its actor is not the issuer', () => {
      const state = given(demand(), stance('demand.withdrawn', 'USA', '2022-03-01')).stateAt();
      expect(state.demands[0].status).toBe('tabled');
    });
  });

  describe('document.delivered', () => {
    it('lists the document from its author to the sorted recipients', () => {
      const state = given(
        document('us-written-response', 'USA', ['RUS', 'BLR'], '2022-01-26', 'letter'),
      ).stateAt();
      expect(withoutProvenance(state.documents)).toEqual([
        {
          documentId: 'us-written-response',
          author: 'USA',
          recipients: ['BLR', 'RUS'],
          kind: 'letter',
          inReplyTo: null,
          deliveredAt: '2022-01-26',
          status: 'delivered',
          disputedBy: [],
        },
      ]);
    });

    it.each(['draft-treaty', 'proposal', 'response'])(
      'opens an awaited reply from each recipient of a %s',
      (kind) => {
        const state = given(document('d', 'USA', ['RUS', 'BLR'], '2022-01-26', kind)).stateAt();
        expect(withoutProvenance(state.awaiting)).toEqual([
          { from: 'BLR', to: 'USA', documentId: 'd', since: '2022-01-26' },
          { from: 'RUS', to: 'USA', documentId: 'd', since: '2022-01-26' },
        ]);
      },
    );

    it.each(['letter', 'note'])('opens no awaited reply for a %s', (kind) => {
      expect(given(document('d', 'USA', 'RUS', '2022-01-26', kind)).stateAt().awaiting).toEqual([]);
    });

    it('closes its author’s awaited reply to the document it replies to, whatever its kind', () => {
      const state = given(
        document('draft', 'RUS', ['USA', 'NATO'], '2021-12-15', 'draft-treaty'),
        document('us-note', 'USA', 'RUS', '2022-01-26', 'note', 'draft'),
      ).stateAt();
      expect(withoutProvenance(state.awaiting)).toEqual([
        { from: 'NATO', to: 'RUS', documentId: 'draft', since: '2021-12-15' },
      ]);
    });

    it('closes nothing when the document it replies to was not addressed to its author', () => {
      const state = given(
        document('draft', 'RUS', 'USA', '2021-12-15', 'draft-treaty'),
        document('gb-note', 'GBR', 'RUS', '2022-01-26', 'note', 'draft'),
      ).stateAt();
      expect(withoutProvenance(state.awaiting)).toEqual([
        { from: 'USA', to: 'RUS', documentId: 'draft', since: '2021-12-15' },
      ]);
    });

    it('closes nothing when dated before the document it replies to', () => {
      const state = given(
        document('draft', 'RUS', 'USA', '2021-12-15', 'draft-treaty'),
        document('early', 'USA', 'RUS', '2021-12-01', 'note', 'draft'),
      ).stateAt();
      expect(state.awaiting).toHaveLength(1);
    });

    it('is disputed when others dispute it', () => {
      const delivered = document('d', 'USA', 'RUS', '2022-01-26', 'response');
      const state = given(
        delivered,
        aDispute(delivered, { occurredAt: '2022-01-27', actor: 'RUS' }),
      ).stateAt();
      expect(state.documents[0]).toMatchObject({ status: 'disputed', disputedBy: ['RUS'] });
      expect(state.awaiting).toHaveLength(1);
    });

    it('is listed void, disputed by its author, when its author denies it, and opens no awaited reply', () => {
      const delivered = document('d', 'USA', 'RUS', '2022-01-26', 'response');
      const state = given(delivered, aDenial(delivered, { occurredAt: '2022-01-27' })).stateAt();
      expect(state.documents[0]).toMatchObject({ documentId: 'd', status: 'void', disputedBy: ['USA'] });
      expect(state.awaiting).toEqual([]);
    });

    it('reopens the awaited reply when the author denies its own follow-up', () => {
      const usResponse = document('us-written-response', 'USA', 'RUS', '2022-01-26', 'response');
      const followUp = document('ru-follow-up', 'RUS', 'USA', '2022-01-31', 'note', 'us-written-response');
      const denial = aDenial(followUp, { occurredAt: '2022-02-01' });
      expect(
        withoutProvenance(given(usResponse, followUp, denial).stateAt({ asOf: '2022-02-01' }).awaiting),
      ).toEqual([{ from: 'RUS', to: 'USA', documentId: 'us-written-response', since: '2022-01-26' }]);
    });
  });

  describe('contact.held', () => {
    it('counts a contact for every pair among actor and targets, by mode', () => {
      const contact = (occurredAt: string, mode: string) =>
        anEvent('contact.held', { occurredAt, actor: 'USA', target: ['RUS', 'FRA'], data: { mode } });
      const state = given(contact('2022-01-10', 'call'), contact('2022-01-12', 'video')).stateAt();
      const byMode = { call: 1, video: 1, meeting: 0, visit: 0, multilateral: 0 };
      expect(withoutProvenance(state.contacts)).toEqual([
        { actors: ['FRA', 'RUS'], count: 2, lastAt: '2022-01-12', byMode },
        { actors: ['FRA', 'USA'], count: 2, lastAt: '2022-01-12', byMode },
        { actors: ['RUS', 'USA'], count: 2, lastAt: '2022-01-12', byMode },
      ]);
    });

    it('lists contacts by their last contact, then by the pair', () => {
      const state = given(
        anEvent('contact.held', {
          occurredAt: '2022-01-12',
          actor: 'GBR',
          target: 'UKR',
          data: { mode: 'visit' },
        }),
        anEvent('contact.held', {
          occurredAt: '2022-01-10',
          actor: 'USA',
          target: 'RUS',
          data: { mode: 'call' },
        }),
      ).stateAt();
      expect(state.contacts.map((c) => c.actors)).toEqual([
        ['RUS', 'USA'],
        ['GBR', 'UKR'],
      ]);
    });

    it('makes the meeting it names held', () => {
      const state = given(
        anEvent('meeting.proposed', {
          occurredAt: '2022-02-01',
          actor: 'RUS',
          target: 'FRA',
          data: { meetingId: 'm' },
        }),
        anEvent('contact.held', {
          occurredAt: '2022-02-07T15:00:00Z',
          actor: 'RUS',
          target: 'FRA',
          data: { mode: 'meeting', meetingId: 'm' },
        }),
      ).stateAt();
      expect(state.meetings[0]).toMatchObject({ status: 'held', heldAt: '2022-02-07T15:00:00.000Z' });
      expect(state.contacts[0].byMode.meeting).toBe(1);
    });
  });

  describe('meetings', () => {
    const proposed = anEvent('meeting.proposed', {
      occurredAt: '2022-02-01',
      actor: 'RUS',
      target: 'FRA',
      data: {
        meetingId: 'putin-macron',
        proposedFor: '2022-02-07',
        place: 'Moscow',
        conditions: { table: 'long' },
      },
    });

    it('meeting.proposed proposes it, participants defaulting to actor and targets', () => {
      expect(withoutProvenance(given(proposed).stateAt().meetings)).toEqual([
        {
          meetingId: 'putin-macron',
          participants: ['FRA', 'RUS'],
          status: 'proposed',
          proposedAt: '2022-02-01',
          proposedFor: '2022-02-07',
          scheduledFor: null,
          heldAt: null,
          cancelledAt: null,
          place: 'Moscow',
          conditions: { table: 'long' },
        },
      ]);
    });

    it('meeting.scheduled schedules it', () => {
      const scheduled = anEvent('meeting.scheduled', {
        occurredAt: '2022-02-03',
        actor: 'FRA',
        target: 'RUS',
        data: { meetingId: 'putin-macron', scheduledFor: '2022-02-07T12:00:00+03:00' },
      });
      expect(given(proposed, scheduled).stateAt().meetings[0]).toMatchObject({
        status: 'scheduled',
        proposedAt: '2022-02-01',
        scheduledFor: '2022-02-07T09:00:00.000Z',
        place: 'Moscow',
      });
    });

    it('meeting.scheduled creates the meeting when new', () => {
      const scheduled = anEvent('meeting.scheduled', {
        occurredAt: '2022-02-03',
        actor: 'FRA',
        target: ['RUS'],
        data: { meetingId: 'new-meeting', scheduledFor: '2022-02-07', place: 'Kremlin' },
      });
      expect(withoutProvenance(given(scheduled).stateAt().meetings)).toEqual([
        {
          meetingId: 'new-meeting',
          participants: ['FRA', 'RUS'],
          status: 'scheduled',
          proposedAt: null,
          proposedFor: null,
          scheduledFor: '2022-02-07',
          heldAt: null,
          cancelledAt: null,
          place: 'Kremlin',
          conditions: null,
        },
      ]);
    });

    it('meeting.cancelled cancels it', () => {
      const cancelled = anEvent('meeting.cancelled', {
        occurredAt: '2022-02-05',
        actor: 'FRA',
        data: { meetingId: 'putin-macron' },
      });
      expect(given(proposed, cancelled).stateAt().meetings[0]).toMatchObject({
        status: 'cancelled',
        cancelledAt: '2022-02-05',
      });
    });

    it('meeting.cancelled is skipped when the proposal was retracted', () => {
      const cancelled = anEvent('meeting.cancelled', {
        occurredAt: '2022-02-05',
        actor: 'FRA',
        data: { meetingId: 'putin-macron' },
      });
      const state = given(proposed, cancelled, aRetraction(proposed, { occurredAt: '2022-02-06' })).stateAt();
      expect(state.meetings).toEqual([]);
      expect(state.eventCount).toBe(1);
    });
  });

  describe('pacts', () => {
    const proposed = anEvent('pact.proposed', {
      occurredAt: '2022-02-01',
      actor: 'UKR',
      target: ['POL', 'GBR'],
      data: { pactId: 'trilateral', name: 'Trilateral pact' },
    });

    it('pact.proposed puts it in preparation, parties defaulting to actor and targets', () => {
      expect(withoutProvenance(given(proposed).stateAt().pacts)).toEqual([
        {
          pactId: 'trilateral',
          name: 'Trilateral pact',
          parties: ['GBR', 'POL', 'UKR'],
          status: 'in-preparation',
          since: '2022-02-01',
        },
      ]);
    });

    it('pact.signed signs it, then pact.suspended suspends it', () => {
      const signed = anEvent('pact.signed', {
        occurredAt: '2022-02-17',
        actor: 'UKR',
        data: { pactId: 'trilateral' },
      });
      const suspended = anEvent('pact.suspended', {
        occurredAt: '2022-03-01',
        actor: 'POL',
        data: { pactId: 'trilateral' },
      });
      const scenario = given(proposed, signed, suspended);
      expect(scenario.stateAt({ asOf: '2022-02-20' }).pacts[0]).toMatchObject({
        status: 'signed',
        since: '2022-02-17',
      });
      expect(scenario.stateAt().pacts[0]).toMatchObject({
        status: 'suspended',
        since: '2022-03-01',
        name: 'Trilateral pact',
      });
    });

    it('pact.signed creates the pact when new', () => {
      const signed = anEvent('pact.signed', {
        occurredAt: '2022-02-17',
        actor: 'UKR',
        target: 'TUR',
        data: { pactId: 'grain', name: 'Grain deal', parties: ['UKR', 'TUR', 'UN'] },
      });
      expect(withoutProvenance(given(signed).stateAt().pacts)).toEqual([
        {
          pactId: 'grain',
          name: 'Grain deal',
          parties: ['TUR', 'UKR', 'UN'],
          status: 'signed',
          since: '2022-02-17',
        },
      ]);
    });

    it('pact.suspended is skipped for a missing pact', () => {
      const suspended = anEvent('pact.suspended', {
        occurredAt: '2022-03-01',
        actor: 'POL',
        data: { pactId: 'x' },
      });
      expect(given(suspended).stateAt().pacts).toEqual([]);
    });
  });

  describe('forces.changed', () => {
    it('sets the actor’s posture and troops in the area, with its disputes', () => {
      const buildup = anEvent('forces.changed', {
        occurredAt: '2021-11-10',
        actor: 'RUS.MIL',
        data: { area: 'Ukraine border', posture: 'buildup', troops: 100000 },
      });
      const exercise = anEvent('forces.changed', {
        occurredAt: '2022-02-10',
        actor: 'RUS.MIL',
        data: { area: 'Ukraine border', posture: 'exercise', troops: 130000 },
      });
      const dispute = aDispute(exercise, { occurredAt: '2022-02-11', actor: 'USA' });
      expect(withoutProvenance(given(buildup, exercise, dispute).stateAt().forces)).toEqual([
        {
          actor: 'RUS.MIL',
          area: 'Ukraine border',
          posture: 'exercise',
          troops: 130000,
          since: '2022-02-10',
          disputedBy: ['USA'],
        },
      ]);
    });
  });

  describe('forces.estimated', () => {
    it('keeps the latest estimate per subject, area and estimator', () => {
      const estimate = (actor: string, occurredAt: string, min: number, max?: number) =>
        anEvent('forces.estimated', {
          occurredAt,
          actor,
          data: {
            subject: 'RUS',
            area: 'Ukraine border',
            troops: max === undefined ? { min } : { min, max },
          },
        });
      const state = given(
        estimate('USA', '2022-01-01', 100000, 120000),
        estimate('UKR', '2022-01-05', 90000),
        estimate('USA', '2022-02-01', 130000, 150000),
      ).stateAt();
      expect(withoutProvenance(state.estimates)).toEqual([
        {
          subject: 'RUS',
          area: 'Ukraine border',
          estimator: 'UKR',
          troops: { min: 90000, max: null },
          at: '2022-01-05',
        },
        {
          subject: 'RUS',
          area: 'Ukraine border',
          estimator: 'USA',
          troops: { min: 130000, max: 150000 },
          at: '2022-02-01',
        },
      ]);
    });
  });

  describe('position.stated', () => {
    it('keeps the actor’s latest stance on the topic', () => {
      const position = (occurredAt: string, stance: string) =>
        anEvent('position.stated', { occurredAt, actor: 'USA', data: { topic: 'sovereignty', stance } });
      const positions = given(position('2022-01-01', 'old'), position('2022-02-01', 'new')).stateAt()
        .positions;
      expect(withoutProvenance(positions)).toEqual([
        { actor: 'USA', topic: 'sovereignty', stance: 'new', statedAt: '2022-02-01' },
      ]);
    });
  });

  describe('sanctions', () => {
    it('threatens each target, then imposes on it', () => {
      const threat = anEvent('sanctions.threatened', {
        occurredAt: '2022-01-20',
        actor: 'USA',
        target: ['RUS', 'BLR'],
        data: { measures: ['export controls'] },
      });
      const imposed = anEvent('sanctions.imposed', {
        occurredAt: '2022-02-22',
        actor: 'USA',
        target: 'RUS',
        data: { measures: ['Nord Stream 2'] },
      });
      expect(withoutProvenance(given(threat, imposed).stateAt().sanctions)).toEqual([
        {
          by: 'USA',
          against: 'BLR',
          status: 'threatened',
          measures: ['export controls'],
          since: '2022-01-20',
        },
        { by: 'USA', against: 'RUS', status: 'imposed', measures: ['Nord Stream 2'], since: '2022-02-22' },
      ]);
    });
  });

  describe('statuses', () => {
    it('follow the latest event in fold order: a sanction threatened after its imposition is threatened again', () => {
      const sanction = (type: string, occurredAt: string) =>
        anEvent(type, { occurredAt, actor: 'USA', target: 'RUS', data: { measures: type } });
      const state = given(
        sanction('sanctions.imposed', '2022-02-22'),
        sanction('sanctions.threatened', '2022-03-01'),
      ).stateAt();
      expect(state.sanctions).toMatchObject([{ status: 'threatened', measures: 'sanctions.threatened' }]);
    });

    it('follow the latest event in fold order: a cancelled meeting scheduled again is scheduled', () => {
      const meeting = (type: string, occurredAt: string) =>
        anEvent(type, { occurredAt, actor: 'RUS', data: { meetingId: 'm', scheduledFor: '2022-03-10' } });
      const state = given(
        meeting('meeting.proposed', '2022-02-01'),
        meeting('meeting.cancelled', '2022-02-05'),
        meeting('meeting.scheduled', '2022-02-07'),
      ).stateAt();
      expect(state.meetings).toMatchObject([
        { status: 'scheduled', cancelledAt: '2022-02-05', scheduledFor: '2022-03-10' },
      ]);
    });
  });

  describe.each([
    ['statement.made', { topic: 't', quote: 'q' }],
    ['appeal.made', { request: 'r' }],
    ['relations.reduced', { measure: 'expulsion' }],
    ['event.recorded', { anything: true }],
    ['a.future.type', {}],
  ])('%s', (type, data) => {
    it('counts in the event count and the actors only', () => {
      const state = given(
        anEvent(type, { occurredAt: '2022-01-10', actor: 'USA', target: 'RUS', data, cameo: '010' }),
      ).stateAt();
      expect(state).toMatchObject({
        eventCount: 1,
        actors: [
          { id: 'RUS', name: 'Russian Federation', eventCount: 1 },
          { id: 'USA', name: 'United States', eventCount: 1 },
        ],
        demands: [],
        documents: [],
        contacts: [],
        positions: [],
      });
    });
  });

  describe('claim.disputed', () => {
    it('lists the disputed event with its disputants, and counts as an event itself', () => {
      const statement = anEvent('position.stated', {
        occurredAt: '2022-01-10',
        actor: 'RUS',
        data: { topic: 'invasion', stance: 'no plans to invade' },
      });
      const state = given(
        statement,
        aDispute(statement, { occurredAt: '2022-01-11', actor: 'USA' }),
      ).stateAt();
      expect(withoutProvenance(state.disputed)).toEqual([
        {
          eventId: statement.eventId,
          type: 'position.stated',
          actor: 'RUS',
          disputedBy: ['USA'],
          void: false,
        },
      ]);
      expect(state.positions).toHaveLength(1);
      expect(state.eventCount).toBe(2);
    });

    it('leaves a void event in the counts and out of the lists', () => {
      const statement = anEvent('position.stated', {
        occurredAt: '2022-01-10',
        actor: 'RUS',
        data: { topic: 'invasion', stance: 'no plans to invade' },
      });
      const state = given(statement, aDenial(statement, { occurredAt: '2022-01-11' })).stateAt();
      expect(state.positions).toEqual([]);
      expect(state.disputed).toMatchObject([{ eventId: statement.eventId, void: true }]);
      expect(state.eventCount).toBe(2);
    });
  });

  describe('as a Decider', () => {
    const events = [
      demand(),
      stance('demand.rejected', 'USA', '2022-01-26'),
      document('d', 'USA', 'RUS', '2022-01-26', 'response'),
      anEvent('contact.held', {
        occurredAt: '2022-01-31',
        actor: 'USA',
        target: 'RUS',
        data: { mode: 'call' },
      }),
    ];
    const placed = given(...events).events;
    const included = includedEvents(knowledgeView(placed, Infinity), Infinity);

    it('evolve leaves the state it is given untouched', () => {
      const state = foldEvents(initialState(), included.slice(0, 2));
      const before = JSON.stringify(state);
      evolve(state, included[2]);
      expect(JSON.stringify(state)).toBe(before);
    });

    it('folds from a JSON snapshot to the same state as in one go', () => {
      const snapshot = JSON.stringify(foldEvents(initialState(), included.slice(0, 2)));
      const resumed = included.slice(2).reduce(evolve, JSON.parse(snapshot));
      expect(resumed).toEqual(foldEvents(initialState(), included));
    });

    it('folds onto a parsed snapshot it is given, without a copy, to the same state as in one go', () => {
      const parsed = JSON.parse(
        JSON.stringify(foldEvents(initialState(), included.slice(0, 2))),
      ) as FoldState;
      const folded = foldEventsOnto(parsed, included.slice(2));
      expect(folded).toBe(parsed);
      expect(folded).toEqual(foldEvents(initialState(), included));
    });

    it('is total: malformed data and meta or retracted events leave the state as it was, or only counted', () => {
      const malformed = given(
        anEvent('demand.tabled', { occurredAt: '2022-01-01', data: { demandId: 7 } }),
        anEvent('contact.held', { occurredAt: '2022-01-01', target: 'USA', data: { mode: 'telepathy' } }),
        anEvent('forces.estimated', {
          occurredAt: '2022-01-01',
          data: { subject: 'RUS', area: 'x', troops: 'many' },
        }),
        anEvent('document.delivered', { occurredAt: '2022-01-01', actor: null, data: { documentId: 'x' } }),
      ).events;
      const view = knowledgeView(malformed, Infinity);
      const state = foldEvents(initialState(), view.events);
      expect(state.eventCount).toBe(4);
      expect(state.contacts).toEqual({
        '["RUS","USA"]': expect.objectContaining({
          count: 1,
          byMode: { call: 0, video: 0, meeting: 0, visit: 0, multilateral: 0 },
        }),
      });
      expect(evolve(initialState(), { ...view.events[0], retracted: true })).toEqual(initialState());
      const meta = anEvent('standoff.described', { occurredAt: '2022-01-01', data: { title: 'x' } });
      expect(evolve(initialState(), unmarked(meta))).toEqual(initialState());
    });

    it('projects to the answer without changing the state', () => {
      const state = foldEvents(initialState(), included);
      const before = JSON.stringify(state);
      toStandoffStateView(state, { standoffId: 's', title: null, asOf: 0, knownAt: 0, version: 4 });
      expect(JSON.stringify(state)).toBe(before);
    });
  });
});
