import {
  type BatchOverlay,
  checkCorrection,
  checkEntity,
  checkMentioned,
  collectFactsNeeded,
  decideMembers,
  type EntityRule,
  namedEvent,
  recordNewEvent,
} from './decision-checks';
import type { CorrectionSet } from './events';
import type { FieldError } from './field-error';
import type { CatalogueUnion, RecordedEvent } from './recorded-event';
import type { TimePoint } from './time';

/**
 * The write side's decisions, made in log order by the single writer of a partition (DESIGN.md §2): the same
 * log always gives the same decisions.
 */
export type EntityKind = 'demand' | 'document' | 'meeting' | 'pact';

/** An event of a write command as the log carries it; `CatalogueCommandEvent` is the same decoded. */
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

/** One event of a command as the catalogue's discriminated union (command-decoding.ts decodes it). */
export type CatalogueCommandEvent = CatalogueUnion<CommandEvent>;

/** A write command whose events are decoded into the catalogue's union: what the current rules decide. */
export interface CatalogueCommand extends Omit<WriteCommand, 'events'> {
  readonly events: readonly CatalogueCommandEvent[];
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

export interface FactsNeeded {
  /** The entities the decider may look up, by kind and id. */
  readonly entities: readonly (readonly [EntityKind, string])[];
  /** The accepted events the decider may look up (those knowledge events name). */
  readonly eventIds: readonly string[];
}

/** What an event refers to: the one reading of its references, for the facts to load and for the decision. */
interface References {
  /** The entity the event works on, and how. */
  readonly entity?: EntityRule & { readonly id: string };
  /** A document it replies to, a meeting it was held at: they must exist. */
  readonly mentions: readonly Mention[];
  /** The event a dispute, retraction or correction names, and what a correction sets on it. */
  readonly names?: { readonly eventId: string; readonly set?: CorrectionSet };
}

interface Mention {
  readonly kind: 'document' | 'meeting';
  readonly field: string;
  readonly id: string;
}

const NO_REFERENCES: References = { mentions: [] };

const worksOn = (kind: EntityKind, field: string, id: string, mustBe: EntityRule['mustBe']): References => ({
  entity: { kind, field, id, mustBe },
  mentions: [],
});

const mentioning = (kind: Mention['kind'], field: string, id: string | undefined): readonly Mention[] =>
  id === undefined ? [] : [{ kind, field, id }];

function referencesOf(event: CatalogueCommandEvent): References {
  switch (event.type) {
    case 'demand.tabled':
      return worksOn('demand', 'demandId', event.data.demandId, 'new');
    case 'demand.rejected':
    case 'demand.accepted':
      return worksOn('demand', 'demandId', event.data.demandId, 'existing');
    case 'demand.withdrawn': {
      const rule = { kind: 'demand', field: 'demandId', mustBe: 'existing', byIssuerOnly: true } as const;
      return { entity: { ...rule, id: event.data.demandId }, mentions: [] };
    }
    case 'document.delivered':
      return {
        ...worksOn('document', 'documentId', event.data.documentId, 'new'),
        mentions: mentioning('document', 'inReplyTo', event.data.inReplyTo),
      };
    case 'contact.held':
      return { mentions: mentioning('meeting', 'meetingId', event.data.meetingId) };
    case 'meeting.proposed':
      return worksOn('meeting', 'meetingId', event.data.meetingId, 'new');
    case 'meeting.scheduled':
      return worksOn('meeting', 'meetingId', event.data.meetingId, 'any');
    case 'meeting.cancelled':
      return worksOn('meeting', 'meetingId', event.data.meetingId, 'existing');
    case 'pact.proposed':
      return worksOn('pact', 'pactId', event.data.pactId, 'new');
    case 'pact.signed':
      return worksOn('pact', 'pactId', event.data.pactId, 'any');
    case 'pact.suspended':
      return worksOn('pact', 'pactId', event.data.pactId, 'existing');
    case 'claim.disputed':
    case 'event.retracted':
      return { mentions: [], names: { eventId: event.data.eventId } };
    case 'event.corrected':
      return { mentions: [], names: { eventId: event.data.eventId, set: event.data.set } };
    case 'standoff.described':
    case 'statement.made':
    case 'position.stated':
    case 'appeal.made':
    case 'forces.changed':
    case 'forces.estimated':
    case 'sanctions.threatened':
    case 'sanctions.imposed':
    case 'relations.reduced':
    case 'event.recorded':
      return NO_REFERENCES;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

/** What `decide` will ask its facts about for this command, so the caller loads exactly that. */
export function factsNeeded(command: CatalogueCommand): FactsNeeded {
  return collectFactsNeeded((want, wantEvent) => {
    for (const event of command.events) {
      const { entity, mentions, names } = referencesOf(event);
      if (entity) want(entity.kind, entity.id);
      for (const mention of mentions) want(mention.kind, mention.id);
      if (!names) continue;
      wantEvent(names.eventId);
      // What a correction changes is checked against the named event's type, known once it is loaded.
      want('document', names.set?.data?.inReplyTo);
      want('meeting', names.set?.data?.meetingId);
    }
  });
}

/**
 * The current rules (version 2 in rules.ts): each member's references, read once from the catalogue's union,
 * must hold. A command's events come decoded (command-decoding.ts), so nothing here checks a field again or casts.
 */
export function decide(command: CatalogueCommand, facts: DecisionFacts): Decision {
  return decideMembers(command, facts, (event, overlay, prefix) => {
    const recorded = recordNewEvent(command, event, overlay, prefix);
    checkReferences(event, recorded, overlay, prefix);
    overlay.accept(recorded);
  });
}

function checkReferences(
  event: CatalogueCommandEvent,
  recorded: RecordedEvent,
  facts: BatchOverlay,
  prefix: string,
): void {
  const { entity, mentions, names } = referencesOf(event);
  if (entity) checkEntity(entity, entity.id, recorded, facts, prefix);
  for (const { kind, field, id } of mentions) checkMentioned(kind, id, facts, `${prefix}/data/${field}`);
  if (!names) return;
  const named = namedEvent(event.type, names.eventId, facts, prefix);
  if (names.set) checkCorrection(named, names.set, facts, prefix);
}
