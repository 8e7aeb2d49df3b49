import type { SQL } from 'drizzle-orm';
import { queryRows, type Db } from '@mingbai/db/client';
import type { FlowKind } from '@mingbai/db/ledger/flows';
import { pageOffset, type Page, type Window } from '../graphql/relay/connection.ts';
import type { RevisionKey } from '../statements/period-keys.ts';
import {
  countLinesSql,
  publishedLinesSql,
  publishedScopeSql,
  toStatementLine,
  type LineDbRow,
  type LineFilter,
  type PublishedLinesScope,
  type StatementLineRow,
  toVoucher,
  type VoucherRow,
  vouchersOfRevisionSql,
} from './voucher.sql.ts';

/**
 * Statement lines over published months: every village under a region (Region.lines) or one village across its years
 * (Village.lines), the current revision of each month. The same classification and filters as a single statement's
 * lines, in one statement; a second one counts only when the window is past the end.
 */
export async function publishedLines(
  db: Db,
  scope: PublishedLinesScope,
  filter: LineFilter,
  window: Window,
): Promise<Page<StatementLineRow>> {
  const rows = await queryRows<LineDbRow & { kind: FlowKind; rn: number; total: number }>(
    db,
    publishedLinesSql(scope, filter, window),
  );
  const totalCount = rows[0]?.total ?? (await countLines(db, publishedScopeSql(scope), filter));
  return { offset: pageOffset(window, rows[0]?.rn, totalCount), totalCount, nodes: rows.map(toStatementLine) };
}

async function countLines(db: Db, scope: SQL, filter: LineFilter): Promise<number> {
  const [row] = await queryRows<{ n: number }>(db, countLinesSql(scope, filter));
  return row?.n ?? 0;
}

/**
 * A page of one revision's vouchers by number, whatever its status: for the committee's review of a month not yet
 * public. The caller has checked that the actor may read it.
 */
export async function vouchersOfRevision(db: Db, key: RevisionKey, window: Window): Promise<Page<VoucherRow>> {
  const rows = await queryRows<{ total: number } & (LineDbRow & { rn: number })>(
    db,
    vouchersOfRevisionSql(key, window),
  );
  const found = rows.filter((r) => r.rn !== null);
  const totalCount = rows[0]?.total ?? 0;
  return { offset: pageOffset(window, found[0]?.rn, totalCount), totalCount, nodes: found.map(toVoucher) };
}
