import { apiError } from '../errors.ts';

/**
 * The bounds of one API process's imports. Each running import has a worker thread (one core, its heap capped) and a
 * database connection; more at once would slow the public API for everyone. Tests change them and put them back.
 */
export const importLimits = {
  /** Imports running at once. */
  concurrency: 2,
  /** Imports waiting for a turn; beyond them an upload is refused with IMPORT_BUSY (HTTP 503, Retry-After). */
  queue: 4,
  retryAfterSeconds: 10,
  /**
   * The heap a worker may use to read one upload (V8's old generation; the young one is 8 MB). A file that needs more
   * is refused as FILE_TOO_COMPLEX. Reading holds one chunk of the file, an xlsx's shared strings and a few numbers per
   * voucher, and on PGlite the vouchers themselves.
   */
  workerHeapMb: 128,
};

export class ImportSlots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  /** A release function once a slot is free; IMPORT_BUSY at once when the queue is full. */
  acquire(): Promise<() => void> {
    if (this.active < importLimits.concurrency) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= importLimits.queue) {
      const seconds = importLimits.retryAfterSeconds;
      return Promise.reject(
        apiError('IMPORT_BUSY', `服务器正在处理其他上传，请 ${seconds} 秒后再试`, {
          retryAfterSeconds: seconds,
          http: { status: 503, headers: new Map([['retry-after', String(seconds)]]) },
        }),
      );
    }
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.active++;
        resolve(this.releaser());
      }),
    );
  }

  get running(): number {
    return this.active;
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.();
    };
  }
}

/** The process's slots. */
export const importSlots = new ImportSlots();
