import postgres from 'postgres';
import { APPLICATION_NAME } from './client.ts';

/**
 * A backend of ours that has been 'active' longer than the limit. `statement_timeout` stops a statement that runs,
 * but not one that waits on its client: a backend that parsed a statement and waits for the rest of it (ClientRead,
 * the issue's /data request that hung 20 minutes) or a COPY whose reader stopped (ClientWrite) never notices its
 * timeout, since PostgreSQL acts on a cancel only between client messages.
 */
export interface StuckBackend {
  pid: number;
  waitEvent: string | null;
  stuckMs: number;
  query: string;
  /** terminated: waiting on the client, only ending the session frees it; cancelled: its statement was stopped. */
  action: 'terminated' | 'cancelled';
}

export interface QueryWatchdogOptions {
  databaseUrl: string;
  /** Whose backends to watch (default APPLICATION_NAME). */
  applicationName?: string | undefined;
  /** A backend active for longer than this is stopped (default DEFAULT_STUCK_MS). */
  stuckMs?: number | undefined;
  /** How often to look (default a quarter of stuckMs, at most every 15 s). */
  intervalMs?: number | undefined;
  /** Where a stopped backend is reported (default console.warn). */
  log?: ((backend: StuckBackend) => void) | undefined;
}

export interface QueryWatchdog {
  /** One look now: stops and reports every stuck backend. */
  check(): Promise<StuckBackend[]>;
  stop(): Promise<void>;
}

/** Beyond any statement of a request; below DEFAULT_STATEMENT_TIMEOUT_MS, which covers what runs. */
export const DEFAULT_STUCK_MS = 60_000;

/**
 * Looks at pg_stat_activity on a connection of its own (a pool full of stuck connections must not stop it) and
 * stops our backends that stay active too long: those waiting on their client are terminated, the rest cancelled.
 * Each is logged with its pid, wait and query text. PostgreSQL only.
 */
export function startQueryWatchdog(options: QueryWatchdogOptions): QueryWatchdog {
  const applicationName = options.applicationName ?? APPLICATION_NAME;
  const stuckMs = options.stuckMs ?? DEFAULT_STUCK_MS;
  const intervalMs = options.intervalMs ?? Math.min(Math.max(stuckMs / 4, 1_000), 15_000);
  const log =
    options.log ??
    ((b: StuckBackend) =>
      console.warn(`query watchdog: backend ${b.pid} ${b.action} after ${b.stuckMs} ms`, JSON.stringify(b)));
  const sql = postgres(options.databaseUrl, {
    max: 1,
    connect_timeout: 5,
    idle_timeout: 60,
    onnotice: () => {},
    connection: { application_name: `${applicationName}-watchdog` },
  });

  async function check(): Promise<StuckBackend[]> {
    const rows = await sql<
      { pid: number; wait_event: string | null; stuck_ms: number; query: string; terminated: boolean }[]
    >`
      select pid, wait_event, (extract(epoch from now() - state_change) * 1000)::int as stuck_ms,
             left(query, 300) as query,
             wait_event in ('ClientRead', 'ClientWrite') as terminated
        from pg_stat_activity
       where datname = current_database() and application_name = ${applicationName}
         and pid <> pg_backend_pid() and state = 'active'
         and now() - state_change >= ${stuckMs} * interval '1 millisecond'`;
    const stopped: StuckBackend[] = [];
    for (const row of rows) {
      if (row.terminated) await sql`select pg_terminate_backend(${row.pid})`;
      else await sql`select pg_cancel_backend(${row.pid})`;
      const backend: StuckBackend = {
        pid: row.pid,
        waitEvent: row.wait_event,
        stuckMs: row.stuck_ms,
        query: row.query,
        action: row.terminated ? 'terminated' : 'cancelled',
      };
      log(backend);
      stopped.push(backend);
    }
    return stopped;
  }

  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = check().catch((error: unknown) => console.warn('query watchdog:', (error as Error).message));
  }, intervalMs);
  timer.unref();

  return {
    check,
    async stop() {
      clearInterval(timer);
      await running;
      await sql.end({ timeout: 5 });
    },
  };
}
