// The file store's sweep in the API: files no attachment names (a database write that failed after the files were
// stored, an attachment removed from the month being prepared) are removed once older than the grace period. Daily
// in the API (MINGBAI_FILES_SWEEP_HOURS) and on demand: `pnpm cli sweep-files [--dry-run]`.
import type { Db } from '@mingbai/db/client';
import { sweepStore, SWEEP_GRACE_MS, type SweepReport } from '@mingbai/db/files/sweep';
import { referencedFileHashes } from '@mingbai/db/ledger/attachments';

export async function sweepFiles(
  db: Db,
  options: { graceMs?: number; dryRun?: boolean; now?: number } = {},
): Promise<SweepReport> {
  // The names are read before the folder is: a file stored after this read is younger than the grace period.
  const referenced = await referencedFileHashes(db);
  return sweepStore({ referenced, graceMs: options.graceMs ?? SWEEP_GRACE_MS, ...options });
}

/** Sweeps every `hours` (the first a minute after start); the timer never keeps the process alive. */
export function startFilesSweep(db: Db, hours: number): { stop(): void } {
  if (hours <= 0) return { stop() {} };
  const run = () =>
    sweepFiles(db).then(
      (r) => {
        if (r.removed > 0) console.log(`files sweep: removed ${r.removed} unnamed files (${r.removedBytes} bytes)`);
      },
      (error: unknown) => console.error('files sweep failed', error),
    );
  const first = setTimeout(run, 60_000);
  const every = setInterval(run, hours * 60 * 60 * 1000);
  first.unref();
  every.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(every);
    },
  };
}
