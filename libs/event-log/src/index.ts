export * from './envelope';
export * from './envelope.codec';
export * from './event-log-logger.port';
export * from './event-log.port';
export * from './topics';
export { KafkaEventLog, type KafkaEventLogOptions } from './kafka-event-log.adapter';
export { EmbeddedEventLog, type EmbeddedEventLogOptions } from './embedded-event-log.adapter';
