// Runs in a pooled worker thread (process-in-worker.ts): uploads through the image pipeline one after another,
// refusals as data. The pool terminates and replaces this thread when it crashes, overflows its heap or runs late.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { processUpload, type Redaction } from '@mingbai/db/files/image';
import { LedgerError } from '@mingbai/db/ledger/errors';

// libvips' cache would keep decoded images between jobs in this long-lived thread; one libvips thread per worker, so
// N workers use about N cores and the API's own thread keeps one for month pages.
sharp.cache(false);
sharp.concurrency(1);

const { testHooks } = workerData as { testHooks: boolean };

type Job =
  | { bytes?: Uint8Array; path?: string; filename: string; redactions: Redaction[]; testJob?: undefined }
  | { testJob: 'exhaust-heap' | 'hang' | 'exit' };

async function misbehave(kind: 'exhaust-heap' | 'hang' | 'exit'): Promise<never> {
  if (kind === 'exit') process.exit(3);
  if (kind === 'hang') await new Promise(() => {});
  // Large arrays kept alive: the heap limit is reached in a few steps, not after minutes of collections.
  const hoard: number[][] = [];
  for (;;) hoard.push(new Array<number>(4_000_000).fill(hoard.length + 0.5));
}

parentPort!.on('message', async (job: Job) => {
  try {
    if (job.testJob) {
      if (!testHooks) throw new Error('test jobs are off');
      await misbehave(job.testJob);
      return;
    }
    // A file on disk (the binary upload route, the CLI) is read here, in the worker: the API's thread never holds it.
    const bytes = job.path !== undefined ? readFileSync(job.path) : job.bytes!;
    const result = await processUpload(bytes, job.filename, job.redactions);
    const transfer = [result.view, result.thumbnail, ...result.pageViews].map((d) => d.bytes.buffer as ArrayBuffer);
    parentPort!.postMessage({ ok: true, result }, [...new Set(transfer)]);
  } catch (error) {
    if (error instanceof LedgerError) {
      parentPort!.postMessage({ ok: false, code: error.code, message: error.message, details: error.details });
    } else {
      parentPort!.postMessage({
        ok: false,
        code: null,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
});
