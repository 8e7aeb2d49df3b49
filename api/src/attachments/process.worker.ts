// Runs in a worker thread (process-in-worker.ts): one upload through the image pipeline, refusals as data.
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { processUpload, type Redaction } from '@mingbai/db/files/image';
import { LedgerError } from '@mingbai/db/ledger/errors';

// libvips' own cache would keep decoded images across jobs; each worker does one job and ends.
sharp.cache(false);

const { bytes, filename, redactions } = workerData as { bytes: Uint8Array; filename: string; redactions: Redaction[] };
try {
  const result = await processUpload(bytes, filename, redactions);
  parentPort!.postMessage({ ok: true, result }, [
    result.view.bytes.buffer as ArrayBuffer,
    result.thumbnail.bytes.buffer as ArrayBuffer,
  ]);
} catch (error) {
  if (error instanceof LedgerError) {
    parentPort!.postMessage({ ok: false, code: error.code, message: error.message, details: error.details });
  } else {
    parentPort!.postMessage({ ok: false, code: null, message: error instanceof Error ? error.message : String(error) });
  }
}
