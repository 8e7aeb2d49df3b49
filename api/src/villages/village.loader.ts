import DataLoader from 'dataloader';
import { queryRows, type Db } from '@mingbai/db/client';
import { BATCH_PER_TICK } from '../batching.ts';
import type { RegionRow } from '../regions/region.sql.ts';
import {
  toRegion,
  toVillage,
  villagesByIdSql,
  villagesBySlugSql,
  type VillageDbRow,
  type VillageRow,
  type VillageWithRegionsDbRow,
} from './village.sql.ts';

/** `primeRegion` receives the town and district read with a village, so pages showing them read no more SQL. */
export function createVillageLoaders(db: Db, primeRegion: (region: RegionRow) => void = () => {}) {
  return {
    // Raw SQL like the lookup by slug, so it goes through `execute` and the request's merged reads (mergeReads): a
    // feed page's villages go with its months' revisions.
    villageById: new DataLoader<number, VillageRow | undefined>(async (ids) => {
      const rows = await queryRows<VillageDbRow>(db, villagesByIdSql(ids));
      const byId = new Map(rows.map((r) => [r.id, toVillage(r)]));
      return ids.map((id) => byId.get(id));
    }, BATCH_PER_TICK),
    villageBySlug: new DataLoader<string, VillageRow | undefined>(async (slugs) => {
      const rows = await queryRows<VillageWithRegionsDbRow>(db, villagesBySlugSql(slugs));
      for (const r of rows) {
        primeRegion(toRegion(r.town));
        if (r.district) primeRegion(toRegion(r.district));
      }
      const bySlug = new Map<string, VillageRow>(rows.map((r) => [r.slug, toVillage(r)]));
      return slugs.map((s) => bySlug.get(s));
    }, BATCH_PER_TICK),
  };
}
