import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '@mingbai/db/client';

/** How old the mark this process knows may be: a change is seen by every process within this time. */
export const MARK_MAX_AGE_MS = 250;

/**
 * The publication mark (db/migrations/0018_public_mark.sql): a value that changes, at commit, with every change to what
 * the public can read. Read from the database at most every 250 ms, and only when asked (an idle process reads
 * nothing); concurrent askers share one read. Answers cached under a mark are served only while it is current, so once
 * a process has read a new mark no answer from before the change is served again.
 *
 * The mark is read before the work it keys (the answer is then at least as new as the mark), and from the same
 * database the answers are read from: a replica's mark never runs ahead of its data.
 */
export class PublicationMark {
  private value: string | undefined;
  private readAt = -Infinity;
  private reading: Promise<string | undefined> | undefined;

  constructor(
    private readonly read: () => Promise<string>,
    private readonly maxAgeMs = MARK_MAX_AGE_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  static of(db: Db, maxAgeMs = MARK_MAX_AGE_MS): PublicationMark {
    return new PublicationMark(async () => {
      const [row] = await queryRows<{ mark: string }>(db, sql`select n || '.' || token as mark from public_mark`);
      if (!row) throw new Error('public_mark has no row (migration 0018)');
      return row.mark;
    }, maxAgeMs);
  }

  /** The current mark, or undefined when it cannot be read (then nothing may be served from a cache). */
  async current(): Promise<string | undefined> {
    if (this.now() - this.readAt < this.maxAgeMs) return this.value;
    this.reading ??= this.refresh().finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** Forget the mark (after this process's own write), so the next request reads it again. */
  expire(): void {
    this.readAt = -Infinity;
  }

  private async refresh(): Promise<string | undefined> {
    const started = this.now();
    try {
      this.value = await this.read();
    } catch {
      this.value = undefined;
    }
    // Its age counts from when the read began: a read that took long is older already.
    this.readAt = started;
    return this.value;
  }
}
