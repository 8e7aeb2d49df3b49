// A month not yet published, as it would be published: each statement of the reviewers' reads runs inside a
// transaction that first publishes the month by the ledger's own derivation (`publishPeriod`), then is rolled back.
// Why this way rather than a second copy of the statement's SQL: see ./README.md.
import type { SQL } from 'drizzle-orm';
import type { Db } from '@mingbai/db/client';
import type { PeriodKey } from '@mingbai/db/ledger/periods';
import { publishPeriod } from '@mingbai/db/ledger/publish';
import type { Context } from '../graphql/context.ts';
import type { SqlReader } from '../sql-helpers.ts';
import { createStatementLoaders } from '../statements/statement.loader.ts';
import { PreviewStatement } from '../statements/preview-statement.ts';
import { createVoucherLoaders } from '../vouchers/voucher.loader.ts';

/** Who "publishes" inside a preview: never committed, but the ledger's audit line needs a name. */
const PREVIEW_ACTOR = 'preview';

class RolledBack extends Error {}

/** A reader whose every statement sees the month published, and leaves nothing behind. */
export function previewReader(db: Db, key: PeriodKey): SqlReader {
  return {
    async execute(query: SQL): Promise<unknown> {
      let result: unknown;
      try {
        await db.transaction(async (tx) => {
          await publishPeriod(tx, { ...key, actor: PREVIEW_ACTOR });
          result = await tx.execute(query);
          throw new RolledBack();
        });
      } catch (error) {
        if (!(error instanceof RolledBack)) throw error;
      }
      return result;
    },
  };
}

/**
 * The statement of an unpublished month as publishing it now would make it, with its own loaders: the statement's
 * figures come from one previewed read (the bundle), its lines from one more per filter. Payments keep their own
 * rows (vouchers are not derived), so the rest of the request's loaders serve them.
 */
export async function previewStatement(
  db: Db,
  loaders: Context['loaders'],
  key: PeriodKey,
): Promise<PreviewStatement | undefined> {
  const reader = previewReader(db, key);
  const own = {
    ...loaders,
    ...createStatementLoaders(reader),
    statementLines: createVoucherLoaders(reader).statementLines,
  };
  const revisions = await own.statementBundle.load(key);
  return revisions[0] && new PreviewStatement(revisions[0], revisions, own);
}
