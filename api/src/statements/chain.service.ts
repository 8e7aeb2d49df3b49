import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '@mingbai/db/client';
import { verifyVillageChain, type ChainReport } from '@mingbai/db/ledger/verify';

/** Points per published revision that verifyChain recomputes (it reads and hashes each one's vouchers and lines). */
export const VERIFY_CHAIN_COST_PER_REVISION = 10;
/** Villages whose last verification is kept; the least recently asked for goes first. */
export const MAX_CACHED_CHAINS = 1_000;

export interface ChainState {
  /** Published revisions in the chain: what a verification recomputes. */
  revisions: number;
  /**
   * Changes whenever anything a verification reads changes: the chain head (a publish), and the row versions of the
   * village's periods, vouchers and lines (PostgreSQL gives every updated row a new xmin, even with triggers off).
   */
  stamp: string;
}

/** One statement: the chain's length and a stamp of everything a verification would read. */
export async function chainState(db: Db, villageId: number): Promise<ChainState> {
  const [row] = await queryRows<{ revisions: number; stamp: string }>(
    db,
    sql`select (select count(*) from periods where village_id = ${villageId} and chain_seq is not null)::int
                 as revisions,
               concat_ws(':',
                 (select coalesce(max(chain_seq), 0) || '/' || count(*) || '/' || coalesce(sum(xmin::text::bigint), 0)
                    from periods where village_id = ${villageId}),
                 (select count(*) || '/' || coalesce(sum(xmin::text::bigint), 0)
                    from vouchers where village_id = ${villageId}),
                 (select count(*) || '/' || coalesce(sum(xmin::text::bigint), 0)
                    from voucher_lines where village_id = ${villageId}),
                 (select xmin::text from villages where id = ${villageId})) as stamp`,
  );
  return row!;
}

const cache = new Map<number, { stamp: string; report: Promise<ChainReport> }>();

/**
 * The village's chain verified, computed once per state of what it reads: aliases of one request and every later
 * request share it until a publish (or anything else) changes the stamp. Kept for MAX_CACHED_CHAINS villages.
 */
export function verifiedChain(db: Db, villageId: number, state: ChainState): Promise<ChainReport> {
  const hit = cache.get(villageId);
  if (hit && hit.stamp === state.stamp) {
    cache.delete(villageId);
    cache.set(villageId, hit);
    return hit.report;
  }
  const entry = { stamp: state.stamp, report: verifyVillageChain(db, villageId) };
  cache.delete(villageId);
  cache.set(villageId, entry);
  while (cache.size > MAX_CACHED_CHAINS) cache.delete(cache.keys().next().value!);
  // A failure (the database restarting, a cancelled request) is not remembered.
  entry.report.catch(() => {
    if (cache.get(villageId) === entry) cache.delete(villageId);
  });
  return entry.report;
}
