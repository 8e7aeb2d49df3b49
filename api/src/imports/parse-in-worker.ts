import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ParseJob, ParseOutcome } from './parse-job.ts';

// Worker threads do not inherit tsx's loader: the worker registers it before importing its TypeScript entry.
const TSX_API = pathToFileURL(
  createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs'),
).href;
const ENTRY = new URL('./parse.worker.ts', import.meta.url).href;
const BOOT = `import(${JSON.stringify(TSX_API)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(ENTRY)}); });`;

/**
 * Reads an uploaded file in a worker thread with a memory cap, so that neither its memory nor its CPU time is the
 * API's: the API keeps answering while a hostile workbook is read. 'too-complex' when the worker ran out of its heap.
 */
export function parseInWorker(bytes: Uint8Array, job: ParseJob, heapMb: number): Promise<ParseOutcome | 'too-complex'> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(BOOT, {
      eval: true,
      workerData: { bytes, job },
      resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 8 },
    });
    let settled = false;
    worker.once('message', (outcome: ParseOutcome) => {
      settled = true;
      resolve(outcome);
      void worker.terminate();
    });
    worker.once('error', (error: Error & { code?: string }) => {
      if (settled) return;
      settled = true;
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') resolve('too-complex');
      else reject(error);
    });
    worker.once('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(new Error(`the parse worker stopped (exit code ${code}) without an answer`));
    });
  });
}
