// The image pipeline's workers: a small pool of persistent worker threads (each with a capped heap), a bounded queue
// in front of them, and a deadline per file. A worker that crashes, runs out of heap or passes the deadline is
// terminated and replaced; the API goes on. Started on first use (or by `configureImagePool` at start), closed by
// `closeImagePool`; the threads are unref'd so a CLI run ends when its work does.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ProcessedUpload, Redaction } from '@mingbai/db/files/image';
import { LedgerError, type LedgerErrorCode } from '@mingbai/db/ledger/errors';
import { apiError } from '../errors.ts';

// Worker threads do not inherit tsx's loader: the worker registers it before importing its TypeScript entry.
const TSX_API = pathToFileURL(
  createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs'),
).href;
const ENTRY = new URL('./process.worker.ts', import.meta.url).href;
const BOOT = `import(${JSON.stringify(TSX_API)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(ENTRY)}); });`;

export interface ImagePoolSettings {
  /** MINGBAI_IMAGE_WORKERS, default 2 (1–16): files processed at once; each worker is one thread. */
  workers: number;
  /** MINGBAI_IMAGE_QUEUE, default 40: files waiting for a worker; past it an upload is refused (ATTACHMENT_BUSY). */
  queue: number;
  /** MINGBAI_IMAGE_TIMEOUT_MS, default 30 s: a file still processing then is stopped, its worker replaced. */
  timeoutMs: number;
  /** MINGBAI_IMAGE_WORKER_HEAP_MB, default 96: each worker's JavaScript heap (libvips' pixels live outside it). */
  heapMb: number;
  /** Tests only: the worker obeys `testJob` (exhaust its heap, hang, exit) to prove the pool survives it. */
  testHooks?: boolean;
}

export const DEFAULT_IMAGE_POOL: ImagePoolSettings = { workers: 2, queue: 40, timeoutMs: 30_000, heapMb: 96 };

type Outcome =
  | { ok: true; result: ProcessedUpload }
  | { ok: false; code: LedgerErrorCode | null; message: string; details?: Record<string, unknown> };

interface Job {
  message: Record<string, unknown>;
  transfer: ArrayBuffer[];
  resolve: (result: ProcessedUpload) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
}

export interface ImagePoolStats {
  workers: number;
  busy: number;
  queued: number;
  /** Workers replaced since start (a crash, a heap overflow, a deadline). */
  replaced: number;
  done: number;
}

class ImagePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private replaced = 0;
  private done = 0;
  private closed = false;

  constructor(readonly settings: ImagePoolSettings) {
    for (let i = 0; i < settings.workers; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(BOOT, {
      eval: true,
      workerData: { testHooks: this.settings.testHooks === true },
      resourceLimits: { maxOldGenerationSizeMb: this.settings.heapMb, maxYoungGenerationSizeMb: 16 },
    });
    worker.unref();
    const slot: Slot = { worker, job: undefined, timer: undefined };
    worker.on('message', (outcome: Outcome) => this.answer(slot, outcome));
    // Whatever ends a worker during a job ends that job with a coded refusal (the file is what did it); the cause is
    // logged. A worker that ends idle is replaced silently.
    worker.on('error', (error: Error & { code?: string }) => {
      if (slot.job) console.error('image worker failed on a file', error);
      this.fail(
        slot,
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new LedgerError('FILE_UNREADABLE', '图片太复杂，处理时超出内存上限；请缩小后上传')
          : new LedgerError('FILE_UNREADABLE', '图片处理失败，可能已损坏；请重新拍照或另存后上传'),
      );
    });
    worker.on('exit', (code) => {
      if (slot.job && !this.closed) console.error(`image worker stopped (exit code ${code}) during a file`);
      this.fail(slot, new LedgerError('FILE_UNREADABLE', '图片处理失败，可能已损坏；请重新拍照或另存后上传'));
    });
    return slot;
  }

  private answer(slot: Slot, outcome: Outcome): void {
    const job = slot.job;
    if (!job) return;
    this.finish(slot);
    this.done++;
    if (outcome.ok) job.resolve(outcome.result);
    else if (outcome.code) job.reject(new LedgerError(outcome.code, outcome.message, outcome.details ?? {}));
    else job.reject(new Error(`image worker: ${outcome.message}`));
    this.next(slot);
  }

  /** The worker is gone or going: its job (if any) fails, a fresh worker takes its place. */
  private fail(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return; // already replaced
    const job = slot.job;
    this.finish(slot);
    void slot.worker.terminate();
    if (this.closed) {
      this.slots.splice(index, 1);
    } else {
      this.replaced++;
      this.slots[index] = this.spawn();
    }
    job?.reject(error);
    if (!this.closed) this.next(this.slots[index]!);
  }

  private finish(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.job = undefined;
  }

  private next(slot: Slot): void {
    if (slot.job || this.closed) return;
    const job = this.queue.shift();
    if (!job) return;
    slot.job = job;
    slot.timer = setTimeout(
      () => this.fail(slot, new LedgerError('FILE_UNREADABLE', '图片处理超时，可能已损坏；请重新拍照或另存后上传')),
      this.settings.timeoutMs,
    );
    slot.worker.postMessage(job.message, job.transfer);
  }

  run(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<ProcessedUpload> {
    if (this.closed) return Promise.reject(new Error('the image pool is closed'));
    if (this.queue.length >= this.settings.queue) {
      return Promise.reject(
        apiError('ATTACHMENT_BUSY', `正在处理的附件太多（已有 ${this.queue.length} 个在排队），请过一会儿再上传`, {
          queued: this.queue.length,
          workers: this.settings.workers,
        }),
      );
    }
    return new Promise<ProcessedUpload>((resolve, reject) => {
      this.queue.push({ message, transfer, resolve, reject });
      const idle = this.slots.find((s) => !s.job);
      if (idle) this.next(idle);
    });
  }

  stats(): ImagePoolStats {
    return {
      workers: this.slots.length,
      busy: this.slots.filter((s) => s.job).length,
      queued: this.queue.length,
      replaced: this.replaced,
      done: this.done,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the image pool is closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

let settings: ImagePoolSettings = DEFAULT_IMAGE_POOL;
let pool: ImagePool | undefined;

/** The pool's settings from now on (the API at start, tests); a running pool is closed and the next use starts anew. */
export async function configureImagePool(next: Partial<ImagePoolSettings>): Promise<void> {
  settings = { ...settings, ...next };
  const old = pool;
  pool = undefined;
  await old?.close();
}

export async function closeImagePool(): Promise<void> {
  const old = pool;
  pool = undefined;
  await old?.close();
}

export function imagePoolStats(): ImagePoolStats | undefined {
  return pool?.stats();
}

/** Starts the workers now (the API at start), so the first upload does not wait for them to boot. */
export function startImagePool(): void {
  thePool();
}

function thePool(): ImagePool {
  pool ??= new ImagePool(settings);
  return pool;
}

/**
 * One upload through db/src/files/image.ts in a pooled worker with a heap cap and a deadline, so a hostile file costs
 * a worker, never the API: a refusal comes back as the ledger's coded error, anything else as a plain Error. The
 * bytes are copied to the worker (the caller keeps its own to store them).
 */
export function processInWorker(
  bytes: Uint8Array,
  filename: string,
  redactions: readonly Redaction[],
): Promise<ProcessedUpload> {
  return thePool().run({ bytes, filename, redactions });
}

/** Tests only (pool configured with testHooks): make a worker misbehave. */
export function testJob(kind: 'exhaust-heap' | 'hang' | 'exit'): Promise<ProcessedUpload> {
  return thePool().run({ testJob: kind });
}
