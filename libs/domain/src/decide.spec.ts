import type { CommandEvent, DecisionFacts, WriteCommand } from './decide';
import { RULE_BOOK, type Decider } from './rules';
import type { RecordedEvent } from './recorded-event';
import { parseTime, type TimePoint } from './time';

const RECORDED_AT = Date.parse('2022-02-02T00:00:00Z');

function at(text: string): TimePoint {
  const point = parseTime(text);
  if (!point) throw new Error(`bad time ${text}`);
  return point;
}

let counter = 0;
function event(
  type: string,
  data: Record<string, unknown>,
  overrides: Partial<CommandEvent> = {},
): CommandEvent {
  counter += 1;
  return {
    eventId: `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`,
    type,
    occurredAt: at('2022-01-26'),
    reportedAt: null,
    actor: 'RUS',
    target: ['USA'],
    summary: `${type} ${counter}`,
    cameo: '010',
    data,
    source: null,
    ...overrides,
  };
}

/**
 * Facts built by deciding the given commands one after the other, as the projector does; each command sees
 * only the facts its rules say they need, as the projector loads them.
 */
function givenBy(rules: Decider) {
  return (...history: CommandEvent[][]) => {
    const events = new Map<string, RecordedEvent>();
    const entities = new Map<string, { creatorActor: string | null }>();
    let version = 0;
    const decideNow = (target: WriteCommand) => {
      const needed = rules.factsNeeded(target);
      const entityKeys = new Set(needed.entities.map(([kind, id]) => `${kind}/${id}`));
      const facts: DecisionFacts = {
        version,
        entity: (kind, id) => (entityKeys.has(`${kind}/${id}`) ? entities.get(`${kind}/${id}`) : undefined),
        event: (id) => (needed.eventIds.includes(id) ? events.get(id) : undefined),
        eventIdTaken: (id) => events.has(id),
      };
      return rules.decide(target, facts);
    };
    for (const members of history) {
      const decision = decideNow(command(members));
      if (decision.outcome !== 'accepted') throw new Error(`history rejected: ${decision.rejection.detail}`);
      for (const e of decision.events) events.set(e.eventId, e);
      for (const e of decision.createdEntities) entities.set(`${e.kind}/${e.entityId}`, e);
      version = decision.versionAfter;
    }
    return {
      when: (members: CommandEvent[], options: Partial<WriteCommand> = {}) =>
        decideNow(command(members, options)),
    };
  };
}

function command(events: CommandEvent[], options: Partial<WriteCommand> = {}): WriteCommand {
  return {
    standoffId: 'test',
    batch: events.length > 1,
    expectedVersion: null,
    recordedAt: RECORDED_AT,
    events,
    ...options,
  };
}

const tabled = () =>
  event('demand.tabled', { demandId: 'no-nato', text: 'Bar Ukraine from NATO' }, { cameo: '100' });

const versions = Array.from({ length: RULE_BOOK.current }, (_, index) => index + 1);

/** Every version the product has: the API's commands are decided the same by each. */
describe.each(versions)('decide by rules version %i', (version) => {
  const rules = RULE_BOOK.rules(version);
  if (!rules) throw new Error(`no rules version ${version}`);
  const given = givenBy(rules);

  it('names why it refused with a code, and leaves HTTP to the API', () => {
    const decision = given().when([event('statement.made', {})], { expectedVersion: 5 });
    expect(decision).toMatchObject({ outcome: 'rejected', rejection: { slug: 'version-mismatch' } });
    expect(decision.outcome === 'rejected' && decision.rejection).not.toHaveProperty('status');
  });

  it('accepts a new demand with the next position and the log time as reportedAt', () => {
    const decision = given().when([tabled()]);
    expect(decision).toMatchObject({ outcome: 'accepted', versionAfter: 1 });
    if (decision.outcome !== 'accepted') return;
    expect(decision.events[0]).toMatchObject({
      position: 1,
      reportedAt: RECORDED_AT,
      recordedAt: RECORDED_AT,
    });
    expect(decision.createdEntities).toEqual([
      { kind: 'demand', entityId: 'no-nato', createdBy: decision.events[0].eventId, creatorActor: 'RUS' },
    ]);
  });

  it('rejects an entity id that must be new (entity-exists)', () => {
    expect(given([tabled()]).when([tabled()])).toMatchObject({
      outcome: 'rejected',
      rejection: { slug: 'entity-exists', errors: [{ path: '/data/demandId' }] },
    });
  });

  it('rejects a reference to a missing demand (unknown-reference)', () => {
    expect(given().when([event('demand.rejected', { demandId: 'nothing' })])).toMatchObject({
      outcome: 'rejected',
      rejection: { slug: 'unknown-reference' },
    });
  });

  it('rejects a version other than If-Match (version-mismatch), naming the current one', () => {
    expect(given([tabled()]).when([event('statement.made', {})], { expectedVersion: 0 })).toMatchObject({
      outcome: 'rejected',
      rejection: {
        slug: 'version-mismatch',
        errors: [{ path: 'If-Match', message: 'the current version is 1' }],
      },
    });
  });

  it('lets a batch member name what an earlier member created, and names a failing member by index', () => {
    const first = tabled();
    const accepted = given().when([
      first,
      event('demand.rejected', { demandId: 'no-nato' }, { actor: 'USA', target: ['RUS'] }),
    ]);
    expect(accepted).toMatchObject({ outcome: 'accepted', versionAfter: 2 });
    const rejected = given().when([first, event('demand.accepted', { demandId: 'other' })]);
    expect(rejected).toMatchObject({
      outcome: 'rejected',
      rejection: { errors: [{ path: '/events/1/data/demandId' }] },
    });
  });

  it('lets only the issuer withdraw a demand', () => {
    const history = given([tabled()]);
    expect(
      history.when([event('demand.withdrawn', { demandId: 'no-nato' }, { actor: 'USA', target: ['RUS'] })]),
    ).toMatchObject({
      outcome: 'rejected',
      rejection: { slug: 'not-the-issuer' },
    });
    expect(history.when([event('demand.withdrawn', { demandId: 'no-nato' })]).outcome).toBe('accepted');
  });

  it('refuses to dispute a meta event or a dispute, and to name an unknown event', () => {
    const claim = event('statement.made', {});
    const dispute = event('claim.disputed', { eventId: claim.eventId }, { actor: 'USA', target: ['RUS'] });
    const history = given([claim], [dispute]);
    expect(history.when([event('claim.disputed', { eventId: dispute.eventId })])).toMatchObject({
      rejection: { slug: 'invalid-reference' },
    });
    expect(
      history.when([
        event(
          'event.retracted',
          { eventId: '00000000-0000-4000-8000-ffffffffffff', reason: 'never happened' },
          { actor: null, target: [], cameo: null },
        ),
      ]),
    ).toMatchObject({
      rejection: { slug: 'unknown-reference' },
    });
  });

  it('rejects a correction that changes an entity id or breaks the catalogue', () => {
    const demand = tabled();
    const history = given([demand]);
    const correct = (set: Record<string, unknown>) =>
      history.when([
        event('event.corrected', { eventId: demand.eventId, set }, { actor: null, target: [], cameo: null }),
      ]);
    expect(correct({ data: { demandId: 'renamed' } })).toMatchObject({
      rejection: { slug: 'invalid-correction' },
    });
    expect(correct({ target: [] })).toMatchObject({ rejection: { slug: 'invalid-correction' } });
    expect(correct({ summary: 'Russia demands guarantees' }).outcome).toBe('accepted');
  });

  it('refuses to point a dispute at another event through a correction', () => {
    const claim = event('statement.made', {});
    const other = event('statement.made', {});
    const dispute = event('claim.disputed', { eventId: claim.eventId }, { actor: 'USA', target: ['RUS'] });
    const correction = (set: Record<string, unknown>) =>
      event('event.corrected', { eventId: dispute.eventId, set }, { actor: null, target: [], cameo: null });
    const history = given([claim], [other], [dispute]);
    expect(history.when([correction({ data: { eventId: other.eventId } })])).toMatchObject({
      rejection: { slug: 'invalid-correction', errors: [{ path: '/data/set/data/eventId' }] },
    });
    expect(history.when([correction({ data: { reason: 'restated' } })]).outcome).toBe('accepted');
  });

  it('refuses a correction naming a document that does not exist', () => {
    const note = event('document.delivered', { documentId: 'a-note', kind: 'note' });
    const fix = event(
      'event.corrected',
      { eventId: note.eventId, set: { data: { inReplyTo: 'missing' } } },
      { actor: null, target: [], cameo: null },
    );
    expect(given([note]).when([fix])).toMatchObject({
      rejection: { slug: 'unknown-reference', errors: [{ path: '/data/set/data/inReplyTo' }] },
    });
  });

  it('rejects a reportedAt later than the log recorded the event', () => {
    const late = event('statement.made', {}, { reportedAt: at('2022-02-03') });
    expect(given().when([late])).toMatchObject({
      rejection: { slug: 'reported-after-recorded' },
    });
  });

  it('rejects an event id that was decided before with 409', () => {
    const claim = event('statement.made', {});
    expect(given([claim]).when([claim])).toMatchObject({
      rejection: { slug: 'event-id-taken' },
    });
  });
});
