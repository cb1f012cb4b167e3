import { applyChange, DIFF_LISTS, diffStates, sameItem } from './diff';
import {
  DIFF_EVENTS_LIMIT,
  diffOverKnowledgeTime,
  diffOverValidTime,
  eventsOverKnowledgeTime,
  validTimeDiff,
} from './diff-events';
import { knowledgeView } from './knowledge';
import {
  aCorrection,
  aDenial,
  aDispute,
  anEvent,
  aRetraction,
  given,
  startingAt,
  STANDOFF_ID,
  upTo,
} from './test-support/builders';
import { stateAt } from './state-at';
import { loadSeedScenario } from './test-support/seed';
import type { RecordedEvent } from './recorded-event';

const demand = anEvent('demand.tabled', {
  occurredAt: '2021-12-17',
  actor: 'RUS',
  target: ['USA', 'NATO'],
  data: { demandId: 'no-nato', text: 'Bar Ukraine from NATO' },
});
const usRejects = anEvent('demand.rejected', {
  occurredAt: '2022-01-26',
  actor: 'USA',
  target: 'RUS',
  data: { demandId: 'no-nato' },
});
const usResponse = anEvent('document.delivered', {
  occurredAt: '2022-01-26',
  actor: 'USA',
  target: 'RUS',
  data: { documentId: 'us-response', kind: 'response' },
});
const followUp = anEvent('document.delivered', {
  occurredAt: '2022-01-31',
  actor: 'RUS',
  target: 'USA',
  data: { documentId: 'ru-follow-up', kind: 'note', inReplyTo: 'us-response' },
});
const buildUp = anEvent('forces.changed', {
  occurredAt: '2022-01-10',
  actor: 'RUS',
  data: { area: 'belarus', posture: 'buildup', troops: 30_000 },
});
const pulledBack = anEvent('forces.changed', {
  occurredAt: '2022-01-20',
  actor: 'RUS',
  data: { area: 'belarus', posture: 'withdrawal', troops: 10_000 },
});

function validDiff(events: RecordedEvent[], from: string, to: string, knownAt = '2100-12-31') {
  const placed = given(...events).events;
  return diffOverValidTime(placed, {
    standoffId: STANDOFF_ID,
    from: startingAt(from),
    to: upTo(to),
    knownAt: upTo(knownAt),
    version: placed.length,
  });
}

function knowledgeDiff(events: RecordedEvent[], asOf: string, knownFrom: string, knownTo: string) {
  const placed = given(...events).events;
  return diffOverKnowledgeTime(placed, {
    standoffId: STANDOFF_ID,
    asOf: upTo(asOf),
    knownFrom: upTo(knownFrom),
    knownTo: upTo(knownTo),
    version: placed.length,
  });
}

describe('the diff of two states', () => {
  it('names every list, empty when nothing changed', () => {
    const state = given(demand).stateAt();
    const change = diffStates(state, state);
    for (const part of [change.added, change.removed, change.changed]) {
      expect(Object.keys(part)).toEqual([...DIFF_LISTS]);
      expect(Object.values(part).every((items) => items.length === 0)).toBe(true);
    }
  });

  it('adds an item that only the later state has', () => {
    const change = validDiff([demand, usResponse], '2022-01-01', '2022-01-31');
    expect(change.added.documents.map((d) => d.documentId)).toEqual(['us-response']);
    expect(change.added.awaiting).toEqual([
      {
        from: 'RUS',
        to: 'USA',
        documentId: 'us-response',
        since: '2022-01-26',
        origin: usResponse.eventId,
        lastChange: usResponse.eventId,
      },
    ]);
  });

  it('removes an item that only the earlier state has: an awaited reply once the reply arrives', () => {
    const change = validDiff([usResponse, followUp], '2022-01-27', '2022-02-01');
    expect(change.removed.awaiting).toEqual([
      {
        from: 'RUS',
        to: 'USA',
        documentId: 'us-response',
        since: '2022-01-26',
        origin: usResponse.eventId,
        lastChange: usResponse.eventId,
      },
    ]);
  });

  it('changes an item matched by its ids, with the item before and after', () => {
    const change = validDiff([demand, usRejects], '2022-01-01', '2022-01-31');
    expect(change.changed.demands).toEqual([
      {
        before: expect.objectContaining({ demandId: 'no-nato', status: 'tabled', rejectedBy: [] }),
        after: expect.objectContaining({ demandId: 'no-nato', status: 'rejected', rejectedBy: ['USA'] }),
      },
    ]);
    expect(change.added.demands).toEqual([]);
  });

  it('matches forces by actor and area, so a new posture in the same area is a change', () => {
    const change = validDiff([buildUp, pulledBack], '2022-01-15', '2022-01-31');
    expect(change.changed.forces).toEqual([
      {
        before: expect.objectContaining({ posture: 'buildup', troops: 30_000 }),
        after: expect.objectContaining({ posture: 'withdrawal', troops: 10_000 }),
      },
    ]);
  });

  it('ignores provenance: items that differ only in origin and lastChange have not changed', () => {
    const state = given(demand).stateAt();
    const withProvenance = (origin: string, lastChange: string) => ({
      ...state,
      demands: state.demands.map((d) => ({ ...d, origin, lastChange })),
    });
    expect(diffStates(withProvenance('a', 'b'), withProvenance('a', 'c')).changed.demands).toEqual([]);
    expect(diffStates(state, withProvenance('a', 'c')).changed.demands).toEqual([]);
    expect(sameItem({ status: 'tabled', origin: 'a' }, { status: 'rejected', origin: 'a' })).toBe(false);
  });

  it('compares nested data whatever the order of its keys', () => {
    expect(
      sameItem({ conditions: { a: 1, b: [1, { c: 2 }] } }, { conditions: { b: [1, { c: 2 }], a: 1 } }),
    ).toBe(true);
    expect(sameItem({ conditions: { a: 1 } }, { conditions: { a: 1, b: 2 } })).toBe(false);
  });

  it('turns the earlier lists into the later ones when applied', () => {
    const before = given(demand, buildUp).stateAt({ asOf: '2022-01-15' });
    const after = given(demand, buildUp, pulledBack, usRejects, usResponse).stateAt({ asOf: '2022-01-31' });
    const applied = applyChange(before, diffStates(before, after));
    for (const list of DIFF_LISTS)
      expect(new Set<unknown>(applied[list])).toEqual(new Set<unknown>(after[list]));
  });
});

describe('the diff over valid time', () => {
  it('lists the first DIFF_EVENTS_LIMIT events of a wider window and says there are more', () => {
    const statements = Array.from({ length: DIFF_EVENTS_LIMIT + 1 }, (_, i) =>
      anEvent('statement.made', {
        occurredAt: `2022-01-${String(1 + (i % 28)).padStart(2, '0')}`,
        actor: 'RUS',
      }),
    );
    const wide = validDiff(statements, '2021-12-31', '2022-01-31');
    expect(wide.moreEvents).toBe(true);
    expect(wide.events).toHaveLength(DIFF_EVENTS_LIMIT);
    const all = validDiff(statements.slice(1), '2021-12-31', '2022-01-31');
    expect(all.moreEvents).toBe(false);
    expect(all.events).toHaveLength(DIFF_EVENTS_LIMIT);
  });

  it('lists nothing from where its reader stopped reading, and says there is more', () => {
    const placed = given(usResponse, followUp, demand).events;
    const window = {
      standoffId: STANDOFF_ID,
      from: startingAt('2021-01-01'),
      to: upTo('2022-12-31'),
      knownAt: upTo('2100-12-31'),
      version: placed.length,
    };
    const known = knowledgeView(placed, window.knownAt).events;
    const state = stateAt(placed, { ...window, asOf: window.to });
    const stoppedAt = placed.find((e) => e.eventId === usResponse.eventId);
    const stopped = validTimeDiff(state, state, known, window, stoppedAt);
    expect(stopped.events.map((e) => e.eventId)).toEqual([demand.eventId]);
    expect(stopped.moreEvents).toBe(true);
  });

  it('lists the included events that occurred in (from, to], in fold order', () => {
    const late = { ...usRejects, occurredAt: upTo('2022-01-27') };
    const change = validDiff([demand, late, usResponse, buildUp], '2022-01-10', '2022-01-31');
    // buildUp stands at the start of 10 January: already in the state at `from`.
    expect(change.events.map((e) => e.eventId)).toEqual([usResponse.eventId, late.eventId]);
  });

  it('leaves out retracted events and meta events, and places a corrected event at its corrected time', () => {
    const retraction = aRetraction(usRejects, { occurredAt: '2022-01-28' });
    const moved = aCorrection(usResponse, { occurredAt: '2022-02-05' }, { occurredAt: '2022-01-29' });
    const change = validDiff([demand, usRejects, usResponse, retraction, moved], '2022-01-01', '2022-01-31');
    expect(change.events).toEqual([]);
    expect(change.changed.demands).toEqual([]);
  });

  it('gives its bounds and knowledge time back as instants', () => {
    const change = validDiff([demand], '2022-01-26', '2022-02-01', '2022-02-01');
    expect([change.from, change.to, change.knownAt]).toEqual([
      '2022-01-26T00:00:00.000Z',
      '2022-02-01T23:59:59.999Z',
      '2022-02-01T23:59:59.999Z',
    ]);
  });
});

describe('the diff over knowledge time', () => {
  it('shows what a later report changed in the picture of the same day', () => {
    const dispute = aDispute(buildUp, { occurredAt: '2022-01-12', actor: 'UKR' });
    const change = knowledgeDiff([buildUp, dispute], '2022-01-11', '2022-01-11', '2022-01-12');
    expect(change.changed.forces).toEqual([
      {
        before: expect.objectContaining({ disputedBy: [] }),
        after: expect.objectContaining({ disputedBy: ['UKR'] }),
      },
    ]);
    expect(change.added.disputed).toEqual([
      {
        eventId: buildUp.eventId,
        type: 'forces.changed',
        actor: 'RUS',
        disputedBy: ['UKR'],
        void: false,
        origin: dispute.eventId,
        lastChange: dispute.eventId,
      },
    ]);
    expect(change.events.map((e) => e.eventId)).toEqual([dispute.eventId]);
  });

  it('reopens the awaited reply when the author denies its own follow-up', () => {
    const denial = aDenial(followUp, { occurredAt: '2022-02-01' });
    const change = knowledgeDiff([usResponse, followUp, denial], '2022-01-31', '2022-01-31', '2022-02-01');
    expect(change.added.awaiting).toEqual([
      {
        from: 'RUS',
        to: 'USA',
        documentId: 'us-response',
        since: '2022-01-26',
        origin: usResponse.eventId,
        lastChange: usResponse.eventId,
      },
    ]);
    expect(change.changed.documents).toEqual([
      {
        before: expect.objectContaining({ documentId: 'ru-follow-up', status: 'delivered' }),
        after: expect.objectContaining({ documentId: 'ru-follow-up', status: 'void' }),
      },
    ]);
  });

  it('lists reports of the window in (reportedAt, position) order: backfilled events up to asOf, and knowledge whatever asOf', () => {
    const backfill = anEvent('statement.made', {
      occurredAt: '2022-01-05',
      reportedAt: '2022-01-20T12:00:00Z',
      actor: 'USA',
    });
    const tooLate = anEvent('statement.made', {
      occurredAt: '2022-01-19',
      reportedAt: '2022-01-20',
      actor: 'USA',
    });
    const earlierReport = anEvent('statement.made', {
      occurredAt: '2022-01-02',
      reportedAt: '2022-01-20T06:00:00Z',
      actor: 'USA',
    });
    const retraction = aRetraction(demand, { occurredAt: '2022-01-25', reportedAt: '2022-01-20T18:00:00Z' });
    const alreadyKnown = anEvent('statement.made', {
      occurredAt: '2022-01-03',
      reportedAt: '2022-01-15',
      actor: 'USA',
    });
    const placed = given(demand, alreadyKnown, backfill, tooLate, earlierReport, retraction).events;
    const known = knowledgeView(placed, upTo('2022-01-31')).events;
    const window = { asOf: upTo('2022-01-10'), knownFrom: upTo('2022-01-15'), knownTo: upTo('2022-01-31') };
    expect(eventsOverKnowledgeTime(known, window).map((k) => k.event.eventId)).toEqual([
      earlierReport.eventId,
      backfill.eventId,
      retraction.eventId,
    ]);
  });
});

describe('the diffs of the seed scenario', () => {
  const seed = loadSeedScenario();
  const window = { standoffId: seed.standoffId, version: seed.events.length };

  it('over 26 January → 1 February 2022: the follow-up, the contacts, the pact, the meeting, the denial', () => {
    const change = diffOverValidTime(seed.events, {
      ...window,
      from: startingAt('2022-01-26'),
      to: upTo('2022-02-01'),
      knownAt: upTo('2022-02-01'),
    });
    expect(change.added.documents.map((d) => [d.documentId, d.status])).toEqual([
      ['ru-written-follow-up', 'void'],
    ]);
    expect(change.added.contacts.map((c) => [c.actors, c.count])).toEqual([
      [['FRA', 'RUS'], 1],
      [['GBR', 'UKR'], 1],
      [['HUN', 'RUS'], 1],
      [['RUS', 'USA'], 2],
    ]);
    expect(change.added.pacts.map((p) => p.pactId)).toEqual(['uk-poland-ukraine-trilateral']);
    expect(change.added.meetings.map((m) => m.meetingId)).toEqual(['putin-macron-face-to-face']);
    expect(change.added.disputed.map((d) => d.eventId)).toEqual([seed.byRef['follow-up'].eventId]);
    // The US response was delivered at the start of 26 January: still awaited, so no change there.
    expect(change.added.awaiting).toEqual([]);
    expect(change.removed.awaiting).toEqual([]);
    expect(change.events.map((e) => e.eventId)).toEqual(
      seed.events.filter((e) => e.occurredAt > startingAt('2022-01-26')).map((e) => e.eventId),
    );
  });

  it('of 31 January as known on 31 January → on 1 February: the denial reopens the awaited reply', () => {
    const change = diffOverKnowledgeTime(seed.events, {
      ...window,
      asOf: upTo('2022-01-31'),
      knownFrom: upTo('2022-01-31'),
      knownTo: upTo('2022-02-01'),
    });
    expect(change.added.awaiting).toEqual([
      {
        from: 'RUS',
        to: 'USA',
        documentId: 'us-written-response',
        since: '2022-01-26',
        origin: seed.byRef['us-response'].eventId,
        lastChange: seed.byRef['us-response'].eventId,
      },
    ]);
    expect(change.events.map((e) => e.eventId)).toEqual([seed.byRef['kremlin-denial'].eventId]);
    expect(change.added.contacts).toEqual([]);
  });
});
