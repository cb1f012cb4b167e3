/** One broken rule: `path` is a JSON pointer (RFC 6901) relative to the event, `''` for the whole body. */
export interface FieldError {
  path: string;
  message: string;
}

/** The pointer to `key` inside `parent`, escaping `~` and `/` as RFC 6901 requires. */
export function childPath(parent: string, key: string | number): string {
  const text = String(key);
  if (!text.includes('~') && !text.includes('/')) return `${parent}/${text}`;
  return `${parent}/${text.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** Places errors of a part under its pointer: a batch member's errors under `/events/3`. */
export function prefixPaths(prefix: string, errors: readonly FieldError[]): FieldError[] {
  return errors.map((error) => ({ path: `${prefix}${error.path}`, message: error.message }));
}

/** The first error of each path, in order: a client gets one message per offending value. */
export function onePerPath(errors: readonly FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((error) => !seen.has(error.path) && seen.add(error.path));
}

/** `'; did you mean X?'` when a candidate is at most two edits away from `word`, else `''`. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best ? `; did you mean ${best.candidate}?` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
