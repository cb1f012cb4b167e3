import { Logger } from '@nestjs/common';
import type { EventLogLogger } from '@app/event-log/event-log-logger.port';

/**
 * The event-log adapters' logger (kafkajs routed through it) as entries of the application's logger: Nest's
 * `Logger` writes to whatever `Logger.overrideLogger` installed, the JSON logger in the apps.
 */
export function eventLogLoggerFor(context = 'EventLog'): EventLogLogger {
  const logger = new Logger(context);
  return (level, message, fields) => {
    const entry = fields && Object.keys(fields).length > 0 ? { message, ...fields } : message;
    switch (level) {
      case 'debug':
        return logger.debug(entry);
      case 'info':
        return logger.log(entry);
      case 'warn':
        return logger.warn(entry);
      case 'error':
        return logger.error(entry);
    }
  };
}
