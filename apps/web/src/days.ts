/** Days as whole numbers since 1970-01-01 (UTC), the sliders' unit; a date stands for the end of its day (§3). */

export const DAY_MS = 86_400_000;

export function dayOf(time: string | number): number {
  const ms = typeof time === 'number' ? time : Date.parse(time);
  return Math.floor(ms / DAY_MS);
}

export function dayText(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isDateText(text: string | null | undefined): text is string {
  return typeof text === 'string' && DATE.test(text) && !Number.isNaN(Date.parse(text));
}

/** Whole days from one time to another (for "awaited for 5 days"). */
export function daysBetween(from: string, toMs: number): number {
  return Math.max(0, Math.floor((toMs - Date.parse(from)) / DAY_MS));
}

/** The instant a date or time stands for as `asOf`/`knownAt`: the end of a date, else the instant itself. */
export function endOf(text: string): number {
  return isDateText(text) ? Date.parse(text) + DAY_MS - 1 : Date.parse(text);
}
