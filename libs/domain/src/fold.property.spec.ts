import fc from 'fast-check';
import { foldEvents, initialState } from './fold';
import { compareFoldOrder, knowledgeView } from './knowledge';
import type { RecordedEvent } from './recorded-event';
import { includedEvents, stateAt, type StateQuery } from './state-at';
import { defaultCameo, eventIdFor } from './test-support/builders';
import { DAY_MS } from './time';

/*
 * Logs are generated as specs, turned into accepted events by `toLog`. A spec names earlier events by index
 * (`ref`), so that the same spec list can be posted in another order or without one of its events.
 */

const BASE = Date.UTC(2022, 0, 1);
const FAR = Date.UTC(2100, 11, 31);
const ACTORS = ['RUS', 'USA', 'NATO', 'UKR', 'FRA'] as const;
const TYPES_NAMING_NOTHING = [
  'statement.made',
  'position.stated',
  'appeal.made',
  'relations.reduced',
  'forces.changed',
  'forces.estimated',
  'sanctions.threatened',
  'sanctions.imposed',
  'contact.held',
] as const;
const ENTITY_TYPES = [
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
  'pact.suspended',
] as const;
const KNOWLEDGE_TYPES = ['claim.disputed', 'event.retracted', 'event.corrected'] as const;

interface Spec {
  readonly type: string;
  /** Minutes after BASE. */
  readonly occurred: number;
  readonly occurredDay: boolean;
  /** Minutes after BASE. */
  readonly reported: number;
  readonly actor: string;
  readonly targets: string[];
  readonly data: Record<string, unknown>;
  /** For knowledge events: which earlier event they name (index modulo the events before them). */
  readonly ref: number;
  readonly set: Record<string, unknown>;
}

const MINUTES = 60 * 24 * 60;
const actorArb = fc.constantFrom(...ACTORS);
const dataArb = fc.record({
  topic: fc.constantFrom('t1', 't2'),
  stance: fc.constantFrom('for', 'against'),
  mode: fc.constantFrom('call', 'video', 'meeting', 'visit', 'multilateral'),
  area: fc.constantFrom('north', 'south'),
  posture: fc.constantFrom('buildup', 'exercise', 'withdrawal'),
  troops: fc.nat(200_000),
  subject: actorArb,
  demandId: fc.constantFrom('d1', 'd2'),
  text: fc.constant('a demand'),
  documentId: fc.constantFrom('doc1', 'doc2', 'doc3'),
  kind: fc.constantFrom('draft-treaty', 'proposal', 'response', 'letter', 'note'),
  inReplyTo: fc.option(fc.constantFrom('doc1', 'doc2', 'doc3'), { nil: undefined }),
  meetingId: fc.option(fc.constantFrom('m1', 'm2'), { nil: undefined }),
  scheduledFor: fc.constant('2022-03-01'),
  pactId: fc.constantFrom('p1', 'p2'),
  name: fc.constant('a pact'),
  measures: fc.constant(['m']),
  title: fc.constantFrom('First', 'Second'),
  reason: fc.constant('r'),
});
const setArb = fc.record(
  {
    occurredAt: fc
      .integer({ min: 0, max: 60 })
      .map((d) => new Date(BASE + d * DAY_MS).toISOString().slice(0, 10)),
    actor: actorArb,
    summary: fc.constant('corrected'),
    data: fc.record({ topic: fc.constantFrom('t1', 't2'), area: fc.constantFrom('north', 'south') }),
  },
  { requiredKeys: [] },
);

function specArb(
  types: readonly string[],
  times: fc.Arbitrary<number> = fc.nat(MINUTES),
): fc.Arbitrary<Spec> {
  return fc.record({
    type: fc.constantFrom(...types),
    occurred: times,
    occurredDay: fc.boolean(),
    reported: fc.nat(MINUTES),
    actor: actorArb,
    targets: fc.uniqueArray(actorArb, { maxLength: 3 }),
    data: dataArb,
    ref: fc.nat(),
    set: setArb,
  });
}

const anySpec = specArb([...TYPES_NAMING_NOTHING, ...ENTITY_TYPES, ...KNOWLEDGE_TYPES, 'standoff.described']);
const logArb = fc.array(anySpec, { minLength: 1, maxLength: 25 });
/** Knowledge events are the likeliest to leak across knownAt: weigh them up. */
const extraArb = fc.oneof(
  { arbitrary: specArb(KNOWLEDGE_TYPES), weight: 2 },
  { arbitrary: anySpec, weight: 1 },
);

interface Posted {
  readonly spec: Spec;
  /** Stable id of the spec, so that references survive reordering and removal. */
  readonly key: number;
}

/** The accepted events for the posted specs, positions 1..n in the order given. */
function toLog(
  posted: readonly Posted[],
  allKeys: readonly number[] = posted.map((p) => p.key),
): RecordedEvent[] {
  return posted.map(({ spec, key }, i) => {
    const meta =
      spec.type === 'standoff.described' ||
      spec.type === 'event.retracted' ||
      spec.type === 'event.corrected';
    const occurredAt = spec.occurredDay
      ? Math.floor((BASE + spec.occurred * 60_000) / DAY_MS) * DAY_MS
      : BASE + spec.occurred * 60_000;
    let data: Record<string, unknown> = { ...spec.data };
    if (KNOWLEDGE_TYPES.includes(spec.type as (typeof KNOWLEDGE_TYPES)[number])) {
      // Name an event posted before this one in the original log.
      const earlier = allKeys.filter((k) => k < key);
      const named = earlier.length === 0 ? key : earlier[spec.ref % earlier.length];
      data = {
        eventId: eventIdFor(named),
        reason: 'r',
        ...(spec.type === 'event.corrected' ? { set: spec.set } : {}),
      };
    }
    return {
      eventId: eventIdFor(key),
      standoffId: 's',
      position: i + 1,
      type: spec.type,
      occurredAt,
      occurredPrecision: spec.occurredDay ? 'day' : 'instant',
      reportedAt: BASE + spec.reported * 60_000,
      reportedPrecision: 'instant',
      recordedAt: BASE + spec.reported * 60_000 + 1000,
      actor: meta ? null : spec.actor,
      target: meta ? [] : spec.targets.filter((t) => t !== spec.actor),
      summary: 'generated',
      cameo: meta ? null : defaultCameo(spec.type, data),
      data,
      source: null,
    };
  });
}

const posting = (specs: readonly Spec[]): Posted[] => specs.map((spec, i) => ({ spec, key: i + 1 }));
const timeArb = fc.nat(MINUTES).map((m) => BASE + m * 60_000);
const query = (asOf: number, knownAt: number): StateQuery => ({ standoffId: 's', asOf, knownAt, version: 0 });

describe('the fold, for any log', () => {
  it('does not depend on the posting order of events that name nothing and have distinct times', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat(MINUTES), { minLength: 1, maxLength: 20 }).chain((times) =>
          fc.tuple(
            fc.tuple(...times.map((t) => specArb(TYPES_NAMING_NOTHING, fc.constant(t)))),
            fc.shuffledSubarray(
              times.map((_, i) => i),
              { minLength: times.length, maxLength: times.length },
            ),
          ),
        ),
        timeArb,
        ([specs, order], asOf) => {
          const distinct = specs.map((s) => ({
            ...s,
            occurredDay: false,
            data: { ...s.data, meetingId: undefined },
          }));
          const posted = posting(distinct);
          const reordered = order.map((i) => posted[i]);
          expect(stateAt(toLog(reordered), query(asOf, FAR))).toEqual(
            stateAt(toLog(posted), query(asOf, FAR)),
          );
        },
      ),
    );
  });

  it('never changes the state known at K for an event reported after K', () => {
    fc.assert(
      fc.property(logArb, extraArb, fc.nat(), timeArb, timeArb, (specs, extraSpec, at, asOf, knownAt) => {
        const posted = posting(specs);
        const lateReported = Math.floor((knownAt - BASE) / 60_000) + 1 + (extraSpec.reported % 1000);
        const extra = { spec: { ...extraSpec, reported: lateReported }, key: posted.length + 1 };
        const index = at % (posted.length + 1);
        const withExtra = [...posted.slice(0, index), extra, ...posted.slice(index)];
        const keys = withExtra.map((p) => p.key).sort((a, b) => a - b);
        expect(stateAt(toLog(withExtra, keys), query(asOf, knownAt))).toEqual(
          stateAt(toLog(posted, keys), query(asOf, knownAt)),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('leaves every list of the state, once an event is retracted, as if it had never been posted', () => {
    fc.assert(
      fc.property(
        logArb,
        fc.nat(),
        fc.nat(MINUTES),
        fc.nat(MINUTES),
        timeArb,
        (specs, pick, retractedAt, later, asOf) => {
          const posted = posting(specs);
          const candidates = posted.filter(
            (p) => !['standoff.described', ...KNOWLEDGE_TYPES.slice(1)].includes(p.spec.type),
          );
          fc.pre(candidates.length > 0);
          const retracted = candidates[pick % candidates.length];
          const keys = [...posted.map((p) => p.key), posted.length + 1];
          const retraction: Posted = {
            key: posted.length + 1,
            spec: {
              ...specs[0],
              type: 'event.retracted',
              reported: retractedAt,
              ref: keys.indexOf(retracted.key),
            },
          };
          const knownAt = BASE + (retractedAt + later) * 60_000;
          const afterRetraction = stateAt(toLog([...posted, retraction], keys), query(asOf, knownAt));
          const neverPosted = stateAt(
            toLog(
              posted.filter((p) => p !== retracted),
              keys,
            ),
            query(asOf, knownAt),
          );
          expect(afterRetraction).toEqual(neverPosted);
        },
      ),
    );
  });

  it('resumes from a JSON snapshot to the same state as a fold in one go', () => {
    fc.assert(
      fc.property(logArb, fc.nat(), timeArb, (specs, cut, knownAt) => {
        const included = includedEvents(knowledgeView(toLog(posting(specs)), knownAt), Infinity);
        const k = cut % (included.length + 1);
        const snapshot = JSON.parse(JSON.stringify(foldEvents(initialState(), included.slice(0, k))));
        expect(foldEvents(snapshot, included.slice(k))).toEqual(foldEvents(initialState(), included));
      }),
    );
  });

  it('names in origin and lastChange only events in the fold or disputes standing, lastChange never first', () => {
    fc.assert(
      fc.property(logArb, timeArb, timeArb, (specs, asOf, knownAt) => {
        const view = knowledgeView(toLog(posting(specs)), knownAt);
        const included = includedEvents(view, asOf);
        const nameable = new Map(included.map((k) => [k.event.eventId, k.event]));
        for (const known of included)
          for (const dispute of known.disputes) nameable.set(dispute.eventId, dispute);
        const state = stateAt(toLog(posting(specs)), query(asOf, knownAt));
        const lists = [
          state.demands,
          state.documents,
          state.awaiting,
          state.contacts,
          state.meetings,
          state.pacts,
          state.forces,
          state.estimates,
          state.positions,
          state.sanctions,
          state.disputed,
        ];
        for (const { origin, lastChange } of lists.flat()) {
          const first = nameable.get(origin);
          const last = nameable.get(lastChange);
          expect(first).toBeDefined();
          expect(last).toBeDefined();
          if (first && last) expect(compareFoldOrder(first, last)).toBeLessThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is total: any JSON in data folds without throwing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(anySpec, fc.dictionary(fc.string(), fc.jsonValue())), { maxLength: 10 }),
        (pairs) => {
          const log = toLog(posting(pairs.map(([spec]) => spec))).map((e, i) => ({
            ...e,
            data: { ...e.data, ...pairs[i][1] },
          }));
          expect(() => stateAt(log, query(FAR, FAR))).not.toThrow();
        },
      ),
    );
  });
});
