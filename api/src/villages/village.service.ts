import { inArray, sql } from 'drizzle-orm';
import DataLoader from 'dataloader';
import { BATCH_PER_TICK } from '../batching.ts';
import { queryRows, type Db } from '@mingbai/db/client';
import { villages } from '@mingbai/db/schema/regions';
import type { Page, Window } from '../relay/connection.ts';
import { likePattern } from '../sql-helpers.ts';

export type VillageRow = typeof villages.$inferSelect;

export function createVillageLoaders(db: Db) {
  return {
    villageById: new DataLoader<number, VillageRow | undefined>(async (ids) => {
      const rows = await db
        .select()
        .from(villages)
        .where(inArray(villages.id, [...ids]));
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id));
    }, BATCH_PER_TICK),
    villageBySlug: new DataLoader<string, VillageRow | undefined>(async (slugs) => {
      const rows = await db
        .select()
        .from(villages)
        .where(inArray(villages.slug, [...slugs]));
      const bySlug = new Map(rows.map((r) => [r.slug, r]));
      return slugs.map((s) => bySlug.get(s));
    }, BATCH_PER_TICK),
  };
}

export interface VillageFilter {
  /** Only villages under this region (a town, a district or a city). */
  regionId?: number | undefined;
  /** Part of the name, or the 12-digit code. */
  search?: string | undefined;
}

/** Villages in 区划代码 order, with the total in the same statement. */
export async function findVillages(db: Db, filter: VillageFilter, window: Window): Promise<Page<VillageRow>> {
  const region =
    filter.regionId === undefined
      ? sql`true`
      : sql`(t.id = ${filter.regionId} or d.id = ${filter.regionId} or d.parent_id = ${filter.regionId})`;
  const search = filter.search?.trim()
    ? sql`(v.name ilike ${likePattern(filter.search.trim())} or v.code = ${filter.search.trim()} or v.slug = ${filter.search.trim().toLowerCase()})`
    : sql`true`;
  const rows = await queryRows<{
    id: number;
    town_id: number;
    kind: 'village' | 'community';
    code: string;
    slug: string;
    name: string;
    total: number;
  }>(
    db,
    sql`select v.id, v.town_id, v.kind, v.code, v.slug, v.name, count(*) over ()::int as total
          from villages v
          join regions t on t.id = v.town_id
          left join regions d on d.id = t.parent_id
         where ${region} and ${search}
         order by v.code
         limit ${window.limit} offset ${window.offset}`,
  );
  const totalCount = rows[0]?.total ?? (window.offset > 0 ? await countVillages(db, region, search) : 0);
  return {
    offset: window.offset,
    totalCount,
    nodes: rows.map((r) => ({ id: r.id, townId: r.town_id, kind: r.kind, code: r.code, slug: r.slug, name: r.name })),
  };
}

/** Only needed when the page is past the end, where the windowed count has no row to ride on. */
async function countVillages(db: Db, region: ReturnType<typeof sql>, search: ReturnType<typeof sql>): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from villages v join regions t on t.id = v.town_id
          left join regions d on d.id = t.parent_id where ${region} and ${search}`,
  );
  return row?.n ?? 0;
}
