import { sql, type SQL } from 'drizzle-orm';

/** `(a, b, c), (d, e, f)` for a row-value IN list; drizzle binds every value as a parameter. */
export function rowValues(rows: (string | number)[][]): SQL {
  return sql.join(
    rows.map(
      (row) =>
        sql`(${sql.join(
          row.map((v) => sql`${v}`),
          sql`, `,
        )})`,
    ),
    sql`, `,
  );
}

/** Escapes LIKE wildcards so a user's search text matches literally. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Groups DataLoader keys by a property so each group runs as one query. */
export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * What a loader reads through: the database, a transaction, or a reader that runs each statement somewhere else (the
 * committee's preview of a month as it would be published, `review/preview.ts`).
 */
export interface SqlReader {
  execute(query: SQL): PromiseLike<unknown>;
}

/** The rows of a query, on either engine (postgres.js answers an array, PGlite `{ rows }`). */
export async function readRows<T>(reader: SqlReader, query: SQL): Promise<T[]> {
  const result = await reader.execute(query);
  if (Array.isArray(result)) return result as T[];
  return (result as { rows: T[] }).rows;
}
