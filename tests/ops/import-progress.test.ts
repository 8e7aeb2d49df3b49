// Progress on a terminal for the long commands (`pnpm cli import`, `pnpm bench:data`): rows read, rate and time left
// on stderr when it is a terminal; nothing at all when it is a pipe (a CI log, `> file`), so reports stay as they were.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DbHandle } from '@mingbai/db/client';
import { createProgress, durationText, progressText, type ProgressStream } from '@mingbai/api/cli/progress';
import { aVillage } from '../support/builders.ts';
import { openTestDb } from '../support/db.ts';
import { aUser } from '../support/users.ts';
import { cliArgs } from '../support/cli.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const databaseUrl = inject('databaseUrl');
/** util-linux `script` runs a command on a pseudo-terminal: the way to be "at a terminal" in a test. */
const hasScript = spawnSync('script', ['--version']).status === 0;

/** A stand-in for stderr: what was written, and whether it claims to be a terminal. */
function fakeStream(isTTY: boolean): ProgressStream & { text: string } {
  const stream = { isTTY, columns: 100, text: '', write: (s: string) => (stream.text += s) };
  return stream;
}

describe('the progress line', () => {
  it('shows rows, rate, share and time left, measured from the start of the step', () => {
    let now = 0;
    const stream = fakeStream(true);
    const progress = createProgress({ unit: '行', now: () => now, ci: false }, stream);
    expect(progress.active).toBe(true);
    progress.update('计算文件指纹', undefined, 0.5);
    now = 10_000;
    progress.update('读取', 0, 0);
    now = 12_000;
    progress.update('读取', 5_000, 0.25);
    const lines = stream.text.split('\r').filter(Boolean);
    expect(lines[0]).toBe('计算文件指纹 · 50%\x1b[K');
    // Two seconds into reading (the hashing's ten do not count): 2,500 rows a second, a quarter done, 6 s to go.
    expect(lines.at(-1)).toBe('读取 5,000 行 · 2,500 行/秒 · 25% · 约剩 6秒\x1b[K');
    progress.end();
    expect(stream.text.endsWith('\r\x1b[K')).toBe(true);
  });

  it('draws at most every quarter second, but at once when the step changes', () => {
    let now = 0;
    const stream = fakeStream(true);
    const progress = createProgress({ unit: '行', now: () => now, ci: false }, stream);
    progress.update('读取', 1);
    now = 100;
    progress.update('读取', 2);
    expect(stream.text.split('\r').filter(Boolean)).toHaveLength(1);
    progress.update('写入', undefined);
    now = 400;
    progress.update('写入', undefined);
    expect(stream.text.split('\r').filter(Boolean)).toHaveLength(3);
  });

  it('writes nothing when stderr is not a terminal, nor under CI', () => {
    for (const [stream, ci] of [
      [fakeStream(false), false],
      [fakeStream(true), true],
    ] as const) {
      const progress = createProgress({ unit: '行', now: () => 5_000, ci }, stream);
      expect(progress.active).toBe(false);
      progress.update('读取', 10, 0.5);
      progress.end();
      expect(stream.text).toBe('');
    }
  });

  it('says durations in Chinese, short', () => {
    expect(durationText(4.4)).toBe('4秒');
    expect(durationText(75)).toBe('1分15秒');
    expect(durationText(3_700)).toBe('1小时1分');
    expect(progressText({ label: '写入', unit: '行', elapsedMs: 3_000 })).toBe('写入 · 已用 3秒');
  });
});

describe.skipIf(!databaseUrl)('pnpm cli import and pnpm bench:data at a terminal and in a pipe', () => {
  let handle: DbHandle;
  let dir: string;
  beforeAll(async () => {
    handle = await openTestDb();
    dir = mkdtempSync(join(tmpdir(), 'mingbai-progress-'));
  });
  afterAll(async () => {
    await handle?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The root package.json's `cli` script as argv. */
  function cliArgv(...args: string[]): string[] {
    return [process.execPath, ...cliArgs(...args)];
  }
  const env = () => ({ ...process.env, DATABASE_URL: databaseUrl!, CI: '' });
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;

  async function importArgs(): Promise<string[]> {
    const village = await aVillage(handle.db);
    const accountant = await aUser(handle.db, ['accountant', village.slug]);
    // 3,000 vouchers: long enough to be read in more than one chunk.
    const rows = ['凭证号,日期,摘要,科目编码,科目名称,借方金额,贷方金额,收付款人'];
    for (let n = 1; n <= 3_000; n++) {
      rows.push(`${n},2025-03-05,购买办公用品,513,,12.00,,`, `${n},2025-03-05,购买办公用品,102,,,12.00,`);
    }
    const file = join(dir, `${village.slug}.csv`);
    writeFileSync(file, rows.join('\n') + '\n');
    return ['import', '--as', accountant, '--village', village.slug, '--file', file, '--month', '2025-03', '--dry-run'];
  }

  it('pnpm cli import: nothing on stderr in a pipe; rows read on a terminal', async () => {
    const args = await importArgs();
    const [node, ...rest] = cliArgv(...args);
    const piped = await run(node!, rest, { cwd: root, env: env(), maxBuffer: 20 * 2 ** 20 });
    expect(JSON.parse(piped.stdout)).toMatchObject({ ok: true, status: 'preview' });
    expect(piped.stderr).toBe('');

    if (!hasScript) return;
    const command = cliArgv(...args)
      .map(quote)
      .join(' ');
    const atTerminal = await run('script', ['-qefc', command, '/dev/null'], {
      cwd: root,
      env: env(),
      maxBuffer: 20 * 2 ** 20,
    });
    expect(atTerminal.stdout).toMatch(/\r读取 [\d,]+ 行/);
    expect(atTerminal.stdout).toContain('\r检查并写入数据库');
    expect(atTerminal.stdout).toContain('\x1b[K');
    // The line is cleared before the report, which is still the JSON it was.
    const report = atTerminal.stdout.slice(atTerminal.stdout.lastIndexOf('\r\x1b[K') + 4).replace(/\r\n/g, '\n');
    expect(JSON.parse(report)).toMatchObject({ ok: true, status: 'preview', rows: 6_000 });
  }, 120_000);

  it.skipIf(!hasScript)(
    'pnpm bench:data: villages and lines with rate and time left on a terminal',
    async () => {
      const database = `mingbai_bench_progress_${process.pid}`;
      try {
        const command = ['pnpm', 'bench:data', '--scale', 'tiny', '--database', database, '--verify', '0']
          .map(quote)
          .join(' ');
        const { stdout } = await run('script', ['-qefc', command, '/dev/null'], {
          cwd: root,
          env: env(),
          maxBuffer: 50 * 2 ** 20,
        });
        expect(stdout).toMatch(/\r生成并写入 [\d,]+ 行 · /);
        expect(stdout).toMatch(/\d+\/10 个村/);
        expect(stdout).toMatch(/行\/秒/);
        expect(stdout).toContain('summary written to');
      } finally {
        const admin = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
        await admin`drop database if exists ${admin(database)} with (force)`;
        await admin.end();
      }
    },
    300_000,
  );
});
