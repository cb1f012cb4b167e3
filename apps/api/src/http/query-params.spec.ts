import { DAY_MS } from '@app/domain/time';
import { ProblemError } from './problem';
import {
  boolParam,
  enumParam,
  eventIdParam,
  idempotencyKeyHeader,
  ifMatchHeader,
  instantParam,
  intParam,
  listParam,
  standoffIdParam,
} from './query-params';

function problemOf(fn: () => unknown): ProblemError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProblemError) return e;
    throw e;
  }
  throw new Error('expected a ProblemError');
}

function expectBadRequest(fn: () => unknown, path: string): void {
  const error = problemOf(fn);
  expect(error.problem.status).toBe(400);
  expect(error.problem.errors).toEqual([{ path, message: expect.any(String) }]);
}

describe('query and path parameters', () => {
  it('accepts standoff ids of the documented shape', () => {
    expect(standoffIdParam('ukraine-2022')).toBe('ukraine-2022');
    expect(standoffIdParam('a'.repeat(64))).toBe('a'.repeat(64));
    for (const bad of ['', '-a', 'A', 'a'.repeat(65), 'a_b', 'a/b', undefined, ['a', 'b']]) {
      expectBadRequest(() => standoffIdParam(bad), 'standoffId');
    }
  });

  it('accepts UUID event ids in either case and gives them lower-case, as the domain stores them', () => {
    expect(eventIdParam('0B6D3C1E-4F0A-4C7E-9A55-2F1D0C9B8E71')).toBe('0b6d3c1e-4f0a-4c7e-9a55-2f1d0c9b8e71');
    expectBadRequest(() => eventIdParam('0b6d3c1e'), 'eventId');
  });

  it('reads a date as the start of its day for from and its end for asOf', () => {
    const start = Date.UTC(2022, 1, 24);
    expect(instantParam('from', '2022-02-24', 'start')).toBe(start);
    expect(instantParam('asOf', '2022-02-24', 'end')).toBe(start + DAY_MS - 1);
    expect(instantParam('asOf', '2022-02-24T03:00:00+02:00', 'end')).toBe(Date.UTC(2022, 1, 24, 1));
    expect(instantParam('asOf', undefined, 'end')).toBeUndefined();
    expectBadRequest(() => instantParam('asOf', 'yesterday', 'end'), 'asOf');
    expectBadRequest(() => instantParam('knownAt', '2022-02-30', 'end'), 'knownAt');
    expectBadRequest(() => instantParam('asOf', ['2022-01-01', '2022-01-02'], 'end'), 'asOf');
  });

  it('reads bounded integers with a default', () => {
    expect(intParam('limit', undefined, { min: 1, max: 1000, default: 100 })).toBe(100);
    expect(intParam('limit', '1000', { min: 1, max: 1000, default: 100 })).toBe(1000);
    expect(intParam('limit', undefined, { min: 1, max: 1000 })).toBeUndefined();
    for (const bad of ['0', '1001', '1.5', '1e3', ' 5', 'ten', '']) {
      expectBadRequest(() => intParam('limit', bad, { min: 1, max: 1000, default: 100 }), 'limit');
    }
  });

  it('reads enums and booleans', () => {
    const buckets = ['day', 'week', 'month'] as const;
    expect(enumParam('bucket', undefined, buckets, 'day')).toBe('day');
    expect(enumParam('bucket', 'week', buckets)).toBe('week');
    expectBadRequest(() => enumParam('bucket', 'year', buckets), 'bucket');
    expect(boolParam('includeRetracted', undefined)).toBe(false);
    expect(boolParam('includeRetracted', 'true')).toBe(true);
    expect(boolParam('includeRetracted', 'false', true)).toBe(false);
    expectBadRequest(() => boolParam('includeRetracted', 'yes'), 'includeRetracted');
  });

  it('reads repeated parameters', () => {
    expect(listParam('actor', undefined)).toEqual([]);
    expect(listParam('actor', 'RUS')).toEqual(['RUS']);
    expect(listParam('actor', ['RUS', 'USA'])).toEqual(['RUS', 'USA']);
    expectBadRequest(() => listParam('actor', ''), 'actor');
  });
});

describe('request headers', () => {
  it('reads If-Match as a version', () => {
    expect(ifMatchHeader(undefined)).toBeNull();
    expect(ifMatchHeader('"0"')).toBe(0);
    expect(ifMatchHeader('"12"')).toBe(12);
    expect(ifMatchHeader('12')).toBe(12);
    for (const bad of ['W/"12"', '*', '"1", "2"', '"x"', '""', '"012"', '"1.5"']) {
      expectBadRequest(() => ifMatchHeader(bad), 'If-Match');
    }
  });

  it('reads Idempotency-Key as 1–200 printable ASCII characters', () => {
    expect(idempotencyKeyHeader(undefined)).toBeNull();
    expect(idempotencyKeyHeader('order 42/retry')).toBe('order 42/retry');
    expect(idempotencyKeyHeader('k'.repeat(200))).toHaveLength(200);
    for (const bad of ['', 'k'.repeat(201), 'café', 'tab\there']) {
      expectBadRequest(() => idempotencyKeyHeader(bad), 'Idempotency-Key');
    }
  });
});
