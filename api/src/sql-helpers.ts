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

/**
 * An integer array as one parameter (`'{1,2,3}'::int[]`): a batch of any size sends the same statement text, so
 * PostgreSQL keeps one prepared statement and may reuse its plan, where an `in (…)` list of varying length makes a new
 * statement per batch size. The literal is built from checked integers; both drivers pass it as text.
 */
export function intArray(values: readonly number[]): SQL {
  for (const v of values) {
    if (!Number.isSafeInteger(v)) throw new TypeError(`not an integer key: ${String(v)}`);
  }
  return sql`${`{${values.join(',')}}`}::int[]`;
}

/** A text array as one parameter (`'{"a","b"}'::text[]`), each element quoted and escaped. */
export function textArray(values: readonly string[]): SQL {
  const quoted = values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`);
  return sql`${`{${quoted.join(',')}}`}::text[]`;
}

/**
 * The keys as a table of integer columns, one array parameter per column:
 * `unnest($1::int[], $2::int[]) as k(village_id, year)`. The statement's text is the same for one key or a hundred.
 */
export function keyTable(alias: string, columns: readonly string[], rows: readonly (readonly number[])[]): SQL {
  const arrays = columns.map((_, i) => intArray(rows.map((r) => r[i]!)));
  return sql`unnest(${sql.join(arrays, sql`, `)}) as ${sql.raw(alias)}(${sql.raw(columns.join(', '))})`;
}

/** `(a, b) in (select * from unnest($1::int[], $2::int[]))`: a row-value match against keys, one text for any count. */
export function keysIn(columns: string, rows: readonly (readonly number[])[]): SQL {
  const width = columns.split(',').length;
  const names = Array.from({ length: width }, (_, i) => `c${i}`);
  return sql`(${sql.raw(columns)}) in (select * from ${keyTable('k', names, rows)})`;
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

interface MonthKeyLike {
  villageId: number;
  year: number;
  month: number;
}

/** Which revisions a batch reads: given ones, or the current published revision of each month (read ahead). */
export type WantedRevisions =
  | { revisions: readonly (MonthKeyLike & { revision: number })[] }
  | { currentOf: readonly MonthKeyLike[] };

/**
 * `(village_id, year, month, revision) in (…)` over the columns named by `alias`, for the wanted revisions. The
 * current revision of a month is the newest published one, found here in the same statement: a month page reads its
 * red flags, attachments and lines with its statement, before the statement's revision is known to the API.
 */
export function revisionsIn(alias: string, wanted: WantedRevisions): SQL {
  const columns = ['village_id', 'year', 'month', 'revision'].map((c) => `${alias}.${c}`).join(', ');
  if ('revisions' in wanted) {
    return keysIn(
      columns,
      wanted.revisions.map((k) => [k.villageId, k.year, k.month, k.revision]),
    );
  }
  return sql`(${sql.raw(columns)}) in (
      select c.village_id, c.year, c.month, max(c.revision) from periods c
       where c.status = 'published' and ${keysIn(
         'c.village_id, c.year, c.month',
         wanted.currentOf.map((k) => [k.villageId, k.year, k.month]),
       )}
       group by c.village_id, c.year, c.month)`;
}
