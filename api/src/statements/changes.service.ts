import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '@mingbai/db/client';
import type { Fen } from '@mingbai/db/ledger/money';
import { groupBy, rowValues } from '../sql-helpers.ts';
import type { RevisionKey } from './statement.service.ts';

export interface VoucherChange {
  number: number;
  kind: 'added' | 'removed' | 'changed';
  summaryBefore: string | null;
  summaryAfter: string | null;
  amountBeforeFen: Fen | null;
  amountAfterFen: Fen | null;
}

export interface ChangeDbRow {
  village_id: number;
  year: number;
  month: number;
  revision: number;
  voucher_number: number;
  kind: VoucherChange['kind'];
  summary_before: string | null;
  summary_after: string | null;
  amount_before_fen: string | null;
  amount_after_fen: string | null;
}

const revisionKey = (k: RevisionKey) => `${k.villageId}:${k.year}:${k.month}:${k.revision}`;

/**
 * What corrections changed: the vouchers of each revision against the one before, by number, as the public sees
 * them, derived when the correction was published (`statement_changes`). First revisions have none.
 */
export async function revisionChanges(db: Db, keys: readonly RevisionKey[]): Promise<VoucherChange[][]> {
  const wanted = keys.filter((k) => k.revision > 1);
  if (wanted.length === 0) return keys.map(() => []);
  const rows = await queryRows<ChangeDbRow>(
    db,
    sql`select c.village_id, c.year, c.month, c.revision, c.voucher_number, c.kind, c.summary_before, c.summary_after,
               c.amount_before_fen::text, c.amount_after_fen::text
          from statement_changes c
         where (c.village_id, c.year, c.month, c.revision) in
               (${rowValues(wanted.map((k) => [k.villageId, k.year, k.month, k.revision]))})
         order by c.voucher_number`,
  );
  const byKey = groupBy(rows, (r) =>
    revisionKey({ villageId: r.village_id, year: r.year, month: r.month, revision: r.revision }),
  );
  return keys.map((k) => (byKey.get(revisionKey(k)) ?? []).map(toChange));
}

export function toChange(r: ChangeDbRow): VoucherChange {
  return {
    number: r.voucher_number,
    kind: r.kind,
    summaryBefore: r.summary_before,
    summaryAfter: r.summary_after,
    amountBeforeFen: r.amount_before_fen === null ? null : BigInt(r.amount_before_fen),
    amountAfterFen: r.amount_after_fen === null ? null : BigInt(r.amount_after_fen),
  };
}
