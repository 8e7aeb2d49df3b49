// The store's sweep: files no attachment names any more are removed. An upload stores its files before the rows that
// name them are written (so a refused file stores nothing and a row never names a missing file); when that write
// fails, or an attachment is removed from the month being prepared, its files are left behind. A file is removed
// only when it is older than the grace period (an upload in flight has touched its files moments ago: putFile
// refreshes the time of a file it finds already stored), and half-written `.part` files likewise.
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { currentFilesDir } from './store.ts';

/** Files younger than this are kept whatever names them: an upload between storing and writing its row. */
export const SWEEP_GRACE_MS = 60 * 60 * 1000;

export interface SweepReport {
  kept: number;
  removed: number;
  removedBytes: number;
  /** Files left because they are younger than the grace period (named by nothing yet). */
  tooYoung: number;
}

const HASH = /^[0-9a-f]{64}$/;
const PART = /^[0-9a-f]{64}\.[0-9a-f]{12}\.part$/;
const FAN = /^[0-9a-f]{2}$/;
const UPLOAD = /^[0-9a-f]{24}\.upload$/;

/** Removes every stored file not in `referenced` and older than `graceMs` (a `dryRun` only counts). */
export function sweepStore(options: {
  referenced: ReadonlySet<string>;
  graceMs?: number;
  now?: number;
  dryRun?: boolean;
}): SweepReport {
  const root = currentFilesDir();
  const cutoff = (options.now ?? Date.now()) - (options.graceMs ?? SWEEP_GRACE_MS);
  const report: SweepReport = { kept: 0, removed: 0, removedBytes: 0, tooYoung: 0 };
  /** Removes a file older than the grace period (counted either way); one already gone is skipped. */
  const removeIfOld = (path: string): void => {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return;
    }
    if (stat.mtimeMs > cutoff) {
      report.tooYoung++;
      return;
    }
    if (!options.dryRun) {
      try {
        unlinkSync(path);
      } catch {
        return;
      }
    }
    report.removed++;
    report.removedBytes += stat.size;
  };
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  for (const a of list(root).filter((n) => FAN.test(n))) {
    for (const b of list(join(root, a)).filter((n) => FAN.test(n))) {
      const dir = join(root, a, b);
      for (const name of list(dir)) {
        const isHash = HASH.test(name);
        if (!isHash && !PART.test(name)) continue; // not ours: left alone
        if (isHash && options.referenced.has(name)) {
          report.kept++;
          continue;
        }
        removeIfOld(join(dir, name));
      }
    }
  }
  // The upload route's temporary files (store.ts uploadTemporaryPath): each request removes its own, but an API
  // killed mid-upload leaves one behind.
  const uploads = join(root, 'uploads');
  for (const name of list(uploads).filter((n) => UPLOAD.test(n))) removeIfOld(join(uploads, name));
  return report;
}
