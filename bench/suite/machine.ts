import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import type { Sql } from 'postgres';
import { ROOT } from './procs.ts';

export async function machineFacts(sql: Sql) {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  const [pg] = await sql<{ version: string }[]>`select version()`;
  const settings = await sql<{ name: string; setting: string; unit: string | null }[]>`
    select name, setting, unit from pg_settings
     where name in ('shared_buffers', 'work_mem', 'max_connections', 'effective_cache_size', 'jit')`;
  return {
    date: new Date().toISOString(),
    commit: git('rev-parse', 'HEAD'),
    commitSubject: git('log', '-1', '--format=%s'),
    dirtyFiles: git('status', '--porcelain', '--untracked-files=no').split('\n').filter(Boolean).length,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    ramGb: Math.round(totalmem() / 1024 ** 3),
    /** Other work on the machine when the run started (1, 5, 15 min): the numbers are only as quiet as this. */
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    postgres: pg!.version,
    postgresSettings: Object.fromEntries(settings.map((s) => [s.name, s.unit ? `${s.setting} ${s.unit}` : s.setting])),
  };
}

/** On-disk bytes of the tables that hold villages' ledgers (with indexes and TOAST), per published village-month. */
export async function storage(sql: Sql) {
  const tables = ['periods', 'vouchers', 'voucher_lines', 'statement_rollups', 'village_accounts'];
  const sizes = await sql<{ name: string; bytes: string }[]>`
    select c.relname as name, pg_total_relation_size(c.oid)::text as bytes from pg_class c
     where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace and c.relname = any(${tables})`;
  const [counts] = await sql<{ months: number; villages: number; lines: string; database: string }[]>`
    select (select count(*)::int from periods where status = 'published') as months,
           (select count(*)::int from villages) as villages,
           (select coalesce(sum(line_count), 0)::text from periods where status = 'published') as lines,
           pg_database_size(current_database())::text as database`;
  const total = sizes.reduce((s, r) => s + Number(r.bytes), 0);
  const months = Math.max(1, counts!.months);
  return {
    tables: Object.fromEntries(sizes.map((s) => [s.name, Number(s.bytes)])),
    ledgerBytes: total,
    databaseBytes: Number(counts!.database),
    villages: counts!.villages,
    villageMonths: counts!.months,
    lines: Number(counts!.lines),
    bytesPerVillageMonth: Math.round(total / months),
    bytesPerLine: Math.round(total / Math.max(1, Number(counts!.lines))),
  };
}
