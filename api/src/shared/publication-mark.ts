import { sql } from 'drizzle-orm';
import { FreshValue } from '@mingbai/common/fresh-value';
import { queryRows, type Db } from '@mingbai/db/client';

/** How old the mark this process knows may be: a change is seen by every process within this time. */
export const MARK_MAX_AGE_MS = 250;

/**
 * The publication mark (db/migrations/0018_public_mark.sql): a value that changes, at commit, with every change to what
 * the public can read. Read from the database at most every 250 ms, and only when asked (an idle process reads
 * nothing); concurrent askers share one read (`FreshValue` of @mingbai/common: the portal keeps its copy alike). Answers cached under a mark are served only while it is current, so once
 * a process has read a new mark no answer from before the change is served again.
 *
 * The mark is read before the work it keys (the answer is then at least as new as the mark), and from the same
 * database the answers are read from: a replica's mark never runs ahead of its data.
 */
export class PublicationMark extends FreshValue<string> {
  constructor(read: () => Promise<string>, maxAgeMs = MARK_MAX_AGE_MS, now?: () => number) {
    super(read, maxAgeMs, now);
  }

  static of(db: Db, maxAgeMs = MARK_MAX_AGE_MS): PublicationMark {
    return new PublicationMark(async () => {
      const [row] = await queryRows<{ mark: string }>(db, sql`select n || '.' || token as mark from public_mark`);
      if (!row) throw new Error('public_mark has no row (migration 0018)');
      return row.mark;
    }, maxAgeMs);
  }

  // current(): the mark, or undefined when it cannot be read (then nothing may be served from a cache).
  // expire(): forget it after this process's own write, so the next request reads it again.
}
