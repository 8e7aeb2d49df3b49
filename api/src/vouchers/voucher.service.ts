import type { SQL } from 'drizzle-orm';
import { queryRows, type Db } from '@mingbai/db/client';
import type { FlowKind } from '@mingbai/db/ledger/flows';
import { pageOffset, type Page, type Window } from '../graphql/relay/connection.ts';
import {
  countLinesSql,
  regionLinesSql,
  regionScopeSql,
  toStatementLine,
  type LineDbRow,
  type LineFilter,
  type RegionLinesScope,
  type StatementLineRow,
} from './voucher.sql.ts';

/**
 * Statement lines over every village under a region: the current revision of each published month of the year (or
 * one month). The same classification and filters as a single statement's lines, in one statement; a second one
 * counts only when the window is past the end.
 */
export async function regionLines(
  db: Db,
  scope: RegionLinesScope,
  filter: LineFilter,
  window: Window,
): Promise<Page<StatementLineRow>> {
  const rows = await queryRows<LineDbRow & { kind: FlowKind; rn: number; total: number }>(
    db,
    regionLinesSql(scope, filter, window),
  );
  const totalCount = rows[0]?.total ?? (await countLines(db, regionScopeSql(scope), filter));
  return { offset: pageOffset(window, rows[0]?.rn, totalCount), totalCount, nodes: rows.map(toStatementLine) };
}

async function countLines(db: Db, scope: SQL, filter: LineFilter): Promise<number> {
  const [row] = await queryRows<{ n: number }>(db, countLinesSql(scope, filter));
  return row?.n ?? 0;
}
