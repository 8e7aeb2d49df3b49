// The portal's page cache obeys the API's publication mark: a page kept before a publication is not served after it,
// and the portal shows the new month within a second, whoever published (here the ledger itself, as the CLI does).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '@mingbai/db/client';
import { startApiServer, type RunningApi } from '@mingbai/api/server';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { openTestDb } from '../support/db.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';

describe('the portal page cache and the publication mark', () => {
  let handle: DbHandle;
  let api: RunningApi;
  let portal: TestPortal;

  beforeAll(async () => {
    handle = await openTestDb();
    // The API as `pnpm start` runs it: its response cache on, so it reports the mark (no Redis needed for that).
    api = await startApiServer({
      db: handle.db,
      port: 0,
      rateLimits: { anonymousPointsPerHour: 1_000_000_000 },
      shared: { responseCache: true },
    });
    portal = await startTestPortal(api.url);
  }, 60_000);

  afterAll(async () => {
    await portal?.close();
    await api?.close();
    await handle?.close();
  });

  it('looks a query up in the response cache, never a mutation', async () => {
    const ask = async (query: string) => {
      const res = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      await res.arrayBuffer();
      return res.headers.get('x-mingbai-cache');
    };
    const lookups = () => api.responseCache!.hits + api.responseCache!.misses;
    expect(await ask('{ regions { name } }')).toMatch(/^(hit|miss)$/);
    const before = lookups();
    expect(await ask('mutation { login(username: "nobody-cached", password: "not-a-password") { token } }')).toBeNull();
    expect(lookups()).toBe(before);
  });

  it('serves a village page from its cache until a publication, then the new month within a second', async () => {
    const village = await aVillage(handle.db, '页缓存村');
    await aMonth(handle.db, village.id, 2025, 1, [
      aVoucher(1, '2025-01-05', '收到镇拨运转经费', debit('101', 300_000), credit('503', 300_000)),
    ]);
    const open = async () => {
      const res = await fetch(`${portal.url}/v/${village.slug}`);
      const html = await res.text();
      expect(res.status).toBe(200);
      return { cache: res.headers.get('x-cache'), february: html.includes(`/v/${village.slug}/2025-02"`) };
    };
    // Others publish into the same database at any time (a new mark each): open until the cache answers.
    let hit = false;
    for (let i = 0; i < 20 && !hit; i++) {
      const page = await open();
      expect(page.february).toBe(false);
      hit = page.cache === 'HIT';
    }
    expect(hit, 'the second opening came from the cache').toBe(true);

    await aMonth(handle.db, village.id, 2025, 2, [
      aVoucher(1, '2025-02-03', '支付保洁费', debit('513', 80_000), credit('101', 80_000)),
    ]);
    const published = Date.now();
    // Every page asked for a second or more after the commit shows February (when the request started, not when a
    // loaded machine answered it), and once February is shown the page cached before it never comes back.
    let shown = false;
    let late = 0;
    while (Date.now() - published < 3_000 || late < 2) {
      if (Date.now() - published > 20_000) break;
      const startedAfter = Date.now() - published;
      const page = await open();
      if (shown || startedAfter >= 1_000) expect(page.february, `asked at ${startedAfter} ms`).toBe(true);
      if (page.february) shown = true;
      if (startedAfter >= 1_000) late++;
    }
    expect(late, 'pages asked for a second after the commit').toBeGreaterThan(1);
  });

  it('counts hits and misses of the response cache, the persisted queries and the page cache at /metrics', async () => {
    type Counts = { hits: number; misses: number; hitRate: number };
    const metrics = async <T>(url: string): Promise<T> => {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      return (await res.json()) as T;
    };
    const apiMetrics = () =>
      metrics<{ responseCache: Counts & { on: boolean }; persistedQueries: Counts }>(
        api.url.replace(/\/graphql$/, '/metrics'),
      );
    const get = async (params: Record<string, string>, accept = 'application/json') => {
      const res = await fetch(`${api.url}?${new URLSearchParams(params)}`, { headers: { accept } });
      return (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
    };
    const query = `{ regions { name code } __typename }`;
    const hash = createHash('sha256').update(query).digest('hex');
    const extensions = JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } });
    const before = await apiMetrics();
    expect(before.responseCache.on).toBe(true);
    // The hash alone, unknown: a persisted-query miss; then with its text (kept); then alone again: a hit. The last
    // asks another media type, so the response cache (keyed by the hash and Accept) does not answer it for Apollo.
    expect((await get({ extensions })).errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await get({ query, extensions })).data).toBeDefined();
    expect((await get({ extensions }, 'application/graphql-response+json')).data).toBeDefined();
    expect((await get({ extensions })).data).toBeDefined();
    const after = await apiMetrics();
    expect(after.persistedQueries.misses - before.persistedQueries.misses).toBeGreaterThanOrEqual(1);
    expect(after.persistedQueries.hits - before.persistedQueries.hits).toBeGreaterThanOrEqual(1);
    // The response cache answered the last one (the same document, kept under the mark of the one before it) or, when
    // another file published meanwhile, missed: either way one more lookup, and the rate is hits over lookups.
    expect(after.responseCache.hits + after.responseCache.misses).toBeGreaterThan(
      before.responseCache.hits + before.responseCache.misses,
    );
    expect(after.responseCache.hitRate).toBeCloseTo(
      after.responseCache.hits / (after.responseCache.hits + after.responseCache.misses),
    );
    // The portal's page cache: the page test above opened a village page until it came from the cache.
    const portalMetrics = await metrics<{ pageCache: Counts }>(`${portal.url}/metrics`);
    expect(portalMetrics.pageCache.hits).toBeGreaterThanOrEqual(1);
    expect(portalMetrics.pageCache.misses).toBeGreaterThanOrEqual(1);
    expect(portalMetrics.pageCache.hitRate).toBeGreaterThan(0);
  });
});
