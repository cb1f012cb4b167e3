import fc from 'fast-check';
import { validateEvent } from './catalogue';
import { EVENT_TYPES } from './events';
import { UndecodableCommandError } from './command-decoding';
import type { CommandEvent, Decision, DecisionFacts, WriteCommand } from './decide';
import type { RecordedEvent } from './recorded-event';
import { RULE_BOOK, RULES_V1, RULES_V2, type Decider } from './rules';
import { eventIdFor } from './test-support/builders';

const RECORDED_AT = Date.parse('2022-03-01T00:00:00Z');
const ACTORS = ['RUS', 'USA', 'UKR'] as const;
const EVENT_IDS = [1, 2, 3, 4, 5, 6].map(eventIdFor);

/** A standoff's facts as the projector keeps them, built by deciding commands under one version of the rules. */
class Standoff {
  private readonly events = new Map<string, RecordedEvent>();
  private readonly entities = new Map<string, { creatorActor: string | null }>();
  private version = 0;

  constructor(private readonly rules: Decider) {}

  /** Decides as the projector does: only the facts the rules ask for are loaded. */
  decide(command: WriteCommand): Decision {
    const needed = this.rules.factsNeeded(command);
    const entityKeys = new Set(needed.entities.map(([kind, id]) => `${kind}/${id}`));
    const facts: DecisionFacts = {
      version: this.version,
      entity: (kind, id) =>
        entityKeys.has(`${kind}/${id}`) ? this.entities.get(`${kind}/${id}`) : undefined,
      event: (id) => (needed.eventIds.includes(id) ? this.events.get(id) : undefined),
      eventIdTaken: (id) => this.events.has(id),
    };
    const decision = this.rules.decide(command, facts);
    if (decision.outcome === 'accepted') {
      for (const event of decision.events) this.events.set(event.eventId, event);
      for (const entity of decision.createdEntities)
        this.entities.set(`${entity.kind}/${entity.entityId}`, entity);
      this.version = decision.versionAfter;
    }
    return decision;
  }
}

function commandOf(events: readonly unknown[], expectedVersion: number | null = null): WriteCommand {
  // The log carries JSON: what the projector reads is what survives a round trip.
  return JSON.parse(
    JSON.stringify({
      standoffId: 'rules',
      batch: events.length > 1,
      expectedVersion,
      recordedAt: RECORDED_AT,
      events,
    }),
  ) as WriteCommand;
}

/** A posted body as the API validates it and appends it: its event as the log carries it. */
function appended(body: Record<string, unknown>, generatedId: string): CommandEvent | undefined {
  const result = validateEvent(body, { now: RECORDED_AT });
  if (!result.ok) return undefined;
  const { eventId, reportedAt, ...draft } = result.event;
  return { ...draft, eventId: eventId ?? generatedId, reportedAt: reportedAt ?? null };
}

const entityId = fc.constantFrom('a', 'b');
const eventId = fc.constantFrom(...EVENT_IDS);

/**
 * Bodies of every type that name entities and events from small pools, so that references hit and miss (the
 * types given no data here are refused by the catalogue, and left out).
 */
const body = fc
  .record({
    type: fc.constantFrom(...EVENT_TYPES),
    eventId: fc.option(eventId, { nil: undefined }),
    actor: fc.constantFrom(...ACTORS),
    entity: entityId,
    mention: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
    named: eventId,
    set: fc.constantFrom<Record<string, unknown>>(
      { summary: 'restated' },
      { data: { inReplyTo: 'b' } },
      { data: { meetingId: 'c' } },
      { data: { demandId: 'b' } },
      { data: { eventId: EVENT_IDS[0] } },
      { target: [] },
    ),
    reportedDaysAgo: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  })
  .map(({ type, eventId: id, actor, entity, mention, named, set, reportedDaysAgo }) => {
    const other = ACTORS.find((candidate) => candidate !== actor);
    const meta = type === 'event.retracted' || type === 'event.corrected';
    const family = type.split('.')[0];
    const data: Record<string, unknown> =
      family === 'demand'
        ? { demandId: entity, text: 'guarantees' }
        : type === 'document.delivered'
          ? { documentId: entity, kind: 'response', ...(mention ? { inReplyTo: mention } : {}) }
          : type === 'contact.held'
            ? { mode: 'call', ...(mention ? { meetingId: mention } : {}) }
            : family === 'meeting'
              ? { meetingId: entity, scheduledFor: '2022-02-10' }
              : family === 'pact'
                ? { pactId: entity, name: 'Pact' }
                : type === 'event.corrected'
                  ? { eventId: named, set }
                  : type === 'event.retracted'
                    ? { eventId: named, reason: 'withdrawn' }
                    : type === 'claim.disputed'
                      ? { eventId: named }
                      : {};
    return {
      ...(id ? { eventId: id } : {}),
      type,
      occurredAt: '2022-02-01',
      ...(reportedDaysAgo === undefined
        ? {}
        : { reportedAt: new Date(RECORDED_AT - reportedDaysAgo * 86_400_000).toISOString() }),
      ...(meta ? {} : { actor, target: other }),
      summary: `${type} by ${actor}`,
      data,
    };
  });

/** Commands of one to three events, as the API appends them (bodies the catalogue refuses are left out). */
const command = fc
  .tuple(
    fc.array(body, { minLength: 1, maxLength: 3 }),
    fc.oneof({ arbitrary: fc.constant(null), weight: 9 }, fc.integer({ min: 0, max: 4 })),
  )
  .map(([bodies, expectedVersion]) => {
    const events = bodies.flatMap((b, index) => appended(b, eventIdFor(100 + index)) ?? []);
    return events.length > 0 ? commandOf(events, expectedVersion) : undefined;
  })
  .filter((c): c is WriteCommand => c !== undefined);

describe('the rule book', () => {
  it('records new commands under the typed rules, version 2', () => {
    expect(RULE_BOOK.current).toBe(2);
    expect(RULE_BOOK.rules(1)).toBe(RULES_V1);
    expect(RULE_BOOK.rules(2)).toBe(RULES_V2);
  });

  it('decides every command the API could append the same under version 2 as under version 1', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 16 }), (history) => {
        const first = new Standoff(RULES_V1);
        const second = new Standoff(RULES_V2);
        for (const c of history) expect(second.decide(c)).toEqual(first.decide(c));
      }),
      { numRuns: 300 },
    );
  });

  /*
   * Records no API wrote (another writer of the log): version 1 reads them by field name and decides them as it
   * always did, in every rebuild; version 2 does not decide them (they are dead-lettered).
   */
  describe('a record no API wrote', () => {
    const statement = {
      eventId: EVENT_IDS[0],
      type: 'statement.made',
      occurredAt: { ms: Date.parse('2022-02-01'), precision: 'day' },
      reportedAt: null,
      actor: 'RUS',
      target: ['USA'],
      summary: 'said',
      cameo: '010',
      data: {},
      source: null,
    };

    it.each([
      ['an actor that is no actor id', { actor: 'not an actor' }, '/actor'],
      ['a type the catalogue does not have', { type: 'statement.mumbled' }, '/type'],
      ['a meta event with an actor', { type: 'standoff.described', data: { title: 'T' } }, '/actor'],
    ])('with %s: accepted by version 1, undecodable by version 2', (_what, fields, path) => {
      const record = commandOf([{ ...statement, ...fields }]);
      expect(new Standoff(RULES_V1).decide(record)).toMatchObject({ outcome: 'accepted', versionAfter: 1 });
      expect(() => new Standoff(RULES_V2).decide(record)).toThrow(UndecodableCommandError);
      expect(() => new Standoff(RULES_V2).decide(record)).toThrow(new RegExp(`${path} `));
    });

    it('answering a demand it does not name: refused by version 1 as a missing demand "undefined"', () => {
      const record = commandOf([{ ...statement, type: 'demand.rejected', data: { text: 'no' } }]);
      expect(new Standoff(RULES_V1).decide(record)).toEqual({
        outcome: 'rejected',
        rejection: {
          slug: 'unknown-reference',
          title: 'Unknown demand',
          detail: 'no demand undefined in this standoff',
          errors: [{ path: '/data/demandId', message: 'no demand undefined in this standoff' }],
        },
      });
      expect(() => new Standoff(RULES_V2).decide(record)).toThrow(/\/data\/demandId is required/);
    });

    it('without a time: version 1 fails on it (a dead letter), version 2 names the field', () => {
      const record = commandOf([{ ...statement, occurredAt: null }]);
      expect(() => new Standoff(RULES_V1).decide(record)).toThrow(TypeError);
      expect(() => new Standoff(RULES_V2).decide(record)).toThrow(/\/occurredAt must be a time/);
    });
  });
});
