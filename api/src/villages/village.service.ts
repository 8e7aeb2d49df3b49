import { inArray, sql, type SQL } from 'drizzle-orm';
import DataLoader from 'dataloader';
import { BATCH_PER_TICK } from '../batching.ts';
import { queryRows, type Db } from '@mingbai/db/client';
import { villages } from '@mingbai/db/schema/regions';
import { pageOffset, windowSql, type Page, type Window } from '../graphql/relay/connection.ts';
import { likePattern } from '../sql-helpers.ts';
import type { RegionRow } from '../regions/region.service.ts';

export type VillageRow = typeof villages.$inferSelect;

interface RegionDbRow {
  id: number;
  parent_id: number | null;
  level: RegionRow['level'];
  code: string;
  slug: string;
  name: string;
}
const toRegion = (r: RegionDbRow): RegionRow => ({
  id: r.id,
  parentId: r.parent_id,
  level: r.level,
  code: r.code,
  slug: r.slug,
  name: r.name,
});

/** `primeRegion` receives the town and district read with a village, so pages showing them read no more SQL. */
export function createVillageLoaders(db: Db, primeRegion: (region: RegionRow) => void = () => {}) {
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
      const rows = await queryRows<{
        id: number;
        town_id: number;
        kind: VillageRow['kind'];
        code: string;
        slug: string;
        name: string;
        town: RegionDbRow;
        district: RegionDbRow | null;
      }>(
        db,
        sql`select v.id, v.town_id, v.kind, v.code, v.slug, v.name, row_to_json(t) as town, row_to_json(d) as district
              from villages v
              join regions t on t.id = v.town_id
              left join regions d on d.id = t.parent_id
             where v.slug in (${sql.join(
               slugs.map((s) => sql`${s}`),
               sql`, `,
             )})`,
      );
      for (const r of rows) {
        primeRegion(toRegion(r.town));
        if (r.district) primeRegion(toRegion(r.district));
      }
      const bySlug = new Map<string, VillageRow>(
        rows.map((r) => [
          r.slug,
          { id: r.id, townId: r.town_id, kind: r.kind, code: r.code, slug: r.slug, name: r.name },
        ]),
      );
      return slugs.map((s) => bySlug.get(s));
    }, BATCH_PER_TICK),
  };
}

export interface VillageFilter {
  /** Only villages under this region (a town, a district or a city). */
  regionId?: number | undefined;
  /** Part of the name, or the 12-digit code. */
  search?: string | undefined;
  /** Only villages that published a revision at or after this moment. */
  publishedSince?: Date | undefined;
}

/** The villages under a region, as SQL over `villages v`, `regions t` (town) and `regions d` (district). */
export function underRegion(regionId: number): SQL {
  return sql`(t.id = ${regionId} or d.id = ${regionId} or d.parent_id = ${regionId})`;
}

/**
 * Villages in 区划代码 order, with the total in the same statement. The left join keeps one row carrying the total
 * even when the window is past the end of the list.
 */
export async function findVillages(db: Db, filter: VillageFilter, window: Window): Promise<Page<VillageRow>> {
  const region = filter.regionId === undefined ? sql`true` : underRegion(filter.regionId);
  const search = filter.search?.trim()
    ? sql`(v.name ilike ${likePattern(filter.search.trim())} or v.code = ${filter.search.trim()} or v.slug = ${filter.search.trim().toLowerCase()})`
    : sql`true`;
  const since =
    filter.publishedSince === undefined
      ? sql`true`
      : sql`exists (select 1 from periods p where p.village_id = v.id and p.status = 'published'
                      and p.published_at >= ${filter.publishedSince.toISOString()}::timestamptz)`;
  const rows = await queryRows<{
    id: number | null;
    town_id: number;
    kind: 'village' | 'community';
    code: string;
    slug: string;
    name: string;
    rn: number;
    all_total: number;
  }>(
    db,
    sql`with f as (
          select v.id, v.town_id, v.kind, v.code, v.slug, v.name,
                 row_number() over (order by v.code)::int as rn, count(*) over ()::int as total
            from villages v
            join regions t on t.id = v.town_id
            left join regions d on d.id = t.parent_id
           where ${region} and ${search} and ${since}
        )
        select n.all_total, w.* from (select count(*)::int as all_total from f) n
          left join lateral (select * from f where ${windowSql(window, sql`f.rn`, sql`f.total`)} order by f.rn) w on true
         order by w.rn`,
  );
  const found = rows.filter((r) => r.id !== null);
  const totalCount = rows[0]?.all_total ?? 0;
  return {
    offset: pageOffset(window, found[0]?.rn, totalCount),
    totalCount,
    nodes: found.map((r) => ({
      id: r.id!,
      townId: r.town_id,
      kind: r.kind,
      code: r.code,
      slug: r.slug,
      name: r.name,
    })),
  };
}
