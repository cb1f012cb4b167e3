import { validateEvent } from '@app/domain/catalogue';
import { loggedEventOf } from '@app/event-log/envelope';
import { applyCorrection } from '@app/domain/correction';
import type {
  CommandEvent,
  Decision,
  DecisionFacts,
  EntityKind,
  Rejection,
  WriteCommand,
} from '@app/domain/decide';
import { prefixPaths, type FieldError } from '@app/domain/field-error';
import { knowledgeView } from '@app/domain/knowledge';
import type { RecordedEvent } from '@app/domain/recorded-event';
import { RULE_BOOK, type Decider } from '@app/domain/rules';
import { eventView, type EventView } from '@app/domain/timeline';
import { reusedKeyRejection } from '@app/decisions/idempotency';
import { invalidEvent, rejectionProblem, type Problem } from '../../apps/api/src/http/problems';

/**
 * A client-side model of one standoff's write side, for the consistency property: what the test posted and
 * what the pure decider (`RULE_BOOK`, the rules new commands are recorded under) decided of it, never the
 * read model's rows. It keeps the facts the decider may ask about (the version, the entities and who created
 * them, the accepted events as corrected, the event ids decided, the idempotency keys claimed) and predicts the
 * answer to every POST before it is sent: a validation 422, the original answer of a retry, a reused key or
 * event id, or the decider's acceptance or rejection with its HTTP problem (apps/api/src/http/problems.ts).
 *
 * Posts to one standoff must be sequential (each predicted, sent, answered and committed before the next):
 * the model is the standoff's state between commands, as the single writer of its partition sees it.
 */

export interface WritePost {
  readonly batch: boolean;
  readonly bodies: readonly Record<string, unknown>[];
  readonly idempotencyKey?: string;
  /** The version sent as `If-Match`. */
  readonly expectedVersion?: number;
}

/** What the API answers a write with (202 aside: the decision is then looked up). */
export type Answer =
  | { readonly status: 201; readonly eventIds: readonly string[]; readonly version: number }
  | { readonly status: number; readonly problem: Problem };

/** A command the log holds and the decider decided, as the model remembers it for retries. */
interface DecidedCommand {
  readonly requestHash: string;
  readonly size: number;
  readonly answer: Answer;
}

interface DecidedMember {
  readonly command: DecidedCommand;
  readonly memberIndex: number;
  readonly content: string;
}

export type Prediction =
  /** Refused by the catalogue: never appended. */
  | { readonly kind: 'invalid'; readonly answer: Answer }
  /** A retry of a decided command (same key or client ids, same content): its original answer, not appended. */
  | { readonly kind: 'replayed'; readonly answer: Answer }
  /** A key or event id used before with other content: refused before the log, not appended. */
  | { readonly kind: 'reused'; readonly answer: Answer }
  /** Appended and decided by the rules. */
  | {
      readonly kind: 'decided';
      readonly command: WriteCommand;
      readonly decision: Decision;
      readonly requestHash: string;
      readonly contents: readonly string[];
      readonly idempotencyKey: string | undefined;
      readonly answer: Answer;
    };

export type Lookup =
  | { readonly status: 'accepted'; readonly view: EventView }
  | { readonly status: 'rejected'; readonly problem: Problem };

const RULES: Decider = currentRules();

function currentRules(): Decider {
  const rules = RULE_BOOK.rules(RULE_BOOK.current);
  if (!rules) throw new Error(`RULE_BOOK has no rules for its current version ${RULE_BOOK.current}`);
  return rules;
}

export class StandoffModel {
  private currentVersion = 0;
  private readonly accepted: RecordedEvent[] = [];
  private readonly byId = new Map<string, RecordedEvent>();
  /** Accepted corrections by the event they name. */
  private readonly correctionsOf = new Map<string, RecordedEvent[]>();
  /** Entity (`kind/id`) → the event that created it (its creator is that event's actor, as corrected). */
  private readonly entities = new Map<string, string>();
  /** Every member of every decided command, accepted or rejected, by event id: its first decision. */
  private readonly decidedIds = new Map<string, DecidedMember>();
  private readonly keys = new Map<string, DecidedCommand>();
  /** The first rejection naming each event id (what GET …/events/{id} says of an event never accepted). */
  private readonly rejections = new Map<string, Problem>();

  constructor(readonly standoffId: string) {}

  get version(): number {
    return this.currentVersion;
  }

  /** The accepted events as the decider recorded them (as posted, positions 1…n). */
  get events(): readonly RecordedEvent[] {
    return this.accepted;
  }

  /** The answer the API must give `post`, were it recorded at `recordedAt`; changes nothing. */
  predict(post: WritePost, recordedAt: number): Prediction {
    const validated = this.validate(post);
    if (!validated.ok) {
      const problem = invalidEvent(validated.errors);
      return { kind: 'invalid', answer: { status: problem.status, problem } };
    }
    const events = validated.events;
    const contents = events.map((e) => JSON.stringify(e));
    const requestHash = JSON.stringify({ batch: post.batch, contents });
    const original = this.findOriginal(post.idempotencyKey, events, contents, requestHash);
    if (original === 'reused') {
      const problem = rejectionProblem(reusedKeyRejection());
      return { kind: 'reused', answer: { status: problem.status, problem } };
    }
    if (original) return { kind: 'replayed', answer: original.answer };
    const command: WriteCommand = {
      standoffId: this.standoffId,
      batch: post.batch,
      expectedVersion: post.expectedVersion ?? null,
      recordedAt,
      events,
    };
    const decision = RULES.decide(command, this.facts());
    return {
      kind: 'decided',
      command,
      decision,
      requestHash,
      contents,
      idempotencyKey: post.idempotencyKey,
      answer: answerOf(decision),
    };
  }

  /**
   * Takes a decided prediction into the model, decided again at the time the log recorded it (which only the
   * answer tells: the log's clock); returns the decision as recorded, which must have the predicted outcome.
   */
  commit(prediction: Extract<Prediction, { kind: 'decided' }>, recordedAt: number): Decision {
    const decision = RULES.decide({ ...prediction.command, recordedAt }, this.facts());
    const command: DecidedCommand = {
      requestHash: prediction.requestHash,
      size: prediction.command.events.length,
      answer: answerOf(decision),
    };
    prediction.command.events.forEach((event, memberIndex) => {
      if (!this.decidedIds.has(event.eventId)) {
        this.decidedIds.set(event.eventId, {
          command,
          memberIndex,
          content: prediction.contents[memberIndex],
        });
      }
    });
    if (prediction.idempotencyKey !== undefined) this.keys.set(prediction.idempotencyKey, command);
    if (decision.outcome === 'rejected') {
      const problem = rejectionProblem(decision.rejection);
      for (const event of prediction.command.events) {
        if (!this.rejections.has(event.eventId)) this.rejections.set(event.eventId, problem);
      }
      return decision;
    }
    for (const event of decision.events) {
      this.accepted.push(event);
      this.byId.set(event.eventId, event);
      const named = event.type === 'event.corrected' ? String(event.data.eventId) : undefined;
      if (named !== undefined)
        this.correctionsOf.set(named, [...(this.correctionsOf.get(named) ?? []), event]);
    }
    for (const entity of decision.createdEntities) {
      this.entities.set(`${entity.kind}/${entity.entityId}`, entity.createdBy);
    }
    this.currentVersion = decision.versionAfter;
    return decision;
  }

  /** The events as GET answers them now (knowledge of every accepted event), in the order asked. */
  views(eventIds: readonly string[], knownAt: number): EventView[] {
    const view = knowledgeView(this.accepted, knownAt);
    return eventIds.map((id) => {
      const known = view.byId.get(id);
      if (!known) throw new Error(`the model has no accepted event ${id} known at ${knownAt}`);
      return eventView(known);
    });
  }

  /** What GET …/events/{id} answers: the accepted event, else the first rejection of a command naming it. */
  lookup(eventId: string, knownAt: number): Lookup | undefined {
    if (this.byId.has(eventId)) return { status: 'accepted', view: this.views([eventId], knownAt)[0] };
    const problem = this.rejections.get(eventId);
    return problem && { status: 'rejected', problem };
  }

  private validate(
    post: WritePost,
  ): { ok: true; events: CommandEvent[] } | { ok: false; errors: FieldError[] } {
    const now = Date.now();
    const errors: FieldError[] = [];
    const events: CommandEvent[] = [];
    post.bodies.forEach((body, index) => {
      const result = validateEvent(body, { now });
      if (!result.ok) {
        errors.push(...prefixPaths(post.batch ? `/events/${index}` : '', result.errors));
        return;
      }
      const draft = result.event;
      if (draft.eventId === undefined) throw new Error('the model needs client event ids');
      events.push(loggedEventOf(draft, draft.eventId));
    });
    return errors.length > 0 ? { ok: false, errors } : { ok: true, events };
  }

  /**
   * DESIGN.md §4: a write with a key claimed before, or whose client event ids were decided before, is a
   * retry: with the same content (the whole request for a key; each member in its place, and nothing more, for
   * event ids) it gets the original answer, whatever its If-Match; with other content it is refused.
   */
  private findOriginal(
    key: string | undefined,
    events: readonly CommandEvent[],
    contents: readonly string[],
    requestHash: string,
  ): DecidedCommand | 'reused' | undefined {
    const byKey = key === undefined ? undefined : this.keys.get(key);
    if (byKey) return byKey.requestHash === requestHash ? byKey : 'reused';
    const members = events.map((e) => this.decidedIds.get(e.eventId));
    const original = members.find((m) => m !== undefined)?.command;
    if (!original) return undefined;
    const same = members.every(
      (m, i) => m?.command === original && m.memberIndex === i && m.content === contents[i],
    );
    return same && original.size === events.length ? original : 'reused';
  }

  /** The facts as the decider may ask for them: the model's, never the read model's. */
  private facts(): DecisionFacts {
    return {
      version: this.currentVersion,
      entity: (kind: EntityKind, id: string) => {
        const createdBy = this.entities.get(`${kind}/${id}`);
        return createdBy === undefined ? undefined : { creatorActor: this.asCorrected(createdBy).actor };
      },
      event: (eventId) => (this.byId.has(eventId) ? this.asCorrected(eventId) : undefined),
      eventIdTaken: (eventId) => this.decidedIds.has(eventId),
    };
  }

  /** An accepted event with every accepted correction of it applied in knowledge order (EVENTS.md). */
  private asCorrected(eventId: string): RecordedEvent {
    const posted = this.byId.get(eventId);
    if (!posted) throw new Error(`no accepted event ${eventId}`);
    const corrections = [...(this.correctionsOf.get(eventId) ?? [])].sort(
      (a, b) => a.reportedAt - b.reportedAt || a.position - b.position,
    );
    return corrections.reduce(
      (event, c) => applyCorrection(event, c.data.set as Record<string, unknown>),
      posted,
    );
  }
}

function answerOf(decision: Decision): Answer {
  if (decision.outcome === 'accepted') {
    return { status: 201, eventIds: decision.events.map((e) => e.eventId), version: decision.versionAfter };
  }
  const problem = rejectionProblem(decision.rejection);
  return { status: problem.status, problem };
}

/** The rejection a decided command got, for counting: its code, or `accepted`. */
export function outcomeName(decision: Decision): Rejection['slug'] | 'accepted' {
  return decision.outcome === 'accepted' ? 'accepted' : decision.rejection.slug;
}
