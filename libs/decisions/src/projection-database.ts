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
 * own search_path.
 */
export function scopedToSchema(dataSource: DataSource, schema: string): ProjectionDatabase {
  const setPath = `SET LOCAL search_path TO ${quoteIdentifier(schema)}`;
  const transaction = <T>(work: (tx: EntityManager) => Promise<T>): Promise<T> =>
    dataSource.transaction(async (tx) => {
      await tx.query(setPath);
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
