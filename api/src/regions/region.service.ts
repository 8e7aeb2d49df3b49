import { asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import DataLoader from 'dataloader';
import { BATCH_PER_TICK } from '../batching.ts';
import { queryRows, type Db } from '@mingbai/db/client';
import { regions } from '@mingbai/db/schema/regions';
import { rowValues } from '../sql-helpers.ts';
import { categoryKindSql, incomeFenSql, spendingFenSql } from '@mingbai/db/ledger/flows';

export type RegionRow = typeof regions.$inferSelect;

const CATEGORY_KIND = sql.raw(categoryKindSql('a.class'));
const INCOME_FEN = sql.raw(
  incomeFenSql({ accountClass: 'a.class', accountCode: 'r.account_code', creditFen: 'r.credit_fen' }),
);
const SPENDING_FEN = sql.raw(
  spendingFenSql({ accountClass: 'a.class', accountCode: 'r.account_code', debitFen: 'r.debit_fen' }),
);

export function createRegionLoaders(db: Db) {
  return {
    regionById: new DataLoader<number, RegionRow | undefined>(async (ids) => {
      const rows = await db
        .select()
        .from(regions)
        .where(inArray(regions.id, [...ids]));
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id));
    }, BATCH_PER_TICK),
    regionBySlug: new DataLoader<string, RegionRow | undefined>(async (slugs) => {
      const rows = await db
        .select()
        .from(regions)
        .where(inArray(regions.slug, [...slugs]));
      const bySlug = new Map(rows.map((r) => [r.slug, r]));
      return slugs.map((s) => bySlug.get(s));
    }, BATCH_PER_TICK),
    childrenOf: new DataLoader<number, RegionRow[]>(async (ids) => {
      const rows = await db
        .select()
        .from(regions)
        .where(inArray(regions.parentId, [...ids]))
        .orderBy(asc(regions.code));
      return ids.map((id) => rows.filter((r) => r.parentId === id));
    }, BATCH_PER_TICK),
    summary: new DataLoader<SummaryKey, CategoryAmountRow[], string>((keys) => regionSummaries(db, keys), {
      cacheKeyFn: (k) => `${k.regionId}:${k.year}:${k.month ?? ''}`,
    }),
  };
}

export async function rootRegions(db: Db): Promise<RegionRow[]> {
  return db.select().from(regions).where(isNull(regions.parentId)).orderBy(asc(regions.code));
}

export async function regionBySlug(db: Db, slug: string): Promise<RegionRow | undefined> {
  const [row] = await db.select().from(regions).where(eq(regions.slug, slug));
  return row;
}

export interface SummaryKey {
  regionId: number;
  year: number;
  /** A single month, or the whole year to date when undefined. */
  month: number | undefined;
}

export interface CategoryAmountRow {
  standard: string;
  topCode: string;
  name: string;
  kind: 'income' | 'spending';
  amountFen: bigint;
  villages: number;
}

/**
 * Income and spending by first-level account over every village under the regions, from the current revision of each
 * published month. One query per distinct period in the batch.
 */
async function regionSummaries(db: Db, keys: readonly SummaryKey[]): Promise<CategoryAmountRow[][]> {
  const results = new Map<string, CategoryAmountRow[]>();
  const periodsInBatch = new Map<string, SummaryKey[]>();
  for (const k of keys) {
    const p = `${k.year}:${k.month ?? ''}`;
    periodsInBatch.set(p, [...(periodsInBatch.get(p) ?? []), k]);
  }
  for (const group of periodsInBatch.values()) {
    const { year, month } = group[0]!;
    const monthFilter = month === undefined ? sql`true` : sql`p.month = ${month}`;
    const rows = await queryRows<{
      region_id: number;
      standard: string;
      top_code: string;
      name: string;
      kind: 'income' | 'spending';
      amount: string;
      villages: number;
    }>(
      db,
      sql`with wanted(region_id) as (values ${rowValues(group.map((k) => [k.regionId]))}),
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
         order by s.region_id, a.class desc, a.code`,
    );
    for (const k of group) {
      results.set(
        `${k.regionId}:${k.year}:${k.month ?? ''}`,
        rows
          .filter((r) => r.region_id === k.regionId)
          .map((r) => ({
            standard: r.standard,
            topCode: r.top_code,
            name: r.name,
            kind: r.kind,
            amountFen: BigInt(r.amount),
            villages: r.villages,
          })),
      );
    }
  }
  return keys.map((k) => results.get(`${k.regionId}:${k.year}:${k.month ?? ''}`) ?? []);
}
