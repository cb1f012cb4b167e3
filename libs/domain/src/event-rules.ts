import { ACTOR_ID_PATTERN } from './actors';
import { isCameoCode } from './cameo';
import {
  CORRECTABLE_FIELDS,
  type CorrectableField,
  dataFieldsOf,
  ENTITY_ID_FIELDS,
  ENTITY_ID_PATTERN,
  EVENT_ID_PATTERN,
  EVENT_TYPES,
  type EventType,
  type FieldKind,
  type FieldSpec,
  isEventType,
  isMetaType,
  TARGET_RULES,
} from './events';
import { childPath, didYouMean, type FieldError, onePerPath } from './field-error';
import {
  CARRIED_DATA_FIELDS,
  type CatalogueUnion,
  type RecordedEvent,
  type TypedByCatalogue,
} from './recorded-event';
import { isWithinSupportedYears, MAX_YEAR, MIN_YEAR, parseTime, type TimePoint } from './time';

/**
 * The rules of the catalogue, each checking one value at its pointer. validateEvent (catalogue.ts) runs them
 * on a posted body, checkEventRules on a recorded (or corrected) event: one set of rules for both.
 */

export const SUMMARY_MAX_CHARACTERS = 2000;

/**
 * The most entries a list of the catalogue may hold (targets, participants, parties, measures, people): more
 * than any real event names, and few enough that the pairs a contact folds (actor and targets) stay small.
 */
export const MAX_LIST_ENTRIES = 100;

function tooLong(path: string, length: number, what: string): FieldError[] {
  return broken(path, `must hold at most ${MAX_LIST_ENTRIES} ${what} (has ${length})`);
}

/**
 * The errors of a list of ids: each checked by `check`, a repeat pointing at the first occurrence, the one or
 * the other first as `repeatsFirst` says. One pass with a map, so a long list costs its length, not its square.
 */
function distinctIds(
  elements: readonly unknown[],
  pathOf: (index: number) => string,
  check: (value: unknown, index: number) => FieldError[],
  what: string,
  repeatsFirst: boolean,
): FieldError[] {
  const firstIndex = new Map<unknown, number>();
  return elements.flatMap((value, index) => {
    const first = firstIndex.get(value);
    if (first === undefined) firstIndex.set(value, index);
    const repeat =
      first === undefined ? [] : broken(pathOf(index), `repeats ${pathOf(first)}: ${what} are distinct`);
    if (repeatsFirst && repeat.length > 0) return repeat;
    const errors = check(value, index);
    return errors.length > 0 ? errors : repeat;
  });
}

export type JsonObject = Readonly<Record<string, unknown>>;

/** A value read from the body, with the errors found reading it (value undefined when unreadable). */
export interface Read<T> {
  readonly value?: T;
  readonly errors: FieldError[];
}

/** Targets as a list, whichever form was posted; `pathOf` points at each one as posted. */
export interface TargetList {
  readonly elements: readonly unknown[];
  readonly pathOf: (index: number) => string;
}

type Rule = (value: unknown, path: string) => FieldError[];

const broken = (path: string, message: string): FieldError[] => [{ path, message }];

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object's own field: a body's `constructor` or `__proto__` is data, never the prototype's. */
export function ownField(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

const isAbsent = (value: unknown): value is null | undefined => value === undefined || value === null;

// ---- the event's own fields ----

export function readType(value: unknown, path = '/type'): Read<EventType> {
  if (isEventType(value)) return { value, errors: [] };
  if (value === undefined) return { errors: broken(path, 'is required') };
  const suggestion = typeof value === 'string' ? didYouMean(value, EVENT_TYPES) : '';
  return {
    errors: broken(
      path,
      `must be an event type of the catalogue${suggestion || `: ${EVENT_TYPES.join(', ')}`}`,
    ),
  };
}

export function readTime(value: unknown, path: string): Read<TimePoint> {
  const point = typeof value === 'string' ? parseTime(value) : undefined;
  if (!point)
    return { errors: broken(path, 'must be a date (YYYY-MM-DD) or an RFC 3339 date-time with offset') };
  const errors = checkSupportedYears(point.ms, path);
  return errors.length > 0 ? { errors } : { value: point, errors };
}

export function checkSupportedYears(ms: number, path: string): FieldError[] {
  return Number.isFinite(ms) && isWithinSupportedYears(ms)
    ? []
    : broken(path, `must fall within the years ${MIN_YEAR}–${MAX_YEAR} (UTC)`);
}

export function checkActorId(value: unknown, path: string): FieldError[] {
  return typeof value === 'string' && ACTOR_ID_PATTERN.test(value)
    ? []
    : broken(path, 'must be an actor id: 2–10 capital letters, optionally a sector (RUS, NATO, RUS.MIL)');
}

/** Meta types have no actor; every other type needs one. An unknown type only has the id checked. */
export function checkActor(type: EventType | undefined, actor: unknown, path = '/actor'): FieldError[] {
  if (type !== undefined && isMetaType(type)) {
    return isAbsent(actor) ? [] : broken(path, `must be absent: ${type} is a meta event and has no actor`);
  }
  if (isAbsent(actor)) return type === undefined ? [] : broken(path, 'is required');
  return checkActorId(actor, path);
}

/** `undefined` is no target, a string one target at `path`, an array targets at `path/0`, `path/1`, … */
export function readTargetList(value: unknown, path: string): Read<TargetList> {
  if (value === undefined) return { value: { elements: [], pathOf: () => path }, errors: [] };
  if (typeof value === 'string') return { value: { elements: [value], pathOf: () => path }, errors: [] };
  if (Array.isArray(value))
    return { value: { elements: value, pathOf: (i) => childPath(path, i) }, errors: [] };
  return { errors: broken(path, 'must be an actor id or an array of distinct actor ids') };
}

export function checkTargets(
  type: EventType | undefined,
  targets: TargetList,
  actor: unknown,
  path = '/target',
): FieldError[] {
  const { elements } = targets;
  if (type !== undefined && isMetaType(type)) {
    return elements.length === 0
      ? []
      : broken(path, `must be absent: ${type} is a meta event and has no target`);
  }
  if (type !== undefined && TARGET_RULES[type] === 'at-least-one' && elements.length === 0) {
    return broken(path, `must name at least one target: ${type} is addressed to someone`);
  }
  if (elements.length > MAX_LIST_ENTRIES) return tooLong(path, elements.length, 'targets');
  return distinctIds(
    elements,
    targets.pathOf,
    (target, index) => {
      const targetPath = targets.pathOf(index);
      const idErrors = checkActorId(target, targetPath);
      if (idErrors.length > 0) return idErrors;
      return target === actor ? broken(targetPath, 'must differ from the actor') : [];
    },
    'targets',
    false,
  );
}

/** 1–2000 characters (code points), not blank, no control characters other than line feed and tab. */
export function checkSummary(value: unknown, path = '/summary'): FieldError[] {
  if (value === undefined) return broken(path, 'is required');
  if (typeof value !== 'string') return broken(path, 'must be a string');
  if (value.trim() === '') return broken(path, 'must not be empty or blank');
  const characters = [...value];
  if (characters.length > SUMMARY_MAX_CHARACTERS) {
    return broken(path, `must be at most ${SUMMARY_MAX_CHARACTERS} characters (has ${characters.length})`);
  }
  const position = characters.findIndex(isForbiddenControlCharacter);
  if (position < 0) return [];
  const code = characters[position].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  return broken(
    path,
    `must not contain control characters other than line feed and tab (U+${code} at ${position})`,
  );
}

function isForbiddenControlCharacter(character: string): boolean {
  const code = character.charCodeAt(0);
  const c0 = code <= 0x1f && code !== 0x09 && code !== 0x0a;
  return c0 || (code >= 0x7f && code <= 0x9f);
}

/** Meta types take no code, event.recorded needs one, the others default theirs; a given code is of cameo.json. */
export function checkCameo(type: EventType | undefined, cameo: unknown, path = '/cameo'): FieldError[] {
  if (type !== undefined && isMetaType(type)) {
    return isAbsent(cameo)
      ? []
      : broken(path, `must be absent: ${type} is a meta event and has no CAMEO code`);
  }
  if (isAbsent(cameo)) {
    return type === 'event.recorded'
      ? broken(path, 'is required: event.recorded has no default CAMEO code')
      : [];
  }
  return typeof cameo === 'string' && isCameoCode(cameo)
    ? []
    : broken(path, 'must be a CAMEO event code of cameo.json, such as "036"');
}

/** An object; the fields the type names are checked, other fields are kept as given. */
export function checkData(type: EventType | undefined, data: unknown, path = '/data'): FieldError[] {
  if (!isJsonObject(data)) return broken(path, 'must be an object');
  if (type === undefined) return [];
  return Object.entries(dataFieldsOf(type)).flatMap(([field, spec]) => {
    const value = ownField(data, field);
    const fieldPath = childPath(path, field);
    if (value === undefined) return spec.required ? broken(fieldPath, 'is required') : [];
    return ruleOf(spec.kind)(value, fieldPath);
  });
}

export interface EventFields {
  readonly actor: unknown;
  readonly target: TargetList;
  readonly summary: unknown;
  readonly cameo: unknown;
  readonly data: unknown;
}

/** The rules on actor, target, summary, CAMEO code and data, shared by posted and recorded events. */
export function checkEventFields(type: EventType | undefined, event: EventFields): FieldError[] {
  return [
    ...checkActor(type, event.actor),
    ...checkTargets(type, event.target, event.actor),
    ...checkSummary(event.summary),
    ...checkCameo(type, event.cameo),
    ...checkData(type, event.data),
  ];
}

// ---- recorded events ----

/** An event in the log's shape (times in epoch milliseconds, targets a list), its fields as read. */
export interface EventInLogShape {
  readonly type: unknown;
  readonly occurredAt: number;
  readonly reportedAt: number;
  readonly actor: unknown;
  readonly target: readonly unknown[];
  readonly summary: unknown;
  readonly cameo: unknown;
  readonly data: unknown;
}

/**
 * The type's rules on an event already in the log's shape: after a correction is applied, or a command read
 * from the log (command-decoding.ts).
 */
export function checkEventRules(event: EventInLogShape): FieldError[] {
  const type = readType(event.type);
  if (type.value === undefined) return type.errors;
  const target = { elements: event.target, pathOf: (index: number) => childPath('/target', index) };
  return onePerPath([
    ...checkSupportedYears(event.occurredAt, '/occurredAt'),
    ...checkSupportedYears(event.reportedAt, '/reportedAt'),
    ...checkEventFields(type.value, { ...event, target }),
  ]);
}

/**
 * The event as the catalogue's union, or undefined when it breaks what the union promises: a type of the
 * catalogue, an actor exactly when the type has one, and data whose named fields follow the type's rules
 * (but for the fields the state only carries, `CARRIED_DATA_FIELDS`).
 * Accepted events always decode (the API validated them, the decider their corrections), and so do the events of
 * a command the API appended (command-decoding.ts checks them whole first); the one cast of an event to its
 * type is here, so that what reads the union trusts it without checking fields again.
 */
export function asCatalogueEvent<E extends TypedByCatalogue>(event: E): CatalogueUnion<E> | undefined {
  const { type, actor, data } = event;
  if (!isEventType(type)) return undefined;
  const actorFits = isMetaType(type)
    ? actor === null
    : typeof actor === 'string' && ACTOR_ID_PATTERN.test(actor);
  return actorFits && isJsonObject(data) && satisfiesDataRules(type, data)
    ? (event as CatalogueUnion<E>)
    : undefined;
}

/** `checkData` as a yes or no, without building errors: the read path decodes every event it folds. */
function satisfiesDataRules(type: EventType, data: JsonObject): boolean {
  for (const [field, spec] of dataFieldEntries(type)) {
    const value = ownField(data, field);
    if (value === undefined ? spec.required : ruleOf(spec.kind)(value, '').length > 0) return false;
  }
  return true;
}

const carriedDataFields: ReadonlySet<string> = new Set(CARRIED_DATA_FIELDS);
const dataFieldEntriesByType = new Map<EventType, readonly (readonly [string, FieldSpec])[]>();

function dataFieldEntries(type: EventType): readonly (readonly [string, FieldSpec])[] {
  let entries = dataFieldEntriesByType.get(type);
  if (!entries)
    dataFieldEntriesByType.set(
      type,
      (entries = Object.entries(dataFieldsOf(type)).filter(([field]) => !carriedDataFields.has(field))),
    );
  return entries;
}

/** A correction keeps the event's type and its entity ids (none added, changed or removed). */
export function checkCorrectionKeepsIdentity(
  original: RecordedEvent,
  corrected: RecordedEvent,
): FieldError[] {
  const typeErrors =
    corrected.type === original.type
      ? []
      : broken('/type', `cannot change: the event stays ${original.type}`);
  const idErrors = ENTITY_ID_FIELDS.flatMap((field) => {
    const before = ownField(original.data, field);
    if (ownField(corrected.data, field) === before) return [];
    const message =
      before === undefined
        ? `cannot be added: the event has no ${field}`
        : `cannot change: it stays "${before}"`;
    return broken(childPath('/data', field), message);
  });
  return [...typeErrors, ...idErrors];
}

// ---- data field rules, by kind ----

function ruleOf(kind: FieldKind): Rule {
  return typeof kind === 'string' ? RULES_BY_KIND[kind] : oneOf(kind.oneOf);
}

const text: Rule = (value, path) =>
  typeof value === 'string' && value.trim() !== '' ? [] : broken(path, 'must be a non-empty string');

const entityId: Rule = (value, path) =>
  typeof value === 'string' && ENTITY_ID_PATTERN.test(value)
    ? []
    : broken(
        path,
        'must be an id of 1–64 lower-case letters, digits and hyphens, not starting with a hyphen',
      );

const eventId: Rule = (value, path) =>
  typeof value === 'string' && EVENT_ID_PATTERN.test(value)
    ? []
    : broken(path, 'must be a UUID naming an event');

const count: Rule = (value, path) =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
    ? []
    : broken(path, 'must be an integer ≥ 0');

const time: Rule = (value, path) => readTime(value, path).errors;

const oneOf =
  (values: readonly string[]): Rule =>
  (value, path) =>
    typeof value === 'string' && values.includes(value)
      ? []
      : broken(path, `must be one of: ${values.join(', ')}`);

const actorIds: Rule = (value, path) => {
  if (!Array.isArray(value) || value.length === 0)
    return broken(path, 'must be a non-empty array of actor ids');
  if (value.length > MAX_LIST_ENTRIES) return tooLong(path, value.length, 'actors');
  const pathOf = (index: number) => childPath(path, index);
  return distinctIds(value, pathOf, (actor, index) => checkActorId(actor, pathOf(index)), 'actors', true);
};

const texts: Rule = (value, path) => {
  if (!Array.isArray(value) || value.length === 0)
    return broken(path, 'must be a non-empty array of strings');
  if (value.length > MAX_LIST_ENTRIES) return tooLong(path, value.length, 'entries');
  return value.flatMap((item, index) => text(item, childPath(path, index)));
};

const people: Rule = (value, path) => {
  if (!Array.isArray(value)) return broken(path, 'must be an array of { name, role, actor }');
  if (value.length > MAX_LIST_ENTRIES) return tooLong(path, value.length, 'people');
  return value.flatMap((person, index) => {
    const personPath = childPath(path, index);
    if (!isJsonObject(person)) return broken(personPath, 'must be an object { name, role, actor }');
    const role = ownField(person, 'role');
    const actor = ownField(person, 'actor');
    return [
      ...text(ownField(person, 'name'), childPath(personPath, 'name')),
      ...(role === undefined ? [] : text(role, childPath(personPath, 'role'))),
      ...(actor === undefined ? [] : checkActorId(actor, childPath(personPath, 'actor'))),
    ];
  });
};

const troopRange: Rule = (value, path) => {
  if (!isJsonObject(value)) return broken(path, 'must be an object { min, max }');
  const min = ownField(value, 'min');
  const max = ownField(value, 'max');
  if (min === undefined && max === undefined) return broken(path, 'must give min, max or both');
  const errors = [
    ...(min === undefined ? [] : count(min, childPath(path, 'min'))),
    ...(max === undefined ? [] : count(max, childPath(path, 'max'))),
  ];
  if (errors.length === 0 && typeof min === 'number' && typeof max === 'number' && min > max) {
    return broken(path, `min (${min}) must not exceed max (${max})`);
  }
  return errors;
};

const CORRECTION_RULES: Record<
  CorrectableField,
  (value: unknown, path: string, set: JsonObject) => FieldError[]
> = {
  occurredAt: time,
  actor: checkActorId,
  target: (value, path, set) => {
    const targets = readTargetList(value, path);
    return targets.value
      ? checkTargets(undefined, targets.value, ownField(set, 'actor'), path)
      : targets.errors;
  },
  cameo: (value, path) =>
    value === null
      ? broken(path, 'must be a CAMEO code: a correction cannot remove it')
      : checkCameo(undefined, value, path),
  summary: checkSummary,
  data: (value, path) => correctedData(value, path),
};

const isCorrectableField = (key: string): key is CorrectableField =>
  (CORRECTABLE_FIELDS as readonly string[]).includes(key);

/** The fields an `event.corrected` sets, each well-formed; the type's rules are checked once it is applied. */
const correctionSet: Rule = (value, path) => {
  const allowed = CORRECTABLE_FIELDS.join(', ');
  if (!isJsonObject(value)) return broken(path, `must be an object setting any of: ${allowed}`);
  const keys = Object.keys(value);
  if (keys.length === 0) return broken(path, `must set at least one of: ${allowed}`);
  return keys.flatMap((key) => {
    const keyPath = childPath(path, key);
    if (!isCorrectableField(key)) {
      return broken(
        keyPath,
        `cannot be corrected; set takes ${allowed}${didYouMean(key, CORRECTABLE_FIELDS)}`,
      );
    }
    return CORRECTION_RULES[key](value[key], keyPath, value);
  });
};

/** Data fields to replace (`null` removes one); entity ids may only be restated as they are. */
function correctedData(value: unknown, path: string): FieldError[] {
  if (!isJsonObject(value))
    return broken(path, 'must be an object of data fields to replace (null removes one)');
  if (Object.keys(value).length === 0) return broken(path, 'must name at least one data field');
  return ENTITY_ID_FIELDS.filter((field) => Object.hasOwn(value, field)).flatMap((field) => {
    const fieldPath = childPath(path, field);
    const id = value[field];
    return id === null
      ? broken(fieldPath, 'cannot be removed: entity ids do not change')
      : entityId(id, fieldPath);
  });
}

const RULES_BY_KIND: Record<Exclude<FieldKind, object>, Rule> = {
  text,
  'entity-id': entityId,
  'actor-id': checkActorId,
  'actor-ids': actorIds,
  'event-id': eventId,
  time,
  count,
  'troop-range': troopRange,
  people,
  texts,
  'correction-set': correctionSet,
};
