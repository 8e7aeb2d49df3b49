import { asc, inArray } from 'drizzle-orm';
import DataLoader from 'dataloader';
import { queryRows, type Db } from '@mingbai/db/client';
import { regions } from '@mingbai/db/schema/regions';
import { BATCH_PER_TICK } from '../batching.ts';
import { pageOffset, type Page, type Window } from '../graphql/relay/connection.ts';
import { groupBy } from '../sql-helpers.ts';
import {
  comparisonSql,
  publishedMonthsSql,
  toComparedVillage,
  toVillageTotals,
  villageTotalsSql,
  type ComparedVillageDbRow,
  type ComparisonRows,
  type CompareSpec,
  type Period,
  type PublishedMonthDbRow,
  type PublishedMonthRow,
  type VillageTotalsDbRow,
  type VillageTotalsRow,
} from './compare.sql.ts';
import {
  regionSummariesSql,
  summaryKey,
  toCategoryAmount,
  type CategoryAmountDbRow,
  type CategoryAmountRow,
  type RegionRow,
  type SummaryKey,
} from './region.sql.ts';

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
      cacheKeyFn: summaryKey,
    }),
    publishedMonths: new DataLoader<number, PublishedMonthRow[]>(async (ids) => {
      const rows = await queryRows<PublishedMonthDbRow>(db, publishedMonthsSql(ids));
      return ids.map((id) =>
        rows.filter((r) => r.region_id === id).map(({ year, month, villages }) => ({ year, month, villages })),
      );
    }, BATCH_PER_TICK),
    villageTotals: new DataLoader<VillageTotalsKey, Page<VillageTotalsRow>, string>(
      (keys) => villageTotalsPages(db, keys),
      { ...BATCH_PER_TICK, cacheKeyFn: (k) => `${k.regionId}:${periodKey(k.period)}:${JSON.stringify(k.window)}` },
    ),
    comparison: new DataLoader<ComparisonKey, ComparisonRows, string>((keys) => comparisons(db, keys), {
      ...BATCH_PER_TICK,
      cacheKeyFn: (k) => `${k.regionId}:${specKey(k.spec)}`,
    }),
  };
}

export interface VillageTotalsKey {
  regionId: number;
  period: Period;
  window: Window;
}

export interface ComparisonKey {
  regionId: number;
  spec: CompareSpec;
}

const periodKey = (p: Period): string => `${p.year}:${p.month ?? ''}`;
const specKey = (s: CompareSpec): string =>
  `${periodKey(s.period)}:${s.kind}:${s.account ? `${s.account.standard}:${s.account.code}` : ''}`;

/** One statement per distinct (period, window) in the batch, for all its regions. */
async function villageTotalsPages(db: Db, keys: readonly VillageTotalsKey[]): Promise<Page<VillageTotalsRow>[]> {
  const pages = new Map<string, Page<VillageTotalsRow>>();
  const key = (k: VillageTotalsKey) => `${k.regionId}:${periodKey(k.period)}:${JSON.stringify(k.window)}`;
  for (const group of groupBy(keys, (k) => `${periodKey(k.period)}:${JSON.stringify(k.window)}`).values()) {
    const { period, window } = group[0]!;
    const ids = [...new Set(group.map((k) => k.regionId))];
    const rows = await queryRows<VillageTotalsDbRow>(db, villageTotalsSql(ids, period, window));
    for (const k of group) {
      const mine = rows.filter((r) => r.region_id === k.regionId);
      const totalCount = mine[0]?.all_total ?? 0;
      const nodes = mine.filter((r) => r.slug !== null);
      pages.set(key(k), {
        nodes: nodes.map(toVillageTotals),
        offset: pageOffset(window, nodes[0]?.rn ?? undefined, totalCount),
        totalCount,
      });
    }
  }
  return keys.map((k) => pages.get(key(k))!);
}

/** One statement per distinct comparison in the batch, for all its regions. */
async function comparisons(db: Db, keys: readonly ComparisonKey[]): Promise<ComparisonRows[]> {
  const results = new Map<string, ComparisonRows>();
  for (const group of groupBy(keys, (k) => specKey(k.spec)).values()) {
    const { spec } = group[0]!;
    const ids = [...new Set(group.map((k) => k.regionId))];
    const rows = await queryRows<ComparedVillageDbRow>(db, comparisonSql(ids, spec));
    for (const id of ids) {
      const mine = rows.filter((r) => r.region_id === id);
      results.set(`${id}:${specKey(spec)}`, {
        accountName: mine[0]?.account_name ?? null,
        accountFound: mine[0]?.account_found ?? false,
        withoutData: mine[0]?.without_data ?? 0,
        villages: mine.filter((r) => r.slug !== null).map(toComparedVillage),
      });
    }
  }
  return keys.map((k) => results.get(`${k.regionId}:${specKey(k.spec)}`)!);
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
    // In a transaction of its own, so planned for this region and period (db/src/client.ts: transactions do not take
    // the connections' generic plans): a region's size is what the plan must know. Tianjin scale, year to date: a
    // town 13.0 ms planned for it against 19.5 ms on the generic plan, a district 31 against 84.
    const rows = await db.transaction((tx) =>
      queryRows<CategoryAmountDbRow>(
        tx,
        regionSummariesSql(
          group.map((k) => k.regionId),
          year,
          month,
        ),
      ),
    );
    for (const k of group) {
      results.set(summaryKey(k), rows.filter((r) => r.region_id === k.regionId).map(toCategoryAmount));
    }
  }
  return keys.map((k) => results.get(summaryKey(k)) ?? []);
}
