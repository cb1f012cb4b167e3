import type { EventView } from '@app/domain/timeline';
import type { TensionSeries } from '@app/domain/tension';

/** One CSV field, RFC 4180: quoted when it holds a comma, a quote, CR or LF; quotes doubled. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, CRLF-terminated. */
export function csvRecord(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

export const EVENT_CSV_COLUMNS = [
  'eventId',
  'standoffId',
  'position',
  'type',
  'occurredAt',
  'reportedAt',
  'recordedAt',
  'actor',
  'target',
  'summary',
  'cameo',
  'goldstein',
  'quadClass',
  'status',
  'disputedBy',
  'void',
  'retracted',
  'correctedBy',
  'sourceName',
  'sourceUrl',
  'data',
] as const;

/** Lists are joined with `;` (actor ids and event ids hold none); `data` stays JSON. */
export function eventCsvRecord(event: EventView): string {
  return csvRecord([
    event.eventId,
    event.standoffId,
    event.position,
    event.type,
    event.occurredAt,
    event.reportedAt,
    event.recordedAt,
    event.actor,
    event.target.join(';'),
    event.summary,
    event.cameo,
    event.goldstein,
    event.quadClass,
    event.status,
    event.disputedBy.join(';'),
    event.void,
    event.retracted,
    event.correctedBy.join(';'),
    event.source?.name,
    event.source?.url,
    event.data,
  ]);
}

export const TENSION_CSV_COLUMNS = [
  'start',
  'end',
  'events',
  'goldsteinSum',
  'goldsteinMean',
  'verbalCooperation',
  'materialCooperation',
  'verbalConflict',
  'materialConflict',
] as const;

export function tensionCsvRecords(series: TensionSeries): string[] {
  return series.series.map((b) =>
    csvRecord([
      b.start,
      b.end,
      b.events,
      b.goldsteinSum,
      b.goldsteinMean,
      b.quadClass.verbalCooperation,
      b.quadClass.materialCooperation,
      b.quadClass.verbalConflict,
      b.quadClass.materialConflict,
    ]),
  );
}
