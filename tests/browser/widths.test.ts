// Every villager page type (villager-pages.ts) on a phone, in Chromium at 320 and 390 px (PHONE_WIDTHS says why not
// 414), in the standard size and in 大字: no sideways scrolling (scrollWidth ≤ clientWidth), no <script>, at most 40
// KB gzip, and axe-core with zero violations of any impact at 320 px. Screenshots of every page at every width and
// size land in tests/browser/artifacts/widths/ (for people to look at: they check nothing), except in CI, which keeps
// no artifacts: they were 40 % of this file's time there (SCREENSHOTS in tests/support/browser.ts).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeViolations,
  formatViolations,
  launchBrowser,
  measureLayout,
  openPage,
  SCREENSHOTS,
} from '../support/browser.ts';
import { freePort, startTestPortal, useTestPortal, type TestPortal } from '../support/portal.ts';
import {
  MODES,
  pathOf,
  PHONE_WIDTHS,
  VILLAGER_PAGES,
  type Made,
  type TextSizeMode,
  type VillagerPage,
} from './villager-pages.ts';

const ARTIFACTS = fileURLToPath(new URL('./artifacts/widths', import.meta.url));
const MAX_PAGE_GZIP = 40 * 1024;
/** Taller than this, a screenshot keeps the first screens only (Chromium's largest full-page capture). */
const MAX_SCREENSHOT_PX = 16_000;
const TEST_MS = 240_000;
/** Wider than any amount a page shows: a line's ceiling is 10¹³ yuan (MAX_AMOUNT_FEN), a region's year adds many. */
const WIDEST_AMOUNT = '-999,999,999,999,999.99';

/** The page's globals, just enough for the stacked-table check run inside Chromium (no DOM library here). */
interface StackedTables {
  document: {
    querySelectorAll(selector: string): Iterable<{
      id: string;
      scrollWidth: number;
      parentElement: { clientWidth: number } | null;
    }>;
  };
}

const t = useTestPortal();
let browser: Browser;
let apiDown: TestPortal;
let made: Made;

beforeAll(async () => {
  rmSync(ARTIFACTS, { recursive: true, force: true });
  browser = await launchBrowser();
  // An API nobody listens on: every page that needs data answers with the error page.
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

function urlOf(page: VillagerPage): string {
  return `${page.portal === 'api-down' ? apiDown.url : t.portal.url}${pathOf(page, made)}`;
}

async function screenshotTo(page: Page, mode: TextSizeMode, name: string, width: number): Promise<void> {
  const dir = join(ARTIFACTS, mode);
  mkdirSync(dir, { recursive: true });
  const file = `${name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '')}-${width}.png`;
  const height = await page.evaluate(
    () => (globalThis as unknown as { document: { body: { scrollHeight: number } } }).document.body.scrollHeight,
  );
  await page.screenshot({ path: join(dir, file), fullPage: height <= MAX_SCREENSHOT_PX, timeout: 30_000 });
}

describe('every villager page at 320 and 390 px', () => {
  for (const mode of MODES) {
    it(
      `${mode === 'large' ? '大字' : 'standard size'}: no sideways scrolling, no script, ≤ 40 KB gzip, no axe violations`,
      async () => {
        const opened = await openPage(browser, { viewport: 'phone' });
        const problems: string[] = [];
        try {
          for (const portal of [t.portal.url, apiDown.url]) {
            if (mode === 'large')
              await opened.context.addCookies([{ name: 'mingbai_text', value: 'large', url: portal }]);
          }
          const { page } = opened;
          for (const villagerPage of VILLAGER_PAGES) {
            const url = urlOf(villagerPage);
            const label = `${villagerPage.type} (${pathOf(villagerPage, made)})`;
            const response = await page.goto(url);
            expect(response?.status(), `${label}: status`).toBe(villagerPage.status ?? 200);
            const html = (await response?.body()) ?? Buffer.alloc(0);
            const large = await page.evaluate(
              () =>
                (globalThis as unknown as { document: { documentElement: { className: string } } }).document
                  .documentElement.className,
            );
            expect(large.split(/\s+/).includes('large'), `${label}: in ${mode}`).toBe(mode === 'large');
            const scripts = (html.toString('utf8').match(/<script\b/gi) ?? []).length;
            if (scripts > 0) problems.push(`${label}: ${scripts} <script> tag(s)`);
            const gzip = gzipSync(html).length;
            if (gzip > MAX_PAGE_GZIP) problems.push(`${label}: ${gzip} bytes gzip (> ${MAX_PAGE_GZIP})`);
            for (const width of PHONE_WIDTHS) {
              await page.setViewportSize({ width, height: 740 });
              // Measured once the resize has been laid out and painted (two frames), not mid-reflow.
              await page.evaluate(
                () =>
                  new Promise<void>((done) => {
                    const raf = (globalThis as unknown as { requestAnimationFrame(f: () => void): void })
                      .requestAnimationFrame;
                    raf(() => raf(() => done()));
                  }),
              );
              const layout = await measureLayout(page);
              const clientWidth = await page.evaluate(
                () =>
                  (globalThis as unknown as { document: { documentElement: { clientWidth: number } } }).document
                    .documentElement.clientWidth,
              );
              if (layout.scrollWidth > clientWidth)
                problems.push(
                  `${label} at ${width} px: scrollWidth ${layout.scrollWidth} > clientWidth ${clientWidth}; ` +
                    `wider than the screen: ${layout.overflowing.join(', ') || '?'}`,
                );
              // A table stacked into blocks for a phone is meant to fit: it must not scroll (or clip) inside its box.
              const stacked = await page.evaluate(() =>
                [...(globalThis as unknown as StackedTables).document.querySelectorAll('table.stack')]
                  .filter((table) => table.scrollWidth > (table.parentElement?.clientWidth ?? Infinity) + 1)
                  .map((table) => `${table.id ? `#${table.id}` : 'table.stack'} ${table.scrollWidth} px`),
              );
              if (stacked.length > 0)
                problems.push(`${label} at ${width} px: stacked tables wider than their box: ${stacked.join(', ')}`);
              if (SCREENSHOTS) await screenshotTo(page, mode, villagerPage.type, width);
              // axe at the narrowest phone, where boxes scroll and text wraps the most. Once: at a wider phone the same
              // CSS rules give the same elements, roles, names and colours (no breakpoint below 40rem), and axe was
              // two thirds of this file's time.
              if (width === 320) {
                const violations = await axeViolations(page, { impact: 'any' });
                if (violations.length > 0)
                  problems.push(`${label} at ${width} px: axe\n${formatViolations(violations)}`);
              }
            }
            // The demo's amounts are small; a line may reach 10¹³ yuan and a region's year more. Every amount in a stacked
            // table made the widest there is, at the narrowest phone: the table must still fit its box (it did not once,
            // in 大字 on /r/tianjin, when another test had imported large amounts into a Tianjin village).
            await page.setViewportSize({ width: PHONE_WIDTHS[0], height: 740 });
            const widest = await page.evaluate((amount) => {
              const doc = (globalThis as unknown as WidestAmounts).document;
              for (const cell of doc.querySelectorAll('table.stack td.num')) {
                const yuan = [...cell.querySelectorAll('.money .yuan')];
                if (yuan.length > 0) for (const y of yuan) y.textContent = amount;
                else cell.textContent = `−¥${amount}`;
              }
              return [...doc.querySelectorAll('table.stack')]
                .filter((table) => table.scrollWidth > (table.parentElement?.clientWidth ?? Infinity) + 1)
                .map((table) => `${table.id ? `#${table.id}` : 'table.stack'} ${table.scrollWidth} px`);
            }, WIDEST_AMOUNT);
            if (widest.length > 0)
              problems.push(`${label} at ${PHONE_WIDTHS[0]} px with ${WIDEST_AMOUNT} yuan: ${widest.join(', ')}`);
          }
        } finally {
          await opened.close();
        }
        expect(problems, problems.join('\n')).toEqual([]);
      },
      TEST_MS,
    );
  }

  it("a long region name in the rules page's region picker does not widen the page, in either size", async () => {
    const opened = await openPage(browser, { viewport: 'phone' });
    try {
      for (const mode of MODES) {
        if (mode === 'large')
          await opened.context.addCookies([{ name: 'mingbai_text', value: 'large', url: t.portal.url }]);
        await opened.page.goto(`${t.portal.url}/rules`);
        await opened.page.setViewportSize({ width: 320, height: 740 });
        // A select is as wide as its longest option: a town named at length (as other data has) must still fit.
        const scrollWidth = await opened.page.evaluate(() => {
          const doc = (globalThis as unknown as { document: LongOptionDocument }).document;
          const option = doc.createElement('option');
          option.textContent = '一个名字很长很长很长很长很长的测试镇街道办事处（全区）';
          doc.querySelector('select')!.appendChild(option);
          return doc.documentElement.scrollWidth;
        });
        expect(scrollWidth, mode).toBeLessThanOrEqual(320);
      }
    } finally {
      await opened.close();
    }
  });
});

/** Just enough of the page's DOM to widen its amounts (no DOM library here). */
interface WidestAmounts {
  document: {
    querySelectorAll(selector: string): Iterable<{
      id: string;
      scrollWidth: number;
      textContent: string | null;
      parentElement: { clientWidth: number } | null;
      querySelectorAll(selector: string): Iterable<{ textContent: string | null }>;
    }>;
  };
}

interface LongOptionDocument {
  createElement(tag: 'option'): { textContent: string | null };
  querySelector(selector: 'select'): { appendChild(node: unknown): void } | null;
  documentElement: { scrollWidth: number };
}
