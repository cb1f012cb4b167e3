import type { RecordedEvent } from './recorded-event';
import { parseTime } from './time';

/** The data field that holds the entity id each family of types works on; a correction never changes it. */
const ENTITY_ID_FIELDS: ReadonlyArray<readonly [prefix: string, field: string]> = [
  ['demand.', 'demandId'],
  ['document.', 'documentId'],
  ['meeting.', 'meetingId'],
  ['pact.', 'pactId'],
];

function entityIdField(type: string): string | undefined {
  return ENTITY_ID_FIELDS.find(([prefix]) => type.startsWith(prefix))?.[1];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The event as an `event.corrected`'s `set` leaves it: `occurredAt` (a `YYYY-MM-DD` or RFC 3339 string),
 * `actor`, `target` (one id or an array), `cameo`, `summary`, and `data`, whose fields replace the event's
 * fields of the same name (`null` removes one). Identity never changes: `eventId`, `type`, positions and the
 * knowledge times stay, and so does the entity id the type works on (`demandId`, `documentId`, `meetingId`,
 * `pactId`). The catalogue validates a correction before it is accepted; here, a field of the wrong form is
 * ignored so that the fold stays total.
 */
export function applyCorrection(event: RecordedEvent, set: Readonly<Record<string, unknown>>): RecordedEvent {
  let corrected: RecordedEvent = event;
  const patch = (fields: Partial<RecordedEvent>): void => {
    corrected = { ...corrected, ...fields };
  };

  if (typeof set.occurredAt === 'string') {
    const point = parseTime(set.occurredAt);
    if (point) patch({ occurredAt: point.ms, occurredPrecision: point.precision });
  }
  if (typeof set.actor === 'string') patch({ actor: set.actor });
  if (typeof set.target === 'string') patch({ target: [set.target] });
  else if (Array.isArray(set.target) && set.target.every((t) => typeof t === 'string')) {
    patch({ target: [...(set.target as string[])] });
  }
  if (typeof set.cameo === 'string') patch({ cameo: set.cameo });
  if (typeof set.summary === 'string') patch({ summary: set.summary });
  if (isPlainObject(set.data)) {
    const protectedField = entityIdField(event.type);
    const data: Record<string, unknown> = { ...event.data };
    for (const [field, value] of Object.entries(set.data)) {
      if (field === protectedField || value === undefined) continue;
      if (value === null) delete data[field];
      // defineProperty, not assignment: a client's `__proto__` field stays a field.
      else
        Object.defineProperty(data, field, { value, enumerable: true, writable: true, configurable: true });
    }
    patch({ data });
  }
  return corrected;
}
