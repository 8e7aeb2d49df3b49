import { apiError } from '../errors.ts';

/**
 * How many imports one API process runs at once, and how many may wait for a turn. Each running import has a worker
 * thread (up to WORKER_HEAP_MB of heap, one core) and a database connection; more would slow the public API for
 * everyone. Beyond the queue an upload is refused with IMPORT_BUSY (HTTP 503, Retry-After).
 */
export const IMPORT_CONCURRENCY = 2;
export const IMPORT_QUEUE = 4;
export const IMPORT_RETRY_AFTER_SECONDS = 10;

export class ImportSlots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    public concurrency: number,
    public queue: number,
  ) {}

  /** A release function once a slot is free; IMPORT_BUSY at once when the queue is full. */
  acquire(): Promise<() => void> {
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.queue) {
      return Promise.reject(
        apiError('IMPORT_BUSY', `服务器正在处理其他上传，请 ${IMPORT_RETRY_AFTER_SECONDS} 秒后再试`, {
          retryAfterSeconds: IMPORT_RETRY_AFTER_SECONDS,
          http: { status: 503, headers: new Map([['retry-after', String(IMPORT_RETRY_AFTER_SECONDS)]]) },
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
export const importSlots = new ImportSlots(IMPORT_CONCURRENCY, IMPORT_QUEUE);
