import DataLoader from 'dataloader';
import { queryRows, type DbOrTx } from '@mingbai/db/client';
import { BATCH_PER_TICK } from '../batching.ts';
import { groupBy } from '../sql-helpers.ts';
import { fromDbKey, revisionKey, type RevisionKey } from '../statements/period-keys.ts';
import { publishedAttachmentsSql, type PublicAttachmentRow } from './attachment.sql.ts';

/** Per request: the published attachments of every revision a page asks about, in one statement per tick. */
export function createAttachmentLoaders(db: DbOrTx) {
  return {
    publishedAttachments: new DataLoader<RevisionKey, PublicAttachmentRow[], string>(
      async (keys) => {
        const rows = await queryRows<PublicAttachmentRow>(db, publishedAttachmentsSql(keys));
        const byRevision = groupBy(rows, (r) => revisionKey(fromDbKey(r)));
        return keys.map((k) => byRevision.get(revisionKey(k)) ?? []);
      },
      { ...BATCH_PER_TICK, cacheKeyFn: revisionKey },
    ),
  };
}
