// `pnpm bench:data --scale tianjin|district|tiny [--seed N] [--database mingbai_bench_x] [--force]`: resets the
// database, migrates it and fills it with published village ledgers through COPY. See README.md in this folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createProgress } from '@mingbai/api/cli/progress';
import { openDb } from '@mingbai/db/client';
import { verifyVillageChain } from '@mingbai/db/ledger/verify';
import { createRng } from '@mingbai/db/demo/random';
import { loadScaleData, targetUrl, type LoadSummary } from './load.ts';
import { SCALES } from './scales.ts';

const USAGE =
  'usage: DATABASE_URL=postgres://… pnpm bench:data --scale tianjin|district|tiny [--seed N] [--database name] [--force] [--verify N]';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: 'district' },
    seed: { type: 'string', default: '1' },
    database: { type: 'string' },
    force: { type: 'boolean', default: false },
    verify: { type: 'string', default: '20' },
  },
});

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseUrl)) {
  console.error(
    'bench:data needs a PostgreSQL server: set DATABASE_URL=postgres://user@host:5432/mingbai_bench_<name>. ' +
      'Embedded PGlite is not supported here (no COPY FROM STDIN over the wire, and 13 million lines would not fit).',
  );
  console.error(USAGE);
  process.exit(2);
}
const scale = SCALES[values.scale!];
const seed = Number(values.seed);
if (!scale || !Number.isSafeInteger(seed)) {
  console.error(USAGE);
  process.exit(2);
}

// Lines copied, rate and time left on the terminal (stderr), cleared before each logged line; nothing when piped or in CI.
const progress = createProgress({ unit: '行' });
const summary = await loadScaleData({
  databaseUrl,
  database: values.database,
  scale,
  seed,
  force: values.force,
  log: (m) => {
    progress.clear();
    console.log(m);
  },
  progress: progress.active
    ? (p) => {
        progress.update('生成并写入', p.lines, p.villages / p.totalVillages, `${p.villages}/${p.totalVillages} 个村`);
        // The steps after it (indexes, statement lines) log their own times.
        if (p.villages === p.totalVillages) progress.end();
      }
    : undefined,
}).finally(() => progress.end());
print(summary);
await verifySample(databaseUrl, summary, Number(values.verify));
const out = resolve(dirname(fileURLToPath(import.meta.url)), `../results/data-${summary.scale}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(summary, null, 2) + '\n');
console.log(`summary written to ${out}`);

function print(s: LoadSummary): void {
  const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;
  console.log(`\nscale ${s.scale}, seed ${s.seed}, database ${s.database}, months ${s.months.from}..${s.months.to}`);
  console.log(
    `places: ${s.places.districts} districts, ${s.places.towns} towns, ${s.places.villages} units ` +
      `(${s.places.communities} communities)`,
  );
  console.log('rows:');
  for (const [table, n] of Object.entries(s.rows))
    console.log(`  ${table.padEnd(18)} ${n.toLocaleString('en').padStart(12)}`);
  console.log('50,000-line months:');
  for (const b of s.bigMonths)
    console.log(`  /v/${b.slug}/${b.year}-${String(b.month).padStart(2, '0')}  ${b.lines} lines`);
  console.log('phases:');
  for (const [phase, ms] of Object.entries(s.phasesMs))
    console.log(`  ${phase.padEnd(18)} ${(ms / 1000).toFixed(1).padStart(8)} s`);
  console.log(
    `total ${(s.totalMs / 1000).toFixed(1)} s, ${s.linesPerSecond.toLocaleString('en')} lines/s overall, ` +
      `copied ${mb(s.copiedBytes)}, database ${mb(s.databaseBytes)}`,
  );
  console.log(`chain heads digest ${s.chainHeadsDigest}`);
}

/** verifyVillageChain on the 50,000-line villages and `n` others picked at random: every digest recomputed. */
async function verifySample(url: string, s: LoadSummary, n: number): Promise<void> {
  const handle = await openDb({ databaseUrl: targetUrl(url, s.database).url, poolSize: 2 });
  try {
    const started = performance.now();
    const rng = createRng(s.seed);
    const ids = new Set<number>();
    for (const b of s.bigMonths) {
      const v = await handle.db.query.villages.findFirst({ where: (t, { eq }) => eq(t.slug, b.slug) });
      ids.add(v!.id);
    }
    while (ids.size < Math.min(s.places.villages, s.bigMonths.length + n)) ids.add(rng.int(1, s.places.villages));
    let months = 0;
    for (const id of ids) {
      const report = await verifyVillageChain(handle.db, id);
      if (!report.ok) throw new Error(`village ${id}: chain broken at ${JSON.stringify(report.breaks[0])}`);
      months += report.checked;
    }
    const ms = performance.now() - started;
    console.log(`verifyVillageChain: ${ids.size} villages, ${months} months, all ok (${(ms / 1000).toFixed(1)} s)`);
  } finally {
    await handle.close();
  }
}
