/**
 * The event catalogue of EVENTS.md as types and tables: the event types, the data each carries, its default
 * CAMEO code and whether it needs targets. event-rules.ts checks events against these tables.
 */

export const EVENT_TYPES = [
  'standoff.described',
  'statement.made',
  'position.stated',
  'appeal.made',
  'demand.tabled',
  'demand.rejected',
  'demand.accepted',
  'demand.withdrawn',
  'document.delivered',
  'contact.held',
  'meeting.proposed',
  'meeting.scheduled',
  'meeting.cancelled',
  'pact.proposed',
  'pact.signed',
  'pact.suspended',
  'forces.changed',
  'forces.estimated',
  'sanctions.threatened',
  'sanctions.imposed',
  'relations.reduced',
  'claim.disputed',
  'event.retracted',
  'event.corrected',
  'event.recorded',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Events about the standoff or about other events: no actor, target or CAMEO code, never in the fold. */
export const META_TYPES = [
  'standoff.described',
  'event.retracted',
  'event.corrected',
] as const satisfies readonly EventType[];

export type MetaType = (typeof META_TYPES)[number];

const eventTypes: ReadonlySet<string> = new Set(EVENT_TYPES);
const metaTypes: ReadonlySet<string> = new Set(META_TYPES);

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && eventTypes.has(value);
}

export function isMetaType(type: string): type is MetaType {
  return metaTypes.has(type);
}

/** Client-chosen ids of demands, documents, meetings and pacts (and of standoffs). */
export const ENTITY_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** A UUID of any version, either case; stored lower-case. */
export const EVENT_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The data fields naming an entity: a correction cannot change them. */
export const ENTITY_ID_FIELDS = ['demandId', 'documentId', 'meetingId', 'pactId'] as const;

export const DOCUMENT_KINDS = ['draft-treaty', 'proposal', 'response', 'letter', 'note'] as const;
export const CONTACT_MODES = ['call', 'video', 'meeting', 'visit', 'multilateral'] as const;
export const CONTACT_LEVELS = [
  'head-of-state',
  'head-of-government',
  'minister',
  'deputy',
  'envoy',
  'official',
] as const;
export const FORCE_POSTURES = ['buildup', 'exercise', 'deployment', 'alert', 'withdrawal'] as const;
export const RELATIONS_MEASURES = ['expulsion', 'drawdown', 'break'] as const;
/** What `event.corrected` may set; `type`, `reportedAt`, `source` and `eventId` stay as recorded. */
export const CORRECTABLE_FIELDS = ['occurredAt', 'actor', 'target', 'cameo', 'summary', 'data'] as const;

export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
export type ContactMode = (typeof CONTACT_MODES)[number];
export type ContactLevel = (typeof CONTACT_LEVELS)[number];
export type ForcePosture = (typeof FORCE_POSTURES)[number];
export type RelationsMeasure = (typeof RELATIONS_MEASURES)[number];
export type CorrectableField = (typeof CORRECTABLE_FIELDS)[number];

// ---- the data of each type (times as posted: `YYYY-MM-DD` or RFC 3339 with offset) ----

export interface StandoffDescribedData {
  readonly title: string;
  readonly description?: string;
}

export interface StatementMadeData {
  readonly topic?: string;
  readonly quote?: string;
}

export interface PositionStatedData {
  readonly topic: string;
  readonly stance: string;
}

export interface AppealMadeData {
  readonly request?: string;
}

export interface DemandTabledData {
  readonly demandId: string;
  readonly text: string;
}

/** demand.rejected, demand.accepted and demand.withdrawn. */
export interface DemandAnswerData {
  readonly demandId: string;
}

export interface DocumentDeliveredData {
  readonly documentId: string;
  readonly kind: DocumentKind;
  readonly inReplyTo?: string;
  readonly title?: string;
}

export interface ContactPerson {
  readonly name: string;
  readonly role?: string;
  readonly actor?: string;
}

export interface ContactHeldData {
  readonly mode: ContactMode;
  readonly level?: ContactLevel;
  readonly place?: string;
  readonly meetingId?: string;
  readonly people?: readonly ContactPerson[];
}

export interface MeetingProposedData {
  readonly meetingId: string;
  readonly participants?: readonly string[];
  readonly proposedFor?: string;
  readonly place?: string;
  readonly conditions?: string;
}

export interface MeetingScheduledData {
  readonly meetingId: string;
  readonly scheduledFor: string;
  readonly place?: string;
}

export interface MeetingCancelledData {
  readonly meetingId: string;
  readonly reason?: string;
}

export interface PactProposedData {
  readonly pactId: string;
  readonly name: string;
  readonly parties?: readonly string[];
}

export interface PactSignedData {
  readonly pactId: string;
  readonly name?: string;
  readonly parties?: readonly string[];
}

export interface PactSuspendedData {
  readonly pactId: string;
}

export interface ForcesChangedData {
  readonly area: string;
  readonly posture: ForcePosture;
  readonly troops?: number;
}

/** At least one bound; `min ≤ max` when both are given. */
export interface TroopRange {
  readonly min?: number;
  readonly max?: number;
}

export interface ForcesEstimatedData {
  readonly subject: string;
  readonly area: string;
  readonly troops: TroopRange;
}

/** sanctions.threatened and sanctions.imposed. */
export interface SanctionsData {
  readonly measures?: readonly string[];
}

export interface RelationsReducedData {
  readonly measure?: RelationsMeasure;
}

export interface ClaimDisputedData {
  readonly eventId: string;
  readonly reason?: string;
}

export interface EventRetractedData {
  readonly eventId: string;
  readonly reason: string;
}

/** `data` replaces the data fields it names; `null` removes one. A type, not an interface: it is also a record. */
export type CorrectionSet = {
  readonly occurredAt?: string;
  readonly actor?: string;
  readonly target?: string | readonly string[];
  readonly cameo?: string;
  readonly summary?: string;
  readonly data?: Readonly<Record<string, unknown>>;
};

export interface EventCorrectedData {
  readonly eventId: string;
  readonly set: CorrectionSet;
}

export type EventRecordedData = Readonly<Record<string, unknown>>;

export interface EventDataByType {
  'standoff.described': StandoffDescribedData;
  'statement.made': StatementMadeData;
  'position.stated': PositionStatedData;
  'appeal.made': AppealMadeData;
  'demand.tabled': DemandTabledData;
  'demand.rejected': DemandAnswerData;
  'demand.accepted': DemandAnswerData;
  'demand.withdrawn': DemandAnswerData;
  'document.delivered': DocumentDeliveredData;
  'contact.held': ContactHeldData;
  'meeting.proposed': MeetingProposedData;
  'meeting.scheduled': MeetingScheduledData;
  'meeting.cancelled': MeetingCancelledData;
  'pact.proposed': PactProposedData;
  'pact.signed': PactSignedData;
  'pact.suspended': PactSuspendedData;
  'forces.changed': ForcesChangedData;
  'forces.estimated': ForcesEstimatedData;
  'sanctions.threatened': SanctionsData;
  'sanctions.imposed': SanctionsData;
  'relations.reduced': RelationsReducedData;
  'claim.disputed': ClaimDisputedData;
  'event.retracted': EventRetractedData;
  'event.corrected': EventCorrectedData;
  'event.recorded': EventRecordedData;
}

// ---- the data rules as a table, tied to the interfaces above by the compiler ----

export type FieldKind =
  | 'text' // a string that is not blank
  | 'entity-id' // ENTITY_ID_PATTERN
  | 'actor-id' // ACTOR_ID_PATTERN
  | 'actor-ids' // a non-empty array of distinct actor ids
  | 'event-id' // EVENT_ID_PATTERN, stored lower-case
  | 'time' // YYYY-MM-DD or RFC 3339 with offset, years 1900–2100
  | 'count' // an integer ≥ 0
  | 'troop-range'
  | 'people'
  | 'texts' // a non-empty array of non-blank strings
  | 'correction-set'
  | { readonly oneOf: readonly string[] };

export interface FieldSpec {
  readonly required: boolean;
  readonly kind: FieldKind;
}

const required = <K extends FieldKind>(kind: K) => ({ required: true, kind }) as const;
const optional = <K extends FieldKind>(kind: K) => ({ required: false, kind }) as const;

type FieldSpecsOf<Data> = {
  readonly [Field in keyof Data]-?: Partial<Pick<Data, Field>> extends Pick<Data, Field>
    ? { readonly required: false; readonly kind: FieldKind }
    : { readonly required: true; readonly kind: FieldKind };
};

const demandAnswer = { demandId: required('entity-id') };
const sanctions = { measures: optional('texts') };

export const DATA_FIELDS = {
  'standoff.described': { title: required('text'), description: optional('text') },
  'statement.made': { topic: optional('text'), quote: optional('text') },
  'position.stated': { topic: required('text'), stance: required('text') },
  'appeal.made': { request: optional('text') },
  'demand.tabled': { demandId: required('entity-id'), text: required('text') },
  'demand.rejected': demandAnswer,
  'demand.accepted': demandAnswer,
  'demand.withdrawn': demandAnswer,
  'document.delivered': {
    documentId: required('entity-id'),
    kind: required({ oneOf: DOCUMENT_KINDS }),
    inReplyTo: optional('entity-id'),
    title: optional('text'),
  },
  'contact.held': {
    mode: required({ oneOf: CONTACT_MODES }),
    level: optional({ oneOf: CONTACT_LEVELS }),
    place: optional('text'),
    meetingId: optional('entity-id'),
    people: optional('people'),
  },
  'meeting.proposed': {
    meetingId: required('entity-id'),
    participants: optional('actor-ids'),
    proposedFor: optional('time'),
    place: optional('text'),
    conditions: optional('text'),
  },
  'meeting.scheduled': {
    meetingId: required('entity-id'),
    scheduledFor: required('time'),
    place: optional('text'),
  },
  'meeting.cancelled': { meetingId: required('entity-id'), reason: optional('text') },
  'pact.proposed': { pactId: required('entity-id'), name: required('text'), parties: optional('actor-ids') },
  'pact.signed': { pactId: required('entity-id'), name: optional('text'), parties: optional('actor-ids') },
  'pact.suspended': { pactId: required('entity-id') },
  'forces.changed': {
    area: required('text'),
    posture: required({ oneOf: FORCE_POSTURES }),
    troops: optional('count'),
  },
  'forces.estimated': {
    subject: required('actor-id'),
    area: required('text'),
    troops: required('troop-range'),
  },
  'sanctions.threatened': sanctions,
  'sanctions.imposed': sanctions,
  'relations.reduced': { measure: optional({ oneOf: RELATIONS_MEASURES }) },
  'claim.disputed': { eventId: required('event-id'), reason: optional('text') },
  'event.retracted': { eventId: required('event-id'), reason: required('text') },
  'event.corrected': { eventId: required('event-id'), set: required('correction-set') },
  'event.recorded': {},
} as const satisfies { readonly [T in EventType]: FieldSpecsOf<EventDataByType[T]> };

export function dataFieldsOf(type: EventType): Readonly<Record<string, FieldSpec>> {
  return DATA_FIELDS[type];
}

/**
 * The event another event names (a dispute, retraction or correction names the event it is about). Only the
 * types whose catalogue entry declares `data.eventId` as an event id name one: on any other type a free
 * `data.eventId` is just data.
 */
export function namedEventId(event: {
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}): string | undefined {
  if (!isEventType(event.type)) return undefined;
  const spec: FieldSpec | undefined = dataFieldsOf(event.type).eventId;
  const value = event.data.eventId;
  return spec?.kind === 'event-id' && typeof value === 'string' ? value : undefined;
}

// ---- targets and CAMEO defaults ----

export type TargetRule = 'at-least-one' | 'optional' | 'none';

export const TARGET_RULES = {
  'standoff.described': 'none',
  'statement.made': 'optional',
  'position.stated': 'optional',
  'appeal.made': 'optional',
  'demand.tabled': 'at-least-one',
  'demand.rejected': 'optional',
  'demand.accepted': 'optional',
  'demand.withdrawn': 'optional',
  'document.delivered': 'at-least-one',
  'contact.held': 'optional',
  'meeting.proposed': 'optional',
  'meeting.scheduled': 'optional',
  'meeting.cancelled': 'optional',
  'pact.proposed': 'optional',
  'pact.signed': 'optional',
  'pact.suspended': 'optional',
  'forces.changed': 'optional',
  'forces.estimated': 'optional',
  'sanctions.threatened': 'optional',
  'sanctions.imposed': 'optional',
  'relations.reduced': 'optional',
  'claim.disputed': 'optional',
  'event.retracted': 'none',
  'event.corrected': 'none',
  'event.recorded': 'optional',
} as const satisfies { readonly [T in EventType]: T extends MetaType ? 'none' : Exclude<TargetRule, 'none'> };

export const CONTACT_CAMEO_BY_MODE = {
  call: '041',
  video: '041',
  meeting: '044',
  visit: '042',
  multilateral: '040',
} as const satisfies Record<ContactMode, string>;

export const FORCES_CAMEO_BY_POSTURE = {
  buildup: '154',
  deployment: '154',
  exercise: '150',
  alert: '152',
  withdrawal: '087',
} as const satisfies Record<ForcePosture, string>;

/** A code, a code chosen by a data field, or null: meta types take none and event.recorded needs one given. */
export type CameoDefault =
  string | { readonly field: string; readonly codes: Readonly<Record<string, string>> } | null;

export const DEFAULT_CAMEO = {
  'standoff.described': null,
  'statement.made': '010',
  'position.stated': '010',
  'appeal.made': '020',
  'demand.tabled': '100',
  'demand.rejected': '120',
  'demand.accepted': '080',
  'demand.withdrawn': '080',
  'document.delivered': '036',
  'contact.held': { field: 'mode', codes: CONTACT_CAMEO_BY_MODE },
  'meeting.proposed': '036',
  'meeting.scheduled': '036',
  'meeting.cancelled': '164',
  'pact.proposed': '030',
  'pact.signed': '057',
  'pact.suspended': '161',
  'forces.changed': { field: 'posture', codes: FORCES_CAMEO_BY_POSTURE },
  'forces.estimated': '010',
  'sanctions.threatened': '1312',
  'sanctions.imposed': '163',
  'relations.reduced': '160',
  'claim.disputed': '016',
  'event.retracted': null,
  'event.corrected': null,
  'event.recorded': null,
} as const satisfies { readonly [T in EventType]: T extends MetaType ? null : CameoDefault };

/** The type's CAMEO code for this data; null for meta types, event.recorded, or a missing or unknown mode/posture. */
export function defaultCameo(type: EventType, data: Readonly<Record<string, unknown>>): string | null {
  const rule: CameoDefault = DEFAULT_CAMEO[type];
  if (rule === null || typeof rule === 'string') return rule;
  const choice = Object.hasOwn(data, rule.field) ? data[rule.field] : undefined;
  return typeof choice === 'string' && Object.hasOwn(rule.codes, choice) ? rule.codes[choice] : null;
}

// ---- the event as posted (a recorded one as the union: CatalogueEvent, recorded-event.ts) ----

export interface EventSource {
  readonly name?: string;
  readonly url?: string;
}

type TypeNeedingTargets = {
  [T in EventType]: (typeof TARGET_RULES)[T] extends 'at-least-one' ? T : never;
}[EventType];

interface PostedFields<T extends EventType> {
  readonly eventId?: string;
  readonly type: T;
  readonly occurredAt: string;
  readonly reportedAt?: string;
  readonly summary: string;
  readonly source?: EventSource | null;
}

type PostedParticipants<T extends EventType> = T extends MetaType
  ? { readonly actor?: null; readonly target?: readonly [] }
  : T extends TypeNeedingTargets
    ? { readonly actor: string; readonly target: string | readonly [string, ...string[]] }
    : { readonly actor: string; readonly target?: string | readonly string[] };

type PostedCameo<T extends EventType> = T extends MetaType
  ? { readonly cameo?: null }
  : T extends 'event.recorded'
    ? { readonly cameo: string }
    : { readonly cameo?: string | null };

type PostedData<Data> = Partial<Data> extends Data ? { readonly data?: Data } : { readonly data: Data };

export type PostedEventOf<T extends EventType> = PostedFields<T> &
  PostedParticipants<T> &
  PostedCameo<T> &
  PostedData<EventDataByType[T]>;
