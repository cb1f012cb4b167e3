import { actorMatches } from './actors';
import { cameoCode, QUAD_CLASS_NAMES } from './cameo';
import { isMetaEvent, knowledgeView, type KnownEvent } from './knowledge';
import type { RecordedEvent } from './recorded-event';
import { formatTime } from './time';

export type QuadClassName = (typeof QUAD_CLASS_NAMES)[keyof typeof QUAD_CLASS_NAMES];

/** An event as returned (DESIGN.md §4), fields as corrected where a correction is known. */
export interface EventView {
  readonly eventId: string;
  readonly standoffId: string;
  readonly position: number;
  readonly type: string;
  readonly occurredAt: string;
  readonly reportedAt: string;
  readonly recordedAt: string;
  readonly actor: string | null;
  readonly target: string[];
  readonly summary: string;
  readonly cameo: string | null;
  /** The CAMEO code's Goldstein value; null for meta events. */
  readonly goldstein: number | null;
  /** The CAMEO code's QuadClass by name (`verbalCooperation`, …, as in the tension series); null for meta events. */
  readonly quadClass: QuadClassName | null;
  readonly data: Record<string, unknown>;
  readonly source: { name?: string; url?: string } | null;
  readonly status: 'accepted';
  readonly disputedBy: string[];
  readonly void: boolean;
  readonly retracted: boolean;
  readonly correctedBy: string[];
}

export interface TimelineQuery {
  /** Lower bound of `occurredAt`, inclusive. */
  readonly from?: number;
  /** Upper bound of `occurredAt`, inclusive. */
  readonly to?: number;
  /** Every one must take part (as actor or target); `RUS` matches `RUS.MIL`. */
  readonly actors?: readonly string[];
  /** Any of. */
  readonly types?: readonly string[];
  /** A prefix of the CAMEO code (as corrected). */
  readonly cameoPrefix?: string;
  readonly knownAt: number;
  /** Adds the retracted events, marked `retracted: true`. */
  readonly includeRetracted?: boolean;
}

/** One event as returned, meta events included. */
export function eventView(known: KnownEvent): EventView {
  const { event } = known;
  const code = event.cameo === null ? undefined : cameoCode(event.cameo);
  return {
    eventId: event.eventId,
    standoffId: event.standoffId,
    position: event.position,
    type: event.type,
    occurredAt: formatTime(event.occurredAt, event.occurredPrecision),
    reportedAt: formatTime(event.reportedAt, event.reportedPrecision),
    recordedAt: formatTime(event.recordedAt),
    actor: event.actor,
    target: [...event.target],
    summary: event.summary,
    cameo: event.cameo,
    goldstein: code ? code.goldsteinTenths / 10 : null,
    quadClass: code ? QUAD_CLASS_NAMES[code.quadClass] : null,
    data: { ...event.data },
    source: event.source === null ? null : { ...event.source },
    status: 'accepted',
    disputedBy: [...known.disputedBy],
    void: known.void,
    retracted: known.retracted,
    correctedBy: [...known.correctedBy],
  };
}

/** Whether every actor of the filter takes part in the event, as actor or target (sectors matching). */
export function takesPartAll(event: RecordedEvent, actors: readonly string[] | undefined): boolean {
  if (!actors || actors.length === 0) return true;
  const ids = event.actor === null ? event.target : [event.actor, ...event.target];
  return actors.every((filter) => ids.some((id) => actorMatches(filter, id)));
}

/** Whether a known event passes the timeline's filters (meta events never do). */
export function inTimeline(known: KnownEvent, query: TimelineQuery): boolean {
  const { event } = known;
  if (isMetaEvent(event)) return false;
  if (known.retracted && query.includeRetracted !== true) return false;
  if (query.from !== undefined && event.occurredAt < query.from) return false;
  if (query.to !== undefined && event.occurredAt > query.to) return false;
  if (query.types && query.types.length > 0 && !query.types.includes(event.type)) return false;
  if (query.cameoPrefix !== undefined && !(event.cameo ?? '').startsWith(query.cameoPrefix)) return false;
  return takesPartAll(event, query.actors);
}

/** The timeline: the included events (retracted ones too on request) in fold order, as returned. */
export function timeline(events: readonly RecordedEvent[], query: TimelineQuery): EventView[] {
  return knowledgeView(events, query.knownAt)
    .events.filter((known) => inTimeline(known, query))
    .map(eventView);
}
