import { applyCorrection } from './correction';
import { checkCorrectionKeepsIdentity, checkEventRules } from './catalogue';
import { type EventDataByType, type EventType, isMetaType, namedEventId } from './events';
import type { FieldError } from './field-error';
import type { RecordedEvent } from './recorded-event';
import type { TimePoint } from './time';

/**
 * The write side's decisions, made in log order by the single writer of a partition (DESIGN.md §2): the same
 * log always gives the same decisions.
 */
export type EntityKind = 'demand' | 'document' | 'meeting' | 'pact';

export interface CommandEvent {
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: TimePoint;
  readonly reportedAt: TimePoint | null;
  readonly actor: string | null;
  readonly target: readonly string[];
  readonly summary: string;
  readonly cameo: string | null;
  readonly data: Readonly<Record<string, unknown>>;
  readonly source: RecordedEvent['source'];
}

export interface WriteCommand {
  readonly standoffId: string;
  readonly batch: boolean;
  readonly expectedVersion: number | null;
  readonly recordedAt: number;
  readonly events: readonly CommandEvent[];
}

export interface KnownEntity {
  readonly creatorActor: string | null;
}

/** What the decider may know of the standoff before the command; the caller loads it. */
export interface DecisionFacts {
  readonly version: number;
  entity(kind: EntityKind, id: string): KnownEntity | undefined;
  /** An accepted event of the standoff as currently corrected. */
  event(eventId: string): RecordedEvent | undefined;
  /** Whether an event id was already decided (accepted or rejected) in this standoff. */
  eventIdTaken(eventId: string): boolean;
}

export interface CreatedEntity {
  readonly kind: EntityKind;
  readonly entityId: string;
  readonly createdBy: string;
  readonly creatorActor: string | null;
}

/**
 * Why a command was refused, as a code a client can act on. The domain names the reason; the API alone decides
 * what HTTP says of it (apps/api/src/http/problems.ts).
 */
export type RejectionCode =
  | 'version-mismatch'
  | 'event-id-taken'
  | 'entity-exists'
  | 'reported-after-recorded'
  | 'unknown-reference'
  | 'invalid-reference'
  | 'not-the-issuer'
  | 'invalid-correction'
  | 'idempotency-key-reused';

export interface Rejection {
  readonly slug: RejectionCode;
  readonly title: string;
  readonly detail: string;
  readonly errors: readonly FieldError[];
}

export type Decision =
  | {
      readonly outcome: 'accepted';
      readonly events: readonly RecordedEvent[];
      readonly createdEntities: readonly CreatedEntity[];
      readonly versionAfter: number;
    }
  | { readonly outcome: 'rejected'; readonly rejection: Rejection };

interface EntityRule<Field extends string> {
  readonly kind: EntityKind;
  readonly field: Field;
  readonly mustBe: 'new' | 'existing' | 'any';
}

/** The entity each type works on, by the data field the catalogue names for it. */
const ENTITY_OF: Readonly<Record<string, EntityRule<string>>> = {
  'demand.tabled': { kind: 'demand', field: 'demandId', mustBe: 'new' },
  'demand.rejected': { kind: 'demand', field: 'demandId', mustBe: 'existing' },
  'demand.accepted': { kind: 'demand', field: 'demandId', mustBe: 'existing' },
  'demand.withdrawn': { kind: 'demand', field: 'demandId', mustBe: 'existing' },
  'document.delivered': { kind: 'document', field: 'documentId', mustBe: 'new' },
  'meeting.proposed': { kind: 'meeting', field: 'meetingId', mustBe: 'new' },
  'meeting.scheduled': { kind: 'meeting', field: 'meetingId', mustBe: 'any' },
  'meeting.cancelled': { kind: 'meeting', field: 'meetingId', mustBe: 'existing' },
  'pact.proposed': { kind: 'pact', field: 'pactId', mustBe: 'new' },
  'pact.signed': { kind: 'pact', field: 'pactId', mustBe: 'any' },
  'pact.suspended': { kind: 'pact', field: 'pactId', mustBe: 'existing' },
} satisfies { readonly [T in EventType]?: EntityRule<keyof EventDataByType[T] & string> };

class Rejected extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.detail);
  }
}

function reject(slug: RejectionCode, title: string, path: string, message: string): never {
  throw new Rejected({ slug, title, detail: message, errors: [{ path, message }] });
}

/** Facts as seen by a member of a batch: the standoff's facts plus what earlier members created. */
class BatchOverlay implements DecisionFacts {
  private readonly entities = new Map<string, KnownEntity>();
  private readonly events = new Map<string, RecordedEvent>();
  readonly created: CreatedEntity[] = [];
  readonly accepted: RecordedEvent[] = [];

  constructor(private readonly base: DecisionFacts) {}

  get version(): number {
    return this.base.version + this.accepted.length;
  }

  entity(kind: EntityKind, id: string): KnownEntity | undefined {
    return this.entities.get(`${kind}/${id}`) ?? this.base.entity(kind, id);
  }

  event(eventId: string): RecordedEvent | undefined {
    return this.events.get(eventId) ?? this.base.event(eventId);
  }

  eventIdTaken(eventId: string): boolean {
    return this.events.has(eventId) || this.base.eventIdTaken(eventId);
  }

  create(entity: CreatedEntity): void {
    this.entities.set(`${entity.kind}/${entity.entityId}`, { creatorActor: entity.creatorActor });
    this.created.push(entity);
  }

  accept(event: RecordedEvent): void {
    this.events.set(event.eventId, event);
    this.accepted.push(event);
  }

  replaceCurrent(event: RecordedEvent): void {
    this.events.set(event.eventId, event);
  }
}

export interface FactsNeeded {
  /** The entities the decider may look up, by kind and id. */
  readonly entities: readonly (readonly [EntityKind, string])[];
  /** The accepted events the decider may look up (those knowledge events name). */
  readonly eventIds: readonly string[];
}

/** What `decide` will ask its facts about for this command, so the caller loads exactly that. */
export function factsNeeded(events: readonly CommandEvent[]): FactsNeeded {
  const entities = new Map<string, readonly [EntityKind, string]>();
  const eventIds = new Set<string>();
  const want = (kind: EntityKind, id: unknown) => {
    if (typeof id === 'string') entities.set(`${kind}/${id}`, [kind, id]);
  };
  for (const event of events) {
    const rule = ENTITY_OF[event.type];
    if (rule) want(rule.kind, event.data[rule.field]);
    want('document', event.data.inReplyTo);
    want('meeting', event.data.meetingId);
    const named = namedEventId(event);
    if (named) eventIds.add(named);
    const set = event.type === 'event.corrected' ? event.data.set : undefined;
    const corrected =
      typeof set === 'object' && set !== null ? (set as Record<string, unknown>).data : undefined;
    if (typeof corrected === 'object' && corrected !== null) {
      want('document', (corrected as Record<string, unknown>).inReplyTo);
      want('meeting', (corrected as Record<string, unknown>).meetingId);
    }
  }
  return { entities: [...entities.values()], eventIds: [...eventIds] };
}

export function decide(command: WriteCommand, facts: DecisionFacts): Decision {
  if (command.expectedVersion !== null && command.expectedVersion !== facts.version) {
    return {
      outcome: 'rejected',
      rejection: {
        slug: 'version-mismatch',
        title: 'The standoff has changed',
        detail: `If-Match expects version ${command.expectedVersion}, the standoff is at version ${facts.version}`,
        errors: [{ path: 'If-Match', message: `the current version is ${facts.version}` }],
      },
    };
  }
  const overlay = new BatchOverlay(facts);
  try {
    command.events.forEach((event, index) => {
      const prefix = command.batch ? `/events/${index}` : '';
      decideMember(command, event, overlay, prefix);
    });
  } catch (error) {
    if (error instanceof Rejected) return { outcome: 'rejected', rejection: error.rejection };
    throw error;
  }
  return {
    outcome: 'accepted',
    events: overlay.accepted,
    createdEntities: overlay.created,
    versionAfter: overlay.version,
  };
}

function decideMember(command: WriteCommand, event: CommandEvent, facts: BatchOverlay, prefix: string): void {
  if (facts.eventIdTaken(event.eventId)) {
    reject('event-id-taken', 'The event id is taken', `${prefix}/eventId`, `event ${event.eventId} exists`);
  }
  if (event.reportedAt && event.reportedAt.ms > command.recordedAt) {
    reject(
      'reported-after-recorded',
      'reportedAt is later than the log recorded the event',
      `${prefix}/reportedAt`,
      'reportedAt must not be later than the time the log recorded the event',
    );
  }
  const recorded: RecordedEvent = {
    eventId: event.eventId,
    standoffId: command.standoffId,
    position: facts.version + 1,
    type: event.type,
    occurredAt: event.occurredAt.ms,
    occurredPrecision: event.occurredAt.precision,
    reportedAt: event.reportedAt?.ms ?? command.recordedAt,
    reportedPrecision: event.reportedAt?.precision ?? 'instant',
    recordedAt: command.recordedAt,
    actor: event.actor,
    target: event.target,
    summary: event.summary,
    cameo: event.cameo,
    data: event.data,
    source: event.source,
  };
  checkEntity(recorded, facts, prefix);
  checkReferences(recorded, facts, prefix);
  facts.accept(recorded);
}

function checkEntity(event: RecordedEvent, facts: BatchOverlay, prefix: string): void {
  const rule = ENTITY_OF[event.type];
  if (rule) {
    const id = String(event.data[rule.field]);
    const existing = facts.entity(rule.kind, id);
    const path = `${prefix}/data/${rule.field}`;
    if (rule.mustBe === 'new' && existing) {
      reject('entity-exists', `The ${rule.kind} exists`, path, `${rule.kind} ${id} already exists`);
    }
    if (rule.mustBe === 'existing' && !existing) {
      reject('unknown-reference', `Unknown ${rule.kind}`, path, `no ${rule.kind} ${id} in this standoff`);
    }
    if (event.type === 'demand.withdrawn' && existing && existing.creatorActor !== event.actor) {
      reject(
        'not-the-issuer',
        'Only the issuer may withdraw a demand',
        `${prefix}/actor`,
        'must be the issuer',
      );
    }
    if (!existing) {
      facts.create({ kind: rule.kind, entityId: id, createdBy: event.eventId, creatorActor: event.actor });
    }
  }
  const inReplyTo = event.type === 'document.delivered' ? event.data.inReplyTo : undefined;
  if (typeof inReplyTo === 'string' && !facts.entity('document', inReplyTo)) {
    reject('unknown-reference', 'Unknown document', `${prefix}/data/inReplyTo`, `no document ${inReplyTo}`);
  }
  const meetingId = event.type === 'contact.held' ? event.data.meetingId : undefined;
  if (typeof meetingId === 'string' && !facts.entity('meeting', meetingId)) {
    reject('unknown-reference', 'Unknown meeting', `${prefix}/data/meetingId`, `no meeting ${meetingId}`);
  }
}

function checkReferences(event: RecordedEvent, facts: BatchOverlay, prefix: string): void {
  if (event.type !== 'claim.disputed' && event.type !== 'event.retracted' && event.type !== 'event.corrected')
    return;
  const path = `${prefix}/data/eventId`;
  const named = facts.event(String(event.data.eventId));
  if (!named) reject('unknown-reference', 'Unknown event', path, `no accepted event ${event.data.eventId}`);
  if (isMetaType(named.type)) {
    reject('invalid-reference', 'A meta event cannot be named here', path, `${named.type} is a meta event`);
  }
  if (event.type === 'claim.disputed' && named.type === 'claim.disputed') {
    reject('invalid-reference', 'A dispute cannot be disputed', path, 'retract the dispute instead');
  }
  if (event.type === 'event.corrected') {
    const set = event.data.set as Record<string, unknown>;
    checkCorrectedReferences(named, set, facts, `${prefix}/data/set/data`);
    const corrected = applyCorrection(named, set);
    // applyCorrection never changes an entity id, so the identity check looks at what was asked for.
    const requested = {
      ...named,
      data: { ...named.data, ...(set.data as Record<string, unknown> | undefined) },
    };
    const errors = [...checkCorrectionKeepsIdentity(named, requested), ...checkEventRules(corrected)];
    if (errors.length > 0) {
      throw new Rejected({
        slug: 'invalid-correction',
        title: 'The corrected event breaks the catalogue',
        detail: `event ${named.eventId} as corrected would break ${errors.length} rule(s)`,
        errors: errors.map((e) => ({ path: `${prefix}/data/set${e.path}`, message: e.message })),
      });
    }
    facts.replaceCurrent(corrected);
  }
}

/**
 * What a correction may not do to references: point a dispute at another event (what a dispute is about is its
 * identity: retract it and dispute the other event), or name a document or meeting that does not exist.
 */
function checkCorrectedReferences(
  named: RecordedEvent,
  set: Record<string, unknown>,
  facts: BatchOverlay,
  path: string,
): void {
  const data = set.data;
  if (typeof data !== 'object' || data === null) return;
  const changes = data as Record<string, unknown>;
  if (named.type === 'claim.disputed' && 'eventId' in changes && changes.eventId !== named.data.eventId) {
    reject(
      'invalid-correction',
      'A dispute keeps the event it names',
      `${path}/eventId`,
      'a correction cannot point a dispute at another event: retract the dispute and dispute the other event',
    );
  }
  const inReplyTo = named.type === 'document.delivered' ? changes.inReplyTo : undefined;
  if (typeof inReplyTo === 'string' && !facts.entity('document', inReplyTo)) {
    reject('unknown-reference', 'Unknown document', `${path}/inReplyTo`, `no document ${inReplyTo}`);
  }
  const meetingId = named.type === 'contact.held' ? changes.meetingId : undefined;
  if (typeof meetingId === 'string' && !facts.entity('meeting', meetingId)) {
    reject('unknown-reference', 'Unknown meeting', `${path}/meetingId`, `no meeting ${meetingId}`);
  }
}
