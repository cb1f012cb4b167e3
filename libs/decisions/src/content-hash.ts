import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted, so that equal content always gives equal text. Built by concatenation, without
 * the arrays of entries a map/sort/join builds: it runs over every event twice on the write path. Hashes of it
 * are stored, so its text must never change (content-hash.spec.ts pins it).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i += 1) text += `${i > 0 ? ',' : ''}${canonicalJson(value[i]) ?? ''}`;
    return `${text}]`;
  }
  const object = value as Record<string, unknown>;
  let text = '{';
  for (const key of Object.keys(object).sort()) {
    const item = object[key];
    if (item === undefined) continue;
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${text}}`;
}

export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
