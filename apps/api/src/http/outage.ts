import { Logger } from '@nestjs/common';
import { isDatabaseUnavailable } from '@app/decisions/fault-kind';
import { LogUnavailableError } from '@app/event-log/event-log.port';
import type { RenderedProblem } from './problem.filter';
import { databaseUnavailable, logUnavailable } from './problems';
import { messageOf } from '@app/domain/error-message';

/** Seconds a client should wait before retrying after an outage answer. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;
/** An outage is logged when first met, then at most this often while requests keep meeting it. */
const LOG_EVERY_MS = 10_000;

const logger = new Logger('Outage');
const lastLogged = new Map<string, number>();

/**
 * The 503 for an error that says the log or the database is unavailable (DESIGN.md §4: never a 500 for an
 * outage); undefined for anything else. The detail names which is down, never the driver's message.
 */
export function outageProblem(exception: unknown): RenderedProblem | undefined {
  const which =
    exception instanceof LogUnavailableError
      ? 'log'
      : isDatabaseUnavailable(exception)
        ? 'database'
        : undefined;
  if (!which) return undefined;
  logOnce(which, exception);
  const headers = { 'Retry-After': String(OUTAGE_RETRY_AFTER_SECONDS) };
  return which === 'log'
    ? {
        problem: logUnavailable(),
        headers,
      }
    : {
        problem: databaseUnavailable(),
        headers,
      };
}

function logOnce(which: string, exception: unknown): void {
  const now = Date.now();
  if (now - (lastLogged.get(which) ?? 0) < LOG_EVERY_MS) return;
  lastLogged.set(which, now);
  const message = messageOf(exception);
  logger.warn(`the ${which} is unavailable; answering 503 (${message})`);
}
