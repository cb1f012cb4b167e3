import type { DiffRequest } from '@app/read-model/diff-queries';
import { ProblemError } from '../http/problem';
import { invalidParameters } from '../http/problems';
import { badRequest, instantParam } from '../http/query-params';

type QueryParams = Readonly<Record<string, unknown>>;

/** The parameters of each diff (DESIGN.md §9); `knownAt` belongs to the diff over valid time. */
export const VALID_TIME_PARAMS = ['from', 'to', 'knownAt'] as const;
export const KNOWLEDGE_TIME_PARAMS = ['asOf', 'knownFrom', 'knownTo'] as const;

const HOW =
  'ask for the change over valid time (from, to, and optionally knownAt) or over knowledge time ' +
  '(asOf, knownFrom, knownTo)';

function given(query: QueryParams, names: readonly string[]): string[] {
  return names.filter((name) => query[name] !== undefined);
}

function missing(query: QueryParams, names: readonly string[]): ProblemError | undefined {
  const absent = names.filter((name) => query[name] === undefined);
  if (absent.length === 0) return undefined;
  return new ProblemError(
    invalidParameters(
      `Missing ${absent.join(', ')}: ${HOW}.`,
      absent.map((path) => ({ path, message: 'is required' })),
    ),
  );
}

/** A parameter known to be present (`missing` said so). */
function presentInstant(query: QueryParams, name: string, side: 'start' | 'end'): number {
  const ms = instantParam(name, query[name], side);
  if (ms === undefined) throw badRequest(name, 'is required');
  return ms;
}

/**
 * The diff a query asks for: over valid time (`from` a date's start, `to` its end, `knownAt` its end, default
 * `now`) or over knowledge time (`asOf`, `knownFrom`, `knownTo`, each a date's end). Parameters of both, or of
 * neither, or bounds in the wrong order, are a 400 naming each offending parameter.
 */
export function diffRequestOf(standoffId: string, query: QueryParams, now: number): DiffRequest {
  const valid = given(query, VALID_TIME_PARAMS);
  const knowledge = given(query, KNOWLEDGE_TIME_PARAMS);
  if (valid.length > 0 && knowledge.length > 0) {
    throw new ProblemError(
      invalidParameters(
        `${[...valid, ...knowledge].join(', ')} do not go together: ${HOW}.`,
        [...valid, ...knowledge].map((path) => ({
          path,
          message: `cannot be combined with ${(valid.includes(path) ? knowledge : valid).join(', ')}`,
        })),
      ),
    );
  }
  if (knowledge.length > 0) {
    const absent = missing(query, KNOWLEDGE_TIME_PARAMS);
    if (absent) throw absent;
    const asOf = presentInstant(query, 'asOf', 'end');
    const knownFrom = presentInstant(query, 'knownFrom', 'end');
    const knownTo = presentInstant(query, 'knownTo', 'end');
    if (knownTo < knownFrom) throw badRequest('knownTo', 'must not be before knownFrom');
    return { axis: 'knowledge', standoffId, asOf, knownFrom, knownTo };
  }
  const absent = missing(query, ['from', 'to']);
  if (absent) throw absent;
  const from = presentInstant(query, 'from', 'start');
  const to = presentInstant(query, 'to', 'end');
  const knownAt = instantParam('knownAt', query.knownAt, 'end') ?? now;
  if (to < from) throw badRequest('to', 'must not be before from');
  return { axis: 'valid', standoffId, from, to, knownAt };
}
