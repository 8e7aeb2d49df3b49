// A national month of a million voucher lines, downloaded over HTTP from a real API process: memory stays flat and
// the CSV adds up to what the database holds.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrateDb, openDb, queryRows, type Db, type DbHandle } from '@mingbai/db/client';
import { serverArgs } from '../../scripts/lib/server-build.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const databaseUrl = inject('databaseUrl');
// A million lines make a CSV of about 245 MB: holding it would take well over twice the bound on the API's growth
// (asserted below), holding its rows as objects several times more. (Two million, as before, only took twice as
// long, to prove the same: the growth is what streaming leaves, 40–70 MB at half a million and a million lines.)
// PGlite runs PostgreSQL in WebAssembly, many times slower to fill and to read (under 1 MB/s), and it is the embedded
// engine for small installs: a tenth of the rows keeps the run short while still paging within each village (5
// pages of PAGE_LINES in api/src/opendata/sources.ts) and across villages.
const SIZE = databaseUrl
  ? { villages: 100, vouchersPerVillage: 1_000, linesPerVoucher: 10 } // 1,000,000 lines
  : { villages: 4, vouchersPerVillage: 2_500, linesPerVoucher: 10 }; // 100,000 lines
const TOTAL_LINES = SIZE.villages * SIZE.vouchersPerVillage * SIZE.linesPerVoucher;
const MAX_RSS_GROWTH_MB = 100;

let handle: DbHandle;
let dropScratch: () => Promise<void> = async () => {};
const cacheDir = mkdtempSync(join(tmpdir(), 'mingbai-opendata-scale-'));
let apiEnv: Record<string, string>;

/** A database of our own, so that no other test file sees these villages. */
async function openScratch(): Promise<DbHandle> {
  if (databaseUrl) {
    const name = `mingbai_opendata_scale_${process.pid}_${Date.now() % 100_000}`;
    const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(databaseUrl);
    url.pathname = `/${name}`;
    apiEnv = { DATABASE_URL: url.toString() };
    dropScratch = async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
    return openDb({ databaseUrl: url.toString(), poolSize: 2 });
  }
  const dir = mkdtempSync(join(tmpdir(), 'mingbai-opendata-scale-db-'));
  apiEnv = { PGLITE_DIR: dir };
  dropScratch = async () => rmSync(dir, { recursive: true, force: true });
  return openDb({ pgliteDir: dir });
}

/**
 * Villages, balanced vouchers (one bank credit, nine debits) and their publication, all by INSERT … SELECT with every
 * ledger trigger and foreign key checked. On PostgreSQL the vouchers go in as one transaction per core.
 */
async function fill(db: Db, parts: number): Promise<void> {
  const { villages, vouchersPerVillage, linesPerVoucher } = SIZE;
  await db.transaction(async (tx) => {
    await tx.execute(sql`insert into regions (parent_id, level, code, slug, name) values
      (null, 'city', '129900000000', 'scale-city', '规模市')`);
    await tx.execute(sql`insert into regions (parent_id, level, code, slug, name)
      select id, 'district', '129901000000', 'scale-district', '规模区' from regions where slug = 'scale-city'`);
    await tx.execute(sql`insert into regions (parent_id, level, code, slug, name)
      select id, 'town', '129901001000', 'scale-town', '规模镇' from regions where slug = 'scale-district'`);
    await tx.execute(sql`insert into villages (town_id, kind, code, slug, name)
      select r.id, 'village', '12990100' || lpad(g::text, 4, '0'), 'scale-' || g, '规模村' || g
        from regions r, generate_series(1, ${villages}) g where r.slug = 'scale-town'`);
    await tx.execute(sql`insert into village_accounts (village_id, standard, code, top_code, name)
      select v.id, '2023', c.code, c.code, a.name from villages v
        cross join (values ('102'), ('513')) c(code)
        join accounts a on a.standard = '2023' and a.code = c.code`);
    await tx.execute(sql`insert into periods (village_id, year, month, revision, status, standard, opened_by)
      select id, 2025, 1, 1, 'open', '2023', 'scale' from villages`);
  });
  await Promise.all(
    Array.from({ length: parts }, (_, part) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`insert into vouchers (village_id, year, month, revision, number, date, summary,
                                                   summary_public, attachments, created_by)
          select v.id, 2025, 1, 1, n, date '2025-01-01' + (n % 28), '购买办公用品第' || n || '批',
                 '购买办公用品第' || n || '批', 1, 'scale'
            from villages v, generate_series(1, ${vouchersPerVillage}) n
           where v.id % ${parts} = ${part}`);
        await tx.execute(sql`insert into voucher_lines (village_id, voucher_id, line_no, standard, account_code, side,
                                                        amount_fen, counterparty_public, payment_method)
          select v.village_id, v.id, k, '2023', case when k = 1 then '102' else '513' end,
                 case when k = 1 then 'credit' else 'debit' end,
                 case when k = 1
                      then (select sum((v.id * 7 + j * 13) % 100000 + 1) from generate_series(2, ${linesPerVoucher}) j)
                      else (v.id * 7 + k * 13) % 100000 + 1 end,
                 case when k = 1 then null else '某某商店' end, 'bank'
            from vouchers v cross join generate_series(1, ${linesPerVoucher}) k
           where v.village_id % ${parts} = ${part}`);
      }),
    ),
  );
  await db.transaction(async (tx) => {
    await tx.execute(sql`insert into statement_rollups (village_id, year, month, revision, standard, account_code,
                                                        opening_fen, debit_fen, credit_fen, closing_fen, line_count)
      select l.village_id, 2025, 1, 1, '2023', l.account_code, 0,
             coalesce(sum(l.amount_fen) filter (where l.side = 'debit'), 0),
             coalesce(sum(l.amount_fen) filter (where l.side = 'credit'), 0),
             coalesce(sum(l.amount_fen) filter (where l.side = 'debit'), 0)
               - coalesce(sum(l.amount_fen) filter (where l.side = 'credit'), 0),
             count(*)
        from voucher_lines l group by l.village_id, l.account_code`);
    await tx.execute(sql`update periods set status = 'published', published_at = now(), published_by = 'scale',
        digest = encode(sha256(convert_to('scale:' || village_id, 'UTF8')), 'hex'), chain_seq = 1,
        voucher_count = ${vouchersPerVillage}, line_count = ${vouchersPerVillage * linesPerVoucher}`);
  });
  // As autovacuum would by the time anyone downloads: statistics, and hint bits set once rather than by the export.
  await db.execute(sql`vacuum analyze`);
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) / 1024;
}

/** The built API as its own process (one process, so /proc shows its memory), on a free port. */
async function startApiProcess(): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, serverArgs('main'), {
    cwd: root,
    env: {
      ...process.env,
      ...apiEnv,
      API_PORT: '0',
      MINGBAI_SEED_DEMO: 'false',
      MINGBAI_OPENDATA_DIR: cacheDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`API did not start:\n${output}`)), 60_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /ready at (http:\/\/[^\s]+)\/graphql/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`API exited with ${code}:\n${output}`)));
  });
  return { child, base };
}

interface Download {
  bytes: number;
  rows: number;
  sumFen: bigint;
  sumVoucherNumbers: number;
  seconds: number;
  peakRssMb: number;
}

/** Streams the CSV, summing its columns on the fly (no cell of this data is quoted), while sampling the API's RSS. */
async function download(url: string, pid: number): Promise<Download> {
  let peak = rssMb(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 25);
  const started = performance.now();
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const decoder = new TextDecoder();
  let rest = '';
  let header: string[] | undefined;
  let bytes = 0;
  let rows = 0;
  let sumFen = 0n;
  let sumVoucherNumbers = 0;
  let amountAt = -1;
  let numberAt = -1;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    const lines = (rest + decoder.decode(chunk, { stream: true })).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      const cells = line.split(',');
      if (!header) {
        header = cells;
        header[0] = header[0]!.replace(/^\ufeff/, '');
        amountAt = header.indexOf('amount_fen');
        numberAt = header.indexOf('voucher_number');
        continue;
      }
      rows++;
      sumFen += BigInt(cells[amountAt]!);
      sumVoucherNumbers += Number(cells[numberAt]);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  expect(rest).toBe('');
  return { bytes, rows, sumFen, sumVoucherNumbers, seconds, peakRssMb: Math.max(peak, rssMb(pid)) };
}

describe('the national month export at scale', () => {
  let api: { child: ChildProcess; base: string } | undefined;

  beforeAll(async () => {
    handle = await openScratch();
    await migrateDb(handle);
    const started = Date.now();
    await fill(handle.db, handle.engine === 'postgres' ? 2 : 1);
    console.log(`opendata scale: ${TOTAL_LINES} lines on ${handle.engine} in ${Date.now() - started} ms`);
    if (handle.engine === 'pglite') await handle.close(); // PGlite serves one process: hand the folder to the API
    api = await startApiProcess();
  }, 170_000);

  afterAll(async () => {
    if (api?.child.exitCode === null) {
      const exited = new Promise((resolve) => api!.child.once('exit', resolve));
      api.child.kill('SIGTERM');
      await exited;
    }
    if (handle?.engine === 'postgres') await handle.close();
    await dropScratch();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('streams with flat memory and the CSV matches the database', { timeout: 170_000 }, async () => {
    const pid = api!.child.pid!;
    // Warm the process up (schema, first query) so the baseline is the idle server, not a cold one.
    await (await fetch(`${api!.base}/data/catalog.json`)).text();
    if (handle.engine === 'pglite') {
      // PGlite's WebAssembly heap grows once to hold its buffer cache and sort memory, and WebAssembly memory never
      // shrinks: read the month once, drop the file cache, and measure a second read from the database.
      await download(`${api!.base}/data/months/2025-01/lines.csv`, pid);
      rmSync(cacheDir, { recursive: true, force: true });
    }
    const baseline = rssMb(pid);
    const fresh = await download(`${api!.base}/data/months/2025-01/lines.csv`, pid);
    const cached = await download(`${api!.base}/data/months/2025-01/lines.csv`, pid);
    const mb = (d: Download) => (d.bytes / 1024 / 1024).toFixed(0);
    const rate = (d: Download) => (d.bytes / 1024 / 1024 / d.seconds).toFixed(1);
    console.log(
      `opendata scale (${handle.engine}): ${fresh.rows} lines, ${mb(fresh)} MB; ` +
        `from the database ${fresh.seconds.toFixed(1)} s = ${rate(fresh)} MB/s, ` +
        `from the file cache ${cached.seconds.toFixed(1)} s = ${rate(cached)} MB/s; ` +
        `API RSS ${baseline.toFixed(0)} MB idle, peak ${Math.max(fresh.peakRssMb, cached.peakRssMb).toFixed(0)} MB`,
    );

    // The database's own count and sums. PGlite serves one process: stop the API before reading its folder.
    if (handle.engine === 'pglite') {
      const exited = new Promise((resolve) => api!.child.once('exit', resolve));
      api!.child.kill('SIGTERM');
      await exited;
    }
    const check = handle.engine === 'pglite' ? await openDb({ pgliteDir: apiEnv.PGLITE_DIR }) : handle;
    const [truth] = await queryRows<{ n: string; fen: string; numbers: string }>(
      check.db,
      sql`select count(*)::text as n, sum(l.amount_fen)::text as fen, sum(v.number)::text as numbers
            from voucher_lines l join vouchers v on v.village_id = l.village_id and v.id = l.voucher_id`,
    );
    if (check !== handle) await check.close();

    // On PostgreSQL the file is far larger than what the API may grow by: the bound proves streaming.
    if (handle.engine === 'postgres') expect(fresh.bytes / 2 ** 20).toBeGreaterThan(2 * MAX_RSS_GROWTH_MB);
    for (const d of [fresh, cached]) {
      expect(d.rows).toBe(TOTAL_LINES);
      expect(d.rows).toBe(Number(truth!.n));
      expect(d.sumFen).toBe(BigInt(truth!.fen));
      expect(d.sumVoucherNumbers).toBe(Number(truth!.numbers));
      expect(d.peakRssMb - baseline).toBeLessThan(MAX_RSS_GROWTH_MB);
    }
  });
});
