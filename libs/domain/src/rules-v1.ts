import type { CommandEvent, Decision, DecisionFacts, FactsNeeded, WriteCommand } from './decide';
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
import { type EventDataByType, type EventType, namedEventId } from './events';
import type { RecordedEvent } from './recorded-event';

/*
 * Rules version 1, as the product had them before commands were decoded into the catalogue's union: they read
 * an event's type as a string and its references by field name, so that a record the API never wrote (a
 * malformed one, put into the log by another writer) is decided as it always was. Frozen: every record of
 * version 1 is decided by these, in every rebuild; what changes goes into a new version (rules.ts).
 */

/** The entity each type works on, by the data field the catalogue names for it. */
const ENTITY_OF: Readonly<Record<string, EntityRule>> = {
  'demand.tabled': { kind: 'demand', field: 'demandId', mustBe: 'new' },
  'demand.rejected': { kind: 'demand', field: 'demandId', mustBe: 'existing' },
  'demand.accepted': { kind: 'demand', field: 'demandId', mustBe: 'existing' },
  'demand.withdrawn': { kind: 'demand', field: 'demandId', mustBe: 'existing', byIssuerOnly: true },
  'document.delivered': { kind: 'document', field: 'documentId', mustBe: 'new' },
  'meeting.proposed': { kind: 'meeting', field: 'meetingId', mustBe: 'new' },
  'meeting.scheduled': { kind: 'meeting', field: 'meetingId', mustBe: 'any' },
  'meeting.cancelled': { kind: 'meeting', field: 'meetingId', mustBe: 'existing' },
  'pact.proposed': { kind: 'pact', field: 'pactId', mustBe: 'new' },
  'pact.signed': { kind: 'pact', field: 'pactId', mustBe: 'any' },
  'pact.suspended': { kind: 'pact', field: 'pactId', mustBe: 'existing' },
} satisfies {
  readonly [T in EventType]?: EntityRule & { readonly field: keyof EventDataByType[T] & string };
};

/** What version 1 asks its facts about for this command. */
export function factsNeededV1(command: WriteCommand): FactsNeeded {
  return collectFactsNeeded((want, wantEvent) => {
    for (const event of command.events) {
      const rule = ENTITY_OF[event.type];
      if (rule) want(rule.kind, event.data[rule.field]);
      want('document', event.data.inReplyTo);
      want('meeting', event.data.meetingId);
      const named = namedEventId(event);
      if (named) wantEvent(named);
      const set = event.type === 'event.corrected' ? event.data.set : undefined;
      const corrected =
        typeof set === 'object' && set !== null ? (set as Record<string, unknown>).data : undefined;
      if (typeof corrected === 'object' && corrected !== null) {
        want('document', (corrected as Record<string, unknown>).inReplyTo);
        want('meeting', (corrected as Record<string, unknown>).meetingId);
      }
    }
  });
}

export function decideV1(command: WriteCommand, facts: DecisionFacts): Decision {
  return decideMembers(command, facts, (event: CommandEvent, overlay, prefix) => {
    const recorded = recordNewEvent(command, event, overlay, prefix);
    checkEntityV1(recorded, overlay, prefix);
    checkReferencesV1(recorded, overlay, prefix);
    overlay.accept(recorded);
  });
}

function checkEntityV1(event: RecordedEvent, facts: BatchOverlay, prefix: string): void {
  const rule = ENTITY_OF[event.type];
  if (rule) checkEntity(rule, String(event.data[rule.field]), event, facts, prefix);
  const inReplyTo = event.type === 'document.delivered' ? event.data.inReplyTo : undefined;
  if (typeof inReplyTo === 'string') {
    checkMentioned('document', inReplyTo, facts, `${prefix}/data/inReplyTo`);
  }
  const meetingId = event.type === 'contact.held' ? event.data.meetingId : undefined;
  if (typeof meetingId === 'string') checkMentioned('meeting', meetingId, facts, `${prefix}/data/meetingId`);
}

function checkReferencesV1(event: RecordedEvent, facts: BatchOverlay, prefix: string): void {
  if (event.type !== 'claim.disputed' && event.type !== 'event.retracted' && event.type !== 'event.corrected')
    return;
  const named = namedEvent(event.type, String(event.data.eventId), facts, prefix);
  if (event.type === 'event.corrected') {
    checkCorrection(named, event.data.set as Record<string, unknown>, facts, prefix);
  }
}
