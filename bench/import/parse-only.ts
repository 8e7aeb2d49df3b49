/**
 * The import's parse alone (decode, CSV, rows, vouchers, tally, spool), without a database: for profiling where the
 * parse's seconds go.
 *
 *   node --max-old-space-size=128 --max-semi-space-size=2 --cpu-prof --import tsx bench/import/parse-only.ts FILE [DIR]
 *
 * With DIR, the spool (vouchers.tsv, lines.tsv) is left there, to compare two versions' output byte for byte.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runParse } from '../../api/src/imports/parse-job.ts';
import { fileSource } from '../../api/src/imports/parse/stream.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: parse-only.ts FILE');
// As in the CLI, whose database client keeps an AsyncLocalStorage: every promise then runs a hook.
new AsyncLocalStorage().enterWith({});
const keep = process.argv[3];
const dir = keep ?? mkdtempSync(join(tmpdir(), 'mingbai-parse-'));
try {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const outcome = await runParse(await fileSource(file), {
    filename: 'bench.csv',
    options: { maxBytes: 512 * 1024 * 1024 },
    spoolDir: dir,
  });
  const used = process.cpuUsage(cpu);
  console.log(
    JSON.stringify({
      seconds: Math.round(performance.now() - started) / 1000,
      cpuSeconds: Math.round((used.user + used.system) / 1000) / 1000,
      lines: outcome.tally.lines,
      vouchers: outcome.tally.vouchers,
      problems: outcome.ledger.problems.length,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
}
