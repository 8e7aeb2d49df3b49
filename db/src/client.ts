import { AsyncLocalStorage } from 'node:async_hooks';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { sql, type SQL } from 'drizzle-orm';
import type { Logger } from 'drizzle-orm/logger';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { REPO_ROOT } from './repo-root.ts';
import { schema, type Schema } from './schema.ts';

/** The one database type the rest of the code sees, whichever engine is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction is used exactly like the database. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export type Engine = 'postgres' | 'pglite';

export interface DbHandle {
  /** The primary: every write, and every read that must see the caller's own writes. */
  db: Db;
  /**
   * The read handle: a streaming replica when `readDatabaseUrl` was given (DATABASE_READ_URL), else `db` itself. Its
   * connections are read-only (`default_transaction_read_only`), so a write sent to it by mistake fails at once, even
   * when it points at the primary, instead of working on one machine and failing on the replica.
   */
  readDb: Db;
  engine: Engine;
  /** Where PGlite keeps its files; undefined on PostgreSQL or in memory. */
  dataDir: string | undefined;
  close(): Promise<void>;
}

export interface DbOptions {
  /** postgres://… to use a PostgreSQL server; unset for embedded PGlite. */
  databaseUrl?: string | undefined;
  /**
   * postgres://… of a streaming replica of `databaseUrl` (hot standby), for the public's reads (DbHandle.readDb).
   * PostgreSQL only: with PGlite there is nothing to replicate.
   */
  readDatabaseUrl?: string | undefined;
  /** PGlite data folder, or `memory://` for a throw-away database. */
  pgliteDir?: string | undefined;
  /** Connections in the pool (PostgreSQL only). Two cores serve best with few. */
  poolSize?: number | undefined;
  /**
   * PostgreSQL cancels any statement of this pool's connections that runs longer (`statement_timeout`; default
   * DEFAULT_STATEMENT_TIMEOUT_MS, 0 turns it off). A runaway read cannot hold a connection of the pool for good.
   */
  statementTimeoutMs?: number | undefined;
  /**
   * PostgreSQL ends a session whose transaction waits on its client longer than this
   * (`idle_in_transaction_session_timeout`; default DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS, 0 turns it off), so a
   * transaction whose caller is stuck never holds its locks and connection indefinitely.
   */
  idleInTransactionTimeoutMs?: number | undefined;
  /** Names the connections in pg_stat_activity (default APPLICATION_NAME); tests tell their own apart by it. */
  applicationName?: string | undefined;
  /** PostgreSQL's `plan_cache_mode` on every connection; default DEFAULT_PLAN_CACHE_MODE (see there). */
  planCacheMode?: PlanCacheMode | undefined;
}

export const PLAN_CACHE_MODES = ['force_generic_plan', 'auto', 'force_custom_plan'] as const;
export type PlanCacheMode = (typeof PLAN_CACHE_MODES)[number];
/**
 * Every statement is named (prepared once per connection), and every hot one finds its rows by key. Left to itself
 * (`auto`), PostgreSQL kept planning the month page's statement afresh on every execution, since its estimate of the
 * generic plan is poor for a statement of many parameters: 4.2 ms of `bind` before 1.4 ms of execution, 3/4 of the
 * page's time in PostgreSQL. A generic plan is made once per connection and reused. District bench, quiet machine,
 * `pnpm bench --only api --quick`: month page 106 → 175 req/s at c=16 (p50 of a 68-line month 14.7 → 7.4 ms), village
 * page 237 → 319. Transactions (the writes) go back to `auto` (below, client.begin).
 */
export const DEFAULT_PLAN_CACHE_MODE: PlanCacheMode = 'force_generic_plan';

/** Longer than any one statement of a request or an import (a 1,000,000-line COPY takes ~30 s on two cores). */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 120_000;
/** An import parses between its statements; it never waits a minute on its own code. */
export const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;
/** Every connection of the system says who it is, so pg_stat_activity and the watchdog can tell ours apart. */
export const APPLICATION_NAME = 'mingbai';
/** The read handle's connections (on the replica): pg_stat_activity there shows the API's reads under this name. */
export const READ_APPLICATION_NAME = 'mingbai-read';

export const MIGRATIONS_DIR = resolve(REPO_ROOT, 'db/migrations');
export const DEFAULT_PGLITE_DIR = resolve(REPO_ROOT, '.data/pglite');

/**
 * Counts SQL statements per unit of work (a GraphQL request, a test) so an N+1 regression shows up as a number.
 * Work outside `withStatementLog` is not counted.
 */
const statementLog = new AsyncLocalStorage<{ statements: string[] }>();
const countingLogger: Logger = {
  logQuery(query) {
    statementLog.getStore()?.statements.push(query);
  },
};

/** Records statements into an existing log, for servers that attach the log to a request. */
export function withStatementLog<T>(log: { statements: string[] }, work: () => T): T {
  return statementLog.run(log, work);
}

/** A postgres.js query as QueryScope sees it. */
interface CancellableQuery {
  /** True once it was handed to the pool (awaited): only then does someone wait for its answer. */
  executed: boolean;
  /** What `cancel()` calls, once; its promise is called here, since `cancel()` drops it (a rejection unheard). */
  canceller: ((query: CancellableQuery) => Promise<void>) | null;
}

/**
 * The SQL of one unit of work (a GraphQL request), so that work given up on (QUERY_TIMEOUT) stops in the database
 * too: `cancel()` sends PostgreSQL a cancel request for each statement still running, drops those still queued, and
 * refuses any the abandoned resolvers start afterwards. Without it a timed-out request's statements ran on, holding
 * pool connections, while its client had long had its answer. PostgreSQL only; on PGlite statements are not tracked.
 */
export class QueryScope {
  private readonly queries = new Set<CancellableQuery>();
  /** The error later statements of the scope fail with, once it is cancelled. */
  cancelled: Error | undefined;

  track(query: CancellableQuery): void {
    this.queries.add(query);
  }

  /** Cancels every statement of the scope that was sent or queued; returns how many it asked PostgreSQL to stop. */
  cancel(reason: Error = Object.assign(new Error('work cancelled'), { code: 'QUERY_CANCELLED' })): number {
    this.cancelled ??= reason;
    let count = 0;
    for (const query of this.queries) {
      // A query never awaited has nobody to take its rejection: leave it be, it never runs.
      if (!query.executed) continue;
      const canceller = query.canceller;
      if (!canceller) continue;
      query.canceller = null;
      count++;
      // Running: a cancel request to its backend; pipelined: cancelled when its turn comes; queued: dropped;
      // finished: nothing is sent.
      canceller(query).catch(() => {});
    }
    this.queries.clear();
    return count;
  }
}
const queryScope = new AsyncLocalStorage<QueryScope>();

/** True for the error of a statement refused because its scope was cancelled (its answer already given up on). */
export function isCancelledWork(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if ((e as { code?: unknown }).code === 'QUERY_CANCELLED') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Runs `work` with its SQL tracked in `scope`. */
export function withQueryScope<T>(scope: QueryScope, work: () => T): T {
  return queryScope.run(scope, work);
}

/** What openDb made each database of: its engine and its driver's client, for the little drizzle has no words for. */
type Driver = { engine: 'postgres'; client: postgres.Sql } | { engine: 'pglite'; client: unknown };
const drivers = new WeakMap<Db, Driver>();

/** The engine under a database that openDb made (as its handle says): bulk paths choose by it, never by sniffing. */
export function engineOf(db: Db): Engine {
  return driverOf(db).engine;
}

/** The driver's own client under a database that openDb made: postgres.js's `sql`, or the PGlite instance. */
export function driverOf(db: Db): Driver {
  const driver = drivers.get(db);
  if (!driver) throw new Error('this database was not opened by openDb');
  return driver;
}

/**
 * A transaction's own connection, for what drizzle cannot send: raw statements whose rows the caller reads, and
 * COPY … FROM, the bulk path of an import on both engines.
 */
export interface BulkConnection {
  /** The rows of one raw statement, with `$1`… parameters. */
  query(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /**
   * `copy {target} from … {options}` with these bytes: streamed on PostgreSQL (FROM STDIN, waiting for the server when
   * it falls behind); on PGlite gathered into one Blob and read from `/dev/blob`, its only COPY source.
   */
  copyFrom(target: string, options: string, data: AsyncIterable<Uint8Array>): Promise<void>;
}

/** The driver's connection of the transaction being run, set by the `begin`/`transaction` that openDb wraps. */
const openTransaction = new AsyncLocalStorage<BulkConnection>();

/** `work` in one transaction, given both the drizzle transaction and that transaction's connection (for COPY). */
export async function transactionWithConnection<T>(
  db: Db,
  work: (tx: Tx, connection: BulkConnection) => Promise<T>,
): Promise<T> {
  driverOf(db);
  return db.transaction((tx) => {
    const connection = openTransaction.getStore();
    if (!connection) throw new Error('no driver connection for this transaction');
    return work(tx, connection);
  });
}

interface PostgresTransactionSql {
  unsafe(query: string, params?: unknown[]): Promise<Record<string, unknown>[]> & { writable(): Promise<Writable> };
}

function postgresConnection(sql: PostgresTransactionSql): BulkConnection {
  return {
    query: (text, params) => sql.unsafe(text, params),
    async copyFrom(target, options, data) {
      const stream = await sql.unsafe(`copy ${target} from stdin ${options}`).writable();
      const done = finished(stream);
      // Awaited below; when the connection drops mid-COPY the loop throws first, and this must not also go unhandled
      // (an unhandled rejection ends the API process).
      done.catch(() => {});
      for await (const chunk of data) if (!stream.write(chunk)) await once(stream, 'drain');
      stream.end();
      await done;
    },
  };
}

interface PgliteTransaction {
  query<T>(query: string, params?: unknown[], options?: { blob?: Blob }): Promise<{ rows: T[] }>;
}

function pgliteConnection(tx: PgliteTransaction): BulkConnection {
  return {
    query: async (text, params) => (await tx.query<Record<string, unknown>>(text, params)).rows,
    async copyFrom(target, options, data) {
      const parts: Uint8Array[] = [];
      for await (const chunk of data) parts.push(chunk);
      await tx.query(`copy ${target} from '/dev/blob' ${options}`, [], { blob: new Blob(parts) });
    },
  };
}

/** One postgres.js pool under drizzle; `readOnly` makes every transaction of its connections read-only. */
function openPostgres(
  url: string,
  options: DbOptions,
  applicationName: string,
  readOnly: boolean,
): { db: Db; client: postgres.Sql } {
  const client = postgres(url, {
    max: Math.max(2, options.poolSize ?? 8),
    // A server that does not answer (restarting, unreachable) fails a request within seconds instead of holding it
    // for postgres.js's default 30 s; idle connections close, so none outlives a database restart unnoticed.
    connect_timeout: 5,
    idle_timeout: 60,
    // postgres.js waits before reconnecting by 3^n / 100 s, n counting every failed connection of the whole pool
    // (up to 20 s): a restart under load left the API unable to query for 10 s after the server was back. A short,
    // capped wait keeps recovery within a second or so of PostgreSQL accepting connections again.
    backoff: (retries: number) => Math.min(0.05 * retries, 1),
    onnotice: () => {},
    // Sent in the startup message, so they hold on every connection, including those made after a restart.
    connection: {
      application_name: applicationName,
      plan_cache_mode: options.planCacheMode ?? DEFAULT_PLAN_CACHE_MODE,
      statement_timeout: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      // A hot standby refuses writes anyway; saying so on every connection makes a write sent to the read handle fail
      // on one machine too (DATABASE_READ_URL = DATABASE_URL), where the mistake would otherwise go unseen.
      ...(readOnly ? { default_transaction_read_only: true } : {}),
    },
  });
  // drizzle sends every query unnamed (`prepare: false` unless given a name), so PostgreSQL parses and plans the
  // month page's statements on every request. Named statements are parsed once per connection and may reuse a plan;
  // postgres.js keys them by query text, which keeps values out of it. A paired run on the district scale: month
  // page 72–79 → 122–131 req/s at concurrency 16. (They were turned off once because a read after a PostgreSQL
  // restart got another statement's columns; the cause was a lost transaction's late query, fixed in
  // patches/postgres@3.4.9.patch and tested by tests/faults/lost-transaction.test.ts and pg-restart.test.ts.)
  const unsafe = client.unsafe.bind(client);
  client.unsafe = ((query: string, params?: unknown[], options?: { prepare?: boolean }) => {
    const scope = queryScope.getStore();
    if (scope?.cancelled) throw scope.cancelled;
    const pending = unsafe(query, params as never, { ...options, prepare: true });
    scope?.track(pending as unknown as CancellableQuery);
    return pending;
  }) as typeof client.unsafe;
  // drizzle opens every transaction with `begin` (a savepoint when nested): the connection it hands drizzle is
  // remembered for the transaction's callback, so transactionWithConnection can COPY on it.
  const begin = client.begin.bind(client) as (...args: unknown[]) => Promise<unknown>;
  // Transactions (the writes: imports, publishing, review, questions) plan each statement for its values again: their
  // set-wise statements depend on how big the upload is, and a 100,000-line CLI import ran ~7% slower on generic
  // plans: 6.44–6.5× the time of the COPY floor, against 6.03–6.05× with PostgreSQL's choice and 6.05–6.06× with this
  // (`pnpm bench --only import --quick`, two runs each). The public's reads run outside transactions.
  const transactionPlans = (options.planCacheMode ?? DEFAULT_PLAN_CACHE_MODE) === 'force_generic_plan';
  client.begin = ((...args: unknown[]) => {
    const work = args.pop() as (sql: PostgresTransactionSql) => unknown;
    return begin(...args, async (sql: PostgresTransactionSql) => {
      if (transactionPlans) await sql.unsafe('set local plan_cache_mode = auto');
      return openTransaction.run(postgresConnection(sql), () => work(sql));
    });
  }) as typeof client.begin;
  const db = drizzlePostgres(client, { schema, logger: countingLogger }) as unknown as Db;
  drivers.set(db, { engine: 'postgres', client });
  return { db, client };
}

export async function openDb(options: DbOptions = {}): Promise<DbHandle> {
  if (options.databaseUrl) {
    const primary = openPostgres(options.databaseUrl, options, options.applicationName ?? APPLICATION_NAME, false);
    const replica = options.readDatabaseUrl
      ? openPostgres(
          options.readDatabaseUrl,
          options,
          options.applicationName ? `${options.applicationName}-read` : READ_APPLICATION_NAME,
          true,
        )
      : undefined;
    return {
      db: primary.db,
      readDb: replica?.db ?? primary.db,
      engine: 'postgres',
      dataDir: undefined,
      async close() {
        await Promise.all([primary.client.end({ timeout: 5 }), replica?.client.end({ timeout: 5 })]);
      },
    };
  }
  if (options.readDatabaseUrl) throw new Error('a read database (DATABASE_READ_URL) needs DATABASE_URL (PostgreSQL)');
  const dir = options.pgliteDir ?? DEFAULT_PGLITE_DIR;
  const inMemory = dir.startsWith('memory://');
  if (!inMemory) mkdirSync(dir, { recursive: true });
  // Loaded only when used: PGlite's module alone adds about 35 MB to every process on PostgreSQL (the import CLI).
  const [{ PGlite }, { drizzle: drizzlePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
  ]);
  const client = await PGlite.create(inMemory ? dir : resolve(dir));
  // As for PostgreSQL above: the transaction drizzle is handed is remembered for its callback (COPY FROM /dev/blob).
  const transaction = client.transaction.bind(client);
  client.transaction = (work) => transaction((tx) => openTransaction.run(pgliteConnection(tx), () => work(tx)));
  const db = drizzlePglite(client, { schema, logger: countingLogger }) as unknown as Db;
  drivers.set(db, { engine: 'pglite', client });
  return {
    db,
    readDb: db,
    engine: 'pglite',
    dataDir: inMemory ? undefined : resolve(dir),
    close: () => client.close(),
  };
}

/** Applies the committed migrations in db/migrations. Safe to call from several processes at once. */
export async function migrateDb(handle: DbHandle): Promise<void> {
  if (handle.engine === 'pglite') {
    const { migrate: migratePglite } = await import('drizzle-orm/pglite/migrator');
    await migratePglite(handle.db as never, { migrationsFolder: MIGRATIONS_DIR });
    return;
  }
  // Concurrent starts (tests, several API processes) would race on CREATE TABLE: the transaction holds a lock on
  // one pooled connection while the migrator runs on another, so the others wait and then find nothing to do.
  await handle.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await migratePostgres(handle.db as never, { migrationsFolder: MIGRATIONS_DIR });
  });
}
const MIGRATION_LOCK_KEY = 7_112_024;

/** Rows of a raw query, whichever driver ran it (postgres.js returns an array, PGlite an object with rows). */
export async function queryRows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return (result as { rows: T[] }).rows;
}

/** Errors of the connection, not of the query: the database is down, restarting, out of connections, or cut off. */
const UNAVAILABLE_CODES = new Set([
  // postgres.js
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  // Node sockets
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  // SQLSTATE: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

/**
 * True when the database could not be reached or dropped the connection (a restart, a failover, a cut cable), so the
 * caller can answer "try again shortly" instead of an internal error. Follows `cause` through drizzle's wrappers.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    // SQLSTATE class 08: connection exception.
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
