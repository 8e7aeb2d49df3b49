// What the region pages compare and look back on: the months a region has published, each village's income and
// spending for a period (the paged list), and one category's amount per village (the comparison). Every query
// takes many regions at once, so a list of regions costs one statement per field, and reads the per-account rollups
// derived at publication, so a village of 50,000 lines costs what one of 50 does.
import { sql, type SQL } from 'drizzle-orm';
import { categoryKindSql, incomeFenSql, spendingFenSql } from '@mingbai/db/ledger/flows';
import { windowSql, type Window } from '../graphql/relay/connection.ts';
import { rowValues } from '../sql-helpers.ts';

const CATEGORY_KIND = sql.raw(categoryKindSql('a.class'));
const INCOME_FEN = sql.raw(
  incomeFenSql({ accountClass: 'a.class', accountCode: 'r.account_code', creditFen: 'r.credit_fen' }),
);
const SPENDING_FEN = sql.raw(
  spendingFenSql({ accountClass: 'a.class', accountCode: 'r.account_code', debitFen: 'r.debit_fen' }),
);

/** A year, or one month of it. */
export interface Period {
  year: number;
  /** undefined: the whole year (every published month of it). */
  month: number | undefined;
}

/**
 * `wanted` (the regions asked for) and `scope` (every village under each of them, with the region it was asked
 * under). A village sits under a town, a town under a district, a district under the city.
 */
function scopeSql(regionIds: readonly number[]): SQL {
  return sql`wanted(region_id) as (values ${rowValues(regionIds.map((id) => [id]))}),
        scope as (
          select w.region_id::int as region_id, v.id as village_id, v.code, v.slug, v.name, v.town_id
            from wanted w
            join regions t on t.level = 'town'
            left join regions d on d.id = t.parent_id
            join villages v on v.town_id = t.id
           where t.id = w.region_id::int or d.id = w.region_id::int or d.parent_id = w.region_id::int
        )`;
}

/** `current`: the current revision of every published month of the period, for the villages of `villagesOf`. */
function currentSql(period: Period, villagesOf: SQL = sql`scope`): SQL {
  const monthFilter = period.month === undefined ? sql`true` : sql`p.month = ${period.month}`;
  return sql`current as materialized (
          select distinct on (p.village_id, p.month) p.village_id, p.year, p.month, p.revision
            from periods p
           where p.status = 'published' and p.year = ${period.year} and ${monthFilter}
             and p.village_id in (select village_id from ${villagesOf})
           order by p.village_id, p.month, p.revision desc
        )`;
}

// ---------------------------------------------------------------------------------------------------------------
// Published months

export interface PublishedMonthRow {
  year: number;
  month: number;
  villages: number;
}

export type PublishedMonthDbRow = PublishedMonthRow & { region_id: number };

/** The months in which any village under each region has a published revision, newest first, with how many. */
export function publishedMonthsSql(regionIds: readonly number[]): SQL {
  return sql`with ${scopeSql(regionIds)}
        select s.region_id, p.year::int as year, p.month::int as month, count(distinct p.village_id)::int as villages
          from scope s
          join periods p on p.village_id = s.village_id and p.status = 'published'
         group by s.region_id, p.year, p.month
         order by s.region_id, p.year desc, p.month desc`;
}

// ---------------------------------------------------------------------------------------------------------------
// Each village's income and spending for a period, in 区划代码 order (the same order as Region.villages)

export interface VillageTotalsRow {
  slug: string;
  name: string;
  code: string;
  townId: number;
  monthsPublished: number;
  lastMonth: number | null;
  incomeFen: bigint;
  spendingFen: bigint;
}

/** A row of the window, or with `slug` null the one row carrying the region's total when the window is empty. */
export interface VillageTotalsDbRow {
  region_id: number;
  all_total: number;
  rn: number | null;
  slug: string | null;
  name: string;
  code: string;
  town_id: number;
  months: number;
  last_month: number | null;
  income: string;
  spending: string;
}

export const toVillageTotals = (r: VillageTotalsDbRow): VillageTotalsRow => ({
  slug: r.slug!,
  name: r.name,
  code: r.code,
  townId: r.town_id,
  monthsPublished: r.months,
  lastMonth: r.last_month,
  incomeFen: BigInt(r.income),
  spendingFen: BigInt(r.spending),
});

/**
 * One window (the same for every region of the batch) of the villages under each region, with their income and
 * spending summed over the current revision of each published month of the period.
 */
export function villageTotalsSql(regionIds: readonly number[], period: Period, window: Window): SQL {
  // The window is cut first, so only the page's villages (50 of a district's 301) have their months summed.
  return sql`with ${scopeSql(regionIds)},
        numbered as (
          select s.*, row_number() over (partition by s.region_id order by s.code)::int as rn,
                 count(*) over (partition by s.region_id)::int as total
            from scope s
        ),
        page as (select * from numbered f where ${windowSql(window, sql`f.rn`, sql`f.total`)}),
        ${currentSql(period, sql`page`)},
        flows as materialized (
          select c.village_id, count(distinct c.month)::int as months, max(c.month)::int as last_month,
                 coalesce(sum(${INCOME_FEN}), 0) as income, coalesce(sum(${SPENDING_FEN}), 0) as spending
            from current c
            left join statement_rollups r on r.village_id = c.village_id and r.year = c.year and r.month = c.month
                                          and r.revision = c.revision
            left join accounts a on a.standard = r.standard and a.code = left(r.account_code, 3)
           group by c.village_id
        )
        select w.region_id::int as region_id, n.all_total, p.rn, p.slug, p.name, p.code, p.town_id,
               coalesce(f.months, 0) as months, f.last_month,
               coalesce(f.income, 0)::text as income, coalesce(f.spending, 0)::text as spending
          from wanted w
          cross join lateral (select count(*)::int as all_total from scope s where s.region_id = w.region_id::int) n
          left join page p on p.region_id = w.region_id::int
          left join flows f on f.village_id = p.village_id
         order by w.region_id, p.rn`;
}

// ---------------------------------------------------------------------------------------------------------------
// One category (or all income, or all spending) per village

export type CompareKind = 'income' | 'spending';

export interface CompareSpec {
  period: Period;
  kind: CompareKind;
  /** A first-level account (standard and 3-digit code) of that kind; undefined: every account of the kind. */
  account: { standard: string; code: string } | undefined;
}

export interface ComparedVillageRow {
  slug: string;
  name: string;
  code: string;
  monthsPublished: number;
  amountFen: bigint;
  /** 1 = the largest amount; equal amounts share a rank (1, 2, 2, 4). */
  rank: number;
}

export interface ComparisonRows {
  /** The account's name, or null when the spec names no account. */
  accountName: string | null;
  /** Whether the account exists with the kind asked for (true when no account is named). */
  accountFound: boolean;
  /** Villages with at least one published month in the period, largest amount first, then by code. */
  villages: ComparedVillageRow[];
  /** Villages under the region with no published month in the period: not compared (no data is not zero). */
  withoutData: number;
}

export interface ComparedVillageDbRow {
  region_id: number;
  account_name: string | null;
  account_found: boolean;
  without_data: number;
  slug: string | null;
  name: string;
  code: string;
  months: number;
  amount: string;
  rank: number;
}

export const toComparedVillage = (r: ComparedVillageDbRow): ComparedVillageRow => ({
  slug: r.slug!,
  name: r.name,
  code: r.code,
  monthsPublished: r.months,
  amountFen: BigInt(r.amount),
  rank: r.rank,
});

/**
 * For each region: every village under it that published a month of the period, with the amount of the category
 * summed over the current revision of those months, ranked; plus the account's name and how many villages had no
 * published month. Regions with no such village still answer one row (slug null) carrying the name and count.
 */
export function comparisonSql(regionIds: readonly number[], spec: CompareSpec): SQL {
  const amount = spec.kind === 'income' ? INCOME_FEN : SPENDING_FEN;
  // Only the rows of the category are summed (a year of a district is some 75,000 rollup rows, all kinds together).
  const category = spec.account
    ? sql`r.standard = ${spec.account.standard} and r.account_code like ${`${spec.account.code}%`}`
    : sql`${CATEGORY_KIND} = ${spec.kind}`;
  const account = spec.account
    ? sql`(select a.name from accounts a where a.standard = ${spec.account.standard} and a.code = ${spec.account.code}
             and ${CATEGORY_KIND} = ${spec.kind})`
    : sql`null::text`;
  return sql`with ${scopeSql(regionIds)}, ${currentSql(spec.period)},
        months as (select c.village_id, count(*)::int as months from current c group by c.village_id),
        sums as materialized (
          select r.village_id, sum(${amount}) as amount
            from current c
            join statement_rollups r on r.village_id = c.village_id and r.year = c.year and r.month = c.month
                                     and r.revision = c.revision
            join accounts a on a.standard = r.standard and a.code = left(r.account_code, 3)
           where ${category}
           group by r.village_id
        ),
        amounts as (
          select m.village_id, m.months, coalesce(s.amount, 0) as amount
            from months m left join sums s on s.village_id = m.village_id
        ),
        ranked as (
          select s.region_id, s.slug, s.name, s.code, m.months, m.amount::text as amount,
                 rank() over (partition by s.region_id order by m.amount desc)::int as rank
            from scope s
            join amounts m on m.village_id = s.village_id
        )
        select w.region_id::int as region_id, ${account} as account_name,
               ${spec.account ? sql`${account} is not null` : sql`true`} as account_found,
               n.without_data, k.slug, k.name, k.code, k.months, k.amount, k.rank
          from wanted w
          cross join lateral (
            select count(*)::int as without_data from scope s
             where s.region_id = w.region_id::int and s.village_id not in (select village_id from amounts)
          ) n
          left join lateral (select * from ranked k where k.region_id = w.region_id::int) k on true
         order by w.region_id, k.rank, k.code`;
}
