// The villager's path through the portal, in a real Chromium at a cheap phone's 360 px and at 1280 px, with
// JavaScript on and off: home → district → town → 付村 → a month → 公益支出 only → a voucher → the print view.
// Every step is screenshotted into tests/artifacts/; every page type is checked with axe-core; the month page's
// weight, scripts and caching are checked over plain HTTP.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeViolations,
  clearArtifacts,
  expectAccessible,
  formatViolations,
  launchBrowser,
  measureLayout,
  openPage,
  screenshot,
  type ViewportName,
} from '../support/browser.ts';
import { useTestPortal } from '../support/portal.ts';

const VILLAGE = { slug: 'fucun', name: '付村' };
/** 付村 2025-06 in the demo data: 50 payments and receipts, 8 of them 公益支出 (514). */
const MONTH = { year: 2025, month: 6, path: '/v/fucun/2025-06', title: '2025年6月' };
const CATEGORY = { code: '514', name: '公益支出' };
/** 付村 2025-08 was corrected: revision 2. */
const CORRECTED = '/v/fucun/2025-08';
const MAX_MONTH_GZIP = 40 * 1024;
const PATH_MS = 180_000;
const TEST_MS = 90_000;

interface ApiLine {
  voucherNumber: number;
  summary: string;
}

describe("the villagers' portal", () => {
  const fixture = useTestPortal();
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  }, 30_000);

  /** The month's payments as the public API has them, to compare the pages with. */
  async function apiLines(category?: string): Promise<{ totalCount: number; nodes: ApiLine[] }> {
    const res = await fixture.api.query<{
      village: { statement: { lines: { totalCount: number; nodes: ApiLine[] } } };
    }>(
      `query ($slug: String!, $y: Int!, $m: Int!, $category: String) {
        village(slug: $slug) { statement(year: $y, month: $m) {
          lines(category: $category, first: 100) { totalCount nodes { voucherNumber summary } }
        } }
      }`,
      { slug: VILLAGE.slug, y: MONTH.year, m: MONTH.month, category: category ?? null },
    );
    if (!res.data) throw new Error(`API: ${res.text}`);
    return res.data.village.statement.lines;
  }

  const passes: { viewport: ViewportName; javaScript: boolean }[] = [
    { viewport: 'phone', javaScript: true },
    { viewport: 'desktop', javaScript: true },
    { viewport: 'phone', javaScript: false },
    { viewport: 'desktop', javaScript: false },
  ];

  for (const pass of passes) {
    const label = `${pass.viewport === 'phone' ? 360 : 1280} px, JavaScript ${pass.javaScript ? 'on' : 'off'}`;
    it(
      `home → 西青区 → 精武镇 → 付村 → ${MONTH.title} → ${CATEGORY.name} → a voucher → print view (${label})`,
      async () => {
        const artifacts = `villager-${pass.viewport}-js-${pass.javaScript ? 'on' : 'off'}`;
        clearArtifacts(artifacts);
        const opened = await openPage(browser, pass);
        const { page } = opened;
        const base = fixture.portal.url;
        // Layout and accessibility problems are collected and reported together, so one pass shows them all;
        // a missing page or link stops the walk at once.
        const problems: string[] = [];

        const h1 = async () => ((await page.locator('h1').first().textContent({ timeout: 5_000 })) ?? '').trim();

        async function follow(selector: string, what: string): Promise<void> {
          const link = page.locator(selector).first();
          expect(await link.count(), `${what}: no link ${selector} on ${page.url()}`).toBeGreaterThan(0);
          const target = new URL((await link.getAttribute('href'))!, page.url());
          await link.click();
          await page.waitForURL((u) => u.pathname.replace(/\/$/, '') === target.pathname.replace(/\/$/, ''), {
            timeout: 20_000,
          });
        }

        async function step(name: string, pageType: string): Promise<void> {
          await screenshot(page, artifacts, name);
          const layout = await measureLayout(page);
          if (pass.viewport === 'phone' && layout.scrollWidth > 360) {
            problems.push(
              `${pageType} (${page.url()}): scrolls sideways at 360 px, scrollWidth ${layout.scrollWidth}; ` +
                `wider than the screen: ${layout.overflowing.join(', ') || '?'}`,
            );
          }
          if (layout.rootFontPx < 16 || layout.bodyFontPx < 16) {
            problems.push(
              `${pageType}: base font-size html ${layout.rootFontPx} px, body ${layout.bodyFontPx} px (< 16)`,
            );
          }
          if (pass.javaScript) {
            const violations = await axeViolations(page);
            if (violations.length > 0)
              problems.push(`${pageType} (${page.url()}): axe\n${formatViolations(violations)}`);
          }
        }

        try {
          // Home: the name, a search box, the districts.
          const home = await page.goto(`${base}/`);
          expect(home?.status(), 'home status').toBe(200);
          expect(await h1()).toContain('明白账');
          const search = page.locator('form[role=search]');
          expect(await search.count(), 'home: form[role=search]').toBe(1);
          expect(await search.locator('input[name=q]').count(), 'home: search input[name=q]').toBe(1);
          expect(((await search.getAttribute('method')) ?? 'get').toLowerCase(), 'home: search form method').toBe(
            'get',
          );
          await step('1-home', 'home');

          await follow('a[href="/r/xiqing"]', 'home → 西青区');
          expect(await h1()).toContain('西青区');
          await step('2-district', 'region (district)');

          await follow('a[href="/r/jingwu"]', '西青区 → 精武镇');
          expect(await h1()).toContain('精武镇');
          await step('3-town', 'region (town)');

          await follow(`a[href="/v/${VILLAGE.slug}"]`, '精武镇 → 付村');
          expect(await h1()).toContain(VILLAGE.name);
          expect(
            await page.locator(`a[href="/v/${VILLAGE.slug}/2026-10"]`).count(),
            'village: latest month',
          ).toBeGreaterThan(0);
          await step('4-village', 'village');

          // The month: every payment, linked to its voucher.
          await follow(`a[href="${MONTH.path}"]`, `付村 → ${MONTH.title}`);
          expect(await h1()).toContain(MONTH.title);
          const rows = page.locator(`table#lines tbody tr:has(a[href^="${MONTH.path}/"])`);
          const all = await apiLines();
          expect(await rows.count(), 'month: rows of table#lines linking to vouchers').toBeGreaterThan(0);
          if ((await rows.count()) !== all.totalCount) {
            problems.push(`month: table#lines has ${await rows.count()} payment rows, the API ${all.totalCount}`);
          }
          for (const download of ['csv', 'json']) {
            const href = `${MONTH.path}.${download}`;
            if ((await page.locator(`a[href="${href}"]`).count()) === 0)
              problems.push(`month: no download link ${href}`);
          }
          await step('5-month', 'month');

          // Only 公益支出, through the GET form (no JavaScript needed).
          const filters = page.locator('form#filters');
          expect(await filters.count(), 'month: form#filters').toBe(1);
          const option = filters.locator(`select[name=category] option[value="${CATEGORY.code}"]`);
          expect(await option.count(), `month: category option ${CATEGORY.code}`).toBe(1);
          expect(await option.textContent()).toContain(CATEGORY.name);
          for (const input of ['min', 'max', 'q']) {
            expect(await filters.locator(`[name=${input}]`).count(), `month: filter input ${input}`).toBe(1);
          }
          await filters.locator('select[name=category]').selectOption(CATEGORY.code);
          await filters.locator('button[type=submit], input[type=submit], button:not([type])').first().click();
          await page.waitForURL((u) => u.searchParams.get('category') === CATEGORY.code, { timeout: 20_000 });
          const wanted = await apiLines(CATEGORY.code);
          const shown = await rows.evaluateAll(
            (trs, prefix) =>
              trs.map((tr) => {
                const a = tr.querySelector(`a[href^="${prefix}/"]`)!;
                return Number(a.getAttribute('href')!.slice(prefix.length + 1));
              }),
            MONTH.path,
          );
          expect(shown.length, `${CATEGORY.name}: payment rows`).toBe(wanted.totalCount);
          expect(new Set(shown), `${CATEGORY.name}: the vouchers shown`).toEqual(
            new Set(wanted.nodes.map((n) => n.voucherNumber)),
          );
          await step('6-month-514', 'month (filtered)');

          // A voucher, from the filtered table.
          await follow(`table#lines tbody a[href^="${MONTH.path}/"]`, `${CATEGORY.name} → a voucher`);
          expect(new URL(page.url()).pathname).toMatch(new RegExp(`^${MONTH.path}/\\d+$`));
          expect(await h1()).toContain('凭证');
          expect(await page.locator('table').count(), 'voucher: a table of lines').toBeGreaterThan(0);
          await step('7-voucher', 'voucher');

          // Back to the month, on to its print view: every payment and a QR code.
          await page.goBack({ timeout: 20_000 });
          await follow(`a[href^="${MONTH.path}/print"]`, 'month → print view');
          const printed = await apiLines(new URL(page.url()).searchParams.get('category') ?? undefined);
          expect(await page.locator('svg').count(), 'print: an <svg> QR code').toBeGreaterThan(0);
          const text = (await page.locator('body').textContent()) ?? '';
          const missing = printed.nodes.filter((n) => !text.includes(n.summary));
          if (missing.length > 0) {
            problems.push(
              `print: ${missing.length} of ${printed.totalCount} payments missing, e.g. ` +
                missing
                  .slice(0, 3)
                  .map((n) => `第${n.voucherNumber}号 ${n.summary}`)
                  .join('、'),
            );
          }
          await step('8-print', 'print');
          await page.emulateMedia({ media: 'print' });
          await screenshot(page, artifacts, '8-print-media');
          await page.emulateMedia({ media: 'screen' });

          if (opened.blocked.length > 0) problems.push(`requests to outside servers: ${opened.blocked.join(', ')}`);
        } catch (error) {
          await screenshot(page, artifacts, 'failed').catch(() => undefined);
          throw error;
        } finally {
          await opened.close();
        }
        if (problems.length > 0) throw new Error(`${label}:\n${problems.join('\n')}`);
      },
      PATH_MS,
    );
  }

  it(
    'the home search finds 付村 with JavaScript off',
    async () => {
      clearArtifacts('search');
      const opened = await openPage(browser, { viewport: 'phone', javaScript: false });
      const { page } = opened;
      try {
        await page.goto(`${fixture.portal.url}/`);
        await page.locator('form[role=search] input[name=q]').fill(VILLAGE.name);
        await page.locator('form[role=search] input[name=q]').press('Enter');
        await page.waitForURL((u) => u.searchParams.get('q') === VILLAGE.name, { timeout: 20_000 });
        await screenshot(page, 'search', 'results');
        expect(new URL(page.url()).pathname).toBe('/');
        expect(await page.locator(`a[href="/v/${VILLAGE.slug}"]`).count(), 'a result linking to 付村').toBeGreaterThan(
          0,
        );
      } finally {
        await opened.close();
      }
    },
    TEST_MS,
  );

  it(
    'the village page marks the corrected month (付村 2025-08, revision 2)',
    async () => {
      const opened = await openPage(browser, { viewport: 'desktop' });
      const { page } = opened;
      try {
        await page.goto(`${fixture.portal.url}/v/${VILLAGE.slug}`);
        const entry = async (href: string) =>
          page
            .locator(`a[href="${href}"]`)
            .first()
            .evaluate((a) => (a.closest('tr, li') ?? a).textContent ?? '');
        expect(await entry(CORRECTED)).toMatch(/更正|修订|订正|第\s*2\s*版|版本\s*2/);
        expect(await entry(MONTH.path)).not.toMatch(/更正|修订|订正|第\s*2\s*版/);
      } finally {
        await opened.close();
      }
    },
    TEST_MS,
  );

  it(
    'the month page: no <script>, ≤ 40 KB gzip with its CSS, Cache-Control and a stable ETag',
    async () => {
      const base = fixture.portal.url;
      const page = await get(`${base}${MONTH.path}`, { 'accept-encoding': 'gzip' });
      expect(page.status).toBe(200);
      const html = page.text;

      // The page plus what the browser fetches to show it: stylesheets (and images or scripts, if any).
      const linked = [
        ...[...html.matchAll(/<link\b[^>]*>/gi)]
          .map((m) => m[0])
          .filter((tag) => /\brel=["']?[^"'>]*stylesheet/i.test(tag))
          .map((tag) => /\bhref=["']?([^"'\s>]+)/i.exec(tag)?.[1]),
        ...[...html.matchAll(/<(?:img|script)\b[^>]*\bsrc=["']?([^"'\s>]+)/gi)].map((m) => m[1]),
      ].filter((href): href is string => !!href && !href.startsWith('data:'));
      const parts = [{ url: MONTH.path, ...page }];
      for (const href of linked) {
        const url = new URL(href.replace(/&amp;/g, '&'), `${base}${MONTH.path}`);
        expect(url.hostname, `${href} is served by the portal itself`).toBe('127.0.0.1');
        const part = await get(url.href, { 'accept-encoding': 'gzip' });
        expect(part.status, href).toBe(200);
        parts.push({ url: url.pathname, ...part });
      }
      const total = parts.reduce((sum, p) => sum + p.gzipBytes, 0);
      const rows = (html.match(/<tr\b/gi) ?? []).length;
      console.log(
        `month page: ${total} bytes gzip (` +
          parts.map((p) => `${p.url} ${p.gzipBytes}${p.gzippedByServer ? ' gzipped by the server' : ''}`).join(', ') +
          `; HTML ${Buffer.byteLength(html)} bytes uncompressed, ${rows} table rows, ` +
          `${(await apiLines()).totalCount} payments in the API)`,
      );
      expect.soft(total, 'month page + CSS, gzip').toBeLessThanOrEqual(MAX_MONTH_GZIP);
      expect.soft(html.match(/<script\b[^>]*>/gi) ?? [], 'script tags on the month page').toEqual([]);

      // A published month never changes: caches may keep it, and revalidate with its ETag.
      const cacheControl = page.headers['cache-control'];
      const etag = page.headers.etag;
      console.log(`month page headers: cache-control: ${cacheControl}; etag: ${etag}`);
      expect.soft(cacheControl, 'Cache-Control on a published month').toBeTruthy();
      expect.soft(cacheControl ?? '', 'Cache-Control on a published month').not.toMatch(/no-store/);
      expect.soft(etag, 'ETag on a published month').toBeTruthy();
      const again = await get(`${base}${MONTH.path}`, { 'accept-encoding': 'gzip' });
      expect.soft(again.headers.etag, 'the same ETag for the same month').toBe(etag);
      const conditional = await get(`${base}${MONTH.path}`, { 'if-none-match': String(etag) });
      console.log(`month page with If-None-Match: HTTP ${conditional.status}`);
      expect(conditional.status, 'a revalidation with the ETag it was given').toBe(304);
      expect(conditional.headers.etag, 'a 304 names the ETag it confirms').toBe(etag);
    },
    TEST_MS,
  );

  it(
    "the month's CSV and JSON downloads are the month's lines at their own address (no redirect to the data package)",
    async () => {
      for (const [ext, type] of [
        ['csv', /text\/csv/],
        ['json', /json/],
      ] as const) {
        const res = await get(`${fixture.portal.url}${MONTH.path}.${ext}`);
        expect(res.status, `${MONTH.path}.${ext}`).toBe(200);
        expect(String(res.headers['content-type']), `${MONTH.path}.${ext} content-type`).toMatch(type);
        const rows = res.text.split('\n').filter(Boolean);
        expect(rows.length, `${MONTH.path}.${ext} rows`).toBeGreaterThan(40);
        // JSON Lines: every line one object of the month's lines, not the datapackage's description.
        if (ext === 'json') for (const row of rows) expect(JSON.parse(row)).toHaveProperty('amount_fen');
      }
    },
    TEST_MS,
  );

  it(
    'an unknown village is a 404 page in Chinese',
    async () => {
      const res = await get(`${fixture.portal.url}/v/no-such-village`);
      expect(res.status).toBe(404);
      expect(res.text).toMatch(/<html[^>]*\blang=["']?zh/i);
      expect(res.text).toMatch(/找不到|没有找到|不存在|未找到/);
      clearArtifacts('not-found');
      const opened = await openPage(browser, { viewport: 'phone' });
      try {
        await opened.page.goto(`${fixture.portal.url}/v/no-such-village`);
        await screenshot(opened.page, 'not-found', 'no-such-village');
        await expectAccessible(opened.page, 'the 404 page');
      } finally {
        await opened.close();
      }
    },
    TEST_MS,
  );
});

interface Fetched {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body's size on the wire with gzip: as sent when the server compressed it, else gzipped here. */
  gzipBytes: number;
  gzippedByServer: boolean;
}

/** A plain HTTP GET (no automatic decompression, so the bytes on the wire can be counted). */
function get(url: string, headers: Record<string, string> = {}): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const encoding = res.headers['content-encoding'];
        if (encoding && encoding !== 'gzip' && encoding !== 'identity') {
          reject(new Error(`${url}: unexpected content-encoding ${encoding}`));
          return;
        }
        const gzipped = encoding === 'gzip';
        const body = gzipped ? gunzipSync(raw) : raw;
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          text: body.toString('utf8'),
          gzipBytes: gzipped ? raw.length : gzipSync(body).length,
          gzippedByServer: gzipped,
        });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer in 20 s`)));
    req.on('error', reject);
    req.end();
  });
}
