import { createHash } from 'node:crypto';
import type { Money } from './api';

/** The month page's one query: statement figures, comparisons, revisions and one page of lines. */
export const MONTH_QUERY = `query ($slug: String!, $year: Int!, $month: Int!, $revision: Int, $category: String,
    $minYuan: String, $maxYuan: String, $search: String, $orderBy: LineOrder, $after: String, $first: Int) {
  village(slug: $slug) {
    name town { name slug } district { name slug }
    statement(year: $year, month: $month, revision: $revision) {
      revision isCurrent digest publishedAt reconciled
      openingBalance { yuan } closingBalance { yuan } income { yuan } spending { yuan }
      byCategory { code name kind amount { yuan } }
      previousMonth { income { yuan } spending { yuan } }
      yearToDate { income { yuan } spending { yuan } }
      revisions { revision reason publishedAt isCurrent }
      changes { voucherNumber kind summaryBefore summaryAfter amountBefore { yuan } amountAfter { yuan } }
      lines(category: $category, minYuan: $minYuan, maxYuan: $maxYuan, search: $search, orderBy: $orderBy, after: $after, first: $first) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { node { kind date summary amount { yuan } counterparty { name isPerson } paymentMethod
          account { code name categoryName } voucher { number } } }
      }
    }
  }
}`;

export interface Line {
  kind: string;
  date: string;
  summary: string;
  amount: Money;
  counterparty: { name: string; isPerson: boolean } | null;
  paymentMethod: string;
  account: { code: string; name: string; categoryName: string };
  voucher: { number: number };
}

export interface MonthData {
  village: {
    name: string;
    town: { name: string; slug: string };
    district: { name: string; slug: string };
    statement: {
      revision: number;
      isCurrent: boolean;
      digest: string;
      publishedAt: string;
      reconciled: boolean;
      openingBalance: Money;
      closingBalance: Money;
      income: Money;
      spending: Money;
      byCategory: { code: string; name: string; kind: string; amount: Money }[];
      previousMonth: { income: Money; spending: Money } | null;
      yearToDate: { income: Money; spending: Money };
      revisions: { revision: number; reason: string | null; publishedAt: string; isCurrent: boolean }[];
      changes: {
        voucherNumber: number;
        kind: 'ADDED' | 'REMOVED' | 'CHANGED';
        summaryBefore: string | null;
        summaryAfter: string | null;
        amountBefore: Money | null;
        amountAfter: Money | null;
      }[];
      lines: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        edges: { node: Line }[];
      };
    } | null;
  } | null;
}

const ORDER: Record<string, string> = { date: 'DATE_ASC', amount: 'AMOUNT_DESC', 'amount-asc': 'AMOUNT_ASC' };

/** The page's GET parameters, as typed by a villager, turned into the query's variables. */
export function readFilters(params: URLSearchParams) {
  const text = (name: string) => {
    const value = params.get(name)?.trim();
    return value ? value.slice(0, 100) : undefined;
  };
  const amount = (name: string) => text(name)?.replace(/[,，¥￥元\s]/g, '');
  const rev = Number(params.get('rev'));
  const f = {
    category: text('category'),
    min: amount('min'),
    max: amount('max'),
    q: text('q'),
    sort: text('sort'),
    after: text('after'),
  };
  return {
    ...f,
    active: Boolean(f.category || f.min || f.max || f.q),
    hash: createHash('sha256')
      .update(JSON.stringify([f, rev || null]))
      .digest('base64url')
      .slice(0, 16),
    variables: {
      revision: Number.isInteger(rev) && rev > 0 ? rev : undefined,
      category: f.category,
      minYuan: f.min,
      maxYuan: f.max,
      search: f.q,
      orderBy: ORDER[f.sort ?? 'date'] ?? 'DATE_ASC',
      after: f.after,
      first: 50,
    },
  };
}
