import type { Worker } from 'node:worker_threads';
import { startWorker } from '../worker-thread.ts';
import type { ParseJob, ParseOutcome } from './parse-job.ts';

const ENTRY = new URL('./parse.worker.ts', import.meta.url);
/** How long a worker waits for the next file before it ends (then the next upload starts one again). */
const IDLE_MS = 30_000;

/**
 * One worker kept between files: starting a thread costs more than reading a small file (~0.5 s of CPU from the
 * sources, where it registers tsx; ~0.1 s from the server build). A worker that failed is never kept, and a worker is
 * kept only for files given the same heap cap.
 */
let idle: { worker: Worker; heapMb: number; timer: NodeJS.Timeout } | undefined;

function takeWorker(heapMb: number): Worker {
  if (idle?.heapMb === heapMb) {
    const { worker, timer } = idle;
    idle = undefined;
    clearTimeout(timer);
    worker.ref();
    return worker;
  }
  return startWorker(ENTRY, { resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 8 } });
}

function keepWorker(worker: Worker, heapMb: number): void {
  if (idle) {
    void worker.terminate();
    return;
  }
  // Unref'd, so a process with nothing else to do (a test file, a CLI) may end while it waits.
  worker.unref();
  const timer = setTimeout(() => {
    if (idle?.worker !== worker) return;
    idle = undefined;
    void worker.terminate();
  }, IDLE_MS).unref();
  idle = { worker, heapMb, timer };
}

/**
 * Reads an uploaded file in a worker thread with a memory cap, so that neither its memory nor its CPU time is the
 * API's: the API keeps answering while a hostile workbook is read. 'too-complex' when the worker ran out of its heap.
 */
export function parseInWorker(bytes: Uint8Array, job: ParseJob, heapMb: number): Promise<ParseOutcome | 'too-complex'> {
  return new Promise((resolve, reject) => {
    const worker = takeWorker(heapMb);
    const done = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (outcome: ParseOutcome) => {
      done();
      keepWorker(worker, heapMb);
      resolve(outcome);
    };
    const onError = (error: Error & { code?: string }) => {
      done();
      void worker.terminate();
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') resolve('too-complex');
      else reject(error);
    };
    const onExit = (code: number) => {
      done();
      reject(new Error(`the parse worker stopped (exit code ${code}) without an answer`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage({ bytes, job });
  });
}
