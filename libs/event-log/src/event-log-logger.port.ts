export type EventLogLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where the adapters (and kafkajs, through them) report what happens; a Nest Logger fits behind it. */
export type EventLogLogger = (
  level: EventLogLogLevel,
  message: string,
  context?: Readonly<Record<string, unknown>>,
) => void;

/** Without a logger, warnings and errors go to stderr, the rest nowhere. */
export const stderrLogger: EventLogLogger = (level, message, context) => {
  if (level === 'warn' || level === 'error') {
    console.error(`[event-log] ${level}: ${message}${context ? ` ${safeJson(context)}` : ''}`);
  }
};

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
