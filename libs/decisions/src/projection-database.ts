import type { DataSource, EntityManager } from 'typeorm';

/** What the projection needs of a database: a DataSource, or one scoped to a schema of its own. */
export interface ProjectionDatabase {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(sql: string, parameters?: unknown[]): Promise<any>;
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T>;
}

/**
 * The same database with every statement run against another schema's tables: a rebuild projects into a
 * schema beside the live one through the live connections (PGlite has but one), each transaction setting its
 * own search_path. With `waitForDisk: false` its commits do not wait for the WAL to reach the disk
 * (synchronous_commit off): for tables nothing depends on until they are switched in.
 */
export function scopedToSchema(
  dataSource: DataSource,
  schema: string,
  options: { readonly waitForDisk?: boolean } = {},
): ProjectionDatabase {
  const settings = `SELECT set_config('search_path', $1, true), set_config('synchronous_commit', $2, true)`;
  const values = [quoteIdentifier(schema), options.waitForDisk === false ? 'off' : 'on'];
  const transaction = <T>(work: (tx: EntityManager) => Promise<T>): Promise<T> =>
    dataSource.transaction(async (tx) => {
      await tx.query(settings, values);
      return work(tx);
    });
  return {
    transaction,
    query: (sql, parameters) => transaction((tx) => tx.query(sql, parameters)),
  };
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
