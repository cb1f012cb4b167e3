/**
 * Whether a failure is the database's state rather than the record's content: a lost connection, a server
 * shutting down, a deadlock or serialization failure, exhausted resources. Such a failure is retried; anything
 * else is judged by applying the record alone (DecisionProjection).
 */
export function isTransientDatabaseFault(error: unknown): boolean {
  if (isDatabaseUnavailable(error)) return true;
  const code = sqlStateOf(error);
  return code !== undefined && RETRYABLE_SQLSTATE_CLASSES.some((prefix) => code.startsWith(prefix));
}

/**
 * Beyond an outage: 40 rollback (deadlock, serialization), 53 resources, 55P03 lock not available, 58 system.
 * Not 57014 (a statement timeout: the same record times out again) nor XX (an internal error the same statement
 * may raise every time): those are judged by applying the record alone.
 */
const RETRYABLE_SQLSTATE_CLASSES = ['40', '53', '55P03', '58'];
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
const NETWORK_MESSAGE =
  /connection terminated|terminating connection|connection is not established|timeout exceeded when trying to connect|cannot use a pool after|Client has encountered a connection error|the database system is (starting up|shutting down)/i;

function sqlStateOf(error: unknown): string | undefined {
  const candidates = [error, (error as { driverError?: unknown })?.driverError];
  for (const candidate of candidates) {
    const code = (candidate as { code?: unknown })?.code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

function systemCodeOf(error: unknown): string | undefined {
  const candidates = [
    error,
    (error as { driverError?: unknown })?.driverError,
    (error as { cause?: unknown })?.cause,
  ];
  for (const candidate of candidates) {
    const code = (candidate as { code?: unknown })?.code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  }
  return undefined;
}

/**
 * Whether a failure says the database cannot be reached or is not serving (refused or lost connections, a
 * server shutting down or starting up, no connection slot): an outage a client may retry after, unlike a
 * deadlock or a bad query, which say nothing about availability.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = sqlStateOf(error);
  if (code) return code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code);
  const message = error instanceof Error ? error.message : String(error);
  return NETWORK_ERROR_CODES.has(systemCodeOf(error) ?? '') || NETWORK_MESSAGE.test(message);
}

/** 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 53300 too many connections. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
