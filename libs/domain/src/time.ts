/**
 * The time rules of DESIGN.md §3: instants are epoch milliseconds (UTC); a day-precision time stands at
 * 00:00:00.000Z of its day; a date used as an upper bound means the end of that day.
 */
export type Precision = 'day' | 'instant';

export interface TimePoint {
  readonly ms: number;
  readonly precision: Precision;
}

export const DAY_MS = 86_400_000;
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2100;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;

function validDate(year: number, month: number, day: number): number | undefined {
  if (month < 1 || month > 12 || day < 1) return undefined;
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear keeps the literal year.
  d.setUTCFullYear(year, month - 1, day);
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return d.getTime();
}

/** Parses `YYYY-MM-DD` or an RFC 3339 date-time with offset; undefined when it is neither. */
export function parseTime(text: string): TimePoint | undefined {
  const date = DATE.exec(text);
  if (date) {
    const ms = validDate(Number(date[1]), Number(date[2]), Number(date[3]));
    return ms === undefined ? undefined : { ms, precision: 'day' };
  }
  const dt = DATE_TIME.exec(text);
  if (!dt) return undefined;
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = dt;
  const dayMs = validDate(Number(y), Number(mo), Number(d));
  if (dayMs === undefined) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  if (oh !== undefined && (Number(oh) > 23 || Number(om) > 59)) return undefined;
  const millis = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  const offsetMs = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000 : 0;
  const ms = dayMs + ((Number(h) * 60 + Number(mi)) * 60 + Number(s)) * 1000 + millis - offsetMs;
  return { ms, precision: 'instant' };
}

export function yearOf(ms: number): number {
  return new Date(ms).getUTCFullYear();
}

export function isWithinSupportedYears(ms: number): boolean {
  const year = yearOf(ms);
  return year >= MIN_YEAR && year <= MAX_YEAR;
}

/** A query bound: a date means its start for a lower bound (`from`) and its end for an upper one. */
export function parseBound(text: string, side: 'start' | 'end'): number | undefined {
  const point = parseTime(text);
  if (!point) return undefined;
  if (point.precision === 'day' && side === 'end') return point.ms + DAY_MS - 1;
  return point.ms;
}

/** `YYYY-MM-DD` for a day-precision time, RFC 3339 UTC with milliseconds and `Z` otherwise. */
export function formatTime(ms: number, precision: Precision = 'instant'): string {
  const iso = new Date(ms).toISOString();
  return precision === 'day' ? iso.slice(0, 10) : iso;
}

export function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}
