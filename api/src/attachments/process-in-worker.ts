import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ProcessedUpload, Redaction } from '@mingbai/db/files/image';
import { LedgerError, type LedgerErrorCode } from '@mingbai/db/ledger/errors';

// Worker threads do not inherit tsx's loader: the worker registers it before importing its TypeScript entry.
const TSX_API = pathToFileURL(
  createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs'),
).href;
const ENTRY = new URL('./process.worker.ts', import.meta.url).href;
const BOOT = `import(${JSON.stringify(TSX_API)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(ENTRY)}); });`;

/** Images processed at once in this process; more wait their turn (20 photos at once queue, month pages go on). */
export const IMAGE_SLOTS = 2;
/** The worker's JavaScript heap; the decoded pixels live in libvips, bounded by the pixel limit (MAX_PIXELS). */
const HEAP_MB = 96;
/** A file that takes longer than this to decode and encode is stopped. */
const TIMEOUT_MS = 30_000;

let running = 0;
const waiting: (() => void)[] = [];

async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= IMAGE_SLOTS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

type Outcome =
  | { ok: true; result: ProcessedUpload }
  | { ok: false; code: LedgerErrorCode | null; message: string; details?: Record<string, unknown> };

/**
 * One upload through db/src/files/image.ts in a worker thread with a heap cap and a deadline, so a hostile file costs
 * the worker, never the API: a refusal comes back as the ledger's coded error, anything else as a plain Error.
 */
export function processInWorker(
  bytes: Uint8Array,
  filename: string,
  redactions: readonly Redaction[],
): Promise<ProcessedUpload> {
  return slot(
    () =>
      new Promise<ProcessedUpload>((resolve, reject) => {
        const worker = new Worker(BOOT, {
          eval: true,
          workerData: { bytes, filename, redactions },
          resourceLimits: { maxOldGenerationSizeMb: HEAP_MB, maxYoungGenerationSizeMb: 16 },
        });
        let settled = false;
        const settle = (fn: () => void) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          fn();
          void worker.terminate();
        };
        const timer = setTimeout(
          () =>
            settle(() =>
              reject(new LedgerError('FILE_UNREADABLE', '图片处理超时，可能已损坏；请重新拍照或另存后上传')),
            ),
          TIMEOUT_MS,
        );
        worker.once('message', (outcome: Outcome) =>
          settle(() => {
            if (outcome.ok) resolve(outcome.result);
            else if (outcome.code) reject(new LedgerError(outcome.code, outcome.message, outcome.details ?? {}));
            else reject(new Error(`image worker: ${outcome.message}`));
          }),
        );
        worker.once('error', (error: Error & { code?: string }) =>
          settle(() =>
            error.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? reject(new LedgerError('FILE_UNREADABLE', '图片太复杂，处理时超出内存上限；请缩小后上传'))
              : reject(error),
          ),
        );
        worker.once('exit', (code) =>
          settle(() => reject(new Error(`the image worker stopped (exit code ${code}) without an answer`))),
        );
      }),
  );
}
