import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { currentLogContext } from './log-context';

/** Nest calls its info level `log`; operators and log shippers expect `info`. */
const LEVEL_NAMES: Readonly<Record<LogLevel, string>> = {
  verbose: 'trace',
  debug: 'debug',
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};

/** A message given as `{ message, ...fields }` has its fields written beside it (the event-log adapters do). */
function isStructured(message: unknown): message is { message: string } & Record<string, unknown> {
  return (
    typeof message === 'object' &&
    message !== null &&
    !Array.isArray(message) &&
    typeof (message as { message?: unknown }).message === 'string'
  );
}

/**
 * The one logger of a process: Nest's own ConsoleLogger in JSON mode (one line per entry), with the time as
 * ISO 8601 and the request id, standoff and partition of the code that wrote the entry (log-context.ts).
 * Installed with `Logger.overrideLogger` before anything logs, and given to Nest, so that Nest, the apps and
 * the event-log adapters (kafkajs included) write one stream.
 */
export class JsonLogger extends ConsoleLogger {
  constructor(logLevels: LogLevel[] = ['log', 'warn', 'error', 'fatal']) {
    super({ json: true, colors: false, logLevels });
  }

  protected override getJsonLogObject(
    message: unknown,
    options: {
      context: string;
      logLevel: LogLevel;
      writeStreamType?: 'stdout' | 'stderr';
      errorStack?: unknown;
    },
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    const { requestId, standoffId, partition } = currentLogContext();
    const fields = isStructured(message) ? message : { message };
    const entry = {
      level: LEVEL_NAMES[options.logLevel] ?? options.logLevel,
      time: new Date().toISOString(),
      ...(options.context ? { context: options.context } : {}),
      ...(requestId !== undefined ? { requestId } : {}),
      ...(standoffId !== undefined ? { standoffId } : {}),
      ...(partition !== undefined ? { partition } : {}),
      ...fields,
      ...(options.errorStack ? { stack: options.errorStack } : {}),
    };
    // The declared shape is Nest's; the extra fields are what operators filter on.
    return entry as unknown as ReturnType<ConsoleLogger['getJsonLogObject']>;
  }
}
