import { ENTITY_ID_PATTERN, EVENT_ID_PATTERN } from '@app/domain/events';
import { parseBound } from '@app/domain/time';
import { ProblemError } from './problem';
import { invalidParameter } from './problems';

/**
 * Parsing of path and query parameters and of request headers: each helper returns the typed value or throws
 * a 400 problem naming the parameter in `errors[].path`. Values arrive as `unknown` because Express's query
 * parser turns a repeated parameter into an array.
 */
export function badRequest(path: string, message: string): ProblemError {
  return new ProblemError(invalidParameter(path, message));
}

function single(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(name, 'must be given once, as a single value');
  return value;
}

export const STANDOFF_ID = ENTITY_ID_PATTERN;

export function standoffIdParam(value: unknown): string {
  const text = single('standoffId', value);
  if (text === undefined || !STANDOFF_ID.test(text)) {
    throw badRequest(
      'standoffId',
      'must be 1–64 lowercase letters, digits or hyphens, not starting with a hyphen',
    );
  }
  return text;
}

export function eventIdParam(value: unknown): string {
  const text = single('eventId', value);
  if (text === undefined || !EVENT_ID_PATTERN.test(text)) throw badRequest('eventId', 'must be a UUID');
  return text.toLowerCase();
}

/**
 * An instant as epoch milliseconds, undefined when absent. A date (`2022-02-24`) stands for its start as a
 * lower bound (`side: 'start'`: `from`) and for its end as an upper one (`'end'`: `to`, `until`, `asOf`,
 * `knownAt`).
 */
export function instantParam(name: string, value: unknown, side: 'start' | 'end'): number | undefined {
  const text = single(name, value);
  if (text === undefined) return undefined;
  const ms = parseBound(text, side);
  if (ms === undefined) {
    throw badRequest(name, 'must be a date (YYYY-MM-DD) or an RFC 3339 date-time with an offset');
  }
  return ms;
}

export interface IntOptions {
  readonly min: number;
  readonly max: number;
  readonly default?: number;
}

export function intParam(name: string, value: unknown, options: IntOptions & { default: number }): number;
export function intParam(name: string, value: unknown, options: IntOptions): number | undefined;
export function intParam(name: string, value: unknown, options: IntOptions): number | undefined {
  const text = single(name, value);
  if (text === undefined) return options.default;
  const n = /^-?\d{1,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < options.min || n > options.max) {
    throw badRequest(name, `must be an integer from ${options.min} to ${options.max}`);
  }
  return n;
}

export function enumParam<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T;
export function enumParam<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
): T | undefined;
export function enumParam<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
  fallback?: T,
): T | undefined {
  const text = single(name, value);
  if (text === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(text))
    throw badRequest(name, `must be one of ${allowed.join(', ')}`);
  return text as T;
}

export function boolParam(name: string, value: unknown, fallback = false): boolean {
  const text = single(name, value);
  if (text === undefined) return fallback;
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw badRequest(name, 'must be true or false');
}

/** A parameter that may repeat (`actor=RUS&actor=USA`): every value, each non-empty; `[]` when absent. */
export function listParam(name: string, value: unknown, maxItems = 100): string[] {
  if (value === undefined) return [];
  const values = Array.isArray(value) ? value : [value];
  if (!values.every((v): v is string => typeof v === 'string' && v.length > 0)) {
    throw badRequest(name, 'must not be empty');
  }
  if (values.length > maxItems) throw badRequest(name, `may be given at most ${maxItems} times`);
  return values;
}

/**
 * `If-Match: "5"` (or a bare `5`) → 5; null when absent. A weak tag, `*` or a list cannot name the one
 * version an append expects, so each is refused rather than guessed at.
 */
export function ifMatchHeader(value: unknown): number | null {
  const text = single('If-Match', value);
  if (text === undefined) return null;
  const match = /^\s*(?:"(0|[1-9]\d{0,14})"|(0|[1-9]\d{0,14}))\s*$/.exec(text);
  if (!match) {
    throw badRequest(
      'If-Match',
      'must be the standoff version as a strong entity tag, e.g. "5" ("0" for a new standoff)',
    );
  }
  return Number(match[1] ?? match[2]);
}

/** `Idempotency-Key`: 1–200 printable ASCII characters; null when absent. */
export function idempotencyKeyHeader(value: unknown): string | null {
  const text = single('Idempotency-Key', value);
  if (text === undefined) return null;
  if (!/^[\x20-\x7e]{1,200}$/.test(text)) {
    throw badRequest('Idempotency-Key', 'must be 1–200 printable ASCII characters');
  }
  return text;
}
