import { createHash } from 'node:crypto';
import { parseRevision } from './format';
import type { LineOrder, MonthPageQuery } from './generated/graphql';

/** A payment or receipt as the month page and the downloads show it. */
export type Line = NonNullable<NonNullable<MonthPageQuery['village']>['statement']>['lines']['edges'][number]['node'];

const ORDER: Record<string, LineOrder> = { date: 'DATE_ASC', amount: 'AMOUNT_DESC', 'amount-asc': 'AMOUNT_ASC' };

/** The page's GET parameters, as typed by a villager, turned into the query's variables. */
export function readFilters(params: URLSearchParams) {
  const text = (name: string) => {
    const value = params.get(name)?.trim();
    return value ? value.slice(0, 100) : undefined;
  };
  const amount = (name: string) => text(name)?.replace(/[,，¥￥元\s]/g, '');
  const rev = parseRevision(params.get('rev'));
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
      .update(JSON.stringify([f, rev ?? null]))
      .digest('base64url')
      .slice(0, 16),
    variables: {
      revision: rev,
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
