// `pnpm backup` and `pnpm restore` (scripts/backup.sh, scripts/restore.sh, docs/BACKUP.md): a database with a few
// villages and months, dumped and restored into a new database, has every digest chain intact and every table's rows
// identical. PGlite's backup, a copy of its stopped data folder, is restored and verified the same way.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { migrateDb, openDb } from '@mingbai/db/client';
import { seedDemo } from '@mingbai/db/demo/seed';
import { verifyVillageChain } from '@mingbai/db/ledger/verify';
import { villages } from '@mingbai/db/schema/regions';

const root = fileURLToPath(new URL('../..', import.meta.url));
const VILLAGES = ['fucun', 'baitansi', 'dayoudai'];
const work = mkdtempSync(join(tmpdir(), 'mingbai-backup-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `pnpm backup|restore …` as an operator would; resolves to its stdout, rejects with its output. */
function pnpm(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('pnpm', ['--silent', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`pnpm ${args.join(' ')} exited ${code}:\n${out}\n${err}`));
    });
  });
}

/** Every table's rows, as an md5 of their text in a stable order: equal sums mean equal contents. */
async function tableChecksums(url: string): Promise<Record<string, string>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const tables = await sql<{ name: string }[]>`
      select quote_ident(table_schema) || '.' || quote_ident(table_name) as name from information_schema.tables
       where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE' order by 1`;
    const sums: Record<string, string> = {};
    expect(tables.length).toBeGreaterThan(0);
    for (const { name } of tables) {
      const [row] = await sql.unsafe<{ sum: string; n: string }[]>(
        `select coalesce(md5(string_agg(t::text, E'\\n' order by t::text)), '') as sum, count(*)::text as n
           from ${name} t`,
      );
      sums[name] = `${row!.n}:${row!.sum}`;
    }
    return sums;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function verifyAll(handle: Awaited<ReturnType<typeof openDb>>): Promise<number> {
  const all = await handle.db.select({ id: villages.id }).from(villages);
  let checked = 0;
  expect(all.length).toBeGreaterThan(0);
  for (const v of all) {
    const report = await verifyVillageChain(handle.db, v.id);
    expect(report.breaks).toEqual([]);
    expect(report.ok).toBe(true);
    checked += report.checked;
  }
  return checked;
}

const serverUrl = inject('databaseUrl');

describe.skipIf(!serverUrl)(
  `PostgreSQL: pg_dump backup, pg_restore into a new database ${serverUrl ? '' : '(skipped: needs a PostgreSQL server for pg_dump; set DATABASE_URL)'}`,
  () => {
    it('restores every village with every digest verified and every row identical', async () => {
      const admin = postgres(serverUrl!.replace(/\/[^/]*$/, '/postgres'), { max: 1, onnotice: () => {} });
      const tag = `${Date.now()}_${process.pid}`;
      const source = serverUrl!.replace(/\/[^/]*$/, `/mingbai_bk_src_${tag}`);
      const target = serverUrl!.replace(/\/[^/]*$/, `/mingbai_bk_dst_${tag}`);
      await admin.unsafe(`create database mingbai_bk_src_${tag}`);
      try {
        const handle = await openDb({ databaseUrl: source, poolSize: 4 });
        try {
          await migrateDb(handle);
          await seedDemo(handle.db, { villages: VILLAGES });
        } finally {
          await handle.close();
        }

        const file = join(work, 'mingbai.dump');
        expect((await pnpm(['backup', file], { DATABASE_URL: source })).trim()).toBe(file);
        expect(existsSync(`${file}.sha256`)).toBe(true);
        const report = JSON.parse(await pnpm(['restore', file, target], { DATABASE_URL: '' })) as {
          ok: boolean;
          villages: number;
          publishedRevisions: number;
        };
        expect(report).toMatchObject({ ok: true, villages: VILLAGES.length });
        expect(report.publishedRevisions).toBeGreaterThan(VILLAGES.length * 12);

        const restored = await openDb({ databaseUrl: target, poolSize: 2 });
        try {
          expect(await verifyAll(restored)).toBe(report.publishedRevisions);
        } finally {
          await restored.close();
        }
        expect(await tableChecksums(target)).toEqual(await tableChecksums(source));

        // Restoring over an existing database is refused rather than merged.
        await expect(pnpm(['restore', file, target], { DATABASE_URL: '' })).rejects.toThrow(/already exists/);
      } finally {
        await admin.unsafe(`drop database if exists mingbai_bk_src_${tag} with (force)`);
        await admin.unsafe(`drop database if exists mingbai_bk_dst_${tag} with (force)`);
        await admin.end({ timeout: 5 });
      }
    }, 300_000);
  },
);

describe('PGlite: a copy of the stopped data folder', () => {
  it('restores with every digest verified', async () => {
    const dir = join(work, 'pglite');
    const handle = await openDb({ pgliteDir: dir });
    let published: number;
    try {
      await migrateDb(handle);
      await seedDemo(handle.db, { villages: ['fucun'] });
      published = await verifyAll(handle);
    } finally {
      await handle.close(); // a backup of PGlite is taken while nothing has it open
    }
    const file = join(work, 'pglite.tar.gz');
    await pnpm(['backup', file], { DATABASE_URL: '', PGLITE_DIR: dir });
    const target = join(work, 'pglite-restored');
    const report = JSON.parse(await pnpm(['restore', file, target], { DATABASE_URL: '' })) as { ok: boolean };
    expect(report).toMatchObject({ ok: true, villages: 1, publishedRevisions: published });
    const restored = await openDb({ pgliteDir: target });
    try {
      expect(await verifyAll(restored)).toBe(published);
    } finally {
      await restored.close();
    }
  }, 300_000);
});
