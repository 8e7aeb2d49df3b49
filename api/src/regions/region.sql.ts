// The regions' queries: the tree itself is read through drizzle's builder (plain selects on one table); the summary
// over every village under a region is raw SQL (a recursive scope and sums by first-level account).
import { sql, type SQL } from 'drizzle-orm';
import type { regions } from '@mingbai/db/schema/regions';
import { categoryKindSql, incomeFenSql, spendingFenSql } from '@mingbai/db/ledger/flows';
import { rowValues } from '../sql-helpers.ts';

export type RegionRow = typeof regions.$inferSelect;

export interface SummaryKey {
  regionId: number;
  year: number;
  /** A single month, or the whole year to date when undefined. */
  month: number | undefined;
}

export const summaryKey = (k: SummaryKey): string => `${k.regionId}:${k.year}:${k.month ?? ''}`;

export interface CategoryAmountRow {
  standard: string;
  topCode: string;
  name: string;
  kind: 'income' | 'spending';
  amountFen: bigint;
  villages: number;
}

export interface CategoryAmountDbRow {
  region_id: number;
  standard: string;
  top_code: string;
  name: string;
  kind: 'income' | 'spending';
  amount: string;
  villages: number;
}

export const toCategoryAmount = (r: CategoryAmountDbRow): CategoryAmountRow => ({
  standard: r.standard,
  topCode: r.top_code,
  name: r.name,
  kind: r.kind,
  amountFen: BigInt(r.amount),
  villages: r.villages,
});

const CATEGORY_KIND = sql.raw(categoryKindSql('a.class'));
const INCOME_FEN = sql.raw(
  incomeFenSql({ accountClass: 'a.class', accountCode: 'r.account_code', creditFen: 'r.credit_fen' }),
);
const SPENDING_FEN = sql.raw(
  spendingFenSql({ accountClass: 'a.class', accountCode: 'r.account_code', debitFen: 'r.debit_fen' }),
);

/**
 * Income and spending by first-level account over every village under each region, from the current revision of
 * each published month of one period (a month, or the year to date when `month` is undefined).
 */
export function regionSummariesSql(regionIds: readonly number[], year: number, month: number | undefined): SQL {
  const monthFilter = month === undefined ? sql`true` : sql`p.month = ${month}`;
  return sql`with wanted(region_id) as (values ${rowValues(regionIds.map((id) => [id]))}),
        scope as (
          select w.region_id::int as region_id, v.id as village_id
            from wanted w
            join regions t on true
            left join regions d on d.id = t.parent_id
            join villages v on v.town_id = t.id
           where t.level = 'town' and (t.id = w.region_id::int or d.id = w.region_id::int or d.parent_id = w.region_id::int)
        ),
        current as (
          select distinct on (p.village_id, p.month) p.village_id, p.year, p.month, p.revision
            from periods p
           where p.status = 'published' and p.year = ${year} and ${monthFilter}
             and p.village_id in (select village_id from scope)
           order by p.village_id, p.month, p.revision desc
        )
        select s.region_id, r.standard, a.code as top_code, a.name, ${CATEGORY_KIND} as kind,
               sum(${INCOME_FEN} + ${SPENDING_FEN})::text as amount,
               count(distinct s.village_id)::int as villages
          from scope s
          join current c on c.village_id = s.village_id
          join statement_rollups r on r.village_id = c.village_id and r.year = c.year and r.month = c.month
                                   and r.revision = c.revision
          join accounts a on a.standard = r.standard and a.code = left(r.account_code, 3)
         where ${CATEGORY_KIND} is not null
         group by s.region_id, r.standard, a.code, a.name, a.class
         order by s.region_id, a.class desc, a.code`;
}
