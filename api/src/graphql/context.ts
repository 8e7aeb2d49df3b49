import type { Db } from '@mingbai/db/client';
import type { Viewer } from '../auth/viewer.ts';
import type { RequestLimits } from '../limits/request-limits.ts';
import { createRegionLoaders } from '../regions/region.loader.ts';
import { createReviewLoaders, evaluateNow } from '../review/red-flag.loader.ts';
import { createStatementLoaders } from '../statements/statement.loader.ts';
import { createVillageLoaders } from '../villages/village.loader.ts';
import { createVoucherLoaders } from '../vouchers/voucher.loader.ts';

/** Per request: the database and fresh DataLoaders, so batching and caching never leak between requests. */
export interface Context {
  db: Db;
  loaders: Loaders;
  /** The signed-in user, or null for the public. */
  viewer: Viewer | null;
  /** The request's cost and rate limit; absent outside HTTP (the CLI). */
  limits?: RequestLimits;
}

export type Loaders = ReturnType<typeof createLoaders>;

function createLoaders(db: Db) {
  const regions = createRegionLoaders(db);
  return {
    ...regions,
    ...createVillageLoaders(db, (r) => regions.regionById.prime(r.id, r)),
    ...createStatementLoaders(db),
    ...createVoucherLoaders(db),
    ...createReviewLoaders(db, evaluateNow(db)),
  };
}

export function createContext(db: Db, viewer: Viewer | null = null, limits?: RequestLimits): Context {
  return { db, loaders: createLoaders(db), viewer, ...(limits ? { limits } : {}) };
}
