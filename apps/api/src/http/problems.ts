import type { Rejection, RejectionCode } from '@app/domain/decide';
import type { FieldError } from '@app/domain/field-error';
import { problem, type Problem, type ProblemFieldError } from './problem';

/**
 * The API's one error catalogue: every problem it answers, by name, with its status and stable `type` slug.
 * The domain names why it refused a command (a RejectionCode); only here does that become an HTTP status.
 */

const REJECTION_STATUS: Readonly<Record<RejectionCode, 409 | 412 | 422>> = {
  'version-mismatch': 412,
  'event-id-taken': 409,
  'entity-exists': 409,
  'reported-after-recorded': 422,
  'unknown-reference': 422,
  'invalid-reference': 422,
  'not-the-issuer': 422,
  'invalid-correction': 422,
  'idempotency-key-reused': 422,
};

/** A decider's rejection as problem+json (stored rejections of earlier versions carried a status: ignored). */
export function rejectionProblem(rejection: Rejection): Problem {
  return problem(
    rejection.slug,
    rejection.title,
    REJECTION_STATUS[rejection.slug] ?? 422,
    rejection.detail,
    rejection.errors,
  );
}

// ---- the request itself ----

export const invalidParameter = (path: string, message: string): Problem =>
  problem('invalid-parameter', 'Invalid Parameter', 400, `${path}: ${message}`, [{ path, message }]);

/** A request whose parameters are wrong together: each offending one named (say, two that exclude each other). */
export const invalidParameters = (detail: string, errors: readonly ProblemFieldError[]): Problem =>
  problem('invalid-parameter', 'Invalid Parameter', 400, detail, errors);

export const invalidPathEncoding = (): Problem =>
  problem('invalid-parameter', 'Invalid Parameter', 400, 'The path is not valid percent-encoding.', [
    { path: 'path', message: 'is not valid percent-encoding (RFC 3986)' },
  ]);

export const malformedJson = (detail: string): Problem =>
  problem('malformed-json', 'Malformed JSON', 400, detail);

export const malformedBody = (): Problem =>
  problem(
    'malformed-body',
    'Malformed Body',
    400,
    'The request body does not decode as its Content-Encoding says.',
  );

export const unsupportedMediaType = (detail: string): Problem =>
  problem('unsupported-media-type', 'Unsupported Media Type', 415, detail);

export const invalidEvent = (errors: readonly FieldError[]): Problem =>
  problem(
    'validation',
    'The event breaks the catalogue',
    422,
    `${errors.length} field(s) are invalid`,
    errors,
  );

// ---- access ----

export const unauthorized = (detail: string): Problem => problem('unauthorized', 'Unauthorized', 401, detail);

export const forbidden = (detail: string): Problem => problem('forbidden', 'Forbidden', 403, detail);

export const rateLimited = (detail: string): Problem =>
  problem('rate-limited', 'Too Many Requests', 429, detail);

// ---- what is not there ----

export const standoffNotFound = (standoffId: string): Problem =>
  problem(
    'standoff-not-found',
    'Standoff Not Found',
    404,
    `The standoff ${standoffId} has no accepted event.`,
  );

export const eventNotFound = (standoffId: string, eventId: string): Problem =>
  problem(
    'event-not-found',
    'Event Not Found',
    404,
    `The standoff ${standoffId} has no event ${eventId}, or its decision is not recorded yet.`,
  );

export const notFound = (detail: string): Problem => problem('not-found', 'Not Found', 404, detail);

// ---- what is unavailable ----

export const logUnavailable = (): Problem =>
  problem(
    'log-unavailable',
    'The event log is unavailable',
    503,
    'The event log (Kafka) is unavailable; nothing was appended. Retry later.',
  );

export const databaseUnavailable = (): Problem =>
  problem(
    'database-unavailable',
    'The database is unavailable',
    503,
    'The database (PostgreSQL) is unavailable; nothing was appended. Retry later.',
  );

export const notReady = (detail: string): Problem => problem('not-ready', 'Not Ready', 503, detail);

export const pageNotBuilt = (dir: string): Problem =>
  problem(
    'page-not-built',
    'Page Not Built',
    503,
    `The timeline page is not built in ${dir}: run npm run build:web.`,
  );

export const commandDeadLettered = (detail: string): Problem =>
  problem('command-dead-lettered', 'The command could not be applied', 500, detail);

// ---- administration ----

export const noProjector = (): Problem =>
  problem(
    'no-projector',
    'No projector runs in this process',
    409,
    'This API process runs no projector; stop the projectors and run `npm run rebuild` instead',
  );

export const rebuildRunning = (jobId: string): Problem =>
  problem('rebuild-running', 'A rebuild is running', 409, `rebuild ${jobId} is still running`);

export const deadLetterReplayed = (id: string, at: string): Problem =>
  problem('dead-letter-replayed', 'Already replayed', 409, `dead letter ${id} was replayed at ${at}`);

export const deadLetterNotACommand = (id: string, why: string): Problem =>
  problem(
    'dead-letter-not-a-command',
    'Not a command',
    422,
    `dead letter ${id} holds no command to replay (${why}); it stays listed as evidence`,
  );

export type { Problem, ProblemFieldError };
