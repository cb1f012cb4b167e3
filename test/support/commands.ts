import { randomUUID } from 'node:crypto';
import { validateEvent } from '@app/domain/catalogue';
import { CODEC_VERSION, loggedEventOf, type Envelope } from '@app/event-log/envelope';
import { encodeEnvelope } from '@app/event-log/envelope.codec';
import type { LogRecord } from '@app/event-log/event-log.port';

/**
 * A write command as the API would append it: the bodies validated by the catalogue (an invalid one fails the
 * test at once), the events given ids. One body makes a single POST, several a batch.
 */
export function commandOf(
  standoffId: string,
  bodies: readonly unknown[],
  options: { readonly rulesVersion?: number } = {},
): Envelope {
  return {
    codecVersion: CODEC_VERSION,
    commandId: randomUUID(),
    standoffId,
    batch: bodies.length > 1,
    idempotencyKey: null,
    requestHash: randomUUID(),
    expectedVersion: null,
    events: bodies.map((body) => {
      const result = validateEvent(body, { now: Date.now() });
      if (!result.ok) throw new Error(`invalid event in a test: ${JSON.stringify(result.errors)}`);
      return loggedEventOf(result.event, randomUUID());
    }),
    ...(options.rulesVersion === undefined ? {} : { rulesVersion: options.rulesVersion }),
  };
}

/** The command as the log hands it to a consumer, at this offset of partition 0. */
export function recordOf(envelope: Envelope, offset: number, recordedAt = Date.now()): LogRecord {
  return { partition: 0, offset: String(offset), recordedAt, envelope, raw: encodeEnvelope(envelope) };
}
