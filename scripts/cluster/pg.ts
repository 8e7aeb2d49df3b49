// PostgreSQL clusters of the recipe in docs/SCALING.md, made in temp folders: a primary (initdb) and a streaming
// replica of it (pg_basebackup -R, a hot standby). As root they run as the `postgres` OS user, since PostgreSQL
// refuses to run as root. Used by tests/ops/scaling.test.ts; the shared server on 5432 is never touched.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../lib/processes.ts';
import { pgRun, pgStopNow, pgTempDir } from '../lib/postgres-tools.ts';

// tests/ops/front.test.ts takes its ports from here.
export { freePort } from '../lib/processes.ts';

export interface Cluster {
  port: number;
  /** The folder holding pgdata, the log and the socket; removed by destroy(). */
  dir: string;
  /** postgres://postgres@127.0.0.1:port/<database> */
  url(database?: string): string;
  start(): Promise<void>;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Stops the server (immediately) and removes its folder. Safe to call twice. */
  destroy(): Promise<void>;
}

function cluster(dir: string, port: number): Cluster {
  const pgdata = join(dir, 'pgdata');
  const log = join(dir, 'server.log');
  // Small and fast: a test's cluster; fsync off (nothing here outlives the test).
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c max_connections=60',
    '-c shared_buffers=32MB',
  ].join(' ');
  let destroyed = false;
  const pgCtl = (args: string[]) => pgRun('pg_ctl', ['-D', pgdata, '-l', log, ...args], 90_000);
  const stopNow = () => {
    if (destroyed) return;
    destroyed = true;
    pgStopNow(pgdata);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopNow);
  return {
    port,
    dir,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      try {
        await pgCtl(['start', '-w', '-t', '60', '-o', options]);
      } catch (error) {
        const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
        throw new Error(`${(error as Error).message}\n${tail}`, { cause: error });
      }
    },
    async stop(mode = 'fast') {
      await pgCtl(['stop', '-w', '-t', '60', '-m', mode]);
    },
    async destroy() {
      if (destroyed) return;
      try {
        await pgCtl(['stop', '-w', '-t', '30', '-m', 'immediate']);
      } catch {
        // already stopped
      }
      stopNow();
      process.removeListener('exit', stopNow);
    },
  };
}

/** A new primary: initdb (trust on 127.0.0.1, replication included), started on a free port. */
export async function startPrimary(): Promise<Cluster> {
  const dir = pgTempDir('mingbai-primary-');
  const port = await freePort();
  await pgRun('initdb', ['-D', join(dir, 'pgdata'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C']);
  const primary = cluster(dir, port);
  await primary.start();
  return primary;
}

/**
 * A streaming replica of `primaryPort` (127.0.0.1): pg_basebackup with -R (standby.signal and primary_conninfo
 * written for us), WAL streamed during the copy, started as a hot standby on a free port.
 */
export async function startReplica(primaryPort: number): Promise<Cluster> {
  const dir = pgTempDir('mingbai-replica-');
  const port = await freePort();
  await pgRun('pg_basebackup', [
    '-h',
    '127.0.0.1',
    '-p',
    String(primaryPort),
    '-U',
    'postgres',
    '-D',
    join(dir, 'pgdata'),
    '-R',
    '-X',
    'stream',
    '-c',
    'fast',
  ]);
  const replica = cluster(dir, port);
  await replica.start();
  return replica;
}
