// Every query the villages read: by slug (with the town and district, which pages show beside a village) and the
// paged, filtered list. Raw SQL where it reads more clearly (`row_to_json`, window functions); rows typed from the
// drizzle schema.
import { sql, type SQL } from 'drizzle-orm';
import type { villages } from '@mingbai/db/schema/regions';
import { windowSql, type Window } from '../graphql/relay/connection.ts';
import { anyText, keysIn, likePattern } from '../sql-helpers.ts';
import type { RegionRow } from '../regions/region.sql.ts';

export type VillageRow = typeof villages.$inferSelect;

/** A region as `row_to_json(regions)` spells it. */
interface RegionDbRow {
  id: number;
  parent_id: number | null;
  level: RegionRow['level'];
  code: string;
  slug: string;
  name: string;
  question_due_days: number | null;
}

export const toRegion = (r: RegionDbRow): RegionRow => ({
  id: r.id,
  parentId: r.parent_id,
  level: r.level,
  code: r.code,
  slug: r.slug,
  name: r.name,
  questionDueDays: r.question_due_days ?? null,
});

export interface VillageDbRow {
  id: number;
  town_id: number;
  kind: VillageRow['kind'];
  code: string;
  slug: string;
  name: string;
}

export const toVillage = (r: VillageDbRow): VillageRow => ({
  id: r.id,
  townId: r.town_id,
  kind: r.kind,
  code: r.code,
  slug: r.slug,
  name: r.name,
});

export type VillageWithRegionsDbRow = VillageDbRow & { town: RegionDbRow; district: RegionDbRow | null };

export function villagesBySlugSql(slugs: readonly string[]): SQL {
  return sql`select v.id, v.town_id, v.kind, v.code, v.slug, v.name, row_to_json(t) as town, row_to_json(d) as district
              from villages v
              join regions t on t.id = v.town_id
              left join regions d on d.id = t.parent_id
             where ${anyText('v.slug', slugs)}`;
}

/** Villages by id (one statement text for one id, another for any number of them). */
export function villagesByIdSql(ids: readonly number[]): SQL {
  return sql`select v.id, v.town_id, v.kind, v.code, v.slug, v.name from villages v
             where ${keysIn(
               'v.id',
               ids.map((id) => [id]),
             )}`;
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

/** A row of the window, or with `id` null the one row carrying the total when the window is past the end. */
export type VillagePageDbRow = Omit<VillageDbRow, 'id'> & { id: number | null; rn: number; all_total: number };

/**
 * Villages in 区划代码 order, with the total in the same statement. The left join keeps one row carrying the total
 * even when the window is past the end of the list.
 */
export function findVillagesSql(filter: VillageFilter, window: Window): SQL {
  const region = filter.regionId === undefined ? sql`true` : underRegion(filter.regionId);
  const search = filter.search?.trim()
    ? sql`(v.name ilike ${likePattern(filter.search.trim())} or v.code = ${filter.search.trim()} or v.slug = ${filter.search.trim().toLowerCase()})`
    : sql`true`;
  const since =
    filter.publishedSince === undefined
      ? sql`true`
      : sql`exists (select 1 from periods p where p.village_id = v.id and p.status = 'published'
                      and p.published_at >= ${filter.publishedSince.toISOString()}::timestamptz)`;
  return sql`with f as (
          select v.id, v.town_id, v.kind, v.code, v.slug, v.name,
                 row_number() over (order by v.code)::int as rn, count(*) over ()::int as total
            from villages v
            join regions t on t.id = v.town_id
            left join regions d on d.id = t.parent_id
           where ${region} and ${search} and ${since}
        )
        select n.all_total, w.* from (select count(*)::int as all_total from f) n
          left join lateral (select * from f where ${windowSql(window, sql`f.rn`, sql`f.total`)} order by f.rn) w on true
         order by w.rn`;
}
