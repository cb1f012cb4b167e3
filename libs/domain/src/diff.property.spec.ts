import fc from 'fast-check';
import { applyChange, DIFF_LISTS, diffStates, itemKey, PROVENANCE_FIELDS, type DiffListName } from './diff';
import type { RecordedEvent } from './recorded-event';
import type { StandoffState } from './state';
import { stateAt } from './state-at';
import { defaultCameo, eventIdFor } from './test-support/builders';
import { DAY_MS } from './time';

/*
 * Random histories over a few ids per entity, so that the same demand, document, meeting or force meets
 * several events; knowledge events name earlier events by index.
 */

const BASE = Date.UTC(2022, 0, 1);
const SPAN_DAYS = 40;
const ACTORS = ['RUS', 'USA', 'NATO', 'UKR'] as const;
const TYPES = [
  'demand.tabled',
  'demand.rejected',
  'demand.accepted',
  'demand.withdrawn',
  'document.delivered',
  'meeting.proposed',
  'meeting.scheduled',
  'meeting.cancelled',
  'pact.proposed',
  'pact.signed',
  'forces.changed',
  'forces.estimated',
  'position.stated',
  'sanctions.threatened',
  'sanctions.imposed',
  'contact.held',
  'claim.disputed',
  'event.retracted',
  'event.corrected',
] as const;
const KNOWLEDGE = new Set(['claim.disputed', 'event.retracted', 'event.corrected']);

const actorArb = fc.constantFrom(...ACTORS);
const specArb = fc.record({
  type: fc.constantFrom(...TYPES),
  occurredDay: fc.nat(SPAN_DAYS),
  reportDelayDays: fc.nat(10),
  actor: actorArb,
  target: actorArb,
  ref: fc.nat(),
  data: fc.record({
    demandId: fc.constantFrom('d1', 'd2'),
    text: fc.constant('a demand'),
    documentId: fc.constantFrom('doc1', 'doc2', 'doc3'),
    kind: fc.constantFrom('proposal', 'response', 'note'),
    inReplyTo: fc.constantFrom('doc1', 'doc2', 'doc3'),
    meetingId: fc.constantFrom('m1', 'm2'),
    pactId: fc.constantFrom('p1', 'p2'),
    name: fc.constant('a pact'),
    area: fc.constantFrom('north', 'south'),
    posture: fc.constantFrom('buildup', 'withdrawal'),
    troops: fc.nat(100_000),
    subject: actorArb,
    topic: fc.constantFrom('t1', 't2'),
    stance: fc.constantFrom('for', 'against'),
    measures: fc.constantFrom(['m'], ['m', 'n']),
    mode: fc.constantFrom('call', 'visit'),
    scheduledFor: fc.constant('2022-03-01'),
  }),
  setDay: fc.nat(SPAN_DAYS),
});
type Spec = typeof specArb extends fc.Arbitrary<infer T> ? T : never;

function toLog(specs: readonly Spec[]): RecordedEvent[] {
  return specs.map((spec, i) => {
    const occurredAt = BASE + spec.occurredDay * DAY_MS;
    const reportedAt = occurredAt + spec.reportDelayDays * DAY_MS;
    const meta = spec.type === 'event.retracted' || spec.type === 'event.corrected';
    let data: Record<string, unknown> = { ...spec.data };
    if (KNOWLEDGE.has(spec.type)) {
      const named = i === 0 ? 1 : (spec.ref % i) + 1;
      data = { eventId: eventIdFor(named), reason: 'r' };
      if (spec.type === 'event.corrected') {
        data.set = { occurredAt: new Date(BASE + spec.setDay * DAY_MS).toISOString().slice(0, 10) };
      }
    }
    return {
      eventId: eventIdFor(i + 1),
      standoffId: 's',
      position: i + 1,
      type: spec.type,
      occurredAt,
      occurredPrecision: 'day',
      reportedAt,
      reportedPrecision: 'day',
      recordedAt: reportedAt + 1000,
      actor: meta ? null : spec.actor,
      target: meta || spec.target === spec.actor ? [] : [spec.target],
      summary: 'generated',
      cameo: meta ? null : defaultCameo(spec.type, data),
      data,
      source: null,
    };
  });
}

const logArb = fc.array(specArb, { minLength: 1, maxLength: 30 }).map(toLog);
const dayArb = fc.nat(SPAN_DAYS + 12).map((d) => BASE + d * DAY_MS + DAY_MS - 1);
const provenanceArb = fc.constantFrom<'none' | 'before' | 'after' | 'both'>(
  'none',
  'before',
  'after',
  'both',
);

/** Stamps every item with made-up provenance, as a fold that records it would (values are not compared). */
function withProvenance(state: StandoffState, salt: string): StandoffState {
  const stamped: Record<string, unknown> = { ...state };
  for (const list of DIFF_LISTS) {
    stamped[list] = state[list].map((item, i) => ({
      ...item,
      origin: `${salt}-o${i}`,
      lastChange: `${salt}-c${i}`,
    }));
  }
  return stamped as unknown as StandoffState;
}

/** A list as a map from item identity to the item without provenance: what the diff promises to preserve. */
function byIdentity<N extends DiffListName>(list: N, items: readonly StandoffState[N][number][]) {
  return new Map(
    items.map((item) => {
      const rest: Record<string, unknown> = { ...item };
      for (const field of PROVENANCE_FIELDS) delete rest[field];
      return [itemKey(list, item), rest];
    }),
  );
}

function expectAppliedEqual(before: StandoffState, after: StandoffState): void {
  const change = diffStates(before, after);
  const applied = applyChange(before, change);
  for (const list of DIFF_LISTS) {
    expect(byIdentity(list, applied[list])).toEqual(byIdentity(list, after[list]));
    expect(applied[list]).toHaveLength(after[list].length);
  }
}

function stamped(
  state: StandoffState,
  which: 'none' | 'before' | 'after' | 'both',
  side: 'before' | 'after',
) {
  return which === side || which === 'both' ? withProvenance(state, side) : state;
}

describe('the diff, for any history', () => {
  it('turns the state at from into the state at to (valid time), provenance present or not', () => {
    fc.assert(
      fc.property(logArb, dayArb, dayArb, dayArb, provenanceArb, (log, a, b, knownAt, provenance) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        const at = (asOf: number) => stateAt(log, { standoffId: 's', asOf, knownAt, version: log.length });
        expectAppliedEqual(stamped(at(from), provenance, 'before'), stamped(at(to), provenance, 'after'));
      }),
      { numRuns: 300 },
    );
  });

  it('turns the state as known at knownFrom into the state as known at knownTo (knowledge time)', () => {
    fc.assert(
      fc.property(logArb, dayArb, dayArb, dayArb, (log, asOf, a, b) => {
        const [knownFrom, knownTo] = a <= b ? [a, b] : [b, a];
        const known = (knownAt: number) =>
          stateAt(log, { standoffId: 's', asOf, knownAt, version: log.length });
        expectAppliedEqual(known(knownFrom), known(knownTo));
      }),
      { numRuns: 300 },
    );
  });

  it('is empty between a state and itself, and between states that differ only in provenance', () => {
    fc.assert(
      fc.property(logArb, dayArb, (log, asOf) => {
        const state = stateAt(log, { standoffId: 's', asOf, knownAt: asOf, version: log.length });
        const change = diffStates(withProvenance(state, 'x'), withProvenance(state, 'y'));
        for (const part of [change.added, change.removed, change.changed]) {
          for (const list of DIFF_LISTS) expect(part[list]).toEqual([]);
        }
      }),
    );
  });
});
