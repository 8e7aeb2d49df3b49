// 6: the national month file /data/months/{YYYY-MM}/lines.csv, generated cold by a fresh API process with an empty
// cache folder, beside COPY … TO STDOUT of the same rows read by this process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sql } from 'postgres';
import { copyQuery, linesQuery } from '../../api/src/opendata/export-sql.ts';
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
 * The floor: the API's own SQL for the file (export-sql.ts) over every village's current published revision of the
 * month, in village-code order, as CSV from one COPY; the bytes are counted and dropped.
 */
async function floorQuery(sql: Sql, year: number, month: number): Promise<string> {
  const periods = await sql<{ villageId: number; revision: number }[]>`
    select distinct on (vi.code) p.village_id as "villageId", p.revision from periods p
      join villages vi on vi.id = p.village_id
     where p.status = 'published' and p.year = ${year} and p.month = ${month}
     order by vi.code, p.revision desc`;
  const selection = { year, month, periods: periods.map((p) => ({ ...p, digest: '', lineCount: 0 })) };
  return copyQuery(linesQuery(selection, 'csv'), 'csv');
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
  const stream = await options.sql.unsafe(await floorQuery(options.sql, year, month)).readable();
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
