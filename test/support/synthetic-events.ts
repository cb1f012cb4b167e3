import { DAY_MS } from '@app/domain/time';

/**
 * Seeded synthetic histories: a realistic mix of the catalogue's types over a bounded set of actors and entity
 * ids, with backdated events, disputes, denials, retractions and corrections. Bodies are what a client posts;
 * every event carries a client eventId, and every event is valid and accepted in posting order (so batches of
 * it, which are all or nothing, are never rejected). Generating costs O(1) per event, however long the history.
 *
 * The defaults make the histories the tests were written against (the same seed gives the same events). Options
 * for histories of any length whose state stays the same size (`bench/state-at-scale.ts`): `boundedEntities`,
 * `maxOpenDisputes` and `maxTimeCorrected`.
 */
export interface SyntheticOptions {
  readonly seed: number;
  readonly start?: number;
  /** Mean valid-time step between consecutive events. */
  readonly stepMs?: number;
  readonly backdatedShare?: number;
  readonly knowledgeShare?: number;
  /** Ids drawn per entity kind (demands, documents, meetings, pacts); 20. */
  readonly entityIds?: number;
  /** Report events this long after they occurred at most (knowledge time trails valid time). */
  readonly reportDelayMs?: number;
  /** Share of events dated by day (`YYYY-MM-DD`) rather than to the instant; 0.5. */
  readonly dayPrecisionShare?: number;
  /**
   * Every entity id is one of the `entityIds` of its kind (by default documents, meetings and pacts get a
   * `-${n}` suffix, so their number grows with the history). A document is new by definition
   * (`document.delivered` must name a new id): once its ids are used up, a document roll is a statement.
   */
  readonly boundedEntities?: boolean;
  /** A knowledge event names one of this many latest notable events (with an actor, not a dispute); 2000. */
  readonly recentNamed?: number;
  /**
   * At most this many events stand disputed (and not retracted) at a time: a dispute beyond that is first a
   * retraction of the claim disputed longest ago (the dispute settled), so `disputed` in the state stays
   * bounded, and a retraction reaches back only as far as the oldest open dispute. Unbounded by default.
   */
  readonly maxOpenDisputes?: number;
  /**
   * At most this many distinct events ever have their `occurredAt` corrected (every one is read by every later
   * state query's tail); further corrections set the summary. Unbounded by default.
   */
  readonly maxTimeCorrected?: number;
  /**
   * A correction of `occurredAt` moves it earlier by up to this much, keeping the event's precision (a
   * day-dated event moves by whole days, at least one). By default by exactly one day, as an instant.
   */
  readonly timeCorrectionMaxMs?: number;
  /** Describe the standoff (`standoff.described`) in the first event. */
  readonly title?: string;
}

export type EventBody = Record<string, unknown> & { eventId: string; type: string };

/** Earliest and latest `occurredAt` and `reportedAt` (ms) generated so far, as posted. */
export interface HistorySpan {
  readonly firstOccurredAt: number;
  readonly lastOccurredAt: number;
  readonly firstReportedAt: number;
  readonly lastReportedAt: number;
}

type Kind = 'demand' | 'document' | 'meeting' | 'pact';

const ACTORS = ['RUS', 'USA', 'UKR', 'NATO', 'FRA', 'DEU', 'GBR', 'POL', 'RUS.MIL', 'USA.GOV'];

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuid(random: () => number, n: number): string {
  const hex = (bits: number) =>
    Math.floor(random() * 2 ** bits)
      .toString(16)
      .padStart(bits / 4, '0');
  return `${hex(32)}-${hex(16)}-4${hex(12)}-8${hex(12)}-${(n % 2 ** 48).toString(16).padStart(12, '0')}`;
}

/** Ids in creation order, with a set for membership: picking one is O(1). */
class IdPool {
  readonly ids: string[] = [];
  private readonly members = new Set<string>();

  has(id: string): boolean {
    return this.members.has(id);
  }

  add(id: string): void {
    if (this.members.has(id)) return;
    this.members.add(id);
    this.ids.push(id);
  }

  get size(): number {
    return this.ids.length;
  }
}

export class SyntheticHistory {
  private readonly random: () => number;
  private clock: number;
  private count = 0;
  /** The latest notable events, a ring of `recentNamed`: what a knowledge event names. */
  private readonly recent: EventBody[] = [];
  private recentNext = 0;
  /** The events disputed and not retracted since, oldest dispute first, when `maxOpenDisputes` bounds them. */
  private readonly openDisputes = new Map<string, EventBody>();
  /** The events whose `occurredAt` was corrected, when `maxTimeCorrected` bounds them. */
  private readonly timeCorrected = new Set<string>();
  private settled = 0;
  private readonly created = new Map<Kind, IdPool>([
    ['demand', new IdPool()],
    ['document', new IdPool()],
    ['meeting', new IdPool()],
    ['pact', new IdPool()],
  ]);
  private readonly typeCounts = new Map<string, number>();
  private backdated = 0;
  private span = {
    firstOccurredAt: Infinity,
    lastOccurredAt: -Infinity,
    firstReportedAt: Infinity,
    lastReportedAt: -Infinity,
  };

  constructor(private readonly options: SyntheticOptions) {
    this.random = rng(options.seed);
    this.clock = options.start ?? Date.parse('2021-11-01T00:00:00Z');
  }

  /** Events generated so far. */
  get generated(): number {
    return this.count;
  }

  get times(): HistorySpan {
    return { ...this.span };
  }

  /** How many events of each type and how many backdated; under the bounds, disputes settled and events time-corrected. */
  mix() {
    return {
      types: Object.fromEntries([...this.typeCounts].sort(([a], [b]) => (a < b ? -1 : 1))),
      backdated: this.backdated,
      disputesSettledByRetraction: this.settled,
      openDisputes: this.openDisputes.size,
      timeCorrectedEvents: this.timeCorrected.size,
    };
  }

  /** The next `n` events in posting order. */
  take(n: number): EventBody[] {
    const out: EventBody[] = [];
    for (let i = 0; i < n; i++) out.push(this.next());
    return out;
  }

  next(): EventBody {
    this.count += 1;
    this.clock += Math.floor(this.random() * 2 * (this.options.stepMs ?? 3_600_000));
    const backdated = this.random() < (this.options.backdatedShare ?? 0.1);
    const occurredAt = backdated ? this.clock - Math.floor(this.random() * 5 * DAY_MS) : this.clock;
    const reportedAt =
      Math.max(occurredAt, this.clock) + Math.floor(this.random() * (this.options.reportDelayMs ?? DAY_MS));
    if (reportedAt > Date.now() - DAY_MS) {
      throw new Error(
        `event ${this.count} would be reported at ${new Date(reportedAt).toISOString()}, too close to now: ` +
          'use an earlier start or a smaller stepMs',
      );
    }
    let body: EventBody;
    if (this.count === 1 && this.options.title !== undefined) {
      body = {
        ...this.base('standoff.described', occurredAt, reportedAt, null),
        data: { title: this.options.title },
      };
    } else {
      const knowledge = this.count > 1 && this.random() < (this.options.knowledgeShare ?? 0.05);
      body = knowledge
        ? this.knowledgeEvent(occurredAt, reportedAt)
        : this.plainEvent(occurredAt, reportedAt);
    }
    if (backdated) this.backdated += 1;
    this.note(body);
    return body;
  }

  private note(body: EventBody): void {
    this.typeCounts.set(body.type, (this.typeCounts.get(body.type) ?? 0) + 1);
    const occurred = Date.parse(String(body.occurredAt));
    const reported = Date.parse(String(body.reportedAt));
    this.span.firstOccurredAt = Math.min(this.span.firstOccurredAt, occurred);
    this.span.lastOccurredAt = Math.max(this.span.lastOccurredAt, occurred);
    this.span.firstReportedAt = Math.min(this.span.firstReportedAt, reported);
    this.span.lastReportedAt = Math.max(this.span.lastReportedAt, reported);
    // Only events a dispute, retraction or correction may name: with an actor, not a dispute, not meta.
    if (body.actor === undefined || body.type === 'claim.disputed') return;
    const size = this.options.recentNamed ?? 2000;
    if (this.recent.length < size) this.recent.push(body);
    else this.recent[this.recentNext] = body;
    this.recentNext = (this.recentNext + 1) % size;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  private entity(kind: Kind): string {
    return `${kind}-${Math.floor(this.random() * (this.options.entityIds ?? 20))}`;
  }

  private base(type: string, occurredAt: number, reportedAt: number, actor: string | null): EventBody {
    const day = this.random() < (this.options.dayPrecisionShare ?? 0.5);
    const time = (ms: number) => (day ? new Date(ms).toISOString().slice(0, 10) : new Date(ms).toISOString());
    const occurred = time(occurredAt);
    const reported = day ? time(Math.max(reportedAt, Date.parse(occurred))) : time(reportedAt);
    return {
      eventId: uuid(this.random, this.count),
      type,
      occurredAt: occurred,
      reportedAt: reported < occurred ? occurred : reported,
      ...(actor ? { actor } : {}),
      summary: `${type} #${this.count}`,
    };
  }

  private plainEvent(occurredAt: number, reportedAt: number): EventBody {
    const actor = this.pick(ACTORS);
    const other = this.pick(ACTORS.filter((a) => a !== actor));
    const event = (type: string, data: Record<string, unknown>, target: string[] = [other]): EventBody => ({
      ...this.base(type, occurredAt, reportedAt, actor),
      target,
      data,
    });
    const roll = this.random();
    if (roll < 0.12) return event('statement.made', { topic: 'security' });
    if (roll < 0.2)
      return event('position.stated', {
        topic: this.pick(['nato', 'sanctions', 'borders']),
        stance: this.pick(['for', 'against']),
      });
    if (roll < 0.32)
      return this.withEntity(
        'demand',
        (id) => event('demand.tabled', { demandId: id, text: 'a demand' }),
        (id) => event(this.pick(['demand.rejected', 'demand.accepted']), { demandId: id }),
      );
    if (roll < 0.44)
      return this.withEntity(
        'document',
        (id) =>
          event('document.delivered', {
            documentId: id,
            kind: this.pick(['proposal', 'response', 'note', 'letter']),
          }),
        (id) => {
          if (!this.options.boundedEntities)
            return event('document.delivered', {
              documentId: `reply-${this.count}`,
              kind: 'response',
              inReplyTo: id,
            });
          const reply = this.unused('document');
          if (reply === undefined) return event('statement.made', { topic: 'documents' });
          this.pool('document').add(reply);
          return event('document.delivered', { documentId: reply, kind: 'response', inReplyTo: id });
        },
        () => event('statement.made', { topic: 'documents' }),
      );
    if (roll < 0.6)
      return event('contact.held', {
        mode: this.pick(['call', 'video', 'meeting', 'visit', 'multilateral']),
      });
    if (roll < 0.68)
      return this.withEntity(
        'meeting',
        (id) => event('meeting.proposed', { meetingId: id }),
        (id) =>
          this.random() < 0.5
            ? event('meeting.scheduled', {
                meetingId: id,
                scheduledFor: new Date(occurredAt + 7 * DAY_MS).toISOString(),
              })
            : event('meeting.cancelled', { meetingId: id }),
      );
    if (roll < 0.74)
      return this.withEntity(
        'pact',
        (id) => event('pact.proposed', { pactId: id, name: 'a pact' }),
        (id) => event(this.pick(['pact.signed', 'pact.suspended']), { pactId: id }),
      );
    if (roll < 0.84)
      return event(
        'forces.changed',
        {
          area: this.pick(['north', 'east', 'crimea']),
          posture: this.pick(['buildup', 'exercise', 'alert', 'withdrawal']),
          troops: Math.floor(this.random() * 100000),
        },
        [],
      );
    if (roll < 0.9)
      return event(
        'forces.estimated',
        { subject: 'RUS', area: this.pick(['north', 'east']), troops: { min: 1000, max: 100000 } },
        [],
      );
    if (roll < 0.96)
      return event(this.pick(['sanctions.threatened', 'sanctions.imposed']), {
        measures: ['export controls'],
      });
    return event('relations.reduced', { measure: this.pick(['expulsion', 'drawdown']) });
  }

  private pool(kind: Kind): IdPool {
    const known = this.created.get(kind);
    if (!known) throw new Error(`no pool for ${kind}`);
    return known;
  }

  /** An id of the kind's bounded pool not created yet, if any. */
  private unused(kind: Kind): string | undefined {
    const known = this.pool(kind);
    if (known.size >= (this.options.entityIds ?? 20)) return undefined;
    for (;;) {
      const id = this.entity(kind);
      if (!known.has(id)) return id;
    }
  }

  /**
   * A creating event the first time an id is drawn, then (usually) one that names an entity created before;
   * `exhausted` when the kind's bounded ids are used up and it has no follow-up that reuses one.
   */
  private withEntity(
    kind: Kind,
    create: (id: string) => EventBody,
    follow: (id: string) => EventBody,
    exhausted?: () => EventBody,
  ): EventBody {
    const known = this.pool(kind);
    if (known.size > 0 && this.random() < 0.6) return follow(this.pick(known.ids));
    if (!this.options.boundedEntities) {
      // Drawn before the check, as it always was, so that a seed keeps giving the same history.
      const id = kind === 'demand' ? this.entity(kind) : `${this.entity(kind)}-${this.count}`;
      const body = create(id);
      if (known.has(id)) return follow(id);
      known.add(id);
      return body;
    }
    const id = this.entity(kind);
    if (known.has(id)) return follow(id);
    if (exhausted && known.size >= (this.options.entityIds ?? 20)) return exhausted();
    known.add(id);
    return create(id);
  }

  private knowledgeEvent(occurredAt: number, reportedAt: number): EventBody {
    const named = this.pick(this.recent);
    if (!named) return this.plainEvent(occurredAt, reportedAt);
    const retraction = (eventId: string, reason: string): EventBody => {
      if (this.options.maxOpenDisputes !== undefined) this.openDisputes.delete(eventId);
      return {
        ...this.base('event.retracted', occurredAt, reportedAt, null),
        data: { eventId, reason },
      };
    };
    const roll = this.random();
    if (roll < 0.5) {
      const open = this.options.maxOpenDisputes;
      if (open !== undefined && !this.openDisputes.has(named.eventId)) {
        if (this.openDisputes.size >= open) {
          const [oldest] = this.openDisputes.keys();
          this.settled += 1;
          return retraction(oldest, 'disputed, withdrawn');
        }
        this.openDisputes.set(named.eventId, named);
      }
      const actor = this.random() < 0.3 ? String(named.actor) : this.pick(ACTORS);
      return {
        ...this.base('claim.disputed', occurredAt, reportedAt, actor),
        data: { eventId: named.eventId, reason: 'denied' },
      };
    }
    if (roll < 0.75) return retraction(named.eventId, 'wrong');
    const bound = this.options.maxTimeCorrected;
    const moves =
      this.random() >= 0.5 &&
      (bound === undefined || this.timeCorrected.has(named.eventId) || this.timeCorrected.size < bound);
    if (moves && bound !== undefined) this.timeCorrected.add(named.eventId);
    const set = moves
      ? { occurredAt: this.earlier(String(named.occurredAt)) }
      : { summary: `corrected #${this.count}` };
    return {
      ...this.base('event.corrected', occurredAt, reportedAt, null),
      data: { eventId: named.eventId, set },
    };
  }

  /** The corrected `occurredAt` of an event posted at `posted`. */
  private earlier(posted: string): string {
    const ms = Date.parse(posted);
    const maxShift = this.options.timeCorrectionMaxMs;
    if (maxShift === undefined) return new Date(ms - DAY_MS).toISOString();
    if (posted.length === 10) {
      const days = 1 + Math.floor(this.random() * Math.max(1, Math.floor(maxShift / DAY_MS)));
      return new Date(ms - days * DAY_MS).toISOString().slice(0, 10);
    }
    return new Date(ms - 1 - Math.floor(this.random() * maxShift)).toISOString();
  }
}
