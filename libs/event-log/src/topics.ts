export const EVENTS_TOPIC = 'standoff.events.v1';
/** The downstream topic of accepted events, for the production log topic (another log topic gets its own). */
export const FEED_TOPIC = 'standoff.timeline.v1';
export const DEFAULT_PARTITIONS = 6;
/** Room for a 1 MiB batch after JSON re-encoding and the envelope. */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;
/** Room left in a record batch for Kafka's framing, the key and the headers. */
const RECORD_FRAMING_BYTES = 16 * 1024;
/** The largest encoded envelope either log accepts, so both accept the same records. */
export const MAX_ENVELOPE_BYTES = MAX_RECORD_BYTES - RECORD_FRAMING_BYTES;
/**
 * The projector's consumer group on the production log, and the name its offsets and log binding are stored
 * under in Postgres (another log's group is derived from it: `projectorGroupId` in libs/projection).
 */
export const PROJECTOR_GROUP = 'standoff-projector';
/** The Kafka client id of this product's processes (the feed publisher's gets `-feed` after it). */
export const CLIENT_ID = 'standoff-timeline';
