// 6: the national month file /data/months/{YYYY-MM}/lines.csv, generated cold by a fresh API process with an empty
// cache folder, beside COPY … TO STDOUT of the same rows read by this process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sql } from 'postgres';
import { LINE_FIELDS } from '../../api/src/opendata/export-sql.ts';
import { startApi, watchMemory } from './procs.ts';
import { round } from './stats.ts';

export interface ExportResult {
  month: string;
  villages: number;
  lines: number;
  api: { bytes: number; seconds: number; mbPerSecond: number; peakRssMb: number; cache: 'cold' };
  floor: { bytes: number; seconds: number; mbPerSecond: number };
  ratio: number;
}

const MB = 1024 * 1024;

/**
 * The floor: the same columns (the API's own field expressions), the same joins and order, every village's current
 * published revision of the month, as CSV from COPY; the bytes are counted and dropped.
 */
function floorQuery(year: number, month: number): string {
  const fields = LINE_FIELDS.map((f) => `${f.sql} as ${f.name}`).join(',\n');
  return `copy (
    with sel as (
      select distinct on (village_id) village_id, revision from periods
       where status = 'published' and year = ${year} and month = ${month}
       order by village_id, revision desc),
    vs as (select v.* from sel join vouchers v on v.village_id = sel.village_id and v.year = ${year}
                                              and v.month = ${month} and v.revision = sel.revision)
    select ${fields}
      from vs
      join periods p on p.village_id = vs.village_id and p.year = vs.year and p.month = vs.month
                    and p.revision = vs.revision
      join villages vi on vi.id = vs.village_id
      join regions t on t.id = vi.town_id
      left join regions d on d.id = t.parent_id
      join voucher_lines l on l.village_id = vs.village_id and l.voucher_id = vs.id
      join accounts a on a.standard = l.standard and a.code = left(l.account_code, 3)
      left join village_accounts va on va.village_id = l.village_id and va.standard = l.standard
                                   and va.code = l.account_code
    window w as (partition by vi.code, vs.number order by l.line_no
                 rows between unbounded preceding and unbounded following)
    order by vi.code, vs.number, l.line_no
  ) to stdout with (format csv, header true)`;
}

export async function exportRun(options: {
  databaseUrl: string;
  sql: Sql;
  year: number;
  month: number;
}): Promise<ExportResult> {
  const { year, month } = options;
  const label = `${year}-${String(month).padStart(2, '0')}`;
  const [size] = await options.sql<{ villages: number; lines: number }[]>`
    select count(distinct village_id)::int as villages, coalesce(sum(line_count), 0)::int as lines from periods p
     where status = 'published' and year = ${year} and month = ${month}
       and revision = (select max(revision) from periods q where q.village_id = p.village_id and q.year = p.year
                         and q.month = p.month and q.status = 'published')`;

  const cacheDir = mkdtempSync(join(tmpdir(), 'mingbai-bench-opendata-'));
  const api = await startApi(options.databaseUrl, { MINGBAI_OPENDATA_DIR: cacheDir });
  let apiResult: ExportResult['api'];
  try {
    const memory = watchMemory(api.pid);
    const started = performance.now();
    const res = await fetch(`${api.url}/data/months/${label}/lines.csv`);
    if (res.status !== 200 || !res.body) throw new Error(`export: HTTP ${res.status}`);
    let bytes = 0;
    for await (const chunk of res.body) bytes += (chunk as Uint8Array).length;
    const seconds = (performance.now() - started) / 1000;
    apiResult = {
      bytes,
      seconds: round(seconds, 2),
      mbPerSecond: round(bytes / MB / seconds, 1),
      peakRssMb: round(memory.stop(), 0),
      cache: 'cold',
    };
  } finally {
    await api.stop();
    rmSync(cacheDir, { recursive: true, force: true });
  }

  const started = performance.now();
  const stream = await options.sql.unsafe(floorQuery(year, month)).readable();
  let bytes = 0;
  for await (const chunk of stream) bytes += (chunk as Buffer).length;
  const seconds = (performance.now() - started) / 1000;
  const floor = { bytes, seconds: round(seconds, 2), mbPerSecond: round(bytes / MB / seconds, 1) };
  return {
    month: label,
    villages: size!.villages,
    lines: size!.lines,
    api: apiResult,
    floor,
    ratio: round(floor.mbPerSecond / Math.max(0.001, apiResult.mbPerSecond), 2),
  };
}
