import { CODEC_VERSION, type Envelope } from './envelope';

export function encodeEnvelope(envelope: Envelope): Buffer {
  return Buffer.from(JSON.stringify(envelope), 'utf8');
}

export type Decoded = { ok: true; envelope: Envelope } | { ok: false; error: string };

/** Checks the shape the projector relies on; anything else goes to the dead-letter table. */
export function decodeEnvelope(raw: Buffer): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null) return { ok: false, error: 'not an object' };
  const candidate = value as Partial<Envelope>;
  if (candidate.codecVersion !== CODEC_VERSION) {
    return { ok: false, error: `unknown codec version ${String(candidate.codecVersion)}` };
  }
  if (typeof candidate.commandId !== 'string' || typeof candidate.standoffId !== 'string') {
    return { ok: false, error: 'commandId and standoffId must be strings' };
  }
  if (!Array.isArray(candidate.events) || candidate.events.length === 0) {
    return { ok: false, error: 'events must be a non-empty array' };
  }
  if (typeof candidate.requestHash !== 'string') return { ok: false, error: 'requestHash must be a string' };
  if (
    candidate.rulesVersion !== undefined &&
    !(Number.isSafeInteger(candidate.rulesVersion) && candidate.rulesVersion >= 1)
  ) {
    return { ok: false, error: 'rulesVersion must be a positive integer' };
  }
  return { ok: true, envelope: candidate as Envelope };
}
