// The image pipeline's workers: a small pool of persistent worker threads (each with a capped heap), a bounded queue
// in front of them, and a deadline per file. A worker that crashes, runs out of heap or passes the deadline is
// terminated and replaced; the API goes on. Started on first use (or by `configureImagePool` at start), closed by
// `closeImagePool`; the threads are unref'd so a CLI run ends when its work does.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { ProcessedUpload, Redaction } from '@mingbai/db/files/image';
import { LedgerError, type LedgerErrorCode } from '@mingbai/db/ledger/errors';
import { apiError } from '../errors.ts';
import { startWorker } from '../worker-thread.ts';

const ENTRY = new URL('./process.worker.ts', import.meta.url);

export interface ImagePoolSettings {
  /** MINGBAI_IMAGE_WORKERS, default cores − 1 (1–4; 1–16 when set): files processed at once, one thread each. */
  workers: number;
  /** MINGBAI_IMAGE_QUEUE, default 40: files waiting for a worker; past it an upload is refused (ATTACHMENT_BUSY). */
  queue: number;
  /**
   * MINGBAI_IMAGE_QUEUE_MB, default 160: the bytes of the files waiting, together; past it an upload is refused too
   * (ATTACHMENT_BUSY), so 40 files of 20 MB cannot hold 800 MB in the API. One file is always let in.
   */
  queueMb: number;
  /** MINGBAI_IMAGE_TIMEOUT_MS, default 30 s: a file still processing then is stopped, its worker replaced. */
  timeoutMs: number;
  /** MINGBAI_IMAGE_WORKER_HEAP_MB, default 96: each worker's JavaScript heap (libvips' pixels live outside it). */
  heapMb: number;
  /** Tests only: the worker obeys `testJob` (exhaust its heap, hang, exit) to prove the pool survives it. */
  testHooks?: boolean;
}

/**
 * Image workers by default: one core is left to the API's own thread (month pages), at least one worker, at most 4.
 * On a 2-core machine that is 1: with 2, both cores decoded photos during 20 uploads and month pages fell to about
 * half their rate (README, receipts bench); with 1 they keep most of it, and the uploads take longer.
 */
export function defaultImageWorkers(cores = availableParallelism()): number {
  return Math.max(1, Math.min(4, cores - 1));
}

export const DEFAULT_IMAGE_POOL: ImagePoolSettings = {
  workers: defaultImageWorkers(),
  queue: 40,
  queueMb: 160,
  timeoutMs: 30_000,
  heapMb: 96,
};

type Outcome =
  | { ok: true; result: ProcessedUpload }
  | { ok: false; code: LedgerErrorCode | null; message: string; details?: Record<string, unknown> };

interface Job {
  message: Record<string, unknown>;
  bytes: number;
  resolve: (result: ProcessedUpload) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Died idle; replaced shortly. */
  dead?: boolean;
}

export interface ImagePoolStats {
  workers: number;
  busy: number;
  queued: number;
  queuedBytes: number;
  /** Workers replaced since start (a crash, a heap overflow, a deadline). */
  replaced: number;
  done: number;
}

class ImagePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private replaced = 0;
  private queuedBytes = 0;
  private done = 0;
  private closed = false;

  constructor(readonly settings: ImagePoolSettings) {
    for (let i = 0; i < settings.workers; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = startWorker(ENTRY, {
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

  /**
   * The worker is gone or going: its job (if any) fails, a fresh worker takes its place — at once when a file killed
   * it, a second later when it died idle (a worker that cannot even start must not respawn in a tight loop).
   */
  private fail(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || slot.dead) return; // already replaced, or to be
    const job = slot.job;
    this.finish(slot);
    void slot.worker.terminate();
    if (this.closed) {
      this.slots.splice(index, 1);
      job?.reject(error);
      return;
    }
    this.replaced++;
    job?.reject(error);
    const replace = () => {
      if (this.closed || this.slots[index] !== slot) return;
      this.slots[index] = this.spawn();
      this.next(this.slots[index]!);
    };
    if (job) replace();
    else {
      slot.dead = true;
      setTimeout(replace, 1_000).unref();
    }
  }

  private finish(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.job = undefined;
  }

  private next(slot: Slot): void {
    if (slot.job || slot.dead || this.closed) return;
    const job = this.queue.shift();
    if (!job) return;
    this.queuedBytes -= job.bytes;
    slot.job = job;
    slot.timer = setTimeout(
      () => this.fail(slot, new LedgerError('FILE_UNREADABLE', '图片处理超时，可能已损坏；请重新拍照或另存后上传')),
      this.settings.timeoutMs,
    );
    slot.worker.postMessage(job.message);
  }

  run(message: Record<string, unknown>, bytes = 0): Promise<ProcessedUpload> {
    if (this.closed) return Promise.reject(new Error('the image pool is closed'));
    const full =
      this.queue.length >= this.settings.queue ||
      (this.queue.length > 0 && this.queuedBytes + bytes > this.settings.queueMb * 1024 * 1024);
    if (full) {
      return Promise.reject(
        apiError('ATTACHMENT_BUSY', `正在处理的附件太多（已有 ${this.queue.length} 个在排队），请过一会儿再上传`, {
          queued: this.queue.length,
          workers: this.settings.workers,
        }),
      );
    }
    return new Promise<ProcessedUpload>((resolve, reject) => {
      this.queuedBytes += bytes;
      this.queue.push({ message, bytes, resolve, reject });
      const idle = this.slots.find((s) => !s.job && !s.dead);
      if (idle) this.next(idle);
    });
  }

  stats(): ImagePoolStats {
    return {
      workers: this.slots.length,
      busy: this.slots.filter((s) => s.job).length,
      queued: this.queue.length,
      queuedBytes: this.queuedBytes,
      replaced: this.replaced,
      done: this.done,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queuedBytes = 0;
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
  return thePool().run({ bytes, filename, redactions }, bytes.length);
}

/**
 * The same for a file on disk (a streamed upload's temporary file, the CLI's file): only its path goes to the worker,
 * which reads it there, so the API's thread never holds the bytes. `sizeBytes` counts against the queue's bytes (the
 * temporary files waiting on disk).
 */
export function processFileInWorker(
  path: string,
  sizeBytes: number,
  filename: string,
  redactions: readonly Redaction[],
): Promise<ProcessedUpload> {
  return thePool().run({ path, filename, redactions }, sizeBytes);
}

/** Tests only (pool configured with testHooks): make a worker misbehave. */
export function testJob(kind: 'exhaust-heap' | 'hang' | 'exit'): Promise<ProcessedUpload> {
  return thePool().run({ testJob: kind });
}

/** Over this many bytes, a signed-in POST is an upload: it waits at the gate before its body is read. */
export const LARGE_BODY_BYTES = 1024 * 1024;

let admitted = 0;
const atTheGate: (() => void)[] = [];

/**
 * The gate in front of large request bodies (uploads): the body of an upload costs the API several times its size
 * while it is read, parsed and decoded (the JSON text, the Base64 string, the bytes), so only `workers + 1` are let in
 * at once — the ones being processed and the next one ready — and the rest wait unread, their data held back by TCP.
 * Past `queue` waiting, none is let in (undefined: the caller refuses with ATTACHMENT_BUSY). The release must be
 * called when the request ends, answered or not.
 */
export async function admitUpload(): Promise<(() => void) | undefined> {
  const limit = settings.workers + 1;
  if (admitted >= limit) {
    if (atTheGate.length >= settings.queue) return undefined;
    await new Promise<void>((resolve) => atTheGate.push(resolve));
  }
  admitted++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    admitted--;
    atTheGate.shift()?.();
  };
}
