import type { RecordedEvent } from './recorded-event';
import type { Provenance } from './state';
import { aCorrection, aDenial, aDispute, anEvent, aRetraction, given } from './test-support/builders';

/*
 * DESIGN.md §9: every item of the state's lists names `origin` (the included event that created it) and
 * `lastChange` (the latest event in fold order that changed it, a dispute or a denial included). The choices
 * the contract leaves open are made in libs/domain/src/effects/provenance.ts and pinned here.
 */

/** The provenance an item should carry: ids of the events given. */
function by(origin: RecordedEvent, lastChange: RecordedEvent = origin): Provenance {
  return { origin: origin.eventId, lastChange: lastChange.eventId };
}

function provenanceOf(items: readonly Provenance[]): Provenance[] {
  return items.map(({ origin, lastChange }) => ({ origin, lastChange }));
}

const tabling = (occurredAt = '2021-12-17', extra: { reportedAt?: string } = {}) =>
  anEvent('demand.tabled', {
    occurredAt,
    ...extra,
    actor: 'RUS',
    target: ['USA', 'NATO'],
    data: { demandId: 'no-nato', text: 'Bar Ukraine from NATO' },
  });
const stance = (type: string, actor: string, occurredAt: string, extra: { reportedAt?: string } = {}) =>
  anEvent(type, { occurredAt, ...extra, actor, target: 'RUS', data: { demandId: 'no-nato' } });
const delivery = (
  documentId: string,
  actor: string,
  target: string,
  occurredAt: string,
  kind: string,
  inReplyTo?: string,
) => anEvent('document.delivered', { occurredAt, actor, target, data: { documentId, kind, inReplyTo } });
const contact = (occurredAt: string, actor: string, target: string, data: Record<string, unknown> = {}) =>
  anEvent('contact.held', { occurredAt, actor, target, data: { mode: 'call', ...data } });
const meetingEvent = (type: string, occurredAt: string, data: Record<string, unknown> = {}) =>
  anEvent(type, { occurredAt, actor: 'RUS', target: 'FRA', data: { meetingId: 'm', ...data } });
const pactEvent = (type: string, occurredAt: string, data: Record<string, unknown> = {}) =>
  anEvent(type, { occurredAt, actor: 'UKR', target: ['GBR', 'POL'], data: { pactId: 'p', ...data } });
const forces = (occurredAt: string, posture: string, actor = 'RUS') =>
  anEvent('forces.changed', { occurredAt, actor, data: { area: 'border', posture, troops: 100_000 } });
const estimate = (occurredAt: string, max: number) =>
  anEvent('forces.estimated', {
    occurredAt,
    actor: 'USA',
    data: { subject: 'RUS', area: 'border', troops: { max } },
  });
const position = (occurredAt: string, stance: string) =>
  anEvent('position.stated', { occurredAt, actor: 'USA', data: { topic: 'sovereignty', stance } });
const sanctions = (type: string, occurredAt: string, target: string | string[] = 'RUS') =>
  anEvent(type, { occurredAt, actor: 'USA', target, data: { measures: ['export controls'] } });
const statement = (occurredAt: string) => anEvent('statement.made', { occurredAt, actor: 'RUS' });

describe('provenance (origin, lastChange)', () => {
  describe('demands', () => {
    it('are created by their tabling and changed by each stance, withdrawal included', () => {
      const tabled = tabling();
      const rejected = stance('demand.rejected', 'USA', '2022-01-26');
      const accepted = stance('demand.accepted', 'HUN', '2022-01-27');
      const withdrawn = stance('demand.withdrawn', 'RUS', '2022-03-01');
      const history = given(tabled, rejected, accepted, withdrawn);
      expect(provenanceOf(history.stateAt({ asOf: '2021-12-31' }).demands)).toEqual([by(tabled)]);
      expect(provenanceOf(history.stateAt({ asOf: '2022-01-26' }).demands)).toEqual([by(tabled, rejected)]);
      expect(provenanceOf(history.stateAt({ asOf: '2022-01-27' }).demands)).toEqual([by(tabled, accepted)]);
      expect(provenanceOf(history.stateAt().demands)).toEqual([by(tabled, withdrawn)]);
    });

    it('are not changed by an event that only counts: a second tabling, a withdrawal by another actor', () => {
      const tabled = tabling();
      const again = tabling('2022-01-01');
      const foreignWithdrawal = stance('demand.withdrawn', 'USA', '2022-01-02');
      expect(provenanceOf(given(tabled, again, foreignWithdrawal).stateAt().demands)).toEqual([by(tabled)]);
    });

    it('are not changed by a stance on a demand missing at that point of the fold', () => {
      const early = stance('demand.rejected', 'USA', '2021-12-01');
      const tabled = tabling();
      expect(provenanceOf(given(early, tabled).stateAt().demands)).toEqual([by(tabled)]);
    });

    it('name the corrected event, not its correction, at its corrected place in fold order', () => {
      const tabled = tabling();
      const rejected = stance('demand.rejected', 'USA', '2022-01-26');
      const accepted = stance('demand.accepted', 'HUN', '2022-01-27');
      const moved = aCorrection(rejected, { occurredAt: '2022-01-28' }, { occurredAt: '2022-02-01' });
      const history = given(tabled, rejected, accepted, moved);
      expect(provenanceOf(history.stateAt({ knownAt: '2022-01-31' }).demands)).toEqual([
        by(tabled, accepted),
      ]);
      expect(provenanceOf(history.stateAt().demands)).toEqual([by(tabled, rejected)]);
    });

    it('fall back to the previous change when the latest is retracted or denied', () => {
      const tabled = tabling();
      const rejected = stance('demand.rejected', 'USA', '2022-01-26');
      const accepted = stance('demand.accepted', 'HUN', '2022-01-27', { reportedAt: '2022-01-27' });
      const retraction = aRetraction(accepted, { occurredAt: '2022-02-01' });
      expect(provenanceOf(given(tabled, rejected, accepted, retraction).stateAt().demands)).toEqual([
        by(tabled, rejected),
      ]);
      const denial = aDenial(accepted, { occurredAt: '2022-02-01' });
      expect(provenanceOf(given(tabled, rejected, accepted, denial).stateAt().demands)).toEqual([
        by(tabled, rejected),
      ]);
    });

    it('are not changed by a dispute of a stance: the stance still holds, the dispute shows in `disputed`', () => {
      const tabled = tabling();
      const rejected = stance('demand.rejected', 'USA', '2022-01-26');
      const dispute = aDispute(rejected, { occurredAt: '2022-01-28', actor: 'RUS' });
      const state = given(tabled, rejected, dispute).stateAt();
      expect(provenanceOf(state.demands)).toEqual([by(tabled, rejected)]);
      expect(provenanceOf(state.disputed)).toEqual([by(dispute)]);
    });

    it('come from whatever created the item as known at knownAt: a tabling reported late is not there before', () => {
      const tabled = tabling('2021-12-17', { reportedAt: '2022-01-10' });
      const rejected = stance('demand.rejected', 'USA', '2022-01-05', { reportedAt: '2022-01-05' });
      const history = given(tabled, rejected);
      expect(history.stateAt({ knownAt: '2022-01-06' }).demands).toEqual([]);
      expect(provenanceOf(history.stateAt({ knownAt: '2022-01-10' }).demands)).toEqual([
        by(tabled, rejected),
      ]);
    });
  });

  describe('documents', () => {
    it('are created by their delivery, and a reply to one changes it not', () => {
      const draft = delivery('draft', 'RUS', 'USA', '2021-12-15', 'draft-treaty');
      const reply = delivery('reply', 'USA', 'RUS', '2022-01-26', 'response', 'draft');
      expect(provenanceOf(given(draft, reply).stateAt().documents)).toEqual([by(draft), by(reply)]);
    });

    it('are changed by a dispute: the latest in fold order, not in report order', () => {
      const delivered = delivery('d', 'USA', 'RUS', '2022-01-26', 'response');
      const later = aDispute(delivered, { occurredAt: '2022-01-29', reportedAt: '2022-01-29', actor: 'RUS' });
      const earlier = aDispute(delivered, {
        occurredAt: '2022-01-28',
        reportedAt: '2022-02-05',
        actor: 'BLR',
      });
      const history = given(delivered, later, earlier);
      expect(provenanceOf(history.stateAt({ knownAt: '2022-01-27' }).documents)).toEqual([by(delivered)]);
      expect(provenanceOf(history.stateAt().documents)).toEqual([by(delivered, later)]);
    });

    it('are changed by their author’s denial, which voids them', () => {
      const delivered = delivery('d', 'USA', 'RUS', '2022-01-26', 'response');
      const denial = aDenial(delivered, { occurredAt: '2022-01-27' });
      const [document] = given(delivered, denial).stateAt().documents;
      expect(document).toMatchObject({ status: 'void', ...by(delivered, denial) });
    });

    it('name a dispute that stands whatever asOf, since knowledge applies whatever asOf', () => {
      const delivered = delivery('d', 'USA', 'RUS', '2022-01-26', 'response');
      const dispute = aDispute(delivered, { occurredAt: '2022-02-10', actor: 'RUS' });
      const state = given(delivered, dispute).stateAt({ asOf: '2022-01-31' });
      expect(provenanceOf(state.documents)).toEqual([by(delivered, dispute)]);
      expect(provenanceOf(state.disputed)).toEqual([by(dispute)]);
    });

    it('name no dispute once it is retracted', () => {
      const delivered = delivery('d', 'USA', 'RUS', '2022-01-26', 'response');
      const dispute = aDispute(delivered, { occurredAt: '2022-01-27', actor: 'RUS' });
      const retraction = aRetraction(dispute, { occurredAt: '2022-01-28' });
      const state = given(delivered, dispute, retraction).stateAt();
      expect(provenanceOf(state.documents)).toEqual([by(delivered)]);
      expect(state.disputed).toEqual([]);
    });

    it('keep the first delivery of an id: a second one changes nothing', () => {
      const first = delivery('d', 'USA', 'RUS', '2022-01-26', 'letter');
      const second = delivery('d', 'GBR', 'RUS', '2022-01-27', 'letter');
      expect(provenanceOf(given(first, second).stateAt().documents)).toEqual([by(first)]);
    });
  });

  describe('awaited replies', () => {
    it('are created by the delivery that opens them', () => {
      const proposal = delivery('proposal', 'USA', 'RUS', '2022-01-26', 'proposal');
      expect(provenanceOf(given(proposal).stateAt().awaiting)).toEqual([by(proposal)]);
    });

    it('are neither created nor changed by a void delivery, nor closed by a void reply', () => {
      const response = delivery('us-response', 'USA', 'RUS', '2022-01-26', 'response');
      const followUp = delivery('follow-up', 'RUS', 'USA', '2022-01-31', 'note', 'us-response');
      const denial = aDenial(followUp, { occurredAt: '2022-02-01' });
      const history = given(response, followUp, denial);
      expect(history.stateAt({ asOf: '2022-01-31', knownAt: '2022-01-31' }).awaiting).toEqual([]);
      // As known since the denial, the reply was never closed: the response alone made it.
      expect(provenanceOf(history.stateAt({ asOf: '2022-01-31' }).awaiting)).toEqual([by(response)]);
      const deniedProposal = delivery('p', 'USA', 'RUS', '2022-01-26', 'proposal');
      const state = given(deniedProposal, aDenial(deniedProposal, { occurredAt: '2022-01-27' })).stateAt();
      expect(state.awaiting).toEqual([]);
    });

    it('are not changed by a dispute of the delivery that opened them', () => {
      const proposal = delivery('proposal', 'USA', 'RUS', '2022-01-26', 'proposal');
      const dispute = aDispute(proposal, { occurredAt: '2022-01-27', actor: 'RUS' });
      expect(provenanceOf(given(proposal, dispute).stateAt().awaiting)).toEqual([by(proposal)]);
    });

    it('name the delivery as corrected, at its corrected time', () => {
      const proposal = delivery('proposal', 'USA', 'RUS', '2022-01-26', 'proposal');
      const correction = aCorrection(proposal, { occurredAt: '2022-01-20' }, { occurredAt: '2022-01-28' });
      const [awaited] = given(proposal, correction).stateAt().awaiting;
      expect(awaited).toMatchObject({ since: '2022-01-20', ...by(proposal) });
    });
  });

  describe('contacts', () => {
    it('are created by the pair’s first contact and changed by each later one', () => {
      const first = contact('2022-01-10', 'USA', 'RUS');
      const second = contact('2022-01-20', 'RUS', 'USA');
      expect(provenanceOf(given(second, first).stateAt().contacts)).toEqual([by(first, second)]);
      expect(provenanceOf(given(first, second).stateAt({ asOf: '2022-01-15' }).contacts)).toEqual([
        by(first),
      ]);
    });

    it('are changed by a contact whose data the catalogue refuses, which still counts', () => {
      const first = contact('2022-01-10', 'USA', 'RUS');
      const odd = contact('2022-01-20', 'USA', 'RUS', { mode: 'telepathy' });
      expect(provenanceOf(given(first, odd).stateAt().contacts)).toEqual([by(first, odd)]);
    });

    it('come from the next contact once the first is retracted', () => {
      const first = contact('2022-01-10', 'USA', 'RUS');
      const second = contact('2022-01-20', 'USA', 'RUS');
      const retraction = aRetraction(first, { occurredAt: '2022-01-25' });
      expect(provenanceOf(given(first, second, retraction).stateAt().contacts)).toEqual([by(second)]);
    });
  });

  describe('meetings', () => {
    it('are created by the proposal and changed by the scheduling, the cancellation, the contact held there', () => {
      const proposed = meetingEvent('meeting.proposed', '2022-02-01');
      const scheduled = meetingEvent('meeting.scheduled', '2022-02-02', { scheduledFor: '2022-02-07' });
      const held = contact('2022-02-07', 'RUS', 'FRA', { mode: 'meeting', meetingId: 'm' });
      const cancelled = meetingEvent('meeting.cancelled', '2022-02-08');
      const history = given(proposed, scheduled, held, cancelled);
      const at = (asOf: string) => provenanceOf(history.stateAt({ asOf }).meetings);
      expect(at('2022-02-01')).toEqual([by(proposed)]);
      expect(at('2022-02-02')).toEqual([by(proposed, scheduled)]);
      expect(at('2022-02-07')).toEqual([by(proposed, held)]);
      expect(at('2022-02-08')).toEqual([by(proposed, cancelled)]);
    });

    it('are created by a scheduling when new, and a later proposal of the id changes nothing', () => {
      const scheduled = meetingEvent('meeting.scheduled', '2022-02-02', { scheduledFor: '2022-02-07' });
      const proposed = meetingEvent('meeting.proposed', '2022-02-03');
      expect(provenanceOf(given(scheduled, proposed).stateAt().meetings)).toEqual([by(scheduled)]);
    });

    it('come from the scheduling once the proposal is retracted, as known from the retraction on', () => {
      const proposed = meetingEvent('meeting.proposed', '2022-02-01');
      const scheduled = meetingEvent('meeting.scheduled', '2022-02-02', { scheduledFor: '2022-02-07' });
      const retraction = aRetraction(proposed, { occurredAt: '2022-02-05' });
      const history = given(proposed, scheduled, retraction);
      expect(provenanceOf(history.stateAt({ knownAt: '2022-02-04' }).meetings)).toEqual([
        by(proposed, scheduled),
      ]);
      expect(provenanceOf(history.stateAt().meetings)).toEqual([by(scheduled)]);
    });

    it('are not there for a cancellation of a missing meeting', () => {
      expect(given(meetingEvent('meeting.cancelled', '2022-02-08')).stateAt().meetings).toEqual([]);
    });
  });

  describe('pacts', () => {
    it('are created by the proposal and changed by the signature and the suspension', () => {
      const proposed = pactEvent('pact.proposed', '2022-02-01', { name: 'trilateral' });
      const signed = pactEvent('pact.signed', '2022-02-17');
      const suspended = pactEvent('pact.suspended', '2022-03-01');
      const history = given(proposed, signed, suspended);
      expect(provenanceOf(history.stateAt({ asOf: '2022-02-17' }).pacts)).toEqual([by(proposed, signed)]);
      expect(provenanceOf(history.stateAt().pacts)).toEqual([by(proposed, suspended)]);
    });

    it('are created by a signature when new; a suspension of a missing pact creates nothing', () => {
      const suspended = pactEvent('pact.suspended', '2022-02-01');
      const signed = pactEvent('pact.signed', '2022-02-17');
      expect(provenanceOf(given(suspended, signed).stateAt().pacts)).toEqual([by(signed)]);
    });
  });

  describe('forces', () => {
    it('are created by the first change in the area and changed by each later one, which keeps the origin', () => {
      const buildup = forces('2022-01-10', 'buildup');
      const exercise = forces('2022-02-10', 'exercise');
      expect(provenanceOf(given(buildup, exercise).stateAt().forces)).toEqual([by(buildup, exercise)]);
    });

    it('are changed by a dispute of the change they show, not of one they no longer show', () => {
      const buildup = forces('2022-01-10', 'buildup');
      const exercise = forces('2022-02-10', 'exercise');
      const ofExercise = aDispute(exercise, { occurredAt: '2022-02-11', actor: 'USA' });
      const ofBuildup = aDispute(buildup, { occurredAt: '2022-02-12', actor: 'USA' });
      expect(provenanceOf(given(buildup, exercise, ofExercise).stateAt().forces)).toEqual([
        by(buildup, ofExercise),
      ]);
      expect(provenanceOf(given(buildup, exercise, ofBuildup).stateAt().forces)).toEqual([
        by(buildup, exercise),
      ]);
    });

    it('are neither created nor changed by a denied change', () => {
      const buildup = forces('2022-01-10', 'buildup');
      const denied = forces('2022-02-10', 'withdrawal');
      const denial = aDenial(denied, { occurredAt: '2022-02-11' });
      expect(provenanceOf(given(buildup, denied, denial).stateAt().forces)).toEqual([by(buildup)]);
      expect(given(denied, denial).stateAt().forces).toEqual([]);
    });
  });

  describe('estimates', () => {
    it('are created by the first estimate and changed by each later one', () => {
      const first = estimate('2022-01-10', 100_000);
      const second = estimate('2022-02-10', 130_000);
      expect(provenanceOf(given(first, second).stateAt().estimates)).toEqual([by(first, second)]);
    });
  });

  describe('positions', () => {
    it('are created by the first statement of the stance and changed by each later one', () => {
      const first = position('2022-01-01', 'old');
      const second = position('2022-02-01', 'new');
      expect(provenanceOf(given(first, second).stateAt().positions)).toEqual([by(first, second)]);
    });

    it('follow fold order as corrected: a statement moved after another becomes the last change', () => {
      const first = position('2022-01-01', 'old');
      const second = position('2022-02-01', 'new');
      const moved = aCorrection(first, { occurredAt: '2022-02-10' }, { occurredAt: '2022-02-11' });
      const [stated] = given(first, second, moved).stateAt().positions;
      expect(stated).toMatchObject({ stance: 'old', statedAt: '2022-02-10', ...by(second, first) });
    });

    it('name the corrected statement when a correction changes what it says', () => {
      const stated = position('2022-01-01', 'old');
      const correction = aCorrection(
        stated,
        { data: { stance: 'amended' } },
        { occurredAt: '2022-01-05', reportedAt: '2022-01-05' },
      );
      const history = given(stated, correction);
      expect(history.stateAt().positions).toMatchObject([{ stance: 'amended', ...by(stated) }]);
      expect(history.stateAt({ knownAt: '2022-01-04' }).positions).toMatchObject([
        { stance: 'old', ...by(stated) },
      ]);
    });
  });

  describe('sanctions', () => {
    it('are created per target by the first measure and changed by each later one', () => {
      const threat = sanctions('sanctions.threatened', '2022-01-20', ['RUS', 'BLR']);
      const imposed = sanctions('sanctions.imposed', '2022-02-22', 'RUS');
      const state = given(threat, imposed).stateAt();
      expect(state.sanctions.map((s) => ({ against: s.against, ...by(threat) }))).toEqual([
        { against: 'BLR', ...by(threat) },
        { against: 'RUS', ...by(threat) },
      ]);
      expect(provenanceOf(state.sanctions)).toEqual([by(threat), by(threat, imposed)]);
    });
  });

  describe('disputed events', () => {
    it('are created by the first dispute in fold order and changed by the latest', () => {
      const said = statement('2022-01-10');
      const second = aDispute(said, { occurredAt: '2022-01-20', reportedAt: '2022-01-20', actor: 'USA' });
      const first = aDispute(said, { occurredAt: '2022-01-15', reportedAt: '2022-01-25', actor: 'GBR' });
      const history = given(said, second, first);
      expect(provenanceOf(history.stateAt({ knownAt: '2022-01-21' }).disputed)).toEqual([by(second)]);
      expect(provenanceOf(history.stateAt().disputed)).toEqual([by(first, second)]);
    });

    it('are created by a denial, which voids the event', () => {
      const said = statement('2022-01-10');
      const denial = aDenial(said, { occurredAt: '2022-01-11' });
      expect(given(said, denial).stateAt().disputed).toMatchObject([{ void: true, ...by(denial) }]);
    });

    it('come from the disputes that still stand once one is retracted, and go with the last', () => {
      const said = statement('2022-01-10');
      const first = aDispute(said, { occurredAt: '2022-01-15', actor: 'GBR' });
      const second = aDispute(said, { occurredAt: '2022-01-20', actor: 'USA' });
      const history = [said, first, second];
      expect(
        provenanceOf(given(...history, aRetraction(first, { occurredAt: '2022-01-25' })).stateAt().disputed),
      ).toEqual([by(second)]);
      expect(
        provenanceOf(given(...history, aRetraction(second, { occurredAt: '2022-01-25' })).stateAt().disputed),
      ).toEqual([by(first)]);
    });

    it('follow a dispute moved in fold order by a correction, named by its own id', () => {
      const said = statement('2022-01-10');
      const first = aDispute(said, { occurredAt: '2022-01-15', actor: 'GBR' });
      const second = aDispute(said, { occurredAt: '2022-01-20', actor: 'USA' });
      const moved = aCorrection(first, { occurredAt: '2022-01-22' }, { occurredAt: '2022-01-23' });
      expect(provenanceOf(given(said, first, second, moved).stateAt().disputed)).toEqual([by(second, first)]);
    });

    it('are listed only while their event is in the fold, with disputes dated after asOf named', () => {
      const said = statement('2022-01-10');
      const dispute = aDispute(said, { occurredAt: '2022-01-20', actor: 'USA' });
      const history = given(said, dispute);
      expect(history.stateAt({ asOf: '2022-01-09' }).disputed).toEqual([]);
      expect(provenanceOf(history.stateAt({ asOf: '2022-01-12' }).disputed)).toEqual([by(dispute)]);
    });
  });
});
