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

// Key lists and plans. A batch of one key (one page about one month: the common case) is spelled as equalities, so
// PostgreSQL's plan cache settles on a generic plan after five runs and stops planning. A batch of several keys is
// spelled as arrays, one parameter per column, so every batch size sends the same text (one prepared statement)
// instead of an `in (…)` list per size. Measured on PostgreSQL 15 (pg_prepared_statements): a statement with
// `unnest($1::int[])` or `= any($1::int[])` is planned afresh on every run (the custom plan, which sees the array's
// length, always looks cheaper than the generic one), while equalities get the generic plan from the sixth run.

/**
 * An integer array as one parameter (`'{1,2,3}'::int[]`). The literal is built from checked integers; both drivers
 * pass it as text.
 */
export function intArray(values: readonly number[]): SQL {
  for (const v of values) {
    if (!Number.isSafeInteger(v)) throw new TypeError(`not an integer key: ${String(v)}`);
  }
  return sql`${`{${values.join(',')}}`}::int[]`;
}

/** `column = $1` for one value, `column = any($1::int[])` for several. */
export function anyInt(column: string, values: readonly number[]): SQL {
  if (values.length === 1) return sql`${sql.raw(column)} = ${values[0]!}`;
  return sql`${sql.raw(column)} = any(${intArray(values)})`;
}

/** `column = $1` for one value, `column = any($1::text[])` (each element quoted and escaped) for several. */
export function anyText(column: string, values: readonly string[]): SQL {
  if (values.length === 1) return sql`${sql.raw(column)} = ${values[0]!}`;
  const quoted = values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`);
  return sql`${sql.raw(column)} = any(${`{${quoted.join(',')}}`}::text[])`;
}

/**
 * The keys as a table of integer columns named `columns`: one row of parameters for one key, else one array
 * parameter per column (`unnest($1::int[], $2::int[]) as k(village_id, year)`).
 */
export function keyTable(alias: string, columns: readonly string[], rows: readonly (readonly number[])[]): SQL {
  const names = sql.raw(`${alias}(${columns.join(', ')})`);
  if (rows.length === 1) {
    const one = rows[0]!.map((v) => sql`${v}::int`);
    return sql`(values (${sql.join(one, sql`, `)})) as ${names}`;
  }
  const arrays = columns.map((_, i) => intArray(rows.map((r) => r[i]!)));
  return sql`unnest(${sql.join(arrays, sql`, `)}) as ${names}`;
}

/** A row-value match against keys: `(a, b) = ($1, $2)` for one key, else `(a, b) in (select * from unnest(…))`. */
export function keysIn(columns: string, rows: readonly (readonly number[])[]): SQL {
  if (rows.length === 1) {
    return sql`(${sql.raw(columns)}) = (${sql.join(
      rows[0]!.map((v) => sql`${v}`),
      sql`, `,
    )})`;
  }
  const names = columns.split(',').map((_, i) => `c${i}`);
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
  { revisions: readonly (MonthKeyLike & { revision: number })[] } | { currentOf: readonly MonthKeyLike[] };

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
  // Each month's current revision looked up by key (a lateral aggregate): grouped over `periods` instead, a generic
  // plan (db/src/client.ts, DEFAULT_PLAN_CACHE_MODE) guessed 200 months and hashed the whole table on the month page.
  return sql`(${sql.raw(columns)}) in (
      select k.village_id, k.year, k.month, cur.revision
        from ${keyTable(
          'k',
          ['village_id', 'year', 'month'],
          wanted.currentOf.map((m) => [m.villageId, m.year, m.month]),
        )}
        cross join lateral (select max(c.revision) as revision from periods c
                             where c.village_id = k.village_id and c.year = k.year and c.month = k.month
                               and c.status = 'published') cur)`;
}
