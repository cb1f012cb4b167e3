import { Logger } from '@nestjs/common';
import type { EventLogLogger } from '@app/event-log/event-log-logger';

/** The log adapters (and kafkajs through them) write to the application's logger: one stream for an operator. */
export const nestEventLogLogger: EventLogLogger = (level, message, context) => {
  const text = context && Object.keys(context).length > 0 ? `${message} ${safeJson(context)}` : message;
  // A Logger fixes the levels it prints when first used: the adapters log before Nest sets them.
  const logger = new Logger('EventLog');
  if (level === 'error') logger.error(text);
  else if (level === 'warn') logger.warn(text);
  else if (level === 'info') logger.log(text);
  else logger.debug(text);
};

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
