// 6: the national month file /data/months/{YYYY-MM}/lines.csv, downloaded by a fresh API process three times over:
// first with an empty open-data folder (every village month's fragment is made by COPY on the way: the first export
// after `bench:data`, which loads the database by COPY and makes no fragment), then with the fragments present but no
// whole file (the normal case: publishing makes a village month's fragments), then from the whole-file cache. Beside
// them, COPY … TO STDOUT of the same rows read by this process.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sql } from 'postgres';
import { copyQuery, linesQuery } from '../../api/src/opendata/export-sql.ts';
import { startApi, watchMemory } from './procs.ts';
import { round } from './stats.ts';

interface Download {
  bytes: number;
  seconds: number;
  mbPerSecond: number;
  peakRssMb: number;
}

export interface ExportResult {
  month: string;
  villages: number;
  lines: number;
  /** Nothing on disk: every fragment made from the database on the way. */
  first: Download;
  /** The fragments present, the whole file not: a national file after a village publishes. */
  fragments: Download;
  /** The whole file from the cache. */
  cached: Download;
  /** What the month's CSV fragments take on disk, headers included. */
  fragmentDisk: { files: number; bytes: number; bytesPerVillageMonth: number };
  floor: { bytes: number; seconds: number; mbPerSecond: number };
  /** floor ÷ the fragments case. */
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
  const selection = { year, month, periods: periods.map((p) => ({ ...p, digest: '', lineCount: 0, code: '' })) };
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
  const download = async (): Promise<Download> => {
    // A fresh process each time, so each case has its own peak RSS.
    const api = await startApi(options.databaseUrl, { MINGBAI_OPENDATA_DIR: cacheDir });
    try {
      // A server in service is warm: its first request's compilation and connections are not the export's cost.
      // HEAD runs the same lookup of the month's villages and sends nothing; no fragment or file is made by it.
      await (await fetch(`${api.url}/data/months/${label}/lines.csv`, { method: 'HEAD' })).arrayBuffer();
      const memory = watchMemory(api.pid);
      const started = performance.now();
      // node:http rather than fetch: reading a body through web streams costs this process more CPU than the API
      // spends sending it, on the same two cores.
      const bytes = await new Promise<number>((resolve, reject) => {
        get(`${api.url}/data/months/${label}/lines.csv`, (res) => {
          if (res.statusCode !== 200) reject(new Error(`export: HTTP ${res.statusCode}`));
          let n = 0;
          res.on('data', (chunk: Buffer) => (n += chunk.length));
          res.once('end', () => resolve(n));
          res.once('error', reject);
        }).once('error', reject);
      });
      const seconds = (performance.now() - started) / 1000;
      return {
        bytes,
        seconds: round(seconds, 2),
        mbPerSecond: round(bytes / MB / seconds, 1),
        peakRssMb: round(memory.stop(), 0),
      };
    } finally {
      await api.stop();
    }
  };
  let first: Download;
  let fragments: Download;
  let cached: Download;
  let fragmentDisk: ExportResult['fragmentDisk'];
  try {
    first = await download();
    // Whole files go, fragments stay (api/src/opendata/cache.ts names the layout).
    for (const name of readdirSync(cacheDir)) {
      if (name !== 'fragments') rmSync(join(cacheDir, name), { recursive: true, force: true });
    }
    const csvFragments = readdirSync(join(cacheDir, 'fragments'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.csv'))
      .map((f) => statSync(join(cacheDir, 'fragments', f)).size);
    const total = csvFragments.reduce((a, b) => a + b, 0);
    fragmentDisk = {
      files: csvFragments.length,
      bytes: total,
      bytesPerVillageMonth: Math.round(total / Math.max(1, csvFragments.length)),
    };
    fragments = await download();
    cached = await download();
  } finally {
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
    first,
    fragments,
    cached,
    fragmentDisk,
    floor,
    ratio: round(floor.mbPerSecond / Math.max(0.001, fragments.mbPerSecond), 2),
  };
}
