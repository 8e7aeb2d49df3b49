// Issue 7, hostile files too large to keep in the repository, generated here (tests/fixtures/hostile/make-hostile.ts):
// lines and cells of 60–100 MB, a million rows, zip bombs. Each is rejected with its code by the streaming path the
// CLI uses, within a time and memory bound, changing nothing; and by the CLI's own process, its RSS bounded. The
// parser rejects them before any SQL runs, so one engine's pass runs this file (vitest.config.ts, ENGINE_INDEPENDENT).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { viewerByUsername } from '@mingbai/api/auth/auth.service';
import { actorAt } from '@mingbai/api/auth/village-access';
import { importLedger, MAX_FILE_IMPORT_BYTES } from '@mingbai/api/imports/import.service';
import { fileSource } from '@mingbai/api/imports/parse/stream';
import { useTestApi } from '../support/api.ts';
import { aVillage } from '../support/builders.ts';
import { aUser } from '../support/users.ts';
import { writeLargeFiles } from '../fixtures/hostile/make-hostile.ts';
import { checksum, expectOutcome, rejected, tally, type Expected, type Report } from './hostile-checks.ts';
import { cliArgs } from '../support/cli.ts';

const t = useTestApi();
const root = fileURLToPath(new URL('../..', import.meta.url));

/** Wall time per file, on a busy 2-core machine; and what the process may grow by while reading it. */
const LARGE_FILE_MS = 60_000;
const RSS_GROWTH_BYTES = 200 * 1024 * 1024;

const LARGE: Record<string, Expected> = {
  'line-100mb.csv': rejected('TEXT_TOO_LONG'),
  'cell-100mb.csv': rejected('TEXT_TOO_LONG'),
  'quote-swallows-60mb.csv': rejected('TEXT_TOO_LONG'),
  'million-garbage-rows.csv': rejected('LAYOUT_UNKNOWN'),
  'million-bad-rows-after-header.csv': rejected('DATE_INVALID', 'TOO_MANY_PROBLEMS'),
  'zip-bomb-declared.xlsx': rejected('FILE_TOO_LARGE'),
  'zip-bomb-lying.xlsx': rejected('XLSX_INVALID'),
};

let largeDir = '';
let large = new Map<string, string>();

beforeAll(async () => {
  largeDir = mkdtempSync(join(tmpdir(), 'mingbai-hostile-'));
  large = await writeLargeFiles(largeDir);
}, 180_000);
afterAll(() => {
  if (largeDir) rmSync(largeDir, { recursive: true, force: true });
  console.log(`huge hostile files: ${tally.tried} tried, ${tally.rejected} rejected`);
});

describe('huge hostile files through the streaming path the CLI uses', () => {
  it('rejects each within the bounds, changing nothing', async () => {
    const village = await aVillage(t.handle.db, '巨文件村');
    const user = await aUser(t.handle.db, ['accountant', village.slug]);
    const viewer = await viewerByUsername(t.handle.db, user);
    const actor = actorAt(t.handle.db, viewer!);
    for (const [file, expected] of Object.entries(LARGE)) {
      const before = await checksum(t.handle.db, village.id);
      global.gc?.();
      const rss = process.memoryUsage().rss;
      let peak = rss;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
      const started = performance.now();
      const report = await importLedger(t.handle.db, actor, {
        villageSlug: village.slug,
        source: await fileSource(large.get(file)!),
        maxBytes: MAX_FILE_IMPORT_BYTES,
        filename: file,
        year: 2025,
        month: 6,
      }).finally(() => clearInterval(sampler));
      const ms = performance.now() - started;
      console.log(`${file}: ${Math.round(ms)} ms, RSS +${Math.round((peak - rss) / 1024 / 1024)} MB`);
      expect(ms, file).toBeLessThan(LARGE_FILE_MS);
      // A million rows keep a few numbers per voucher (repeated numbers, the month): more than a bomb, still bounded.
      expect(peak - rss, file).toBeLessThan(file.startsWith('million-') ? 1.5 * RSS_GROWTH_BYTES : RSS_GROWTH_BYTES);
      expectOutcome(file, expected, report as unknown as Report);
      expect(await checksum(t.handle.db, village.id), file).toEqual(before);
    }
  }, 600_000);

  // PGlite serves one process: the CLI can only share the test's database on a PostgreSQL server.
  it.skipIf(!inject('databaseUrl'))(
    'the CLI child process rejects a 100 MB line and a zip bomb, its RSS bounded',
    async () => {
      const village = await aVillage(t.handle.db, '命令行村');
      const user = await aUser(t.handle.db, ['accountant', village.slug]);
      for (const file of ['line-100mb.csv', 'zip-bomb-lying.xlsx']) {
        const before = await checksum(t.handle.db, village.id);
        // node itself, not pnpm: one process, whose memory /proc shows.
        const child = execFile(
          process.execPath,
          cliArgs('import', '--as', user, '--village', village.slug, '--file', large.get(file)!),
          { cwd: root, env: { ...process.env, DATABASE_URL: inject('databaseUrl') } },
        );
        let stdout = '';
        child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
        // VmHWM: the peak resident set of the process so far.
        const peakKb = await new Promise<number>((resolve) => {
          let peak = 0;
          const sample = setInterval(() => {
            try {
              const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
              peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
            } catch {
              // The process has ended.
            }
          }, 100);
          child.on('exit', () => {
            clearInterval(sample);
            resolve(peak);
          });
        });
        const report = JSON.parse(stdout) as Report & { ok: boolean };
        console.log(`CLI ${file}: peak RSS of the tsx process ${Math.round(peakKb / 1024)} MB`);
        expect(report.ok, file).toBe(false);
        expectOutcome(file, LARGE[file]!, report);
        expect(peakKb * 1024, file).toBeLessThan(400 * 1024 * 1024);
        expect(await checksum(t.handle.db, village.id), file).toEqual(before);
      }
    },
    300_000,
  );
});
