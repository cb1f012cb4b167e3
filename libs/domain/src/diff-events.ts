import { diffStates, type StateChange } from './diff';
import {
  compareFoldOrder,
  type FoldPlace,
  isIncluded,
  KNOWLEDGE_TYPES,
  knowledgeView,
  type KnownEvent,
} from './knowledge';
import type { RecordedEvent } from './recorded-event';
import type { StandoffState } from './state';
import { stateAt } from './state-at';
import { formatTime } from './time';
import { eventView, type EventView } from './timeline';

/*
 * The two diffs of DESIGN.md §9 and the events that explain them. The states come from elsewhere (a fold
 * here, snapshots in the read model); which events explain a change is decided here alone.
 */

export interface ValidTimeWindow {
  readonly standoffId: string;
  /** Exclusive: the state at `from` already holds what occurred then. */
  readonly from: number;
  readonly to: number;
  readonly knownAt: number;
  readonly version: number;
}

export interface KnowledgeTimeWindow {
  readonly standoffId: string;
  readonly asOf: number;
  /** Exclusive: the state known at `knownFrom` already holds what was reported then. */
  readonly knownFrom: number;
  readonly knownTo: number;
  readonly version: number;
}

export interface ValidTimeDiff extends StateChange {
  readonly from: string;
  readonly to: string;
  readonly knownAt: string;
  readonly events: EventView[];
  readonly moreEvents: boolean;
}

export interface KnowledgeTimeDiff extends StateChange {
  readonly asOf: string;
  readonly knownFrom: string;
  readonly knownTo: string;
  readonly events: EventView[];
  readonly moreEvents: boolean;
}

export type StandoffDiff = ValidTimeDiff | KnowledgeTimeDiff;

/**
 * The most events a diff lists: a wide window would otherwise answer with the whole history. Past it the
 * answer says `moreEvents`, and the timeline (or a narrower window) lists the rest.
 */
export const DIFF_EVENTS_LIMIT = 1000;

/**
 * Where a reader stopped reading a window's events, in the order the diff lists them: it read every event
 * before this one, and none at or after it can be listed. Undefined when it read the whole window.
 */
export type ReadUpTo = FoldPlace;

export interface EventsListed {
  readonly events: EventView[];
  /** Whether the window holds events past those listed. */
  readonly moreEvents: boolean;
}

function listed(
  ordered: readonly KnownEvent[],
  readUpTo: ReadUpTo | undefined,
  compare: (event: RecordedEvent, bound: ReadUpTo) => number,
): EventsListed {
  const read = readUpTo ? ordered.filter((k) => compare(k.event, readUpTo) < 0) : ordered;
  return {
    events: read.slice(0, DIFF_EVENTS_LIMIT).map((k) => eventView(k)),
    moreEvents: readUpTo !== undefined || read.length > DIFF_EVENTS_LIMIT,
  };
}

function compareKnowledgeOrder(event: RecordedEvent, bound: ReadUpTo): number {
  return event.reportedAt - bound.reportedAt || event.position - bound.position;
}

/** The included events that occurred in (`from`, `to`], in fold order; `known` as known at the diff's `knownAt`. */
export function eventsOverValidTime(
  known: readonly KnownEvent[],
  window: Pick<ValidTimeWindow, 'from' | 'to'>,
): KnownEvent[] {
  return known
    .filter((k) => isIncluded(k) && k.event.occurredAt > window.from && k.event.occurredAt <= window.to)
    .sort((a, b) => compareFoldOrder(a.event, b.event));
}

/**
 * The events reported in (`knownFrom`, `knownTo`] that bear on the state at `asOf`: those that occurred by
 * then (as known at `knownTo`) and every dispute, retraction and correction, in (`reportedAt`, `position`)
 * order. `known` is as known at `knownTo`.
 */
export function eventsOverKnowledgeTime(
  known: readonly KnownEvent[],
  window: Pick<KnowledgeTimeWindow, 'asOf' | 'knownFrom' | 'knownTo'>,
): KnownEvent[] {
  return known
    .filter(({ event }) => {
      if (event.reportedAt <= window.knownFrom || event.reportedAt > window.knownTo) return false;
      return event.occurredAt <= window.asOf || KNOWLEDGE_TYPES.has(event.type);
    })
    .sort((a, b) => compareKnowledgeOrder(a.event, b.event));
}

/** The answer over valid time from the two states (both as known at `knownAt`) and the events in between. */
export function validTimeDiff(
  before: StandoffState,
  after: StandoffState,
  events: readonly KnownEvent[],
  window: ValidTimeWindow,
  readUpTo?: ReadUpTo,
): ValidTimeDiff {
  return {
    from: formatTime(window.from),
    to: formatTime(window.to),
    knownAt: formatTime(window.knownAt),
    ...diffStates(before, after),
    ...listed(eventsOverValidTime(events, window), readUpTo, compareFoldOrder),
  };
}

/** The answer over knowledge time from the state at `asOf` as known at either end, and the events reported between. */
export function knowledgeTimeDiff(
  before: StandoffState,
  after: StandoffState,
  events: readonly KnownEvent[],
  window: KnowledgeTimeWindow,
  readUpTo?: ReadUpTo,
): KnowledgeTimeDiff {
  return {
    asOf: formatTime(window.asOf),
    knownFrom: formatTime(window.knownFrom),
    knownTo: formatTime(window.knownTo),
    ...diffStates(before, after),
    ...listed(eventsOverKnowledgeTime(events, window), readUpTo, compareKnowledgeOrder),
  };
}

/** The diff over valid time from the standoff's whole history (any order): the reference for faster readers. */
export function diffOverValidTime(events: readonly RecordedEvent[], window: ValidTimeWindow): ValidTimeDiff {
  const at = (asOf: number) => stateAt(events, { ...window, asOf });
  return validTimeDiff(at(window.from), at(window.to), knowledgeView(events, window.knownAt).events, window);
}

/** The diff over knowledge time from the standoff's whole history (any order): the reference for faster readers. */
export function diffOverKnowledgeTime(
  events: readonly RecordedEvent[],
  window: KnowledgeTimeWindow,
): KnowledgeTimeDiff {
  const knownAt = (at: number) => stateAt(events, { ...window, knownAt: at });
  return knowledgeTimeDiff(
    knownAt(window.knownFrom),
    knownAt(window.knownTo),
    knowledgeView(events, window.knownTo).events,
    window,
  );
}
