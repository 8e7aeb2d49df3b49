// `pnpm bench [--scale tianjin] [--quick] [--seconds 10]
// [--only api,portal,import,redflags,export,uploads,questions,attachments,verify,peer] [--verify-villages N] [--checkpoints]
// [--peer]`: the benchmark suite against real PostgreSQL. The API and the portal run as child processes, exactly as
// deployed; load comes from this
// process (autocannon); the floors (hand-written SQL, COPY) run here too. Prints a table, writes bench/results.json.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { attachmentsRun } from './suite/attachments.ts';
import { concurrencyRuns, monthSizes, statementReadCost } from './suite/api.ts';
import { exportRun } from './suite/export.ts';
import { importRun } from './suite/import.ts';
import { questionsRun } from './suite/questions.ts';
import { redFlagsRun } from './suite/red-flags.ts';
import { machineFacts, storage } from './suite/machine.ts';
import { peerRun } from './suite/peer.ts';
import { buildPortal, portalRun, startPortal } from './suite/portal.ts';
import { ROOT, startApi } from './suite/procs.ts';
import { renderTable } from './suite/report.ts';
import { uploadsRun } from './suite/uploads.ts';
import { verifyCheckpointsRun, verifyRun } from './suite/verify.ts';
import { extremes, sampleMonths } from './suite/workload.ts';

const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: 'tianjin' },
    database: { type: 'string' },
    seconds: { type: 'string' },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'import-lines': { type: 'string' },
    'red-flag-lines': { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    out: { type: 'string', default: `${ROOT}/bench/results.json` },
    'verify-villages': { type: 'string' },
    // PostGraphile 5 beside the API on the same database (bench/peer, installed on first use): adds section `peer`.
    peer: { type: 'boolean', default: false },
    checkpoints: { type: 'boolean', default: false },
  },
});

const quick = args.quick;
const seconds = Number(args.seconds ?? (quick ? 3 : 10));
const levels = quick ? [1, 16] : [1, 16, 64];
const importLines = Number(args['import-lines'] ?? (quick ? 100_000 : 1_000_000));
const redFlagLines = Number(args['red-flag-lines'] ?? 50_000);
const sections = new Set((args.only ?? 'api,portal,import,redflags,export,uploads,questions,attachments').split(','));
if (args.peer) sections.add('peer');
const server = process.env.BENCH_PG_SERVER ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const databaseUrl =
  args.database ?? (process.env.DATABASE_URL || server.replace(/\/[^/]*$/, `/mingbai_bench_${args.scale}`));
const log = (s: string) => console.error(s);

/** The API's pool is 8 connections (db/src/client.ts); the floor gets the same. */
const POOL = 8;
// The import and upload cases make databases of their own; only the others read the scale's data.
const needsScale = ['api', 'portal', 'export', 'peer'].some((s) => sections.has(s));
const sql = postgres(needsScale ? databaseUrl : server, {
  max: POOL,
  onnotice: () => {},
  connection: { application_name: 'mingbai-bench' },
});
const started = Date.now();
const results: Record<string, unknown> = {
  scale: needsScale ? args.scale : null,
  database: needsScale ? new URL(databaseUrl).pathname.slice(1) : null,
  settings: { secondsPerPoint: seconds, concurrency: levels, quick, importLines, floorPool: POOL },
  machine: await machineFacts(sql),
  storage: needsScale ? await storage(sql) : null,
};
log(`bench: ${results.database ?? 'no scale database'}, ${seconds} s per point, concurrency ${levels.join('/')}`);

const months = needsScale ? await sampleMonths(sql, quick ? 500 : 2000) : [];
const { small, large } = needsScale ? await extremes(sql) : ({} as Awaited<ReturnType<typeof extremes>>);
const villages = [...new Set(months.map((m) => m.slug))];
if (needsScale) {
  results.workload = {
    months: months.length,
    villages: villages.length,
    order: 'md5(village code, year, month); months over 5,000 lines left out of the concurrency runs',
    small: `/v/${small.slug}/${small.year}-${small.month} (${small.lineCount} lines)`,
    large: `/v/${large.slug}/${large.year}-${large.month} (${large.lineCount} lines)`,
  };
}

try {
  if (sections.has('api') || sections.has('portal')) {
    const api = await startApi(databaseUrl);
    try {
      if (sections.has('api')) {
        log('1. API over HTTP beside the SQL floor');
        results.concurrency = await concurrencyRuns({
          apiUrl: api.url,
          floorSql: sql,
          months,
          villages,
          levels,
          seconds,
          log,
        });
        log('2. statements per request, small and large month');
        results.monthSizes = await monthSizes({
          apiUrl: api.url,
          floorSql: sql,
          months: { small, large },
          seconds: Math.min(seconds, 5),
        });
        log('3. statement read cost');
        results.statementRead = await statementReadCost(api.url, [small, large], Math.min(seconds, 5));
      }
      if (sections.has('portal')) {
        log('5. portal month page');
        if (!args['no-build']) buildPortal();
        const portal = await startPortal(api.url);
        try {
          // Every request a different month (2,000 of them): the portal renders each one, the worst case.
          const pids = { portal: portal.pid, api: api.pid };
          results.portal = await portalRun({
            portalUrl: portal.url,
            months,
            connections: 16,
            seconds,
            distinct: true,
            pids,
          });
          // A crowd on the same few months (a village's notice board, a news link): the portal's page cache serves.
          results.portalHot = await portalRun({
            portalUrl: portal.url,
            months: months.slice(0, 5),
            connections: 16,
            seconds,
            pids,
          });
        } finally {
          await portal.stop();
        }
      }
      results.apiPeakRssMb = Math.round((await import('./suite/procs.ts')).memoryOf(api.pid)?.peakMb ?? 0);
    } finally {
      await api.stop();
    }
  }
  if (sections.has('peer')) {
    // Always c=1, 16 and 64 (the levels), --quick or not: the peer comparison is the point of asking for it.
    log('10. this API beside PostGraphile 5 on the same database, same data asked for');
    results.peer = await peerRun({ databaseUrl, sql, months, villages, levels: [1, 16, 64], seconds, log });
  }
  if (sections.has('import')) {
    log(`4. import of a ${importLines.toLocaleString('en')}-line GBK CSV`);
    results.import = await importRun({ serverUrl: server, lines: importLines, log });
  }
  if (sections.has('redflags')) {
    log(`4b. red-flag rules over a ${redFlagLines.toLocaleString('en')}-line month, beside its import`);
    const { import: _imported, ...redFlags } = await redFlagsRun({ serverUrl: server, lines: redFlagLines, log });
    results.redFlags = redFlags;
  }
  if (sections.has('uploads')) {
    log('7. three hostile uploads at once (190 MB unzipped each) beside { __typename }');
    results.uploads = await uploadsRun({ serverUrl: server, log });
  }
  if (sections.has('questions')) {
    log('8. asking under load: 100 askQuestion at c=16 while month pages are read at c=16');
    results.questions = await questionsRun({ serverUrl: server, seconds: Math.min(seconds, 10), log });
  }
  if (sections.has('export')) {
    log('6. national month export (CSV), cold cache');
    results.export = await exportRun({ databaseUrl, sql, year: large.year, month: large.month });
  }
  if (sections.has('verify')) {
    log('9. every digest recomputed from bulk files (pnpm verify, from a mirror folder)');
    results.verify = await verifyRun({
      villages: Number(args['verify-villages'] ?? (quick ? 20 : 200)),
      vouchersPerMonth: 80,
      log,
    });
    if (args.checkpoints) {
      log('9b. signed checkpoints verified (pnpm verify --checkpoints --saved, from a mirror folder)');
      results.verifyCheckpoints = await verifyCheckpointsRun({
        villages: Number(args['verify-villages'] ?? (quick ? 20 : 200)),
        vouchersPerMonth: 80,
        log,
      });
    }
  }
  if (sections.has('attachments')) {
    log('9. receipts: a 12-megapixel photo through the image workers, 20 uploads at once beside month pages');
    results.attachments = await attachmentsRun({ serverUrl: server, seconds: Math.min(seconds, 10), log });
  }
} finally {
  await sql.end();
}
results.totalSeconds = Math.round((Date.now() - started) / 1000);
results.loadAverageAtEnd = (await import('node:os')).loadavg().map((l) => Math.round(l * 100) / 100);

writeFileSync(args.out, JSON.stringify(results, null, 2) + '\n');
console.log(renderTable(results));
log(`wrote ${args.out}`);
