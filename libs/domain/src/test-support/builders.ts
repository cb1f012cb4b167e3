import { defaultCameo as defaultCameoOfType, isEventType } from '../events';
import { knowledgeView, type KnowledgeView } from '../knowledge';
import type { RecordedEvent } from '../recorded-event';
import { stateAt } from '../state-at';
import type { Provenance, StandoffState } from '../state';
import { tensionSeries, type TensionQuery, type TensionSeries } from '../tension';
import { parseBound, parseTime } from '../time';
import { timeline, type EventView, type TimelineQuery } from '../timeline';

export const STANDOFF_ID = 'test-standoff';
export const HOUR_MS = 3_600_000;

export function defaultCameo(type: string, data: Readonly<Record<string, unknown>>): string | null {
  return isEventType(type) ? defaultCameoOfType(type, data) : null;
}

/** A UUID-shaped id, the same for the same number. */
export function eventIdFor(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

let nextId = 1;

export interface EventSpec {
  /** `YYYY-MM-DD` or RFC 3339. */
  readonly occurredAt: string;
  /** Default: `occurredAt`. */
  readonly reportedAt?: string;
  /** Default: `reportedAt` + 1 hour. */
  readonly recordedAt?: string;
  readonly actor?: string | null;
  readonly target?: string | readonly string[];
  readonly cameo?: string | null;
  readonly summary?: string;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly source?: { name?: string; url?: string } | null;
  readonly eventId?: string;
  /** Default: its place among the arguments of `given`. */
  readonly position?: number;
}

function point(text: string) {
  const parsed = parseTime(text);
  if (!parsed) throw new Error(`not a time: ${text}`);
  return parsed;
}

/** An accepted event of the type; `position` 0 until `given` places it (or `spec.position`). */
export function anEvent(type: string, spec: EventSpec): RecordedEvent {
  const occurred = point(spec.occurredAt);
  const reported = point(spec.reportedAt ?? spec.occurredAt);
  const data = spec.data ?? {};
  const meta = type === 'standoff.described' || type === 'event.retracted' || type === 'event.corrected';
  const target =
    spec.target === undefined ? [] : typeof spec.target === 'string' ? [spec.target] : spec.target;
  return {
    eventId: spec.eventId ?? eventIdFor(nextId++),
    standoffId: STANDOFF_ID,
    position: spec.position ?? 0,
    type,
    occurredAt: occurred.ms,
    occurredPrecision: occurred.precision,
    reportedAt: reported.ms,
    reportedPrecision: reported.precision,
    recordedAt: spec.recordedAt ? point(spec.recordedAt).ms : reported.ms + HOUR_MS,
    actor: spec.actor === undefined ? (meta ? null : 'RUS') : spec.actor,
    target: [...target],
    summary: spec.summary ?? `${type} test event`,
    cameo: spec.cameo === undefined ? (meta ? null : defaultCameo(type, data)) : spec.cameo,
    data,
    source: spec.source ?? null,
  };
}

type KnowledgeSpec = Omit<EventSpec, 'data'> & { readonly data?: Readonly<Record<string, unknown>> };

/** A dispute of `disputed` by `spec.actor` (default: another actor than the disputed event's). */
export function aDispute(disputed: RecordedEvent, spec: KnowledgeSpec): RecordedEvent {
  return anEvent('claim.disputed', {
    ...spec,
    actor: spec.actor ?? (disputed.actor === 'USA' ? 'GBR' : 'USA'),
    data: { eventId: disputed.eventId, reason: 'disputed in a test', ...spec.data },
  });
}

/** Its own actor's denial of `denied`: makes it void. */
export function aDenial(denied: RecordedEvent, spec: KnowledgeSpec): RecordedEvent {
  return aDispute(denied, { ...spec, actor: denied.actor });
}

export function aRetraction(retracted: RecordedEvent, spec: KnowledgeSpec): RecordedEvent {
  return anEvent('event.retracted', {
    ...spec,
    data: { eventId: retracted.eventId, reason: 'retracted in a test', ...spec.data },
  });
}

export function aCorrection(
  corrected: RecordedEvent,
  set: Readonly<Record<string, unknown>>,
  spec: KnowledgeSpec,
): RecordedEvent {
  return anEvent('event.corrected', { ...spec, data: { eventId: corrected.eventId, set, ...spec.data } });
}

/** Items without their provenance: what the specs of their content compare (provenance.spec.ts checks it). */
export function withoutProvenance<T extends Readonly<Provenance>>(
  items: readonly T[],
): Omit<T, keyof Provenance>[] {
  return items.map(({ origin: _origin, lastChange: _lastChange, ...content }) => content);
}

/** `YYYY-MM-DD` (the end of that day) or an RFC 3339 instant, as a query's upper bound. */
export function upTo(text: string): number {
  const bound = parseBound(text, 'end');
  if (bound === undefined) throw new Error(`not a time: ${text}`);
  return bound;
}

export function startingAt(text: string): number {
  const bound = parseBound(text, 'start');
  if (bound === undefined) throw new Error(`not a time: ${text}`);
  return bound;
}

const FAR_FUTURE = '2100-12-31';

export interface Given {
  readonly events: RecordedEvent[];
  /** The state at `asOf` (default: far future) as known at `knownAt` (default: far future). */
  stateAt(when?: { asOf?: string; knownAt?: string; version?: number }): StandoffState;
  timeline(when?: Partial<Omit<TimelineQuery, 'knownAt'>> & { knownAt?: string }): EventView[];
  tension(when: Omit<TensionQuery, 'knownAt'> & { knownAt?: string }): TensionSeries;
  knowledge(knownAt?: string): KnowledgeView;
}

/** The accepted events of a test, placed at positions 1, 2, … in argument order unless they carry one. */
export function given(...events: RecordedEvent[]): Given {
  const placed = events.map((e, i) => (e.position === 0 ? { ...e, position: i + 1 } : e));
  return {
    events: placed,
    stateAt: (when = {}) =>
      stateAt(placed, {
        standoffId: STANDOFF_ID,
        asOf: upTo(when.asOf ?? FAR_FUTURE),
        knownAt: upTo(when.knownAt ?? FAR_FUTURE),
        version: when.version ?? placed.length,
      }),
    timeline: (when = {}) => timeline(placed, { ...when, knownAt: upTo(when.knownAt ?? FAR_FUTURE) }),
    tension: (when) => tensionSeries(placed, { ...when, knownAt: upTo(when.knownAt ?? FAR_FUTURE) }),
    knowledge: (knownAt = FAR_FUTURE) => knowledgeView(placed, upTo(knownAt)),
  };
}
