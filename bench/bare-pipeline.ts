import type { Kafka } from 'kafkajs';
import { Client } from 'pg';

export interface BareStore {
  /** The column list of the table `rows` the records' events go to. */
  readonly rowsColumns: string;
  /** One multi-row INSERT of a record's events into `rows`, and its parameters. */
  readonly insert: string;
  parametersOf(value: string): unknown[];
}

export interface BareConsumer {
  /** Resolves once this many records are stored. */
  stored(records: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The ceiling both benches measure the product against: a kafkajs consumer that stores each record with one
 * multi-row INSERT into a schema of its own, its offset in the same transaction, nothing else.
 */
export async function startBareConsumer(
  kafka: Kafka,
  topic: string,
  groupId: string,
  store: BareStore,
): Promise<BareConsumer> {
  const { uniqueSchemaName, databaseUrl } = await import('../test/support/services');
  const schema = uniqueSchemaName('bench_ceiling');
  const db = new Client({ connectionString: databaseUrl() });
  await db.connect();
  await db.query(`CREATE SCHEMA "${schema}"`);
  await db.query(`SET search_path TO "${schema}"`);
  await db.query(`CREATE TABLE rows (${store.rowsColumns})`);
  await db.query(`CREATE TABLE offsets (part int PRIMARY KEY, next bigint)`);
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50, maxBytes: 64 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let storedRecords = 0;
  const waiters: { records: number; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let failed: unknown;
  const wake = () => {
    for (const waiter of waiters.filter((w) => storedRecords >= w.records)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  void consumer
    .run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        for (const message of batch.messages) {
          await db.query('BEGIN');
          await db.query(store.insert, store.parametersOf(String(message.value)));
          await db.query(
            `INSERT INTO offsets (part, next) VALUES ($1, $2) ON CONFLICT (part) DO UPDATE SET next = $2`,
            [batch.partition, Number(message.offset) + 1],
          );
          await db.query('COMMIT');
          resolveOffset(message.offset);
          storedRecords += 1;
          wake();
        }
        await heartbeat();
      },
    })
    .catch((error: unknown) => {
      failed = error;
      for (const waiter of waiters.splice(0)) waiter.reject(error);
    });
  return {
    stored: (records) =>
      new Promise<void>((resolve, reject) => {
        if (failed) return reject(failed);
        waiters.push({ records, resolve, reject });
        wake();
      }),
    close: async () => {
      await consumer.disconnect();
      await db.query(`DROP SCHEMA "${schema}" CASCADE`);
      await db.end();
    },
  };
}
