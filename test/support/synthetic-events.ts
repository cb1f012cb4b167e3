import { DAY_MS } from '@app/domain/time';

/**
 * Seeded synthetic histories: a realistic mix of the catalogue's types over a bounded set of entity ids (so the
 * state stays the same size however long the history), with backdated events, disputes, denials, retractions
 * and corrections. Bodies are what a client posts; every event carries a client eventId.
 */
export interface SyntheticOptions {
  readonly seed: number;
  readonly start?: number;
  /** Mean valid-time step between consecutive events. */
  readonly stepMs?: number;
  readonly backdatedShare?: number;
  readonly knowledgeShare?: number;
  readonly entityIds?: number;
  /** Report events this long after they occurred at most (knowledge time trails valid time). */
  readonly reportDelayMs?: number;
}

export type EventBody = Record<string, unknown> & { eventId: string; type: string };

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

export class SyntheticHistory {
  private readonly random: () => number;
  private clock: number;
  private count = 0;
  private readonly posted: EventBody[] = [];
  private readonly created = new Map<string, Set<string>>([
    ['demand', new Set()],
    ['document', new Set()],
    ['meeting', new Set()],
    ['pact', new Set()],
  ]);

  constructor(private readonly options: SyntheticOptions) {
    this.random = rng(options.seed);
    this.clock = options.start ?? Date.parse('2021-11-01T00:00:00Z');
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
    const knowledge = this.posted.length > 0 && this.random() < (this.options.knowledgeShare ?? 0.05);
    const body = knowledge
      ? this.knowledgeEvent(occurredAt, reportedAt)
      : this.plainEvent(occurredAt, reportedAt);
    this.posted.push(body);
    return body;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  private entity(kind: string): string {
    return `${kind}-${Math.floor(this.random() * (this.options.entityIds ?? 20))}`;
  }

  private base(type: string, occurredAt: number, reportedAt: number, actor: string | null): EventBody {
    const day = this.random() < 0.5;
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
        'demand.tabled',
        () => event('demand.tabled', { demandId: this.entity('demand'), text: 'a demand' }),
        (id) => event(this.pick(['demand.rejected', 'demand.accepted']), { demandId: id }),
      );
    if (roll < 0.44)
      return this.withEntity(
        'document',
        'document.delivered',
        () =>
          event('document.delivered', {
            documentId: `${this.entity('document')}-${this.count}`,
            kind: this.pick(['proposal', 'response', 'note', 'letter']),
          }),
        (id) =>
          event('document.delivered', { documentId: `reply-${this.count}`, kind: 'response', inReplyTo: id }),
      );
    if (roll < 0.6)
      return event('contact.held', {
        mode: this.pick(['call', 'video', 'meeting', 'visit', 'multilateral']),
      });
    if (roll < 0.68)
      return this.withEntity(
        'meeting',
        'meeting.proposed',
        () => event('meeting.proposed', { meetingId: `${this.entity('meeting')}-${this.count}` }),
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
        'pact.proposed',
        () => event('pact.proposed', { pactId: `${this.entity('pact')}-${this.count}`, name: 'a pact' }),
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

  /** A creating event the first time, then (usually) one that names an entity created before. */
  private withEntity(
    kind: string,
    _creator: string,
    create: () => EventBody,
    follow: (id: string) => EventBody,
  ): EventBody {
    const known = this.created.get(kind) ?? new Set<string>();
    if (known.size > 0 && this.random() < 0.6) return follow(this.pick([...known]));
    const body = create();
    const data = body.data as Record<string, string>;
    const id = data.demandId ?? data.documentId ?? data.meetingId ?? data.pactId;
    if (known.has(id)) return follow(id);
    known.add(id);
    return body;
  }

  private knowledgeEvent(occurredAt: number, reportedAt: number): EventBody {
    const named = this.pick(this.posted.filter((e) => e.actor !== undefined && e.type !== 'claim.disputed'));
    if (!named) return this.plainEvent(occurredAt, reportedAt);
    const roll = this.random();
    if (roll < 0.5) {
      const actor = this.random() < 0.3 ? String(named.actor) : this.pick(ACTORS);
      return {
        ...this.base('claim.disputed', occurredAt, reportedAt, actor),
        data: { eventId: named.eventId, reason: 'denied' },
      };
    }
    if (roll < 0.75)
      return {
        ...this.base('event.retracted', occurredAt, reportedAt, null),
        data: { eventId: named.eventId, reason: 'wrong' },
      };
    const set =
      this.random() < 0.5
        ? { summary: `corrected #${this.count}` }
        : { occurredAt: new Date(Date.parse(String(named.occurredAt)) - DAY_MS).toISOString() };
    return {
      ...this.base('event.corrected', occurredAt, reportedAt, null),
      data: { eventId: named.eventId, set },
    };
  }
}
