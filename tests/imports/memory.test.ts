// Issue 6: the operator CLI imports a large file in bounded memory. The CLI runs as `pnpm cli` runs it (the node flags
// of the root package.json's `cli` script), as a child process whose resident memory is read from /proc.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DbHandle } from '@mingbai/db/client';
import { makeCsv } from '../../bench/import/make-csv.ts';
import { aVillage } from '../support/builders.ts';
import { openTestDb } from '../support/db.ts';
import { aUser } from '../support/users.ts';
import { cliArgs } from '../support/cli.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const LINES = 200_000;
const PEAK_RSS_MB = 256;

/** kB of a /proc/<pid>/status field, or undefined once the process is gone. */
function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

describe('importing a large file with the CLI', () => {
  const onServer = Boolean(inject('databaseUrl'));
  let handle: DbHandle | undefined;
  beforeAll(async () => {
    if (onServer) handle = await openTestDb();
  });
  afterAll(() => handle?.close());

  // PGlite serves one process: the CLI can only share the test's database on a PostgreSQL server.
  it.skipIf(!onServer || process.platform !== 'linux')(
    `imports ${LINES.toLocaleString('en')} lines with a peak RSS under ${PEAK_RSS_MB} MB`,
    async () => {
      // Setup
      const dir = mkdtempSync(join(tmpdir(), 'mingbai-import-memory-'));
      const file = join(dir, 'big.csv');
      makeCsv(file, { lines: LINES, year: 2025, month: 12 });
      const village = await aVillage(handle!.db);
      const user = await aUser(handle!.db, ['accountant', village.slug]);

      // Action
      const args = cliArgs('import', '--as', user, '--village', village.slug, '--file', file);
      const child = spawn(process.execPath, [...args, '--month', '2025-12'], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: inject('databaseUrl') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-5000)));
      let peakKb = 0;
      const sample = () => {
        const kb = Math.max(statusKb(child.pid!, 'VmHWM') ?? 0, statusKb(child.pid!, 'VmRSS') ?? 0);
        peakKb = Math.max(peakKb, kb);
      };
      const sampler = setInterval(sample, 20);
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      clearInterval(sampler);
      rmSync(dir, { recursive: true, force: true });

      // Assertions
      expect(code, stderr).toBe(0);
      const report = JSON.parse(stdout) as { status: string; rows: number; preview: { lines: number } };
      expect(report).toMatchObject({ status: 'committed', rows: LINES, preview: { lines: LINES } });
      console.log(`CLI import of ${LINES} lines: peak RSS ${Math.round(peakKb / 1024)} MB`);
      expect(peakKb / 1024).toBeGreaterThan(50); // the sampler saw the process
      expect(peakKb / 1024).toBeLessThan(PEAK_RSS_MB);
    },
    120_000,
  );
});
