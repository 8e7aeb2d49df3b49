// The portal's page cache obeys the API's publication mark: a page kept before a publication is not served after it,
// and the portal shows the new month within a second, whoever published (here the ledger itself, as the CLI does).
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
});
