import { MAX_ARRAY_ITEMS, validateEvent } from './catalogue';
import { MAX_LIST_ENTRIES } from './event-rules';

/** Lists are capped and checked in one pass: a hostile body costs its length, and answers one clear error. */

const NOW = Date.parse('2022-02-02T12:00:00.000Z');
/** Distinct actor ids: X followed by four capital letters. */
const actorCodes = (n: number) =>
  Array.from({ length: n }, (_, i) => {
    let code = '';
    for (let rest = i, k = 0; k < 4; k++, rest = Math.floor(rest / 26))
      code += String.fromCharCode(65 + (rest % 26));
    return `X${code}`;
  });

function errorsOf(event: Record<string, unknown>) {
  const result = validateEvent(event, { now: NOW });
  return result.ok ? [] : result.errors;
}

const contact = (extra: Record<string, unknown>) => ({
  type: 'contact.held',
  occurredAt: '2022-02-01',
  actor: 'USA',
  target: ['RUS'],
  summary: 'A call',
  data: { mode: 'call' },
  ...extra,
});

describe('lists of an event', () => {
  it(`refuses 100,000 targets with one error naming the cap of ${MAX_LIST_ENTRIES}`, () => {
    const errors = errorsOf(contact({ target: actorCodes(100_000) }));
    expect(errors).toEqual([{ path: '/target', message: `must hold at most 100 targets (has 100000)` }]);
  });

  it(`accepts ${MAX_LIST_ENTRIES} distinct targets`, () => {
    expect(errorsOf(contact({ target: actorCodes(MAX_LIST_ENTRIES) }))).toEqual([]);
  });

  it('names each repeated target at its first occurrence, in one pass', () => {
    const codes = actorCodes(MAX_LIST_ENTRIES - 2);
    const target = [...codes, codes[10], codes[11]];
    expect(errorsOf(contact({ target }))).toEqual([
      { path: '/target/98', message: 'repeats /target/10: targets are distinct' },
      { path: '/target/99', message: 'repeats /target/11: targets are distinct' },
    ]);
  });

  it('still reports a bad id and the actor among the targets before a repeat', () => {
    expect(errorsOf(contact({ target: ['x', 'x', 'USA', 'USA'] }))).toEqual([
      { path: '/target/0', message: expect.stringMatching(/actor id/) },
      { path: '/target/1', message: expect.stringMatching(/actor id/) },
      { path: '/target/2', message: 'must differ from the actor' },
      { path: '/target/3', message: 'must differ from the actor' },
    ]);
  });

  it('caps the catalogue’s other lists: participants, measures, people', () => {
    const many = MAX_LIST_ENTRIES + 1;
    const meeting = errorsOf({
      type: 'meeting.proposed',
      occurredAt: '2022-02-01',
      actor: 'USA',
      target: ['RUS'],
      summary: 'A meeting',
      data: { meetingId: 'm', participants: actorCodes(many) },
    });
    expect(meeting).toEqual([{ path: '/data/participants', message: expect.stringMatching(/at most 100/) }]);
    const sanctions = errorsOf({
      type: 'sanctions.imposed',
      occurredAt: '2022-02-01',
      actor: 'USA',
      target: ['RUS'],
      summary: 'Sanctions',
      data: { measures: Array.from({ length: many }, (_, i) => `measure ${i}`) },
    });
    expect(sanctions).toEqual([{ path: '/data/measures', message: expect.stringMatching(/at most 100/) }]);
    const people = errorsOf(
      contact({ data: { mode: 'call', people: Array.from({ length: many }, () => ({ name: 'n' })) } }),
    );
    expect(people).toEqual([{ path: '/data/people', message: expect.stringMatching(/at most 100/) }]);
  });

  it(`caps any array of free data at ${MAX_ARRAY_ITEMS} items`, () => {
    const errors = errorsOf(contact({ data: { mode: 'call', notes: { list: new Array(100_000).fill(1) } } }));
    expect(errors).toEqual([
      { path: '/data/notes/list', message: `must hold at most ${MAX_ARRAY_ITEMS} items (has 100000)` },
    ]);
    expect(errorsOf(contact({ data: { mode: 'call', list: new Array(MAX_ARRAY_ITEMS).fill(1) } }))).toEqual(
      [],
    );
  });
});
