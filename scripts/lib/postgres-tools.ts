// PostgreSQL's server programs (initdb, pg_ctl, pg_basebackup, createdb) for the clusters that tests, benchmarks and
// the scaling recipe make of their own (scripts/cluster/pg.ts, tests/support/throwaway-pg.ts). One rule for where
// they are: MINGBAI_PG_BIN, else `pg_config --bindir`, else Debian's PostgreSQL 15 folder. As root they run as the
// `postgres` OS user, since PostgreSQL refuses to run as root.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function findBin(): string {
  const set = process.env.MINGBAI_PG_BIN?.trim();
  if (set) return set;
  const asked = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const bindir = asked.status === 0 ? asked.stdout.trim() : '';
  // Debian's pg_config (postgresql-common) may name a client-only folder: only one with initdb will do.
  if (bindir && existsSync(join(bindir, 'initdb'))) return bindir;
  return '/usr/lib/postgresql/15/bin';
}

export const PG_BIN = findBin();

export const asRoot = process.getuid?.() === 0;

/** Why a cluster of our own cannot run here, or undefined when it can. */
export function pgToolsUnavailable(): string | undefined {
  if (!existsSync(join(PG_BIN, 'initdb'))) return `no PostgreSQL server programs in ${PG_BIN} (set MINGBAI_PG_BIN)`;
  if (asRoot && spawnSync('id', ['-u', 'postgres']).status !== 0)
    return 'running as root without a `postgres` OS user to run the cluster as';
  return undefined;
}

/** The command and arguments that run `binary` of PG_BIN (through `runuser -u postgres` when we are root). */
export function pgCommand(binary: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, binary), ...args]] : [join(PG_BIN, binary), args];
}

/** Runs a PostgreSQL program to its end; rejects with its output on failure or after timeoutMs. */
export function pgRun(binary: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const [command, argv] = pgCommand(binary, args);
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

/** `pg_ctl stop -m immediate`, synchronously: for a process 'exit' hook, where nothing asynchronous runs. */
export function pgStopNow(pgdata: string): void {
  const [command, argv] = pgCommand('pg_ctl', ['-D', pgdata, 'stop', '-m', 'immediate']);
  spawnSync(command, argv);
}

/** A new temp folder the `postgres` user may create a cluster in (when we are root, it runs the cluster). */
export function pgTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (asRoot) {
    chmodSync(dir, 0o777); // `postgres` creates pgdata inside; the cluster folder itself is 0700
    spawnSync('chown', ['postgres', dir]);
  }
  return dir;
}
