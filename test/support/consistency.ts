import fc from 'fast-check';
import { EVENT_TYPES, isMetaType, type EventType, type MetaType } from '@app/domain/events';
import { DAY_MS } from '@app/domain/time';
import type { EventBody } from './synthetic-events';

/**
 * Random histories for the consistency property (test/e2e/consistency.e2e-spec.ts): fast-check arbitraries
 * that describe a standoff's events abstractly (numbers naming earlier events and entities by index), and a
 * builder that turns a description into client-shaped bodies. Nothing here promises that an event will be
 * accepted: references may name what is not posted yet, ids may repeat, corrections may break the catalogue.
 * Whatever the API rejects simply does not exist for the comparison.
 */

export const ACTORS = [
  'RUS',
  'USA',
  'UKR',
  'NATO',
  'FRA',
  'DEU',
  'GBR',
  'POL',
  'BLR',
  'RUS.MIL',
  'RUS.GOV',
  'USA.GOV',
  'UKR.MIL',
] as const;

/** Actor filters for queries: ids that occur, bare countries matching their sectors, and one that never occurs. */
export const ACTOR_FILTERS = ['RUS', 'USA', 'UKR', 'NATO', 'DEU', 'RUS.MIL', 'USA.GOV', 'CHN'] as const;

export const CAMEO_PREFIXES = ['0', '01', '04', '036', '1', '12', '15', '16', '1312', '2'] as const;

/** Valid codes for explicit `cameo` fields (event.recorded needs one; others override their default). */
const CAMEO_CODES = [
  '010',
  '020',
  '036',
  '041',
  '043',
  '051',
  '057',
  '080',
  '120',
  '138',
  '163',
  '190',
  '1312',
];

/** The first day of the valid-time window the histories live in. */
export const HISTORY_START = Date.UTC(2021, 10, 1);
export const HISTORY_DAYS = 120;

/** The types that name no other event: everything but the meta types and disputes. */
type PlainType = Exclude<EventType, MetaType | 'claim.disputed'>;
const PLAIN_TYPES = EVENT_TYPES.filter(
  (type): type is PlainType => !isMetaType(type) && type !== 'claim.disputed',
);

export const QUERY_TYPES = EVENT_TYPES.filter((type) => !isMetaType(type));

const DOCUMENT_KINDS = ['draft-treaty', 'proposal', 'response', 'letter', 'note'];
const CONTACT_MODES = ['call', 'video', 'meeting', 'visit', 'multilateral'];
const POSTURES = ['buildup', 'exercise', 'deployment', 'alert', 'withdrawal'];
const AREAS = ['north', 'east', 'crimea', 'belarus'];
const TOPICS = ['nato', 'sanctions', 'borders'];
const STANCES = ['for', 'against', 'neutral'];

/** Small pools, so that entities are named again and again (and created twice: 409). */
type EntityKind = 'demand' | 'document' | 'meeting' | 'pact';

const POOL_SIZE: Readonly<Record<EntityKind, number>> = {
  demand: 6,
  document: 12,
  meeting: 6,
  pact: 5,
};

const ENTITY_FIELD: Readonly<Record<EntityKind, string>> = {
  demand: 'demandId',
  document: 'documentId',
  meeting: 'meetingId',
  pact: 'pactId',
};

// ---------------------------------------------------------------------------------------------------------
// Descriptions

export interface TimeSpec {
  readonly day: number;
  readonly instant: boolean;
  readonly msOfDay: number;
  /** Minutes east of UTC the instant is written with (0: `Z`). */
  readonly offsetMinutes: number;
}

export interface ReportSpec {
  /** No `reportedAt`: it defaults to the time the log records the event. */
  readonly omit: boolean;
  /** After the occurredAt as posted (negative: reported before it happened). */
  readonly delayMs: number;
  readonly instant: boolean;
}

export type OpKind = 'plain' | 'dispute' | 'retract' | 'correct' | 'describe';

export interface OpSpec {
  readonly kind: OpKind;
  readonly type: PlainType;
  readonly time: TimeSpec;
  readonly report: ReportSpec;
  /** Choices the builder reads one after another (actors, references, optional fields). */
  readonly picks: readonly number[];
  /** Displacement in the posting order (0: posted in generation order). */
  readonly jitter: number;
  /** How the event is posted: alone, or as the first member of a batch of this size. */
  readonly group: number;
  /** Posted a second time, alone, with the same content (an idempotent retry). */
  readonly retry: boolean;
  /**
   * The `If-Match` of the post this event leads (or of its retry): none, the standoff's version as the
   * client last saw it, or a stale one (412).
   */
  readonly ifMatch: IfMatch;
  /** The post this event leads carries an `Idempotency-Key` (its retry, if any, the same key). */
  readonly keyed: boolean;
}

export type IfMatch = 'none' | 'current' | 'stale';

const timeArb: fc.Arbitrary<TimeSpec> = fc.record({
  day: fc.integer({ min: 0, max: HISTORY_DAYS - 1 }),
  instant: fc.boolean(),
  msOfDay: fc.oneof(fc.constantFrom(0, 1, DAY_MS / 2, DAY_MS - 1), fc.integer({ min: 0, max: DAY_MS - 1 })),
  offsetMinutes: fc.constantFrom(0, 0, 0, 180, -300, 330),
});

const reportArb: fc.Arbitrary<ReportSpec> = fc.oneof(
  // Reported the same day or within a few days.
  {
    weight: 12,
    arbitrary: fc.record({
      omit: fc.constant(false),
      delayMs: fc.integer({ min: 0, max: 3 * DAY_MS }),
      instant: fc.boolean(),
    }),
  },
  // A backfill: reported weeks later.
  {
    weight: 3,
    arbitrary: fc.record({
      omit: fc.constant(false),
      delayMs: fc.integer({ min: 10 * DAY_MS, max: 90 * DAY_MS }),
      instant: fc.boolean(),
    }),
  },
  // Reported before it happened (an announced event).
  {
    weight: 1,
    arbitrary: fc.record({
      omit: fc.constant(false),
      delayMs: fc.integer({ min: -2 * DAY_MS, max: -1 }),
      instant: fc.boolean(),
    }),
  },
  // No reportedAt: known from the moment the log records it.
  {
    weight: 2,
    arbitrary: fc.record({ omit: fc.constant(true), delayMs: fc.constant(0), instant: fc.constant(true) }),
  },
);

const kindArb: fc.Arbitrary<OpKind> = fc.oneof(
  { weight: 62, arbitrary: fc.constant<OpKind>('plain') },
  { weight: 10, arbitrary: fc.constant<OpKind>('dispute') },
  { weight: 8, arbitrary: fc.constant<OpKind>('retract') },
  { weight: 16, arbitrary: fc.constant<OpKind>('correct') },
  { weight: 2, arbitrary: fc.constant<OpKind>('describe') },
);

export const opArb: fc.Arbitrary<OpSpec> = fc.record({
  kind: kindArb,
  type: fc.constantFrom(...PLAIN_TYPES),
  time: timeArb,
  report: reportArb,
  picks: fc.array(fc.nat({ max: 1_000_000 }), { minLength: 16, maxLength: 16 }),
  jitter: fc.oneof(
    { weight: 14, arbitrary: fc.constant(0) },
    { weight: 5, arbitrary: fc.integer({ min: 1, max: 4 }) },
    { weight: 1, arbitrary: fc.integer({ min: -100, max: 100 }) },
  ),
  group: fc.oneof(
    { weight: 8, arbitrary: fc.constant(1) },
    { weight: 2, arbitrary: fc.integer({ min: 2, max: 5 }) },
  ),
  retry: fc.oneof({ weight: 30, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  ifMatch: fc.oneof(
    { weight: 14, arbitrary: fc.constant<IfMatch>('none') },
    { weight: 3, arbitrary: fc.constant<IfMatch>('current') },
    { weight: 1, arbitrary: fc.constant<IfMatch>('stale') },
  ),
  keyed: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

// ---------------------------------------------------------------------------------------------------------
// Formatting

function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, '0');
}

/** RFC 3339 with the given offset (minutes east of UTC), milliseconds kept; `Z` for offset 0. */
export function rfc3339(ms: number, offsetMinutes = 0): string {
  if (offsetMinutes === 0) return new Date(ms).toISOString();
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  return `${local}${sign}${pad(Math.trunc(offsetMinutes / 60))}:${pad(offsetMinutes % 60)}`;
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The posted `occurredAt` and the instant it stands for. */
function occurred(spec: TimeSpec): { text: string; ms: number } {
  const day = HISTORY_START + spec.day * DAY_MS;
  if (!spec.instant) return { text: isoDate(day), ms: day };
  const ms = day + spec.msOfDay;
  return { text: rfc3339(ms, spec.offsetMinutes), ms };
}

function reported(spec: ReportSpec, occurredMs: number): string | undefined {
  if (spec.omit) return undefined;
  const ms = Math.min(occurredMs + spec.delayMs, Date.now() - DAY_MS);
  return spec.instant ? rfc3339(ms) : isoDate(ms);
}

// ---------------------------------------------------------------------------------------------------------
// Building bodies

/** Reads fast-check's picks one after another; past the end it starts again (the picks are only choices). */
export class Picks {
  private next = 0;

  constructor(private readonly values: readonly number[]) {}

  int(n: number): number {
    const value = this.values[this.next % this.values.length] ?? 0;
    this.next += 1;
    return n <= 0 ? 0 : value % n;
  }

  /** True `percent` times out of 100. */
  chance(percent: number): boolean {
    return this.int(100) < percent;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** One to `max` distinct items. */
  some<T>(items: readonly T[], max: number): T[] {
    const out: T[] = [];
    const count = 1 + this.int(max);
    for (let i = 0; i < count; i++) {
      const item = this.pick(items);
      if (!out.includes(item)) out.push(item);
    }
    return out;
  }
}

/** A deterministic UUID for the `index`-th event of a description under `salt`. */
export function eventUuid(salt: number, index: number): string {
  const hex = (n: number, width: number) => (n >>> 0).toString(16).padStart(width, '0').slice(-width);
  return `${hex(salt, 8)}-${hex(index >>> 16, 4)}-4${hex(index, 3)}-8${hex(salt >>> 8, 3)}-${hex(index, 12)}`;
}

interface Generated {
  readonly body: EventBody;
  readonly spec: OpSpec | undefined;
}

/**
 * Turns descriptions into bodies, in generation order: each knowledge event names an event generated before
 * it (or one of `prior`), each follow-up an entity of the pools. Knowledge events favour a few "hot" events,
 * so that one event gathers several corrections, disputes and a retraction.
 */
export class HistoryBuilder {
  private readonly generated: Generated[] = [];
  private readonly hot: EventBody[] = [];
  /** Each demand's issuer as the client believes it: who tabled it, or the actor a correction gave that. */
  private readonly issuers = new Map<string, string>();
  /** Demands whose tabling a correction gave another actor: only that actor may now withdraw them. */
  private readonly reissued: string[] = [];
  private readonly created: Record<EntityKind, string[]> = {
    demand: [],
    document: [],
    meeting: [],
    pact: [],
  };

  constructor(
    private readonly salt: number,
    prior: readonly EventBody[] = [],
  ) {
    for (const body of prior) {
      this.generated.push({ body, spec: undefined });
      const data = (body.data ?? {}) as Record<string, unknown>;
      for (const kind of Object.keys(ENTITY_FIELD) as EntityKind[]) {
        const id = data[ENTITY_FIELD[kind]];
        if (typeof id === 'string' && !this.created[kind].includes(id)) this.created[kind].push(id);
      }
    }
  }

  build(specs: readonly OpSpec[]): { body: EventBody; spec: OpSpec }[] {
    return specs.map((spec, index) => {
      const body = broken(this.bodyOf(spec, index), spec.picks);
      this.generated.push({ body, spec });
      return { body, spec };
    });
  }

  private bodyOf(spec: OpSpec, index: number): EventBody {
    const p = new Picks(spec.picks);
    const eventId = eventUuid(this.salt, index);
    const when = occurred(spec.time);
    const reportedAt = reported(spec.report, when.ms);
    const times = { occurredAt: when.text, ...(reportedAt === undefined ? {} : { reportedAt }) };
    const summary = `${spec.kind} ${spec.type} #${index}`;
    switch (spec.kind) {
      case 'describe':
        return {
          eventId,
          type: 'standoff.described',
          ...times,
          summary,
          data: { title: `Title #${index}`, ...(p.chance(50) ? { description: 'described' } : {}) },
        };
      case 'dispute':
        return this.dispute(p, eventId, times, summary);
      case 'retract':
        return this.retraction(p, eventId, times, summary);
      case 'correct':
        return this.correction(p, eventId, times, summary);
      case 'plain':
        return this.plain(spec.type, p, eventId, times, summary);
    }
  }

  private actors(p: Picks, actor: string, count: number): string[] {
    const others = ACTORS.filter((a) => a !== actor);
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const next = p.pick(others);
      if (!out.includes(next)) out.push(next);
    }
    return out;
  }

  /** Any id of the kind's pool. */
  private entity(p: Picks, kind: EntityKind): string {
    return `${kind}-${p.int(POOL_SIZE[kind])}`;
  }

  /** For an event that creates: mostly an id not generated yet (else one that is: 409). */
  private newEntity(p: Picks, kind: EntityKind): string {
    const fresh = Array.from({ length: POOL_SIZE[kind] }, (_v, i) => `${kind}-${i}`).filter(
      (id) => !this.created[kind].includes(id),
    );
    const id = fresh.length > 0 && p.chance(85) ? p.pick(fresh) : this.entity(p, kind);
    if (!this.created[kind].includes(id)) this.created[kind].push(id);
    return id;
  }

  /** For an event that names an entity: mostly one generated before (else any: 422 when it does not exist). */
  private existingEntity(p: Picks, kind: EntityKind): string {
    const known = this.created[kind];
    return known.length > 0 && p.chance(85) ? p.pick(known) : this.entity(p, kind);
  }

  private plain(
    type: PlainType,
    p: Picks,
    eventId: string,
    times: Record<string, string>,
    summary: string,
  ): EventBody {
    let actor: string = p.pick(ACTORS);
    const needsTarget = type === 'demand.tabled' || type === 'document.delivered';
    let data: Record<string, unknown> = {};
    switch (type) {
      case 'statement.made':
        data = p.chance(50) ? { topic: p.pick(TOPICS) } : {};
        break;
      case 'position.stated':
        data = { topic: p.pick(TOPICS), stance: p.pick(STANCES) };
        break;
      case 'appeal.made':
        data = p.chance(50) ? { request: 'talks' } : {};
        break;
      case 'demand.tabled': {
        const demandId = this.newEntity(p, 'demand');
        if (!this.issuers.has(demandId)) this.issuers.set(demandId, actor);
        data = { demandId, text: `demand text ${p.int(5)}` };
        break;
      }
      case 'demand.rejected':
      case 'demand.accepted':
        data = { demandId: this.existingEntity(p, 'demand') };
        break;
      case 'demand.withdrawn': {
        const demandId =
          this.reissued.length > 0 && p.chance(50) ? p.pick(this.reissued) : this.existingEntity(p, 'demand');
        const issuer = this.issuers.get(demandId);
        if (issuer !== undefined && p.chance(80)) actor = issuer;
        data = { demandId };
        break;
      }
      case 'document.delivered':
        data = {
          ...(p.chance(40) ? { inReplyTo: this.existingEntity(p, 'document') } : {}),
          documentId: this.newEntity(p, 'document'),
          kind: p.pick(DOCUMENT_KINDS),
          ...(p.chance(30) ? { title: 'a document' } : {}),
        };
        break;
      case 'contact.held':
        data = {
          mode: p.pick(CONTACT_MODES),
          ...(p.chance(30) ? { meetingId: this.existingEntity(p, 'meeting') } : {}),
          ...(p.chance(30) ? { level: 'minister', place: 'Geneva' } : {}),
        };
        break;
      case 'meeting.proposed':
        data = {
          meetingId: this.newEntity(p, 'meeting'),
          ...(p.chance(30) ? { participants: this.actors(p, actor, 2) } : {}),
          ...(p.chance(30) ? { proposedFor: isoDate(HISTORY_START + p.int(HISTORY_DAYS) * DAY_MS) } : {}),
          ...(p.chance(20) ? { place: 'Vienna', conditions: 'none' } : {}),
        };
        break;
      case 'meeting.scheduled':
        data = {
          meetingId: p.chance(60) ? this.existingEntity(p, 'meeting') : this.newEntity(p, 'meeting'),
          scheduledFor: rfc3339(HISTORY_START + p.int(HISTORY_DAYS * 24) * 3_600_000),
          ...(p.chance(30) ? { place: 'Geneva' } : {}),
        };
        break;
      case 'meeting.cancelled':
        data = {
          meetingId: this.existingEntity(p, 'meeting'),
          ...(p.chance(40) ? { reason: 'postponed' } : {}),
        };
        break;
      case 'pact.proposed':
        data = {
          pactId: this.newEntity(p, 'pact'),
          name: `pact ${p.int(3)}`,
          ...(p.chance(30) ? { parties: [actor, ...this.actors(p, actor, 2)] } : {}),
        };
        break;
      case 'pact.signed':
        data = {
          pactId: p.chance(60) ? this.existingEntity(p, 'pact') : this.newEntity(p, 'pact'),
          ...(p.chance(40) ? { name: 'signed pact' } : {}),
        };
        break;
      case 'pact.suspended':
        data = { pactId: this.existingEntity(p, 'pact') };
        break;
      case 'forces.changed':
        data = {
          area: p.pick(AREAS),
          posture: p.pick(POSTURES),
          ...(p.chance(70) ? { troops: p.int(200_000) } : {}),
        };
        break;
      case 'forces.estimated': {
        const min = p.int(100_000);
        data = {
          subject: p.pick(['RUS', 'RUS.MIL', 'BLR']),
          area: p.pick(AREAS),
          troops: p.chance(70) ? { min, max: min + p.int(100_000) } : { max: p.int(150_000) },
        };
        break;
      }
      case 'sanctions.threatened':
      case 'sanctions.imposed':
        data = p.chance(60) ? { measures: ['export controls', 'swift'].slice(0, 1 + p.int(2)) } : {};
        break;
      case 'relations.reduced':
        data = p.chance(60) ? { measure: p.pick(['expulsion', 'drawdown', 'break']) } : {};
        break;
      case 'event.recorded':
        data = { note: 'free' };
        break;
    }
    const targets = this.actors(p, actor, needsTarget ? 1 + p.int(2) : p.int(3));
    const cameo =
      type === 'event.recorded' || p.chance(10)
        ? { cameo: p.pick(CAMEO_CODES) }
        : ({} as Record<string, never>);
    return {
      eventId,
      type,
      ...times,
      actor,
      ...(targets.length === 1 && p.chance(50) ? { target: targets[0] } : { target: targets }),
      summary,
      ...cameo,
      data,
      ...(p.chance(10) ? { source: { name: 'wire', url: 'https://example.org/wire' } } : {}),
    };
  }

  /** An earlier event that is not meta and (unless `disputes`) not a dispute; often a hot one. */
  private named(p: Picks, accept: (body: EventBody) => boolean): EventBody | undefined {
    const hot = this.hot.filter(accept);
    if (hot.length > 0 && p.chance(55)) return p.pick(hot);
    const candidates = this.generated.map((g) => g.body).filter(accept);
    if (candidates.length === 0) return undefined;
    const chosen = p.pick(candidates);
    if (this.hot.length < 4 && !this.hot.includes(chosen)) this.hot.push(chosen);
    return chosen;
  }

  /** The id as a client may write it: sometimes in capitals (it is stored lower-case). */
  private reference(p: Picks, body: EventBody): string {
    return p.chance(10) ? body.eventId.toUpperCase() : body.eventId;
  }

  private dispute(p: Picks, eventId: string, times: Record<string, string>, summary: string): EventBody {
    // Now and then a dispute of what cannot be disputed (a dispute, a meta event): rejected.
    const anything = p.chance(5);
    const named = this.named(p, (b) => anything || isPlainBody(b));
    if (!named) return this.plain('statement.made', p, eventId, times, summary);
    const ownActor = typeof named.actor === 'string' ? named.actor : undefined;
    const actor = ownActor !== undefined && p.chance(40) ? ownActor : p.pick(ACTORS);
    const target = ownActor !== undefined && ownActor !== actor && p.chance(50) ? { target: ownActor } : {};
    return {
      eventId,
      type: 'claim.disputed',
      ...times,
      actor,
      ...target,
      summary,
      data: { eventId: this.reference(p, named), ...(p.chance(50) ? { reason: 'denied' } : {}) },
    };
  }

  private retraction(p: Picks, eventId: string, times: Record<string, string>, summary: string): EventBody {
    const wantDispute = p.chance(35);
    const correction = p.chance(4);
    const named =
      (wantDispute ? this.named(p, (b) => b.type === 'claim.disputed') : undefined) ??
      this.named(p, (b) => isPlainBody(b) || (correction && b.type === 'event.corrected'));
    if (!named) return this.plain('appeal.made', p, eventId, times, summary);
    return {
      eventId,
      type: 'event.retracted',
      ...times,
      summary,
      data: { eventId: this.reference(p, named), reason: 'misreported' },
    };
  }

  private correction(p: Picks, eventId: string, times: Record<string, string>, summary: string): EventBody {
    const wantDispute = p.chance(25);
    // Now and then a demand said to have been tabled by someone else: its issuer changes.
    const reissue = !wantDispute && p.chance(12);
    const named =
      (wantDispute ? this.named(p, (b) => b.type === 'claim.disputed') : undefined) ??
      (reissue ? this.named(p, (b) => b.type === 'demand.tabled') : undefined) ??
      this.named(p, isPlainBody);
    if (!named) return this.plain('statement.made', p, eventId, times, summary);
    const set: Record<string, unknown> = {};
    if (reissue && named.type === 'demand.tabled')
      set.actor = p.pick(ACTORS.filter((a) => a !== named.actor));
    const fields = 1 + p.int(3);
    for (let i = 0; i < fields; i++) {
      switch (p.int(6)) {
        case 0:
          set.summary = `corrected ${summary}`;
          break;
        case 1:
        case 2: {
          const day = HISTORY_START + p.int(HISTORY_DAYS) * DAY_MS;
          set.occurredAt = p.chance(50) ? isoDate(day) : rfc3339(day + p.int(DAY_MS), p.pick([0, 0, 120]));
          break;
        }
        case 3: {
          const disputedActor = this.disputedActorOf(named);
          set.actor = disputedActor !== undefined && p.chance(50) ? disputedActor : p.pick(ACTORS);
          break;
        }
        case 4: {
          const actor = typeof set.actor === 'string' ? set.actor : String(named.actor);
          const targets = this.actors(p, actor, p.int(3));
          set.target = targets.length === 1 && p.chance(50) ? targets[0] : targets;
          break;
        }
        default: {
          const data = this.dataCorrection(p, named);
          if (data) set.data = data;
          else set.cameo = p.pick(CAMEO_CODES);
        }
      }
    }
    if (named.type === 'demand.tabled' && typeof set.actor === 'string') {
      const demandId = String((named.data as Record<string, unknown>).demandId);
      this.issuers.set(demandId, set.actor);
      if (!this.reissued.includes(demandId)) this.reissued.push(demandId);
    }
    return {
      eventId,
      type: 'event.corrected',
      ...times,
      summary,
      data: { eventId: this.reference(p, named), set },
    };
  }

  /** The actor of the event a dispute names, when `body` is a dispute: correcting to it makes a denial. */
  private disputedActorOf(body: EventBody): string | undefined {
    if (body.type !== 'claim.disputed') return undefined;
    const data = body.data as Record<string, unknown>;
    const named = this.generated.find((g) => g.body.eventId === String(data.eventId).toLowerCase());
    return typeof named?.body.actor === 'string' ? named.body.actor : undefined;
  }

  private dataCorrection(p: Picks, named: EventBody): Record<string, unknown> | undefined {
    switch (named.type) {
      case 'claim.disputed': {
        // Point the dispute at another event (or restate its reason).
        const other = this.named(p, isPlainBody);
        return other && p.chance(70) ? { eventId: other.eventId } : { reason: 'restated' };
      }
      case 'position.stated':
        return { stance: p.pick(STANCES) };
      case 'demand.tabled':
        return p.chance(90) ? { text: 'corrected text' } : { demandId: 'demand-renamed' };
      case 'document.delivered':
        return p.chance(50)
          ? { kind: p.pick(DOCUMENT_KINDS) }
          : { inReplyTo: p.chance(50) ? null : this.existingEntity(p, 'document') };
      case 'contact.held':
        return { mode: p.pick(CONTACT_MODES) };
      case 'forces.changed':
        return p.chance(50) ? { posture: p.pick(POSTURES) } : { troops: p.chance(30) ? null : p.int(90_000) };
      case 'forces.estimated':
        return { troops: { min: 1_000, max: 2_000 + p.int(50_000) } };
      case 'meeting.scheduled':
        return { scheduledFor: isoDate(HISTORY_START + p.int(HISTORY_DAYS) * DAY_MS), place: null };
      case 'meeting.proposed':
        return { place: 'Helsinki' };
      case 'pact.signed':
      case 'pact.proposed':
        return { name: 'renamed pact' };
      case 'sanctions.threatened':
      case 'sanctions.imposed':
        return { measures: ['asset freeze'] };
      case 'statement.made':
        return { topic: p.chance(50) ? null : 'energy' };
      default:
        return undefined;
    }
  }
}

/** One body in 40 breaks the catalogue (422 validation, and its whole batch with it). */
function broken(body: EventBody, picks: readonly number[]): EventBody {
  if (picks[12] % 40 !== 0) return body;
  switch (picks[11] % 3) {
    case 0:
      return { ...body, occurredAt: '2022-02-30' };
    case 1:
      return { ...body, summary: '' };
    default:
      return {
        ...body,
        data: { ...(body.data as Record<string, unknown>), unexpected: { deep: [] } },
        type: 'no.such',
      };
  }
}

/** Neither meta nor a dispute: what a dispute, a retraction or a correction may name. */
function isPlainBody(body: EventBody): boolean {
  return !['standoff.described', 'event.retracted', 'event.corrected', 'claim.disputed'].includes(body.type);
}

// ---------------------------------------------------------------------------------------------------------
// Posting order

export interface PostGroup {
  readonly batch: boolean;
  readonly bodies: EventBody[];
  readonly ifMatch: IfMatch;
  readonly idempotencyKey?: string;
}

/**
 * The posting order: generation order displaced by each event's jitter (stable), cut into single posts and
 * batches as each group's first event says (route, If-Match, key), with the retried events posted again,
 * alone, at the end, with the key of the post that first carried them.
 */
export function postingPlan(built: readonly { body: EventBody; spec: OpSpec }[]): PostGroup[] {
  const order = built
    .map((b, index) => ({ ...b, key: index + b.spec.jitter, index }))
    .sort((a, b) => a.key - b.key || a.index - b.index);
  const groups: PostGroup[] = [];
  for (let i = 0; i < order.length;) {
    const size = Math.min(order[i].spec.group, order.length - i);
    const members = order.slice(i, i + size);
    // A group of one goes through the batch route now and then.
    const lead = members[0];
    groups.push({
      batch: size > 1 || lead.spec.picks[15] % 5 === 0,
      bodies: members.map((m) => m.body),
      ifMatch: lead.spec.ifMatch,
      ...(lead.spec.keyed ? { idempotencyKey: `key-${lead.body.eventId}` } : {}),
    });
    i += size;
  }
  const firstPosts = [...groups];
  for (const b of built) {
    if (!b.spec.retry) continue;
    const first = firstPosts.find((g) => g.bodies.includes(b.body));
    groups.push({
      batch: false,
      bodies: [b.body],
      ifMatch: b.spec.ifMatch,
      ...(first?.idempotencyKey === undefined ? {} : { idempotencyKey: first.idempotencyKey }),
    });
  }
  return groups;
}
