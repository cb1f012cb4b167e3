import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764230400000 implements MigrationInterface {
  name = 'InitialSchema1764230400000';

  async up(db: QueryRunner): Promise<void> {
    // The embedded log, used when no Kafka is configured. Offsets are assigned gap-free under a lock.
    await db.query(`
      CREATE TABLE log_records (
        log_offset  bigint PRIMARY KEY,
        standoff_id text NOT NULL,
        payload     bytea NOT NULL,
        recorded_at timestamptz NOT NULL
      )`);
    await db.query(`
      CREATE TABLE projection_offsets (
        consumer    text NOT NULL,
        topic       text NOT NULL,
        partition   integer NOT NULL,
        next_offset bigint NOT NULL,
        PRIMARY KEY (consumer, topic, partition)
      )`);
    await db.query(`
      CREATE TABLE standoffs (
        standoff_id text PRIMARY KEY,
        version     integer NOT NULL
      )`);
    await db.query(`
      CREATE TABLE events (
        standoff_id        text NOT NULL,
        position           integer NOT NULL,
        event_id           uuid NOT NULL,
        type               text NOT NULL,
        meta               boolean NOT NULL,
        occurred_at        timestamptz NOT NULL,
        occurred_precision text NOT NULL,
        reported_at        timestamptz NOT NULL,
        reported_precision text NOT NULL,
        recorded_at        timestamptz NOT NULL,
        actor              text,
        targets            text[] NOT NULL,
        summary            text NOT NULL,
        cameo              text,
        data               jsonb NOT NULL,
        source             jsonb,
        posted             jsonb NOT NULL,
        retracted          boolean NOT NULL DEFAULT false,
        command_id         uuid NOT NULL,
        PRIMARY KEY (standoff_id, position),
        UNIQUE (standoff_id, event_id)
      )`);
    await db.query(
      `CREATE INDEX events_by_occurrence ON events (standoff_id, occurred_at, reported_at, position)`,
    );
    await db.query(
      `CREATE INDEX events_by_named_event ON events (standoff_id, ((data ->> 'eventId'))) WHERE meta OR type = 'claim.disputed'`,
    );
    await db.query(`
      CREATE TABLE entities (
        standoff_id   text NOT NULL,
        kind          text NOT NULL,
        entity_id     text NOT NULL,
        created_by    uuid NOT NULL,
        creator_actor text,
        PRIMARY KEY (standoff_id, kind, entity_id)
      )`);
    await db.query(`
      CREATE TABLE decisions (
        command_id      uuid PRIMARY KEY,
        standoff_id     text NOT NULL,
        idempotency_key text,
        request_hash    text NOT NULL,
        batch           boolean NOT NULL,
        outcome         text NOT NULL CHECK (outcome IN ('accepted', 'rejected', 'duplicate')),
        original_command_id uuid,
        problem         jsonb,
        event_ids       uuid[] NOT NULL,
        version_after   integer NOT NULL,
        log_partition   integer NOT NULL,
        log_offset      bigint NOT NULL,
        decided_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE UNIQUE INDEX decisions_by_idempotency_key ON decisions (standoff_id, idempotency_key)
      WHERE idempotency_key IS NOT NULL AND outcome <> 'duplicate'`);
    await db.query(`
      CREATE TABLE decided_events (
        standoff_id  text NOT NULL,
        event_id     uuid NOT NULL,
        command_id   uuid NOT NULL REFERENCES decisions (command_id),
        member_index integer NOT NULL,
        content_hash text NOT NULL,
        posted       jsonb NOT NULL,
        PRIMARY KEY (standoff_id, event_id)
      )`);
    await db.query(`
      CREATE TABLE dead_letters (
        id          bigserial PRIMARY KEY,
        topic       text NOT NULL,
        partition   integer NOT NULL,
        log_offset  bigint NOT NULL,
        payload     bytea NOT NULL,
        error       text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (topic, partition, log_offset)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of [
      'dead_letters',
      'decided_events',
      'decisions',
      'entities',
      'events',
      'standoffs',
      'projection_offsets',
      'log_records',
    ]) {
      await db.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
