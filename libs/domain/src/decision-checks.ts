import { applyCorrection } from './correction';
import { checkCorrectionKeepsIdentity, checkEventRules } from './catalogue';
import type {
  CommandEvent,
  CreatedEntity,
  Decision,
  DecisionFacts,
  EntityKind,
  FactsNeeded,
  KnownEntity,
  Rejection,
  RejectionCode,
  WriteCommand,
} from './decide';
import { isJsonObject } from './event-rules';
import { isMetaType } from './events';
import type { RecordedEvent } from './recorded-event';

/*
 * The checks every version of the decision rules makes the same way (rules.ts): a version differs in which of
 * them it asks for an event, never in what one of them does. Change one here only as a new version would
 * decide every past command the same.
 */

class Rejected extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.detail);
  }
}

export function reject(slug: RejectionCode, title: string, path: string, message: string): never {
  throw new Rejected({ slug, title, detail: message, errors: [{ path, message }] });
}

/** Facts as seen by a member of a batch: the standoff's facts plus what earlier members created. */
export class BatchOverlay implements DecisionFacts {
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

/** The facts `collect` asks for: entities whose id is a string (any other is no id), and accepted events. */
export function collectFactsNeeded(
  collect: (
    wantEntity: (kind: EntityKind, id: unknown) => void,
    wantEvent: (eventId: string) => void,
  ) => void,
): FactsNeeded {
  const entities = new Map<string, readonly [EntityKind, string]>();
  const eventIds = new Set<string>();
  collect(
    (kind, id) => {
      if (typeof id === 'string') entities.set(`${kind}/${id}`, [kind, id]);
    },
    (eventId) => eventIds.add(eventId),
  );
  return { entities: [...entities.values()], eventIds: [...eventIds] };
}

/** Decides each member of the command by `decideMember`, which accepts it into the overlay or rejects it. */
export function decideMembers<Event extends CommandEvent>(
  command: Omit<WriteCommand, 'events'> & { readonly events: readonly Event[] },
  facts: DecisionFacts,
  decideMember: (event: Event, facts: BatchOverlay, prefix: string) => void,
): Decision {
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
      decideMember(event, overlay, command.batch ? `/events/${index}` : '');
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

/** The member as the log records it, once its id is new and its reportedAt no later than the log's time. */
export function recordNewEvent(
  command: WriteCommand,
  event: CommandEvent,
  facts: BatchOverlay,
  prefix: string,
): RecordedEvent {
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
  return {
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
}

/** How an event works on its entity: creates it, needs it, or either; a demand is withdrawn by its issuer only. */
export interface EntityRule {
  readonly kind: EntityKind;
  readonly field: string;
  readonly mustBe: 'new' | 'existing' | 'any';
  readonly byIssuerOnly?: true;
}

export function checkEntity(
  rule: EntityRule,
  id: string,
  event: RecordedEvent,
  facts: BatchOverlay,
  prefix: string,
): void {
  const existing = facts.entity(rule.kind, id);
  const path = `${prefix}/data/${rule.field}`;
  if (rule.mustBe === 'new' && existing) {
    reject('entity-exists', `The ${rule.kind} exists`, path, `${rule.kind} ${id} already exists`);
  }
  if (rule.mustBe === 'existing' && !existing) {
    reject('unknown-reference', `Unknown ${rule.kind}`, path, `no ${rule.kind} ${id} in this standoff`);
  }
  if (rule.byIssuerOnly && existing && existing.creatorActor !== event.actor) {
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

/** A document a reply answers, or a meeting a contact held: it must exist. */
export function checkMentioned(
  kind: 'document' | 'meeting',
  id: string,
  facts: BatchOverlay,
  path: string,
): void {
  if (!facts.entity(kind, id)) reject('unknown-reference', `Unknown ${kind}`, path, `no ${kind} ${id}`);
}

/** The accepted event a dispute, retraction or correction names, if it may name it. */
export function namedEvent(
  type: string,
  eventId: string,
  facts: BatchOverlay,
  prefix: string,
): RecordedEvent {
  const path = `${prefix}/data/eventId`;
  const named = facts.event(eventId);
  if (!named) reject('unknown-reference', 'Unknown event', path, `no accepted event ${eventId}`);
  if (isMetaType(named.type)) {
    reject('invalid-reference', 'A meta event cannot be named here', path, `${named.type} is a meta event`);
  }
  if (type === 'claim.disputed' && named.type === 'claim.disputed') {
    reject('invalid-reference', 'A dispute cannot be disputed', path, 'retract the dispute instead');
  }
  return named;
}

/** A correction of the named event: its references exist, and the event as corrected keeps the catalogue. */
export function checkCorrection(
  named: RecordedEvent,
  set: Readonly<Record<string, unknown>>,
  facts: BatchOverlay,
  prefix: string,
): void {
  checkCorrectedReferences(named, set, facts, `${prefix}/data/set/data`);
  const corrected = applyCorrection(named, set);
  // applyCorrection never changes an entity id, so the identity check looks at what was asked for.
  const requested = {
    ...named,
    data: { ...named.data, ...(isJsonObject(set.data) ? set.data : {}) },
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

/**
 * What a correction may not do to references: point a dispute at another event (what a dispute is about is its
 * identity: retract it and dispute the other event), or name a document or meeting that does not exist.
 */
function checkCorrectedReferences(
  named: RecordedEvent,
  set: Readonly<Record<string, unknown>>,
  facts: BatchOverlay,
  path: string,
): void {
  const changes = set.data;
  if (!isJsonObject(changes)) return;
  if (named.type === 'claim.disputed' && 'eventId' in changes && changes.eventId !== named.data.eventId) {
    reject(
      'invalid-correction',
      'A dispute keeps the event it names',
      `${path}/eventId`,
      'a correction cannot point a dispute at another event: retract the dispute and dispute the other event',
    );
  }
  const inReplyTo = named.type === 'document.delivered' ? changes.inReplyTo : undefined;
  if (typeof inReplyTo === 'string') checkMentioned('document', inReplyTo, facts, `${path}/inReplyTo`);
  const meetingId = named.type === 'contact.held' ? changes.meetingId : undefined;
  if (typeof meetingId === 'string') checkMentioned('meeting', meetingId, facts, `${path}/meetingId`);
}
