import { createHash } from 'node:crypto';
import { canonicalJson, contentHash } from './content-hash';

describe('canonical JSON, whose hashes are stored', () => {
  it('sorts keys at every depth and leaves out undefined members', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: undefined, c: 'x', é: null }], z: { y: true, x: 1.5 } })).toBe(
      '{"a":[1,{"c":"x","é":null}],"b":1,"z":{"x":1.5,"y":true}}',
    );
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
  });

  it('gives equal text for equal content whatever the key order', () => {
    expect(canonicalJson({ a: 1, b: { c: [2, 3], d: 'x' } })).toBe(
      canonicalJson({ b: { d: 'x', c: [2, 3] }, a: 1 }),
    );
  });

  it('keeps the hashes stored before (an event as the API logs it)', () => {
    const event = {
      eventId: '00000000-0000-4000-8000-000000000001',
      clientEventId: true,
      type: 'statement.made',
      occurredAt: '2022-01-10',
      actor: 'RUS',
      target: ['USA'],
      summary: 'A statement',
      data: {},
    };
    expect(contentHash(event)).toBe(referenceHash(event));
  });
});

/** The first implementation's text, whose hashes are in the read models. */
function referenceHash(value: unknown): string {
  const reference = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(reference).join(',')}]`;
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>)
        .filter(([, item]) => item !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, item]) => `${JSON.stringify(k)}:${reference(item)}`).join(',')}}`;
    }
    return JSON.stringify(v);
  };
  return createHash('sha256').update(reference(value)).digest('hex');
}
