import DataLoader from 'dataloader';
import { sql, type SQL } from 'drizzle-orm';

/**
 * DataLoader's default dispatches a batch as soon as the current promise jobs settle, so a resolver that first hits
 * a cached key reaches its next `load` one tick late and starts a second batch. Waiting for the event loop's next
 * turn collects every load of a GraphQL execution level into one query, whatever mix of cache hits came before.
 */
export const BATCH_PER_TICK = { batchScheduleFn: (dispatch: () => void) => void setImmediate(dispatch) };

interface Pending {
  query: SQL;
  resolve(rows: unknown[]): void;
  reject(error: unknown): void;
}

/**
 * A request's reads as one statement per execution level: every query given to the returned reader's `execute` in
 * the same turn (one level's DataLoader batches and the services its resolvers call) is sent as one statement,
 * `select (select coalesce(json_agg(x), '[]') from (<query 1>) x) as r0, (…) as r1, …`, and each caller gets its own
 * rows back. A village page asking for the questions' record, the latest month and the list of months sends one
 * statement for the three instead of three; a month page's questions, red flags, attachments and lines go with its
 * statement (`graphql/context.ts` reads them ahead).
 *
 * Rows come back as JSON, whatever the batch: numbers, strings, booleans and nested JSON as PostgreSQL's `to_json`
 * spells them. The queries read through here say so: timestamps arrive as ISO strings (read with `new Date`),
 * bigint and numeric columns are cast to text or int in the SQL, never left to JSON numbers. A failing query fails
 * the others of its statement too (they were one statement).
 *
 * The flush waits two turns: a service called straight from a resolver queues its query before the DataLoaders of the
 * same level dispatch (they wait one turn, `BATCH_PER_TICK`), and those must still find the statement open.
 */
export function mergeReads<D extends { execute(query: SQL): PromiseLike<unknown> }>(db: D): D {
  let pending: Pending[] = [];
  const flush = async () => {
    const batch = pending;
    pending = [];
    const columns = batch.map(
      (p, i) => sql`(select coalesce(json_agg(x), '[]'::json) from (${p.query}) x) as ${sql.raw(`r${i}`)}`,
    );
    try {
      const result = (await db.execute(sql`select ${sql.join(columns, sql`, `)}`)) as unknown;
      const rows = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
      const row = rows[0] as Record<string, unknown[] | string>;
      batch.forEach((p, i) => {
        const value = row[`r${i}`]!;
        // PGlite hands json columns back parsed, as postgres.js does; a driver that did not would give text.
        p.resolve(typeof value === 'string' ? (JSON.parse(value) as unknown[]) : value);
      });
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  };
  const execute = (query: SQL): Promise<unknown[]> =>
    new Promise((resolve, reject) => {
      if (pending.length === 0) setImmediate(() => setImmediate(() => void flush()));
      pending.push({ query, resolve, reject });
    });
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'execute') return execute;
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

/**
 * A DataLoader by revision whose values for a month may be read ahead, one execution level early, before the API
 * knows which revision is current (`graphql/execution/read-ahead.ts`): the read-ahead primes the loader, and a `load`
 * of that month waits for it first, so it finds the primed value instead of starting a statement of its own. A
 * read-ahead that failed or found another revision primes nothing: the load then reads as it always did.
 */
export class AheadLoader<K, V> extends DataLoader<K, V, string> {
  private readonly ahead = new Map<string, Promise<void>>();

  constructor(
    batch: DataLoader.BatchLoadFn<K, V>,
    options: DataLoader.Options<K, V, string> & { cacheKeyFn: (key: K) => string },
    /** The month a key belongs to, as `readAhead` names it. */
    private readonly monthOf: (key: K) => string,
  ) {
    super(batch, options);
  }

  /** `work` primes this loader for keys of `month`; loads of that month wait for it. */
  readAhead(month: string, work: Promise<unknown>): void {
    this.ahead.set(
      month,
      work.then(
        () => {},
        () => {},
      ),
    );
  }

  /**
   * The read-ahead of a month whose current revision is not known yet: `rows` (read for the current revision) wait
   * for `current` (the statement's read, naming that revision), then `prime` keeps them under it. Nothing is primed
   * when either fails or no revision is current.
   */
  readAheadCurrent<T>(
    month: string,
    rows: Promise<T>,
    current: Promise<number | undefined>,
    prime: (found: T, revision: number) => unknown,
  ): void {
    this.readAhead(
      month,
      Promise.all([rows, current]).then(([found, revision]) =>
        revision === undefined ? undefined : prime(found, revision),
      ),
    );
  }

  override load(key: K): Promise<V> {
    const pending = this.ahead.get(this.monthOf(key));
    return pending ? pending.then(() => super.load(key)) : super.load(key);
  }
}
