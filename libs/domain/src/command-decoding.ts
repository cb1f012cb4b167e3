import type { CatalogueCommand, CatalogueCommandEvent, WriteCommand } from './decide';
import { asCatalogueEvent, checkEventRules, isJsonObject, type JsonObject } from './event-rules';
import { EVENT_ID_PATTERN } from './events';
import type { FieldError } from './field-error';

/**
 * A command whose events are not what the API appends: written into the log by something else. No one waits
 * for its answer and no rule can judge it, so it is not decided but dead-lettered (the projector's poison path).
 */
export class UndecodableCommandError extends Error {
  constructor(readonly errors: readonly FieldError[]) {
    super(
      `the command does not hold events of the catalogue: ${errors
        .map((e) => `${e.path || '/'} ${e.message}`)
        .join('; ')}`,
    );
    this.name = 'UndecodableCommandError';
  }
}

/**
 * The command with its events as the catalogue's union, or UndecodableCommandError naming what breaks it.
 * Every event must be as the API appends one: an event id, times as parsed, and every rule of the catalogue
 * (checkEventRules) on the event as the log would record it. The log's record is JSON written by anyone; this
 * is where it is read as the catalogue's events, once.
 */
export function decodeCommand(command: WriteCommand): CatalogueCommand {
  const decoded: CatalogueCommandEvent[] = [];
  const errors: FieldError[] = [];
  command.events.forEach((event, index) => {
    const path = command.batch ? `/events/${index}` : '';
    const problems = eventErrors(event, command.recordedAt);
    const typed = problems.length === 0 ? asCatalogueEvent(event) : undefined;
    if (typed) decoded.push(typed);
    else errors.push(...problems.map((e) => ({ path: `${path}${e.path}`, message: e.message })));
  });
  if (errors.length > 0) throw new UndecodableCommandError(errors);
  return { ...command, events: decoded };
}

function eventErrors(event: unknown, recordedAt: number): FieldError[] {
  if (!isJsonObject(event)) return [{ path: '', message: 'must be an event object' }];
  const { eventId, occurredAt, reportedAt, target, source } = event;
  const errors: FieldError[] = [];
  const broken = (path: string, message: string) => errors.push({ path, message });
  if (typeof eventId !== 'string' || !EVENT_ID_PATTERN.test(eventId)) broken('/eventId', 'must be a UUID');
  if (!isTimePoint(occurredAt)) broken('/occurredAt', 'must be a time { ms, precision }');
  if (reportedAt !== null && !isTimePoint(reportedAt)) {
    broken('/reportedAt', 'must be a time { ms, precision } or null');
  }
  if (!Array.isArray(target)) broken('/target', 'must be an array of actor ids');
  if (source !== null && !isSource(source)) broken('/source', 'must be null or { name, url } of strings');
  if (errors.length > 0 || !isTimePoint(occurredAt) || !Array.isArray(target)) return errors;
  return checkEventRules({
    type: event.type,
    occurredAt: occurredAt.ms,
    reportedAt: isTimePoint(reportedAt) ? reportedAt.ms : recordedAt,
    actor: event.actor,
    target,
    summary: event.summary,
    cameo: event.cameo,
    data: event.data,
  });
}

function isTimePoint(value: unknown): value is JsonObject & { readonly ms: number } {
  return (
    isJsonObject(value) &&
    typeof value.ms === 'number' &&
    Number.isFinite(value.ms) &&
    (value.precision === 'day' || value.precision === 'instant')
  );
}

function isSource(value: unknown): boolean {
  return (
    isJsonObject(value) &&
    Object.entries(value).every(
      ([key, field]) => (key === 'name' || key === 'url') && typeof field === 'string',
    )
  );
}
