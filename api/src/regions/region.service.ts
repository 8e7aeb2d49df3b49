import { asc, eq, isNull } from 'drizzle-orm';
import type { Db } from '@mingbai/db/client';
import { regions } from '@mingbai/db/schema/regions';
import type { RegionRow } from './region.sql.ts';

export async function rootRegions(db: Db): Promise<RegionRow[]> {
  return db.select().from(regions).where(isNull(regions.parentId)).orderBy(asc(regions.code));
}

export async function regionBySlug(db: Db, slug: string): Promise<RegionRow | undefined> {
  const [row] = await db.select().from(regions).where(eq(regions.slug, slug));
  return row;
}
