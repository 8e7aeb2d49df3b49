// A private PostgreSQL 15 cluster for fault tests: initdb in a temp folder, a free port on 127.0.0.1, trust auth.
// Fault tests restart, stop and kill it; the shared server that other tests use is never touched. As root (CI, this
// machine) the cluster runs as the `postgres` OS user, since PostgreSQL refuses to run as root.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/processes.ts';
import { pgRun, pgStopNow, pgTempDir, pgToolsUnavailable } from '../../scripts/lib/postgres-tools.ts';

// The fault tests' harness takes its ports from here.
export { freePort } from '../../scripts/lib/processes.ts';

export interface ThrowawayPg {
  port: number;
  dataDir: string;
  /** postgres://postgres@127.0.0.1:port/<database> */
  url(database?: string): string;
  /** `pg_ctl restart -m <mode>`; resolves when the server accepts connections again. */
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops the server (immediately) and removes its folder. Safe to call twice. */
  destroy(): Promise<void>;
}

/** Why a private cluster cannot run here, or undefined when it can. */
export const throwawayPgUnavailable = pgToolsUnavailable;

/** initdb + start. Call destroy() in afterAll; a process exit hook also stops it if the test run dies. */
export async function startThrowawayPg(): Promise<ThrowawayPg> {
  const dataDir = pgTempDir('mingbai-pg-');
  const pgdata = join(dataDir, 'pgdata');
  const log = join(dataDir, 'server.log');
  const port = await freePort();
  await pgRun('initdb', ['-D', pgdata, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const options = [
    `-p ${port}`,
    `-k ${dataDir}`,
    `-c listen_addresses=127.0.0.1`,
    `-c fsync=off`,
    `-c max_connections=60`,
    `-c shared_buffers=64MB`,
  ].join(' ');
  let destroyed = false;
  const pgCtl = (args: string[]) => pgRun('pg_ctl', ['-D', pgdata, '-l', log, ...args], 90_000);
  const stopNow = () => {
    if (destroyed) return;
    pgStopNow(pgdata);
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', stopNow);
  const pg: ThrowawayPg = {
    port,
    dataDir,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      await pgCtl(['start', '-w', '-t', '60', '-o', options]);
    },
    async stop(mode = 'fast') {
      await pgCtl(['stop', '-w', '-t', '60', '-m', mode]);
    },
    async restart(mode = 'fast') {
      await pgCtl(['restart', '-w', '-t', '60', '-m', mode, '-o', options]);
    },
    async destroy() {
      if (destroyed) return;
      try {
        await pgCtl(['stop', '-w', '-t', '30', '-m', 'immediate']);
      } catch {
        // already stopped
      }
      destroyed = true;
      process.removeListener('exit', stopNow);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await pg.start();
  } catch (error) {
    const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
    stopNow();
    throw new Error(`${(error as Error).message}\n${tail}`, { cause: error });
  }
  return pg;
}
