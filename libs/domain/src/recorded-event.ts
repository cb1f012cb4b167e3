import type { EventDataByType, EventType, MetaType } from './events';
import type { Precision } from './time';

/** An event's data as stored: the fields its type names, and any other fields as given. */
export type EventData = Readonly<Record<string, unknown>>;

/**
 * An accepted event as the log recorded it and the read models store it: the input of the knowledge view.
 * Times are epoch milliseconds; `reportedAt` already defaulted to `recordedAt`.
 */
export interface RecordedEvent {
  readonly eventId: string;
  readonly standoffId: string;
  /** The event's place among the standoff's accepted events: 1, 2, … (batch members in array order). */
  readonly position: number;
  readonly type: string;
  readonly occurredAt: number;
  readonly occurredPrecision: Precision;
  readonly reportedAt: number;
  readonly reportedPrecision: Precision;
  readonly recordedAt: number;
  /** null for the meta types, which have no actor. */
  readonly actor: string | null;
  readonly target: readonly string[];
  readonly summary: string;
  /** null for the meta types. */
  readonly cameo: string | null;
  readonly data: EventData;
  readonly source: { readonly name?: string; readonly url?: string } | null;
}

/**
 * Data fields the state carries as given (a meeting's `conditions`, sanctions' `measures`) and never reads
 * into: decoding leaves them unchecked, so the union types them `unknown`.
 */
export const CARRIED_DATA_FIELDS = ['conditions', 'measures'] as const;

type CarriedDataField = (typeof CARRIED_DATA_FIELDS)[number];

/** What the catalogue types of an event by its type: the type, the actor and the data. */
export interface TypedByCatalogue {
  readonly type: string;
  readonly actor: string | null;
  readonly data: EventData;
}

/**
 * An event of one catalogue type, recorded or as a command carries it: its actor and data as the catalogue
 * types them.
 */
export type EventOfType<E extends TypedByCatalogue, T extends EventType> = Omit<
  E,
  'type' | 'actor' | 'data'
> & {
  readonly type: T;
  readonly actor: T extends MetaType ? null : string;
  readonly data: Omit<EventDataByType[T], CarriedDataField> & EventData;
};

/** Events of this shape as the catalogue's discriminated union: `asCatalogueEvent` (event-rules.ts) decodes one. */
export type CatalogueUnion<E extends TypedByCatalogue> = { [T in EventType]: EventOfType<E, T> }[EventType];

/** A recorded event of one catalogue type. */
export type RecordedEventOf<T extends EventType> = EventOfType<RecordedEvent, T>;

/** A recorded event as the catalogue's discriminated union. */
export type CatalogueEvent = CatalogueUnion<RecordedEvent>;
