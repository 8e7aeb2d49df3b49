import DataLoader from 'dataloader';
import { queryRows, type DbOrTx } from '@mingbai/db/client';
import { AheadLoader, BATCH_PER_TICK } from '../batching.ts';
import { groupBy } from '../sql-helpers.ts';
import { fromDbKey, monthKey, revisionKey, type MonthKey, type RevisionKey } from '../statements/period-keys.ts';
import { publishedAttachmentsSql, type PublicAttachmentRow } from './attachment.sql.ts';

/** Per request: the published attachments of every revision a page asks about, in one statement per tick. */
export function createAttachmentLoaders(db: DbOrTx) {
  const publishedAttachments = new AheadLoader<RevisionKey, PublicAttachmentRow[]>(
    async (keys) => {
      const rows = await queryRows<PublicAttachmentRow>(db, publishedAttachmentsSql({ revisions: keys }));
      const byRevision = groupBy(rows, (r) => revisionKey(fromDbKey(r)));
      return keys.map((k) => byRevision.get(revisionKey(k)) ?? []);
    },
    { ...BATCH_PER_TICK, cacheKeyFn: revisionKey },
    monthKey,
  );
  /** The attachments of each month's current revision, read ahead with the month's statement (read-ahead.ts). */
  const currentAttachments = new DataLoader<MonthKey, PublicAttachmentRow[], string>(
    async (months) => {
      const rows = await queryRows<PublicAttachmentRow>(db, publishedAttachmentsSql({ currentOf: months }));
      const byMonth = groupBy(rows, (r) => monthKey(fromDbKey(r)));
      return months.map((k) => byMonth.get(monthKey(k)) ?? []);
    },
    { ...BATCH_PER_TICK, cacheKeyFn: monthKey },
  );
  return { publishedAttachments, currentAttachments };
}

/**
 * Reads a month's attachments with the level above the fields that show them: the given revision's, or the current
 * one's, primed under the revision `current` names (the statement read in the same statement).
 */
export function readAheadAttachments(
  loaders: ReturnType<typeof createAttachmentLoaders>,
  month: MonthKey,
  revision: number | undefined,
  current: Promise<number | undefined>,
): void {
  if (revision !== undefined) {
    loaders.publishedAttachments.load({ ...month, revision }).catch(() => {});
    return;
  }
  loaders.publishedAttachments.readAheadCurrent(
    monthKey(month),
    loaders.currentAttachments.load(month),
    current,
    (found, r) => loaders.publishedAttachments.prime({ ...month, revision: r }, found),
  );
}
