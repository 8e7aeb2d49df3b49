import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { importLedger, MAX_FILE_IMPORT_BYTES, type ImportProgress } from '../imports/import.service.ts';
import { fileSource } from '../imports/parse/stream.ts';
import { createProgress } from './progress.ts';
import { actorAs, parseMonth, withDb } from './session.ts';

interface ImportOptions {
  as: string;
  village: string;
  file: string;
  month?: string;
  dryRun: boolean;
  append: boolean;
  confirmRepeatedLines: boolean;
  timings: boolean;
}

/**
 * `pnpm cli import --as <user> --village <slug> --file <path> [--month YYYY-MM] [--dry-run] [--append]
 * [--confirm-repeated-lines]`
 */
export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description('upload a ledger file into a month: prints the JSON report, exits 1 when the file is rejected')
    .requiredOption('--as <user>', 'act as this user (accountant or director of the village)')
    .requiredOption('--village <slug>')
    .requiredOption('--file <path>')
    .option('--month <YYYY-MM>', 'the month the file is for; inferred from its dates when omitted')
    .option('--dry-run', 'validate and preview only; write nothing', false)
    .option('--append', 'add the vouchers to those already in the month instead of replacing them', false)
    .option(
      '--confirm-repeated-lines',
      'import vouchers whose every line appears twice (refused otherwise, as an export pasted in twice)',
      false,
    )
    .option('--timings', 'print the seconds and memory of each phase on stderr', false)
    .action((opts: ImportOptions) =>
      withDb(async (handle) => {
        const started = performance.now();
        let last = started;
        // CPU seconds of this process beside the wall clock: on a shared machine the wall clock mostly measures the
        // neighbours, and the difference is time spent waiting for PostgreSQL.
        let lastCpu = process.cpuUsage();
        // Rows read, rate, time left on the terminal; nothing at all when stderr is a pipe or a CI log.
        const progress = createProgress({ unit: '行' });
        const onPhase = opts.timings
          ? (phase: string) => {
              const now = performance.now();
              const cpu = process.cpuUsage(lastCpu);
              const rssMb = Math.round(process.memoryUsage.rss() / 2 ** 20);
              const cpuSeconds = ((cpu.user + cpu.system) / 1e6).toFixed(2);
              progress.clear();
              process.stderr.write(
                `${phase}\t${((now - last) / 1000).toFixed(2)} s\t${cpuSeconds} s CPU\t${rssMb} MB RSS\n`,
              );
              last = now;
              lastCpu = process.cpuUsage();
            }
          : undefined;
        const STEPS = { hash: '计算文件指纹', read: '读取', write: '检查并写入数据库' } as const;
        const onProgress = progress.active
          ? (p: ImportProgress) =>
              progress.update(
                STEPS[p.step],
                p.step === 'read' ? p.rows : undefined,
                p.step === 'write' ? undefined : p.bytes / Math.max(1, p.totalBytes),
              )
          : undefined;
        const actor = await actorAs(handle, opts.as);
        // pnpm runs scripts from the workspace root; a relative path means relative to where the user typed it.
        // Read as a stream: a million-line file never sits in memory whole.
        const source = await fileSource(resolve(process.env.INIT_CWD ?? process.cwd(), opts.file));
        const report = await importLedger(handle.db, actor, {
          villageSlug: opts.village,
          source,
          maxBytes: MAX_FILE_IMPORT_BYTES,
          filename: basename(opts.file),
          ...(opts.month ? parseMonth(opts.month) : {}),
          dryRun: opts.dryRun,
          mode: opts.append ? 'append' : 'replace',
          confirmRepeatedLines: opts.confirmRepeatedLines,
          onPhase,
          onProgress,
        }).finally(() => progress.end());
        if (onPhase) process.stderr.write(`total\t${((performance.now() - started) / 1000).toFixed(2)} s\n`);
        if (report.status === 'rejected') process.exitCode = 1;
        return { ok: report.status !== 'rejected', ...report };
      }),
    );
}
