import { asc, inArray } from 'drizzle-orm';
import DataLoader from 'dataloader';
import { queryRows, type Db } from '@mingbai/db/client';
import { regions } from '@mingbai/db/schema/regions';
import { BATCH_PER_TICK } from '../batching.ts';
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
  };
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
    const rows = await queryRows<CategoryAmountDbRow>(
      db,
      regionSummariesSql(
        group.map((k) => k.regionId),
        year,
        month,
      ),
    );
    for (const k of group) {
      results.set(summaryKey(k), rows.filter((r) => r.region_id === k.regionId).map(toCategoryAmount));
    }
  }
  return keys.map((k) => results.get(summaryKey(k)) ?? []);
}
