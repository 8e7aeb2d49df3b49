import type { SQL } from 'drizzle-orm';
import { queryRows, type Db } from '@mingbai/db/client';
import type { FlowKind } from '@mingbai/db/ledger/flows';
import { parseYuan } from '@mingbai/db/ledger/money';
import { badInput } from '../errors.ts';
import { pageOffset, type Page, type Window } from '../graphql/relay/connection.ts';
import type { RevisionKey } from '../statements/period-keys.ts';
import {
  countLinesSql,
  publishedLinesSql,
  publishedScopeSql,
  toStatementLine,
  type LineDbRow,
  type LineFilter,
  type LineSort,
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

/** The arguments of a `lines` field, as GraphQL hands them over (the enums by their values). */
export interface LineArgsShape {
  category?: string | null | undefined;
  kind?: FlowKind | null | undefined;
  minYuan?: string | null | undefined;
  maxYuan?: string | null | undefined;
  search?: string | null | undefined;
  orderBy?: string | null | undefined;
}

/** A `lines` field's filter from its arguments, refused with BAD_USER_INPUT when they cannot be one. */
/** The fields of a line that read its voucher's other lines (`LineFilter.lean` when none is asked). */
export const LINE_DETAIL = new Set(['counterparty', 'paymentMethod']);

export function lineFilter(args: LineArgsShape): LineFilter {
  if (args.category !== undefined && args.category !== null && !/^[0-9]{1,9}$/.test(args.category)) {
    throw badInput('科目应为数字编码，如 514 或 51401', 'category');
  }
  const amount = (text: string | undefined | null, name: string) => {
    if (text === undefined || text === null || text === '') return undefined;
    const fen = parseYuan(text);
    if (fen === undefined || fen < 0n)
      throw badInput(`${name} 应为不小于零的金额（元），最多两位小数，如 "1000.50"`, name);
    return fen;
  };
  if (args.search !== undefined && args.search !== null && args.search.length > 100) {
    throw badInput('查找文字不能超过 100 个字', 'search');
  }
  return {
    category: args.category ?? undefined,
    kind: args.kind ?? undefined,
    minFen: amount(args.minYuan, 'minYuan'),
    maxFen: amount(args.maxYuan, 'maxYuan'),
    search: args.search ?? undefined,
    sort: (args.orderBy ?? 'date_asc') as LineSort,
  };
}
