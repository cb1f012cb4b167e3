export * from './envelope';
export * from './envelope.codec';
export * from './event-log.port';
export * from './topics';
export {
  KafkaEventLog,
  MAX_ENVELOPE_BYTES,
  stderrLogger,
  type EventLogLogger,
  type EventLogLogLevel,
  type KafkaEventLogOptions,
} from './kafka-event-log.adapter';
export { EmbeddedEventLog, type EmbeddedEventLogOptions } from './embedded-event-log.adapter';
