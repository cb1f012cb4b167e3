export const EVENTS_TOPIC = 'standoff.events.v1';
export const DEFAULT_PARTITIONS = 6;
/** Room for a 1 MiB batch after JSON re-encoding and the envelope. */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;
