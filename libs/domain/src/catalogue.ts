import {
  checkEventFields,
  isJsonObject,
  type JsonObject,
  ownField,
  type Read,
  readTargetList,
  readTime,
  readType,
} from './event-rules';
import {
  dataFieldsOf,
  defaultCameo,
  EVENT_ID_PATTERN,
  type EventSource,
  type EventType,
  isMetaType,
} from './events';
import { childPath, didYouMean, type FieldError, onePerPath } from './field-error';
import { formatTime, type TimePoint } from './time';

export { checkCorrectionKeepsIdentity, checkEventRules } from './event-rules';

/** A posted event that satisfies the catalogue, normalised: targets as a list, CAMEO defaulted, ids lower-case. */
export interface EventDraft {
  /** The client's UUID, lower-case. */
  eventId?: string;
  type: EventType;
  occurredAt: TimePoint;
  /** Absent: the log's `recordedAt`. */
  reportedAt?: TimePoint;
  /** null for the meta types. */
  actor: string | null;
  target: string[];
  summary: string;
  /** The given code or the type's default; null for the meta types. */
  cameo: string | null;
  /** As given, `{}` when absent; an `eventId` naming another event is lower-cased. */
  data: Record<string, unknown>;
  source: { name?: string; url?: string } | null;
}

export interface ValidationContext {
  /** The clock, in epoch milliseconds: `reportedAt` may not be later. */
  readonly now: number;
}

export type ValidationResult = { ok: true; event: EventDraft } | { ok: false; errors: FieldError[] };

/** How deep objects and arrays may nest below the event (data itself is level 1): jsonb has a stack limit. */
export const MAX_NESTING_DEPTH = 32;

/** The most items any array of an event may hold, free data included (the catalogue's lists hold fewer). */
export const MAX_ARRAY_ITEMS = 1000;

const POSTED_FIELDS = [
  'eventId',
  'type',
  'occurredAt',
  'reportedAt',
  'actor',
  'target',
  'summary',
  'cameo',
  'data',
  'source',
] as const;

const postedFields: ReadonlySet<string> = new Set(POSTED_FIELDS);

/** Fields of an event as returned, which the log sets and a client cannot. */
const LOG_FIELDS: ReadonlySet<string> = new Set([
  'standoffId',
  'position',
  'recordedAt',
  'goldstein',
  'quadClass',
  'status',
  'disputedBy',
  'void',
  'retracted',
  'correctedBy',
]);

/**
 * Checks a posted event against every rule of the catalogue that needs no other event, and reports one error
 * for each offending path. Rules about other events (must exist, must be new) are the projector's.
 */
export function validateEvent(input: unknown, context: ValidationContext): ValidationResult {
  if (!isJsonObject(input)) {
    return { ok: false, errors: [{ path: '', message: 'must be a JSON object: one event' }] };
  }
  const field = (name: (typeof POSTED_FIELDS)[number]) => ownField(input, name);

  const eventId = readEventId(field('eventId'));
  const type = readType(field('type'));
  const occurredAt = readOccurredAt(field('occurredAt'));
  const reportedAt = readReportedAt(field('reportedAt'), context.now);
  const target = readTargetList(field('target'), '/target');
  const data = field('data') === undefined ? {} : field('data');
  const source = readSource(field('source'));
  const fields = { actor: field('actor'), summary: field('summary'), cameo: field('cameo'), data };

  const errors = onePerPath([
    ...unknownFieldErrors(input),
    ...eventId.errors,
    ...type.errors,
    ...occurredAt.errors,
    ...reportedAt.errors,
    ...target.errors,
    ...checkEventFields(type.value, { ...fields, target: target.value ?? NO_TARGETS }),
    ...source.errors,
    ...jsonStorageErrors(input, '', 0),
  ]);
  if (errors.length > 0 || !type.value || !occurredAt.value || !target.value || !isJsonObject(data)) {
    return { ok: false, errors };
  }
  const meta = isMetaType(type.value);
  return {
    ok: true,
    event: {
      ...(eventId.value === undefined ? {} : { eventId: eventId.value }),
      type: type.value,
      occurredAt: occurredAt.value,
      ...(reportedAt.value === undefined ? {} : { reportedAt: reportedAt.value }),
      actor: meta ? null : (fields.actor as string),
      target: [...target.value.elements] as string[],
      summary: fields.summary as string,
      cameo: meta ? null : ((fields.cameo as string | null | undefined) ?? defaultCameo(type.value, data)),
      data: withLowerCaseEventIds(type.value, data),
      source: source.value ?? null,
    },
  };
}

const NO_TARGETS = { elements: [], pathOf: () => '/target' };

function readOccurredAt(value: unknown): Read<TimePoint> {
  return value === undefined
    ? { errors: [{ path: '/occurredAt', message: 'is required' }] }
    : readTime(value, '/occurredAt');
}

function readEventId(value: unknown): Read<string> {
  if (value === undefined) return { errors: [] };
  return typeof value === 'string' && EVENT_ID_PATTERN.test(value)
    ? { value: value.toLowerCase(), errors: [] }
    : { errors: [{ path: '/eventId', message: "must be a UUID: the event's id and idempotency key" }] };
}

function readReportedAt(value: unknown, now: number): Read<TimePoint> {
  if (value === undefined) return { errors: [] };
  const reportedAt = readTime(value, '/reportedAt');
  if (reportedAt.value === undefined || reportedAt.value.ms <= now) return reportedAt;
  return { errors: [{ path: '/reportedAt', message: `must not be later than now (${formatTime(now)})` }] };
}

function readSource(value: unknown): Read<EventSource | null> {
  if (value === undefined || value === null) return { value: null, errors: [] };
  if (!isJsonObject(value)) {
    return { errors: [{ path: '/source', message: 'must be an object { name, url } or null' }] };
  }
  const name = ownField(value, 'name');
  const url = ownField(value, 'url');
  const errors: FieldError[] = Object.keys(value)
    .filter((key) => key !== 'name' && key !== 'url')
    .map((key) => ({
      path: childPath('/source', key),
      message: 'is not a field of a source: it has name and url',
    }));
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) {
    errors.push({ path: '/source/name', message: 'must be a non-empty string' });
  }
  if (url !== undefined && !isHttpUrl(url)) {
    errors.push({ path: '/source/url', message: 'must be an absolute http or https URL' });
  }
  if (errors.length > 0) return { errors };
  const source = {
    ...(name === undefined ? {} : { name }),
    ...(url === undefined ? {} : { url }),
  } as EventSource;
  return { value: Object.keys(source).length > 0 ? source : null, errors };
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** A typo such as `ocurredAt` would otherwise lose the value without a word. */
function unknownFieldErrors(input: JsonObject): FieldError[] {
  return Object.keys(input)
    .filter((key) => !postedFields.has(key))
    .map((key) => ({
      path: childPath('', key),
      message: LOG_FIELDS.has(key)
        ? 'is set by the log, not by the client'
        : `is not a field of an event${didYouMean(key, POSTED_FIELDS)}`,
    }));
}

/**
 * Postgres refuses, in text and in jsonb, U+0000 and a lone UTF-16 surrogate (a string that is no Unicode text),
 * in any string or key; jsonb also refuses nesting beyond its stack depth. Refused here, at the edge, they can
 * never reach the log as a record the projector cannot store.
 */
function jsonStorageErrors(value: unknown, path: string, depth: number): FieldError[] {
  // Nearly every event is storable: that is settled without building a path or an array per value.
  if (isStorable(value, depth)) return [];
  if (typeof value === 'string') {
    const problem = unstorableText(value);
    return problem ? [{ path, message: `must not contain ${problem}` }] : [];
  }
  if (typeof value !== 'object' || value === null) return [];
  if (depth > MAX_NESTING_DEPTH) return [{ path, message: `nests deeper than ${MAX_NESTING_DEPTH} levels` }];
  if (Array.isArray(value)) {
    if (value.length > MAX_ARRAY_ITEMS) {
      return [{ path, message: `must hold at most ${MAX_ARRAY_ITEMS} items (has ${value.length})` }];
    }
    return value.flatMap((item, index) => jsonStorageErrors(item, childPath(path, index), depth + 1));
  }
  return Object.entries(value).flatMap(([key, item]) => {
    const problem = unstorableText(key);
    return problem
      ? [{ path, message: `must not have a field name containing ${problem}` }]
      : jsonStorageErrors(item, childPath(path, key), depth + 1);
  });
}

/** Whether Postgres can store the value whole (the same rules as jsonStorageErrors, without the errors). */
function isStorable(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return unstorableText(value) === undefined;
  if (typeof value !== 'object' || value === null) return true;
  if (depth > MAX_NESTING_DEPTH) return false;
  if (Array.isArray(value)) {
    if (value.length > MAX_ARRAY_ITEMS) return false;
    for (const item of value) if (!isStorable(item, depth + 1)) return false;
    return true;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (unstorableText(key) !== undefined || !isStorable((value as JsonObject)[key], depth + 1)) return false;
  }
  return true;
}

/** Why Postgres could not store this string, or undefined when it can. */
export function unstorableText(value: string): string | undefined {
  if (value.includes('\u0000')) return 'the NUL character (U+0000)';
  if (LONE_SURROGATE.test(value)) return 'a lone UTF-16 surrogate (not Unicode text)';
  return undefined;
}

/** The same text with what Postgres refuses (U+0000, lone surrogates) replaced by U+FFFD: for messages that quote it. */
export function storableText(value: string): string {
  return value.replaceAll('\u0000', '\uFFFD').replace(LONE_SURROGATES, '\uFFFD');
}

const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const LONE_SURROGATE = new RegExp(LONE_SURROGATES.source);

/** Stored ids are lower-case, so a reference to one must be too. */
function withLowerCaseEventIds(type: EventType, data: JsonObject): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...data };
  for (const [field, spec] of Object.entries(dataFieldsOf(type))) {
    const value = copy[field];
    if (spec.kind === 'event-id' && typeof value === 'string') copy[field] = value.toLowerCase();
  }
  return copy;
}
