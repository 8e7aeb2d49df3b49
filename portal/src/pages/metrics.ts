import type { APIRoute } from 'astro';
import { pageCacheCounts } from '../lib/page-cache';

/**
 * GET /metrics: this portal process's page-cache counts since it started (issue 19's hit rate), beside the API's own
 * /metrics (its response cache and persisted queries). Counts only; never cached.
 */
export const GET: APIRoute = () => {
  const { hits, misses } = pageCacheCounts;
  const lookups = hits + misses;
  return new Response(JSON.stringify({ pageCache: { hits, misses, hitRate: lookups === 0 ? 0 : hits / lookups } }), {
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
};
