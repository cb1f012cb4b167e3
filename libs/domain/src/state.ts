import type { TimePoint } from './time';

/*
 * Two shapes live here:
 * - `FoldState`: what the fold carries from one event to the next. Plain JSON (records keyed by `entityKey`,
 *   times as `{ ms, precision }`), so a snapshot is `JSON.stringify(state)` and a later fold resumes from
 *   `JSON.parse` of it.
 * - `StandoffState`: the answer of `GET …/state` (DESIGN.md §5), projected from a `FoldState` by
 *   `toStandoffStateView`.
 */

// ---------------------------------------------------------------------------------------------------------
// The answer (DESIGN.md §5)

export type DemandStatus = 'tabled' | 'rejected' | 'accepted' | 'contested' | 'withdrawn';
export type DocumentStatus = 'delivered' | 'disputed' | 'void';
export type MeetingStatus = 'proposed' | 'scheduled' | 'held' | 'cancelled';
export type PactStatus = 'in-preparation' | 'signed' | 'suspended';
export type SanctionStatus = 'threatened' | 'imposed';
/** Contacts counted by mode (`contact.held`'s `mode`). */
export interface ContactsByMode {
  call: number;
  video: number;
  meeting: number;
  visit: number;
  multilateral: number;
}

/**
 * Which events an item comes from (DESIGN.md §9): `origin` created it, `lastChange` is the latest event in fold
 * order that changed it (a dispute or a denial included). Both are eventIds that `GET …/events/{eventId}` returns.
 */
export interface Provenance {
  origin: string;
  lastChange: string;
}

export interface ActorView {
  readonly id: string;
  readonly name: string | null;
  readonly eventCount: number;
}

export interface DemandView extends Readonly<Provenance> {
  readonly demandId: string;
  readonly issuer: string;
  readonly addressees: string[];
  readonly text: string | null;
  readonly status: DemandStatus;
  readonly tabledAt: string;
  readonly rejectedBy: string[];
  readonly acceptedBy: string[];
  readonly updatedAt: string;
}

export interface DocumentView extends Readonly<Provenance> {
  readonly documentId: string;
  readonly author: string;
  readonly recipients: string[];
  readonly kind: string | null;
  readonly inReplyTo: string | null;
  readonly deliveredAt: string;
  readonly status: DocumentStatus;
  readonly disputedBy: string[];
}

export interface AwaitingView extends Readonly<Provenance> {
  readonly from: string;
  readonly to: string;
  readonly documentId: string;
  readonly since: string;
}

export interface ContactView extends Readonly<Provenance> {
  readonly actors: [string, string];
  readonly count: number;
  readonly lastAt: string;
  readonly byMode: ContactsByMode;
}

export interface MeetingView extends Readonly<Provenance> {
  readonly meetingId: string;
  readonly participants: string[];
  readonly status: MeetingStatus;
  readonly proposedAt: string | null;
  readonly proposedFor: string | null;
  readonly scheduledFor: string | null;
  readonly heldAt: string | null;
  readonly cancelledAt: string | null;
  readonly place: string | null;
  readonly conditions: unknown;
}

export interface PactView extends Readonly<Provenance> {
  readonly pactId: string;
  readonly name: string | null;
  readonly parties: string[];
  readonly status: PactStatus;
  readonly since: string;
}

export interface ForcesView extends Readonly<Provenance> {
  readonly actor: string;
  readonly area: string;
  readonly posture: string;
  readonly troops: number | null;
  readonly since: string;
  readonly disputedBy: string[];
}

export interface EstimateView extends Readonly<Provenance> {
  readonly subject: string;
  readonly area: string;
  readonly estimator: string;
  readonly troops: { readonly min: number | null; readonly max: number | null };
  readonly at: string;
}

export interface PositionView extends Readonly<Provenance> {
  readonly actor: string;
  readonly topic: string;
  readonly stance: string;
  readonly statedAt: string;
}

export interface SanctionView extends Readonly<Provenance> {
  readonly by: string;
  readonly against: string;
  readonly status: SanctionStatus;
  readonly measures: unknown;
  readonly since: string;
}

export interface DisputedView extends Readonly<Provenance> {
  readonly eventId: string;
  readonly type: string;
  readonly actor: string | null;
  readonly disputedBy: string[];
  readonly void: boolean;
}

export interface TensionWindow {
  readonly events: number;
  readonly goldsteinSum: number;
  readonly goldsteinMean: number;
}

export interface StandoffState {
  readonly standoffId: string;
  readonly title: string | null;
  readonly asOf: string;
  readonly knownAt: string;
  readonly version: number;
  readonly eventCount: number;
  readonly firstEventAt: string | null;
  readonly lastEventAt: string | null;
  readonly actors: ActorView[];
  readonly demands: DemandView[];
  readonly documents: DocumentView[];
  readonly awaiting: AwaitingView[];
  readonly contacts: ContactView[];
  readonly meetings: MeetingView[];
  readonly pacts: PactView[];
  readonly forces: ForcesView[];
  readonly estimates: EstimateView[];
  readonly positions: PositionView[];
  readonly sanctions: SanctionView[];
  readonly disputed: DisputedView[];
  readonly tension: { readonly last7Days: TensionWindow; readonly last30Days: TensionWindow };
}

// ---------------------------------------------------------------------------------------------------------
// The fold state (JSON, for snapshots)

export interface DemandEntry extends Provenance {
  demandId: string;
  issuer: string;
  addressees: string[];
  text: string | null;
  tabledAt: TimePoint;
  rejectedBy: string[];
  acceptedBy: string[];
  withdrawn: boolean;
  updatedAt: TimePoint;
}

export interface DocumentEntry extends Provenance {
  documentId: string;
  author: string;
  recipients: string[];
  kind: string | null;
  inReplyTo: string | null;
  deliveredAt: TimePoint;
  void: boolean;
  disputedBy: string[];
}

export interface AwaitingEntry extends Provenance {
  from: string;
  to: string;
  documentId: string;
  since: TimePoint;
}

export interface ContactEntry extends Provenance {
  actors: [string, string];
  count: number;
  lastAt: TimePoint;
  byMode: ContactsByMode;
}

export interface MeetingEntry extends Provenance {
  meetingId: string;
  participants: string[];
  status: MeetingStatus;
  /** When the meeting entered the state (its proposal, or the scheduling that created it): the list's sort key. */
  createdAt: TimePoint;
  proposedAt: TimePoint | null;
  proposedFor: string | null;
  scheduledFor: string | null;
  heldAt: TimePoint | null;
  cancelledAt: TimePoint | null;
  place: string | null;
  conditions: unknown;
}

export interface PactEntry extends Provenance {
  pactId: string;
  name: string | null;
  parties: string[];
  status: PactStatus;
  since: TimePoint;
}

export interface ForcesEntry extends Provenance {
  actor: string;
  area: string;
  posture: string;
  troops: number | null;
  since: TimePoint;
  disputedBy: string[];
}

export interface EstimateEntry extends Provenance {
  subject: string;
  area: string;
  estimator: string;
  min: number | null;
  max: number | null;
  at: TimePoint;
}

export interface PositionEntry extends Provenance {
  actor: string;
  topic: string;
  stance: string;
  statedAt: TimePoint;
}

export interface SanctionEntry extends Provenance {
  by: string;
  against: string;
  status: SanctionStatus;
  measures: unknown;
  since: TimePoint;
}

export interface DisputedEntry extends Provenance {
  eventId: string;
  type: string;
  actor: string | null;
  disputedBy: string[];
  void: boolean;
}

/**
 * Goldstein values of the folded events, merged by `occurredAt` instant, kept only for the 30 days behind the
 * latest folded `occurredAt`: every query folds up to an `asOf` at or after it, so older entries can never
 * fall in `(asOf − 30 days, asOf]`. `entries[i] = [occurredAtMs, events, goldsteinTenths]`; entries before
 * `start` are stale (dropped lazily, so that pruning stays amortised O(1) per event).
 */
export interface RecentTension {
  start: number;
  latest: number | null;
  entries: [number, number, number][];
}

export interface FoldState {
  eventCount: number;
  firstEventAt: TimePoint | null;
  lastEventAt: TimePoint | null;
  /** The actors taking part in the folded events, with the number of events each takes part in. */
  actors: Record<string, { id: string; eventCount: number }>;
  demands: Record<string, DemandEntry>;
  documents: Record<string, DocumentEntry>;
  /** keyed by [documentId, from]. */
  awaiting: Record<string, AwaitingEntry>;
  /** keyed by the sorted pair. */
  contacts: Record<string, ContactEntry>;
  meetings: Record<string, MeetingEntry>;
  pacts: Record<string, PactEntry>;
  /** keyed by [actor, area]. */
  forces: Record<string, ForcesEntry>;
  /** keyed by [subject, area, estimator]. */
  estimates: Record<string, EstimateEntry>;
  /** keyed by [actor, topic]. */
  positions: Record<string, PositionEntry>;
  /** keyed by [by, against]. */
  sanctions: Record<string, SanctionEntry>;
  /** keyed by eventId. */
  disputed: Record<string, DisputedEntry>;
  recentTension: RecentTension;
}

/**
 * The record key of an entity in its record: `#id` for one id field, else a JSON array of its id fields.
 * Unambiguous for free-text parts (a force's `area`) and never a special property name such as `__proto__`.
 */
export function entityKey(...ids: string[]): string {
  // A single id (the common case) skips JSON: '#' + id cannot collide with another single id's key.
  return ids.length === 1 ? `#${ids[0]}` : JSON.stringify(ids);
}

// ---------------------------------------------------------------------------------------------------------
// Ordering helpers shared by the fold, the knowledge view and the projections

/**
 * Compares strings by Unicode code point (the order of PostgreSQL's `COLLATE "C"` on UTF-8), not by UTF-16
 * code unit: a surrogate pair (a code point above U+FFFF) sorts after U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return liftSurrogate(x) - liftSurrogate(y);
  }
  return a.length - b.length;
}

function liftSurrogate(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}

/** A set of ids: sorted by code point, without repeats. */
export function sortedSet(ids: Iterable<string>): string[] {
  const sorted = [...new Set(ids)].sort(compareCodePoints);
  return sorted;
}

/**
 * Event count and Goldstein figures from an exact sum in tenths: `goldsteinSum` in Goldstein units,
 * `goldsteinMean` rounded to 2 decimals (half away from zero), 0 when there is no event.
 */
export function goldsteinFigures(events: number, goldsteinTenths: number): TensionWindow {
  if (events === 0) return { events: 0, goldsteinSum: 0, goldsteinMean: 0 };
  const hundredths = (goldsteinTenths * 10) / events;
  const rounded = Math.sign(hundredths) * Math.round(Math.abs(hundredths));
  return { events, goldsteinSum: goldsteinTenths / 10, goldsteinMean: rounded / 100 + 0 };
}
