// 大字 (elder mode) in a real Chromium with JavaScript off, as an older villager's cheap phone: the switch is a link
// that works without script and comes back to the same page; every villager page (villager-pages.ts) then has body
// text ≥ 24 px (18 pt), headings ≥ 40 px (30 pt), line spacing ≥ 1.3 and tap targets ≥ 60 × 60 px at 320 and 390 px
// (PHONE_WIDTHS; contrast is axe's color-contrast rule, in widths.test.ts, in both sizes). Over plain HTTP: the page
// cache never serves one size's HTML to the other, /docs goes gzipped within 40 KB, and the error page says 请稍后再试
// once.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from '../support/browser.ts';
import { freePort, startTestPortal, useTestPortal, type TestPortal } from '../support/portal.ts';
import { elderProblems, pathOf, PHONE_WIDTHS, VILLAGER_PAGES, type Made } from './villager-pages.ts';

const t = useTestPortal();
let browser: Browser;
let apiDown: TestPortal;
let made: Made;
const TEST_MS = 240_000;
const MONTH = '/v/fucun/2025-06';

beforeAll(async () => {
  browser = await launchBrowser();
  apiDown = await startTestPortal(`http://127.0.0.1:${await freePort()}/graphql`);
  // The demo's own answered question (asking a new one would add to 付村's questions, which tests/ledger/demo-data
  // counts in the same database).
  const demo = await t.api.query<{ village: { questions: { nodes: { url: string; status: string }[] } } }>(
    `{ village(slug: "fucun") { questions(first: 50) { nodes { url status } } } }`,
  );
  const answered = demo.data?.village.questions.nodes.find((q) => q.status === 'ANSWERED');
  if (!answered) throw new Error(`no answered demo question: ${demo.text}`);
  made = { questionPath: new URL(answered.url).pathname };
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await apiDown?.close();
});

// The page's own globals, just enough for the one function run inside Chromium (no DOM library in this project).
interface El {
  textContent: string | null;
  closest(selector: string): El | null;
}
declare const document: { body: object; querySelectorAll(selector: string): Iterable<El> };
declare function getComputedStyle(el: object): { fontSize: string };

const htmlClass = (html: string) => /<html\b[^>]*\bclass="([^"]*)"/.exec(html)?.[1] ?? '';

describe('大字 (elder mode)', () => {
  it(
    'a link switches to 大字 and back without JavaScript, on the same page',
    async () => {
      const opened = await openPage(browser, { viewport: 'phone', javaScript: false });
      const { page } = opened;
      try {
        await page.goto(`${t.portal.url}${MONTH}?category=514`);
        const size = () => page.evaluate(() => getComputedStyle(document.body).fontSize);
        expect(await size()).toBe('16px');
        await Promise.all([
          page.waitForURL(/category=514/),
          page.getByRole('link', { name: '大字', exact: true }).click(),
        ]);
        expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(`${MONTH}?category=514`);
        expect(await size()).toBe('24px');
        const cookie = (await opened.context.cookies()).find((c) => c.name === 'mingbai_text');
        expect(cookie, 'the size is remembered in a cookie').toMatchObject({
          value: 'large',
          httpOnly: true,
          sameSite: 'Lax',
          path: '/',
        });
        expect(cookie!.expires, 'for a long time, not the session').toBeGreaterThan(Date.now() / 1000 + 300 * 86_400);
        // Other pages open in 大字 too.
        await page.goto(`${t.portal.url}/v/fucun`);
        expect(await size()).toBe('24px');
        await Promise.all([
          page.waitForURL(/\/v\/fucun$/),
          page.getByRole('link', { name: '标准字', exact: true }).click(),
        ]);
        expect(await size()).toBe('16px');
        expect((await opened.context.cookies()).find((c) => c.name === 'mingbai_text')).toBeUndefined();
      } finally {
        await opened.close();
      }
    },
    TEST_MS,
  );

  it(
    'income and spending are told by words or signs, not by colour alone',
    async () => {
      const opened = await openPage(browser, { viewport: 'phone', javaScript: false });
      const unmarked: string[] = [];
      try {
        for (const path of ['/v/fucun', MONTH, `${MONTH}/print`, '/r/jingwu']) {
          await opened.page.goto(`${t.portal.url}${path}`);
          const found = await opened.page.evaluate(() =>
            [...document.querySelectorAll('.in, .out')]
              .filter((el) => (el.textContent ?? '').includes('¥'))
              .map((el) => {
                // The amount itself, or the card, list entry or row that holds it, must say which it is.
                const holder = el.closest('.card, dl > div, tr, li, figcaption, p') ?? el;
                return { text: (el.textContent ?? '').trim(), context: (holder.textContent ?? '').trim() };
              }),
          );
          for (const { text, context } of found)
            if (!/收入|支出|收|支|[+−-]/.test(context)) unmarked.push(`${path}: ${text} in "${context.slice(0, 40)}"`);
          if (path === '/v/fucun') expect(found.length, 'the village page shows coloured amounts').toBeGreaterThan(10);
        }
      } finally {
        await opened.close();
      }
      expect(unmarked).toEqual([]);
    },
    TEST_MS,
  );

  it('the switch goes back only to a path of this site', async () => {
    const back = async (to: string) => {
      const res = await get(`/settings/text?size=large&back=${encodeURIComponent(to)}`);
      expect(res.status, to).toBe(303);
      expect(res.headers['set-cookie']?.join(';'), to).toMatch(/mingbai_text=large/);
      return res.headers.location;
    };
    expect(await back('/v/fucun/2025-06?category=514#lines')).toBe('/v/fucun/2025-06?category=514#lines');
    for (const away of [
      '//evil.example/x',
      'https://evil.example/',
      '/\\evil.example',
      'javascript:alert(1)',
      '/a\r\nx: y',
      '/settings/text?size=large',
    ])
      expect(await back(away), away).toBe('/');
    const none = await get('/settings/text?size=huge&back=/v/fucun');
    expect(none.status).toBe(303);
    expect(none.headers['set-cookie'], 'an unknown size changes nothing').toBeUndefined();
  });

  for (const width of PHONE_WIDTHS) {
    it(
      `every villager page at ${width} px: text ≥ 24 px, headings ≥ 40 px, line spacing ≥ 1.3, tap targets ≥ 60 px`,
      async () => {
        const opened = await openPage(browser, { viewport: 'phone', javaScript: false });
        const problems: string[] = [];
        try {
          for (const url of [t.portal.url, apiDown.url])
            await opened.context.addCookies([{ name: 'mingbai_text', value: 'large', url }]);
          await opened.page.setViewportSize({ width, height: 740 });
          for (const villagerPage of VILLAGER_PAGES) {
            const path = pathOf(villagerPage, made);
            await opened.page.goto(`${villagerPage.portal === 'api-down' ? apiDown.url : t.portal.url}${path}`);
            for (const problem of await elderProblems(opened.page))
              problems.push(`${villagerPage.type} (${path}): ${problem}`);
          }
        } finally {
          await opened.close();
        }
        expect(problems, problems.join('\n')).toEqual([]);
      },
      TEST_MS,
    );
  }

  it('the page cache keeps each size apart: its own copy, its own ETag, Vary: Cookie', async () => {
    const large = { cookie: 'mingbai_text=large' };
    const path = '/v/fucun/2025-07';
    const first = await get(path);
    expect(first.status).toBe(200);
    expect(htmlClass(first.text)).not.toMatch(/\blarge\b/);
    const big = await get(path, large);
    expect(big.headers['x-cache'], 'the standard copy is not served in 大字').toBe('MISS');
    expect(htmlClass(big.text)).toMatch(/\blarge\b/);
    const [standardAgain, largeAgain] = [await get(path), await get(path, large)];
    expect(standardAgain.headers['x-cache']).toBe('HIT');
    expect(htmlClass(standardAgain.text)).not.toMatch(/\blarge\b/);
    expect(largeAgain.headers['x-cache']).toBe('HIT');
    expect(htmlClass(largeAgain.text)).toMatch(/\blarge\b/);
    for (const res of [first, big]) expect(String(res.headers.vary)).toMatch(/\bcookie\b/i);
    // A browser that kept the standard page and now asks in 大字 must get the large page, not a 304 (and back).
    const [standardTag, largeTag] = [String(first.headers.etag), String(big.headers.etag)];
    expect(largeTag).not.toBe(standardTag);
    expect((await get(path, { ...large, 'if-none-match': standardTag })).status).toBe(200);
    expect((await get(path, { 'if-none-match': largeTag })).status).toBe(200);
    expect((await get(path, { ...large, 'if-none-match': largeTag })).status).toBe(304);
    expect((await get(path, { 'if-none-match': standardTag })).status).toBe(304);
    // The month page answers If-None-Match itself before the cache holds a copy: a month not yet seen in 大字 is
    // asked for in 大字 with the standard copy's ETag.
    const fresh = '/v/fucun/2025-05';
    const tag = String((await get(fresh)).headers.etag);
    const answer = await get(fresh, { ...large, 'if-none-match': tag });
    expect(answer.headers['x-cache']).toBe('MISS');
    expect(answer.status).toBe(200);
    expect(htmlClass(answer.text)).toMatch(/\blarge\b/);
  });

  it('/docs and /en/docs, and their types pages, travel gzipped, within 40 KB', async () => {
    for (const path of ['/docs', '/en/docs', '/docs/types', '/en/docs/types']) {
      const res = await get(path, { 'accept-encoding': 'gzip' });
      expect(res.status, path).toBe(200);
      expect(res.headers['content-encoding'], path).toBe('gzip');
      console.log(`${path}: ${res.wireBytes} bytes gzip (${Buffer.byteLength(res.text)} bytes of HTML)`);
      expect(res.wireBytes, path).toBeLessThanOrEqual(40 * 1024);
      expect(res.text).toContain(path.endsWith('/types') ? 'id="schema-Query"' : `href="${path}/types"`);
    }
  });

  it('the error page says 请稍后再试 once', async () => {
    for (const cookie of ['', 'mingbai_text=large']) {
      const res = await get('/v/fucun', { cookie }, apiDown.url);
      expect(res.status).toBe(503);
      const text = res.text.replace(/<[^>]+>/g, '');
      expect(text).toContain('数据接口暂时连不上');
      expect(text.match(/请稍后再试/g) ?? []).toHaveLength(1);
    }
  });
});

interface Fetched {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  wireBytes: number;
}

/** A plain GET (no cookie jar, no automatic decompression: the bytes on the wire are counted). */
function get(path: string, headers: Record<string, string> = {}, origin = t.portal.url): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${origin}${path}`, { headers, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        resolve({ status: res.statusCode!, headers: res.headers, text: body.toString('utf8'), wireBytes: raw.length });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer in 20 s`)));
    req.on('error', reject);
    req.end();
  });
}
