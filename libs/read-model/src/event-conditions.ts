import type { FoldKey } from './fold-key';

/*
 * The SQL that narrows which `events` rows a temporal query reads (never what the fold makes of them).
 *
 * What SQL may leave out, and why. The `events` columns hold the values as known now (corrected), `posted` the
 * event as accepted. Knowledge events (`event.retracted`, `event.corrected`, `standoff.described`, and
 * `claim.disputed`) change what is known whatever their `occurredAt`, and a correction can move its event's
 * `occurredAt` anywhere, so two kinds of rows are always read whole ("special" rows):
 *   - the meta events and the disputes;
 *   - every event named by one of them (by `data.eventId`), at any position: their columns may have been
 *     rewritten by a correction, even one not known at `knownAt`.
 * Every other row ("regular") has never been named, so its columns equal `posted`: filtering or ordering it by
 * `occurred_at`, `type`, `actor`, `targets` or `cameo` in SQL is exact, and as known at any `knownAt` it is
 * neither corrected, disputed, void nor retracted.
 */

/** The instants SQL reads: years 0001–9999 (events lie within 1900–2100, so clamping a bound changes nothing). */
export const MIN_INSTANT = -62_135_596_800_000;
export const MAX_INSTANT = 253_402_300_799_999;
/** Positions and versions are SQL integers. */
export const MAX_POSITION = 2_147_483_647;

export const KNOWLEDGE_ROW = `(k.meta OR k.type = 'claim.disputed')`;
/** The row has been named by a knowledge event (any position, any knowledge time): its columns may be corrected. */
const NAMED = `EXISTS (SELECT 1 FROM events k WHERE k.standoff_id = e.standoff_id AND ${KNOWLEDGE_ROW}
  AND k.data ->> 'eventId' = e.event_id::text)`;
export const SPECIAL = `(e.meta OR e.type = 'claim.disputed' OR ${NAMED})`;
export const REGULAR = `(NOT e.meta AND e.type <> 'claim.disputed' AND NOT ${NAMED})`;

function instant(ms: number): string {
  return new Date(Math.min(Math.max(ms, MIN_INSTANT), MAX_INSTANT)).toISOString();
}

/** SQL conditions with their parameters, numbered as they are added. */
export class Conditions {
  readonly parameters: unknown[] = [];
  private readonly clauses: string[] = [];

  param(value: unknown): string {
    this.parameters.push(value);
    return `$${this.parameters.length}`;
  }

  add(clause: string): this {
    this.clauses.push(clause);
    return this;
  }

  toString(): string {
    return this.clauses.join(' AND ');
  }
}

/** The rows of the standoff a query may read: position within the horizon, reported by `knownAt`. */
export function baseConditions(standoffId: string, horizon: number, knownAt: number): Conditions {
  const c = new Conditions();
  c.add(`e.standoff_id = ${c.param(standoffId)}`);
  c.add(`e.position <= ${c.param(horizon)}`);
  c.add(`e.reported_at <= ${c.param(instant(knownAt))}::timestamptz`);
  return c;
}

/** Regular-row filters that are exact in SQL because a regular row's columns are as posted. */
export interface RegularFilters {
  readonly from?: number;
  readonly to?: number;
  readonly after?: FoldKey;
  readonly types?: readonly string[];
  readonly actors?: readonly string[];
  readonly cameoPrefix?: string;
}

/** The SQL conditions for `filters`, their parameters added to `c`. */
export function regularClauses(c: Conditions, filters: RegularFilters): string[] {
  const clauses: string[] = [];
  if (filters.from !== undefined)
    clauses.push(`e.occurred_at >= ${c.param(instant(filters.from))}::timestamptz`);
  if (filters.to !== undefined) clauses.push(`e.occurred_at <= ${c.param(instant(filters.to))}::timestamptz`);
  if (filters.after) {
    const { occurredAt, reportedAt, position } = filters.after;
    clauses.push(
      `(e.occurred_at, e.reported_at, e.position) > (${c.param(instant(occurredAt))}::timestamptz, ` +
        `${c.param(instant(reportedAt))}::timestamptz, ${c.param(position)}::int)`,
    );
  }
  if (filters.types && filters.types.length > 0) {
    clauses.push(`e.type = ANY(${c.param(filters.types)}::text[])`);
  }
  for (const actor of filters.actors ?? []) {
    const a = c.param(actor);
    clauses.push(
      `(e.actor = ${a} OR starts_with(e.actor, ${a} || '.') OR EXISTS (SELECT 1 FROM unnest(e.targets) t ` +
        `WHERE t = ${a} OR starts_with(t, ${a} || '.')))`,
    );
  }
  if (filters.cameoPrefix !== undefined)
    clauses.push(`starts_with(e.cameo, ${c.param(filters.cameoPrefix)})`);
  return clauses;
}
