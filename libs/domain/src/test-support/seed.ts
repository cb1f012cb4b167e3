import type { RecordedEvent } from '../recorded-event';
import seedScenario from '../fixtures/seed-scenario.json';
import { defaultCameo, eventIdFor, HOUR_MS } from './builders';
import { parseTime } from '../time';

export interface SeedScenario {
  readonly standoffId: string;
  /** The events as the log would record them: positions 1..n in file order. */
  readonly events: RecordedEvent[];
  /** Each event by its `ref` in the file. */
  readonly byRef: Readonly<Record<string, RecordedEvent>>;
  readonly expect: typeof seedScenario.expect;
}

interface SeedEvent {
  readonly ref: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly reportedAt?: string;
  readonly actor?: string;
  readonly target?: string | string[];
  readonly cameo?: string;
  readonly summary: string;
  readonly data?: Record<string, unknown>;
  readonly source?: { name?: string; url?: string };
}

function time(text: string) {
  const point = parseTime(text);
  if (!point) throw new Error(`seed scenario: not a time: ${text}`);
  return point;
}

/**
 * The seed scenario as accepted events: positions 1..n in file order, eventIds derived from the position,
 * `data.eventRef` replaced by the referenced event's `eventId`, `reportedAt` as given (else `occurredAt`),
 * `recordedAt` one hour after `reportedAt`, CAMEO codes defaulted by type.
 */
export function loadSeedScenario(): SeedScenario {
  const raw = seedScenario.events as readonly SeedEvent[];
  const ids = new Map(raw.map((e, i) => [e.ref, eventIdFor(0xfeed00 + i + 1)]));
  const byRef: Record<string, RecordedEvent> = {};
  const events = raw.map((e, i): RecordedEvent => {
    const { eventRef, ...rest } = e.data ?? {};
    const data: Record<string, unknown> =
      typeof eventRef === 'string' ? { eventId: ids.get(eventRef), ...rest } : { ...rest };
    const occurred = time(e.occurredAt);
    const reported = time(e.reportedAt ?? e.occurredAt);
    const meta = e.actor === undefined;
    const recorded: RecordedEvent = {
      eventId: ids.get(e.ref) as string,
      standoffId: seedScenario.standoffId,
      position: i + 1,
      type: e.type,
      occurredAt: occurred.ms,
      occurredPrecision: occurred.precision,
      reportedAt: reported.ms,
      reportedPrecision: reported.precision,
      recordedAt: reported.ms + HOUR_MS,
      actor: e.actor ?? null,
      target: e.target === undefined ? [] : typeof e.target === 'string' ? [e.target] : e.target,
      summary: e.summary,
      cameo: e.cameo ?? (meta ? null : defaultCameo(e.type, data)),
      data,
      source: e.source ?? null,
    };
    byRef[e.ref] = recorded;
    return recorded;
  });
  return { standoffId: seedScenario.standoffId, events, byRef, expect: seedScenario.expect };
}
