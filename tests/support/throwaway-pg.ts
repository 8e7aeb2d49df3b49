// A private PostgreSQL 15 cluster for fault tests: initdb in a temp folder, a free port on 127.0.0.1, trust auth.
// Fault tests restart, stop and kill it; the shared server that other tests use is never touched. As root (CI, this
// machine) the cluster runs as the `postgres` OS user, since PostgreSQL refuses to run as root.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PG_BIN = process.env.MINGBAI_PG_BIN ?? '/usr/lib/postgresql/15/bin';

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
export function throwawayPgUnavailable(): string | undefined {
  if (!existsSync(join(PG_BIN, 'initdb'))) return `no PostgreSQL binaries in ${PG_BIN} (set MINGBAI_PG_BIN)`;
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0)
    return 'running as root without a `postgres` OS user to run the cluster as';
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary, as `postgres` when we are root; rejects with its output on failure. */
function run(binary: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const command = asRoot ? 'runuser' : join(PG_BIN, binary);
  const argv = asRoot ? ['-u', 'postgres', '--', join(PG_BIN, binary), ...args] : args;
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${binary} ${args.join(' ')} exited with ${signal ?? code}:\n${output}`));
    });
  });
}

/** initdb + start. Call destroy() in afterAll; a process exit hook also stops it if the test run dies. */
export async function startThrowawayPg(): Promise<ThrowawayPg> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mingbai-pg-'));
  if (asRoot) {
    chmodSync(dataDir, 0o777); // let `postgres` create pgdata inside; the cluster folder itself is 0700
    spawnSync('chown', ['postgres', dataDir]);
  }
  const pgdata = join(dataDir, 'pgdata');
  const log = join(dataDir, 'server.log');
  const port = await freePort();
  await run('initdb', ['-D', pgdata, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const options = [
    `-p ${port}`,
    `-k ${dataDir}`,
    `-c listen_addresses=127.0.0.1`,
    `-c fsync=off`,
    `-c max_connections=60`,
    `-c shared_buffers=64MB`,
  ].join(' ');
  let destroyed = false;
  const pgCtl = (args: string[]) => run('pg_ctl', ['-D', pgdata, '-l', log, ...args], 90_000);
  const stopNow = () => {
    if (destroyed) return;
    spawnSync(asRoot ? 'runuser' : join(PG_BIN, 'pg_ctl'), [
      ...(asRoot ? ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl')] : []),
      '-D',
      pgdata,
      'stop',
      '-m',
      'immediate',
    ]);
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
