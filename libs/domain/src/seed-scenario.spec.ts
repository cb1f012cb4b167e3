import type { RecordedEvent } from './recorded-event';
import { stateAt, type StateQuery } from './state-at';
import type { StandoffState } from './state';
import { loadSeedScenario } from './test-support/seed';
import { upTo, withoutProvenance } from './test-support/builders';

const seed = loadSeedScenario();

/** The provenance of an item (DESIGN.md §9), by the seed's refs of its events. */
function from(origin: string, lastChange = origin): { origin: string; lastChange: string } {
  return { origin: seed.byRef[origin].eventId, lastChange: seed.byRef[lastChange].eventId };
}

function stateOf(events: readonly RecordedEvent[], when: { asOf?: string; knownAt?: string }): StandoffState {
  const query: StateQuery = {
    standoffId: seed.standoffId,
    asOf: upTo(when.asOf ?? '2022-02-01'),
    knownAt: upTo(when.knownAt ?? '2022-02-01'),
    version: events.length,
  };
  return stateAt(events, query);
}

describe('the seed scenario (news report of 1 February 2022)', () => {
  it('loads 19 events at positions 1..19 with the denial naming the follow-up', () => {
    expect(seed.events.map((e) => e.position)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
    expect(seed.byRef['kremlin-denial'].data.eventId).toBe(seed.byRef['follow-up'].eventId);
    expect(seed.byRef['kremlin-denial'].data).not.toHaveProperty('eventRef');
  });

  describe('state asOf 2022-01-30 knownAt 2022-01-30', () => {
    const expected = seed.expect['state asOf 2022-01-30 knownAt 2022-01-30'];
    const state = stateOf(seed.events, { asOf: '2022-01-30', knownAt: '2022-01-30' });

    it('lists the delivered documents in delivery order', () => {
      expect(state.documents.map((d) => d.documentId)).toEqual(expected['documents delivered']);
      expect(state.documents.every((d) => d.status === 'delivered')).toBe(true);
    });

    it('awaits Russia’s replies to the US and NATO responses', () => {
      expect(withoutProvenance(state.awaiting)).toEqual(expected.awaiting);
      expect(state.awaiting).toMatchObject([from('nato-response'), from('us-response')]);
    });

    it('has the demand rejected by NATO and the US', () => {
      const [demand] = state.demands;
      expect(demand.status).toBe(expected['demand status']);
      expect(demand.rejectedBy).toEqual(expected['demand rejectedBy']);
    });

    it('is titled by the standoff description', () => {
      expect(state.title).toBe(expected.title);
    });
  });

  describe('state knownAt 2022-01-31', () => {
    it('no longer awaits a reply from Russia to the US: the follow-up names the US response', () => {
      const state = stateOf(seed.events, { asOf: '2022-01-31', knownAt: '2022-01-31' });
      expect(seed.expect['state knownAt 2022-01-31']['awaiting from RUS to USA']).toMatch(/^none/);
      expect(state.awaiting.filter((a) => a.from === 'RUS' && a.to === 'USA')).toEqual([]);
    });
  });

  describe('state knownAt 2022-02-01', () => {
    const expected = seed.expect['state knownAt 2022-02-01'];

    it('awaits Russia’s reply to the US again since 2022-01-26: Russia denies its follow-up was the reply', () => {
      expect(expected['awaiting from RUS to USA']).toMatch(/^open again since 2022-01-26/);
      for (const asOf of ['2022-01-31', '2022-02-01']) {
        const state = stateOf(seed.events, { asOf, knownAt: '2022-02-01' });
        // Never closed as known now: the denied follow-up did nothing, so the US response alone made it.
        expect(state.awaiting.filter((a) => a.from === 'RUS' && a.to === 'USA')).toEqual([
          {
            from: 'RUS',
            to: 'USA',
            documentId: 'us-written-response',
            since: '2022-01-26',
            ...from('us-response'),
          },
        ]);
      }
    });

    it('lists the follow-up as void, also as of 31 January', () => {
      expect(expected['ru-written-follow-up status']).toBe('void');
      for (const asOf of ['2022-01-31', '2022-02-01']) {
        const state = stateOf(seed.events, { asOf, knownAt: '2022-02-01' });
        const followUp = state.documents.find((d) => d.documentId === 'ru-written-follow-up');
        expect(followUp?.status).toBe('void');
      }
    });
  });

  describe('state asOf 2022-02-01', () => {
    const expected = seed.expect['state asOf 2022-02-01'];
    const state = stateOf(seed.events, { asOf: '2022-02-01' });

    it('has the trilateral pact in preparation', () => {
      expect(state.pacts.map((p) => ({ pactId: p.pactId, status: p.status }))).toEqual(expected.pacts);
    });

    it('has the Putin–Macron meeting proposed', () => {
      expect(state.meetings.map((m) => ({ meetingId: m.meetingId, status: m.status }))).toEqual(
        expected.meetings,
      );
    });

    it('counts two RUS–USA contacts', () => {
      const contact = state.contacts.find((c) => c.actors[0] === 'RUS' && c.actors[1] === 'USA');
      expect(contact?.count).toBe(expected['contacts RUS–USA count']);
      expect(contact?.byMode).toEqual({ call: 1, video: 0, meeting: 0, visit: 0, multilateral: 1 });
    });

    it('is computed from version 19 and counts 18 events (all but the description)', () => {
      expect(state.version).toBe(expected.version);
      expect(state.eventCount).toBe(expected.eventCount);
      expect(state.firstEventAt).toBe('2021-12-15');
      expect(state.lastEventAt).toBe('2022-02-01');
    });

    it('lists the follow-up as disputed by its own author, who is named', () => {
      expect(state.disputed).toEqual([
        {
          eventId: seed.byRef['follow-up'].eventId,
          type: 'document.delivered',
          actor: 'RUS',
          disputedBy: ['RUS'],
          void: true,
          ...from('kremlin-denial'),
        },
      ]);
    });

    it('answers the whole state of DESIGN.md §5', () => {
      const none = { call: 0, video: 0, meeting: 0, visit: 0, multilateral: 0 };
      expect(state).toEqual({
        standoffId: 'russia-us-ukraine-2022',
        title: 'Russia–United States standoff over Ukraine',
        asOf: '2022-02-01T23:59:59.999Z',
        knownAt: '2022-02-01T23:59:59.999Z',
        version: 19,
        eventCount: 18,
        firstEventAt: '2021-12-15',
        lastEventAt: '2022-02-01',
        actors: [
          { id: 'FRA', name: 'France', eventCount: 2 },
          { id: 'GBR', name: 'United Kingdom', eventCount: 2 },
          { id: 'HUN', name: 'Hungary', eventCount: 1 },
          { id: 'NATO', name: 'North Atlantic Treaty Organization', eventCount: 3 },
          { id: 'POL', name: 'Poland', eventCount: 1 },
          { id: 'RUS', name: 'Russian Federation', eventCount: 15 },
          { id: 'UKR', name: 'Ukraine', eventCount: 2 },
          { id: 'USA', name: 'United States', eventCount: 11 },
        ],
        demands: [
          {
            demandId: 'no-nato-membership-for-ukraine',
            issuer: 'RUS',
            addressees: ['NATO', 'USA'],
            text: 'Bar Ukraine from ever joining NATO',
            status: 'rejected',
            tabledAt: '2021-12-17',
            rejectedBy: ['NATO', 'USA'],
            acceptedBy: [],
            updatedAt: '2022-01-26',
            ...from('ru-demand', 'nato-rejects'),
          },
        ],
        documents: [
          {
            documentId: 'ru-draft-treaty-us',
            author: 'RUS',
            recipients: ['USA'],
            kind: 'draft-treaty',
            inReplyTo: null,
            deliveredAt: '2021-12-15',
            status: 'delivered',
            disputedBy: [],
            ...from('ru-drafts'),
          },
          {
            documentId: 'nato-written-response',
            author: 'NATO',
            recipients: ['RUS'],
            kind: 'response',
            inReplyTo: null,
            deliveredAt: '2022-01-26',
            status: 'delivered',
            disputedBy: [],
            ...from('nato-response'),
          },
          {
            documentId: 'us-written-response',
            author: 'USA',
            recipients: ['RUS'],
            kind: 'response',
            inReplyTo: 'ru-draft-treaty-us',
            deliveredAt: '2022-01-26',
            status: 'delivered',
            disputedBy: [],
            ...from('us-response'),
          },
          {
            documentId: 'ru-written-follow-up',
            author: 'RUS',
            recipients: ['USA'],
            kind: 'note',
            inReplyTo: 'us-written-response',
            deliveredAt: '2022-01-31',
            status: 'void',
            disputedBy: ['RUS'],
            ...from('follow-up', 'kremlin-denial'),
          },
        ],
        awaiting: [
          {
            from: 'RUS',
            to: 'NATO',
            documentId: 'nato-written-response',
            since: '2022-01-26',
            ...from('nato-response'),
          },
          {
            from: 'RUS',
            to: 'USA',
            documentId: 'us-written-response',
            since: '2022-01-26',
            ...from('us-response'),
          },
        ],
        contacts: [
          {
            actors: ['FRA', 'RUS'],
            count: 1,
            lastAt: '2022-01-31',
            byMode: { ...none, call: 1 },
            ...from('putin-macron-call'),
          },
          {
            actors: ['GBR', 'UKR'],
            count: 1,
            lastAt: '2022-02-01',
            byMode: { ...none, visit: 1 },
            ...from('johnson-kyiv'),
          },
          {
            actors: ['HUN', 'RUS'],
            count: 1,
            lastAt: '2022-02-01',
            byMode: { ...none, visit: 1 },
            ...from('putin-orban'),
          },
          {
            actors: ['RUS', 'USA'],
            count: 2,
            lastAt: '2022-02-01',
            byMode: { ...none, call: 1, multilateral: 1 },
            ...from('unsc', 'blinken-lavrov-call'),
          },
        ],
        meetings: [
          {
            meetingId: 'putin-macron-face-to-face',
            participants: ['FRA', 'RUS'],
            status: 'proposed',
            proposedAt: '2022-02-01',
            proposedFor: null,
            scheduledFor: null,
            heldAt: null,
            cancelledAt: null,
            place: null,
            conditions: null,
            ...from('putin-macron-meeting'),
          },
        ],
        pacts: [
          {
            pactId: 'uk-poland-ukraine-trilateral',
            name: 'UK–Poland–Ukraine trilateral security pact',
            parties: ['GBR', 'POL', 'UKR'],
            status: 'in-preparation',
            since: '2022-02-01',
            ...from('trilateral'),
          },
        ],
        forces: [],
        estimates: [],
        positions: [
          {
            actor: 'USA',
            topic: 'ukraine-sovereignty',
            stance: "committed to Ukraine's sovereignty and territorial integrity",
            statedAt: '2022-02-01',
            ...from('us-sovereignty'),
          },
        ],
        sanctions: [],
        disputed: [
          {
            eventId: seed.byRef['follow-up'].eventId,
            type: 'document.delivered',
            actor: 'RUS',
            disputedBy: ['RUS'],
            void: true,
            ...from('kremlin-denial'),
          },
        ],
        // The 16 events since 26 January (CAMEO 036, 036, 120, 120, 111, 010, 041, 041, 036, 010, 020, 016,
        // 042, 032, 043, 036): sum 18.2, mean 1.1375 rounded to 1.14.
        tension: {
          last7Days: { events: 16, goldsteinSum: 18.2, goldsteinMean: 1.14 },
          last30Days: { events: 16, goldsteinSum: 18.2, goldsteinMean: 1.14 },
        },
      });
    });
  });
});
