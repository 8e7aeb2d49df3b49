import { queryRows, type Db } from '@mingbai/db/client';
import type { Fen } from '@mingbai/db/ledger/money';
import { accountFlow, categoryKind, isCashAccount } from '@mingbai/db/ledger/flows';
import { pageOffset, type Page, type Window } from '../graphql/relay/connection.ts';
import {
  countPublicationsSql,
  publicationFeedSql,
  publishedMonthsSql,
  revisionsOf,
  toFeedRow,
  toSums,
  toPeriod,
  type FeedDbRow,
  type FeedFilter,
  type FeedKey,
  type PeriodRow,
  type PublishedMonthWindowRow,
  type SumsColumns,
  type PublishedMonthDbRow,
  type RollupRow,
  type StatementSums,
} from './statement.sql.ts';

export interface Totals {
  openingBalanceFen: Fen;
  closingBalanceFen: Fen;
  incomeFen: Fen;
  spendingFen: Fen;
  /** Every other change of cash, by account: net inflow (credit − debit) of that account in the month. */
  otherMovements: { accountCode: string; name: string; netInflowFen: Fen }[];
}

/**
 * The statement's figures from its rollups, each account counted by `accountFlow` (flows.ts): what is not income
 * or spending but moved cash is an "other movement", so that opening + income − spending + Σ other = closing holds
 * exactly when the month's vouchers balance.
 */
export function statementTotals(rollups: RollupRow[]): Totals {
  let opening = 0n;
  let closing = 0n;
  let income = 0n;
  let spending = 0n;
  const other = new Map<string, { accountCode: string; name: string; netInflowFen: Fen }>();
  for (const r of rollups) {
    if (isCashAccount(r.topCode)) {
      opening += r.openingFen;
      closing += r.closingFen;
      continue;
    }
    const flow = accountFlow({ accountClass: r.class, accountCode: r.accountCode }, r.debitFen, r.creditFen);
    income += flow.incomeFen;
    spending += flow.spendingFen;
    if (flow.otherInflowFen !== 0n) {
      const entry = other.get(r.topCode) ?? { accountCode: r.topCode, name: r.topName, netInflowFen: 0n };
      entry.netInflowFen += flow.otherInflowFen;
      other.set(r.topCode, entry);
    }
  }
  return {
    openingBalanceFen: opening,
    closingBalanceFen: closing,
    incomeFen: income,
    spendingFen: spending,
    otherMovements: [...other.values()].filter((o) => o.netInflowFen !== 0n),
  };
}

export interface CategoryRow {
  code: string;
  name: string;
  kind: 'income' | 'spending';
  amountFen: Fen;
  subAccounts: { code: string; name: string; amountFen: Fen }[];
}

/** Income and spending by first-level account, each with its sub-accounts; empty categories left out. */
export function categories(rollups: RollupRow[]): CategoryRow[] {
  const byTop = new Map<string, CategoryRow>();
  for (const r of rollups) {
    const kind = categoryKind(r.class);
    if (!kind) continue;
    const flow = accountFlow({ accountClass: r.class, accountCode: r.accountCode }, r.debitFen, r.creditFen);
    const amount = kind === 'income' ? flow.incomeFen : flow.spendingFen;
    const cat = byTop.get(r.topCode) ?? {
      code: r.topCode,
      name: r.topName,
      kind,
      amountFen: 0n,
      subAccounts: [],
    };
    cat.amountFen += amount;
    if (r.accountCode !== r.topCode && amount !== 0n) {
      cat.subAccounts.push({ code: r.accountCode, name: r.name, amountFen: amount });
    }
    byTop.set(r.topCode, cat);
  }
  return [...byTop.values()].filter((c) => c.amountFen !== 0n).sort((a, b) => a.code.localeCompare(b.code));
}

/**
 * Published months of a village, newest first, each at its current revision (and, unless `withRevisions` is false, all
 * its published revisions, newest first); with `publishedSince`, only the months with a revision published at or after
 * it.
 */
export async function publishedMonths(
  db: Db,
  villageId: number,
  publishedSince: Date | undefined,
  window: Window,
  { withSums = false, withRevisions = true }: { withSums?: boolean; withRevisions?: boolean } = {},
): Promise<Page<PeriodRow & { revised: boolean; revisions?: PeriodRow[]; sums?: StatementSums }>> {
  const rows = await queryRows<PublishedMonthDbRow>(
    db,
    publishedMonthsSql(villageId, publishedSince, window, { withSums, withRevisions }),
  );
  const found = rows.filter((r): r is PublishedMonthWindowRow => r.village_id !== null);
  const totalCount = rows[0]?.all_total ?? 0;
  return {
    offset: pageOffset(window, found[0]?.rn, totalCount),
    totalCount,
    nodes: found.map((r) => ({
      ...toPeriod(r),
      revised: r.revision > 1,
      ...(withRevisions ? { revisions: revisionsOf(r) } : {}),
      ...(withSums && r.opening !== undefined ? { sums: toSums(r as SumsColumns) } : {}),
    })),
  };
}

export interface FeedPage {
  rows: (PeriodRow & { key: FeedKey })[];
  /** More rows beyond the page in the direction it was read. */
  more: boolean;
}

/**
 * Published revisions in publication order (published_at, then village, year, month, revision), read by keyset:
 * a page starts after a publication's key, so rows published meanwhile land at the end and never shift a page.
 */
export async function publicationFeed(
  db: Db,
  filter: FeedFilter,
  bounds: { after?: FeedKey | undefined; before?: FeedKey | undefined },
  take: number,
  fromEnd: boolean,
): Promise<FeedPage> {
  const rows = await queryRows<FeedDbRow>(db, publicationFeedSql(filter, bounds, take, fromEnd));
  const page = rows.slice(0, take).map(toFeedRow);
  return { rows: fromEnd ? page.reverse() : page, more: rows.length > take };
}

export async function countPublications(db: Db, filter: FeedFilter): Promise<number> {
  const [row] = await queryRows<{ n: number }>(db, countPublicationsSql(filter));
  return row?.n ?? 0;
}
