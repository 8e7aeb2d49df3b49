// 4b: the red-flag rules over a freshly imported month (default 50,000 lines), beside the import's own time. At upload
// the rules judge the payments collected as the vouchers were copied (the CLI's `red flags` phase: only the days
// before the month are read back), which must cost little next to the import (the bound: at most 10% of it);
// a reviewer's or the publication's judging reads the month from the database (`evaluateRedFlags`, timed too).
import postgres from 'postgres';
import { importRun, type ImportResult } from './import.ts';
import { round } from './stats.ts';

export interface RedFlagsResult {
  lines: number;
  /** The CLI import's own seconds (its process start left out). */
  importSeconds: number;
  /** The import's `red flags` phase: judging the upload, after its commit, seconds. */
  atUploadSeconds: number;
  /** evaluateRedFlags on that month: the first run, then the median of the rest. */
  evaluate: { firstMs: number; p50Ms: number; runs: number };
  /** contentMark (what an approval binds to) on the same month. */
  contentMarkMs: number;
  flags: number;
  /** Judging at upload / import time. */
  ratio: number;
}

const RUNS = 7;

export async function redFlagsRun(options: {
  serverUrl: string;
  lines: number;
  log: (s: string) => void;
}): Promise<RedFlagsResult & { import: ImportResult }> {
  const imported = await importRun(options);
  const url = new URL(options.serverUrl);
  url.pathname = `/${imported.database}`;
  const { openDb } = await import('@mingbai/db/client');
  const { evaluateRedFlags } = await import('@mingbai/db/ledger/red-flags');
  const { contentMark } = await import('@mingbai/db/ledger/approvals');
  const { beijingDate, rulesInForce } = await import('@mingbai/db/ledger/red-flag-rules');
  const [year, month] = imported.file.month.split('-').map(Number) as [number, number];
  const lookup = postgres(url.toString(), { max: 1, onnotice: () => {} });
  const [village] = await lookup<{ id: number }[]>`select id from villages where slug = 'fucun'`;
  const [period] = await lookup<{ revision: number }[]>`
    select max(revision)::int as revision from periods
     where village_id = ${village!.id} and year = ${year} and month = ${month}`;
  await lookup.end();
  const handle = await openDb({ databaseUrl: url.toString(), poolSize: 1 });
  try {
    const key = { villageId: village!.id, year, month, revision: period!.revision };
    const rules = await rulesInForce(handle.db, key.villageId, beijingDate());
    const times: number[] = [];
    let flags = 0;
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      flags = (await evaluateRedFlags(handle.db, key, rules)).length;
      times.push(performance.now() - started);
    }
    const markStarted = performance.now();
    await contentMark(handle.db, key);
    const contentMarkMs = performance.now() - markStarted;
    const rest = times.slice(1).sort((a, b) => a - b);
    const p50 = rest[Math.floor(rest.length / 2)]!;
    const importSeconds = imported.cli.seconds - imported.cli.startupSeconds;
    const atUpload = imported.phases['red flags'] ?? Number.NaN;
    options.log(
      `  at upload ${round(atUpload * 1000, 0)} ms; from the database: first ${round(times[0]!, 0)} ms, p50 ${round(p50, 0)} ms, ${flags} flags`,
    );
    return {
      lines: options.lines,
      importSeconds: round(importSeconds, 2),
      atUploadSeconds: round(atUpload, 3),
      evaluate: { firstMs: round(times[0]!, 1), p50Ms: round(p50, 1), runs: RUNS },
      contentMarkMs: round(contentMarkMs, 1),
      flags,
      ratio: round(atUpload / importSeconds, 3),
      import: imported,
    };
  } finally {
    await handle.close();
  }
}
