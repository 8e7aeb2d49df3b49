// 4: importing a 1,000,000-line GBK voucher CSV with the operator CLI, as a child process whose peak RSS is read
// from /proc, into a fresh copy of a demo database; then COPY of the very rows it wrote into identical tables.
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import { cliArgs, ensureServerBuilt } from '../../scripts/lib/server-build.ts';
import { runMeasured } from './procs.ts';
import { round } from './stats.ts';

// Overridable so that several engineers benchmarking on one server do not drop each other's databases.
const TARGET = process.env.BENCH_IMPORT_DATABASE ?? 'mingbai_bench_import';
const TEMPLATE = `${TARGET}_template`;
const VILLAGE = 'fucun';
const USER = 'fucun-kuaiji';

export interface ImportResult {
  file: { lines: number; bytes: number; encoding: 'GBK'; month: string };
  database: string;
  cli: { seconds: number; startupSeconds: number; linesPerSecond: number; peakRssMb: number };
  /** Seconds of each phase the CLI's `--timings` printed (parse, file, copy lines, commit, red flags, …). */
  phases: Record<string, number>;
  floor: { seconds: number; linesPerSecond: number };
  ratio: number;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A database with the demo villages and users, made once; every run imports into a fresh copy of it (`target`). */
export async function freshDatabase(serverUrl: string, log: (s: string) => void, target = TARGET): Promise<string> {
  const admin = postgres(withDatabase(serverUrl, 'postgres'), { max: 1, onnotice: () => {} });
  try {
    const [tpl] = await admin`select 1 from pg_database where datname = ${TEMPLATE}`;
    if (!tpl) {
      log(`  creating ${TEMPLATE} (migrations, demo villages and users; once)`);
      await admin.unsafe(`create database ${TEMPLATE}`);
      const { openDb, migrateDb } = await import('@mingbai/db/client');
      const { seedDemo } = await import('@mingbai/db/demo/seed');
      const { seedDemoUsers } = await import('@mingbai/api/auth/demo-users');
      const handle = await openDb({ databaseUrl: withDatabase(serverUrl, TEMPLATE), poolSize: 2 });
      try {
        await migrateDb(handle);
        await seedDemo(handle.db);
        await seedDemoUsers(handle.db);
      } finally {
        await handle.close();
      }
    }
    await admin.unsafe(`drop database if exists ${target}`);
    await admin.unsafe(`create database ${target} template ${TEMPLATE}`);
  } finally {
    await admin.end();
  }
  return withDatabase(serverUrl, target);
}

export async function importRun(options: {
  serverUrl: string;
  lines: number;
  log: (s: string) => void;
}): Promise<ImportResult> {
  // 付村's demo draft month: it has ended (only such months can be uploaded) and is open, so the file replaces it.
  const month = '2026-11';
  const dir = join(tmpdir(), 'mingbai-bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `import-${options.lines}-${month}.csv`);
  if (!existsSync(file)) {
    options.log(`  generating ${file}`);
    const made = await runMeasured([
      '--import',
      'tsx',
      'bench/import/make-csv.ts',
      '--lines',
      String(options.lines),
      '--month',
      month,
      '--out',
      file,
    ]);
    if (made.code !== 0) throw new Error(`make-csv failed:\n${made.stderr}`);
  }
  const databaseUrl = await freshDatabase(options.serverUrl, options.log);

  // Exactly what `pnpm cli` runs, heap flags included (the root package.json's script line).
  await ensureServerBuilt();
  const startup = await runMeasured(cliArgs('--help'), { DATABASE_URL: databaseUrl });
  const run = await runMeasured(
    [...cliArgs(), 'import', '--as', USER, '--village', VILLAGE, '--file', file, '--month', month, '--timings'],
    { DATABASE_URL: databaseUrl },
  );
  if (run.code !== 0) throw new Error(`import failed (exit ${run.code}):\n${run.stdout.slice(0, 2000)}\n${run.stderr}`);

  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [village] = await sql<{ id: number }[]>`select id from villages where slug = ${VILLAGE}`;
    const id = village!.id;
    const [y, m] = month.split('-').map(Number) as [number, number];
    const [written] = await sql<{ lines: number }[]>`
      select count(*)::int as lines from voucher_lines l join vouchers v on v.village_id = l.village_id
         and v.id = l.voucher_id where v.village_id = ${id} and v.year = ${y} and v.month = ${m}`;
    const lines = written!.lines;
    if (lines !== options.lines) throw new Error(`the import wrote ${lines} lines, the file has ${options.lines}`);

    // The floor: the same vouchers and lines, as the import left them, copied into tables with the same columns,
    // CHECK constraints, defaults and indexes (LIKE … INCLUDING ALL; no foreign keys, no triggers).
    const monthVouchers = `select * from vouchers where village_id = ${Number(id)} and year = ${y} and month = ${m}`;
    const vouchersFile = join(dir, 'floor-vouchers.copy');
    const linesFile = join(dir, 'floor-lines.copy');
    // One short-lived connection per COPY: a pooled connection is not reliably handed back after a COPY stream.
    await copyOut(databaseUrl, `copy (${monthVouchers} order by id) to stdout`, vouchersFile);
    await copyOut(
      databaseUrl,
      `copy (select l.* from voucher_lines l join (${monthVouchers}) v on v.village_id = l.village_id
              and v.id = l.voucher_id order by l.voucher_id, l.line_no) to stdout`,
      linesFile,
    );
    await sql`drop table if exists bench_floor_lines, bench_floor_vouchers`;
    await sql`create table bench_floor_vouchers (like vouchers including all)`;
    await sql`create table bench_floor_lines (like voucher_lines including all)`;
    const copier = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    const started = performance.now();
    try {
      await pipeline(createReadStream(vouchersFile), await copier`copy bench_floor_vouchers from stdin`.writable());
      await pipeline(createReadStream(linesFile), await copier`copy bench_floor_lines from stdin`.writable());
    } finally {
      await copier.end();
    }
    const floorSeconds = (performance.now() - started) / 1000;
    const cliLps = options.lines / run.seconds;
    const floorLps = options.lines / floorSeconds;
    return {
      file: { lines: options.lines, bytes: statSync(file).size, encoding: 'GBK', month },
      database: TARGET,
      cli: {
        seconds: round(run.seconds, 2),
        startupSeconds: round(startup.seconds, 2),
        linesPerSecond: Math.round(cliLps),
        peakRssMb: round(run.peakRssMb, 0),
      },
      phases: phasesOf(run.stderr),
      floor: { seconds: round(floorSeconds, 2), linesPerSecond: Math.round(floorLps) },
      ratio: round(floorLps / cliLps, 2),
    };
  } finally {
    await sql.end();
  }
}

/** `phase\t0.12 s\t…` lines of the CLI's `--timings` → seconds by phase. */
function phasesOf(stderr: string): Record<string, number> {
  const phases: Record<string, number> = {};
  for (const line of stderr.split('\n')) {
    const [name, seconds] = line.split('\t');
    if (name && seconds?.endsWith(' s')) phases[name] = Number(seconds.slice(0, -2));
  }
  return phases;
}

async function copyOut(databaseUrl: string, query: string, file: string): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await pipeline(await sql.unsafe(query).readable(), createWriteStream(file));
  } finally {
    await sql.end({ timeout: 5 });
  }
}
