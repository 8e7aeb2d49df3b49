// Plain words in a real Chromium: the glossary and the pages that link to it at a small phone's 320 px, 390 and 414,
// with JavaScript off as a villager's cheap phone may have it: no sideways scrolling, the 怎么看这一页 note opens
// without script, a linked word lands on its explanation, and axe finds nothing on the glossary. Screenshots go to
// tests/artifacts/words/.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearArtifacts, launchBrowser, measureLayout, screenshot, type AxeViolation } from '../support/browser.ts';
import { useTestPortal } from '../support/portal.ts';

const WIDTHS = [320, 390, 414] as const;
const ARTIFACTS = 'words';
/** 付村 2025-06 in the demo data; its voucher 1 has a receipt into cash, and a 计提 voucher is found by the API. */
const PAGES = ['/help/words', '/v/fucun/2025-06', '/v/fucun/2025-06/1', '/v/fucun', '/rules?region=fucun'];
const TEST_MS = 180_000;

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
declare const window: { axe: { run(): Promise<{ violations: AxeViolation[] }> } };
declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number };
  querySelector(selector: string): { getBoundingClientRect(): { top: number; bottom: number } } | null;
};

describe('plain words on a phone', () => {
  const fixture = useTestPortal();
  let browser: Browser;

  beforeAll(async () => {
    clearArtifacts(ARTIFACTS);
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  }, 30_000);

  async function phone(width: number, javaScript: boolean): Promise<{ page: Page; close(): Promise<void> }> {
    const context = await browser.newContext({
      viewport: { width, height: 800 },
      deviceScaleFactor: 1,
      isMobile: true,
      hasTouch: true,
      javaScriptEnabled: javaScript,
      locale: 'zh-CN',
    });
    context.setDefaultTimeout(15_000);
    return { page: await context.newPage(), close: () => context.close() };
  }

  it(
    'no page scrolls sideways at 320, 390 or 414 px, the 怎么看这一页 note open or not',
    async () => {
      for (const width of WIDTHS) {
        const { page, close } = await phone(width, false);
        try {
          for (const path of PAGES) {
            const res = await page.goto(`${fixture.portal.url}${path}`);
            expect(res?.status(), path).toBe(200);
            if (await page.locator('details.howto').count()) {
              await page.locator('details.howto summary').click();
              expect(await page.locator('details.howto').getAttribute('open'), `${path}: opens without script`).toBe(
                '',
              );
            }
            const layout = await measureLayout(page);
            expect(layout.scrollWidth, `${path} at ${width} px: ${layout.overflowing.join(', ')}`).toBeLessThanOrEqual(
              width,
            );
            await screenshot(page, ARTIFACTS, path);
          }
        } finally {
          await close();
        }
      }
    },
    TEST_MS,
  );

  it(
    'a linked word on the voucher page lands on its explanation, in view',
    async () => {
      const { page, close } = await phone(390, false);
      try {
        await page.goto(`${fixture.portal.url}/v/fucun/2025-06/1`);
        await page.locator('section.flow a.term[href$="#jie-dai"]').first().click();
        await page.waitForURL(/\/help\/words#jie-dai$/);
        const box = await page.evaluate(() => {
          const r = document.querySelector('#jie-dai')!.getBoundingClientRect();
          return { top: r.top, bottom: r.bottom };
        });
        expect(box.top).toBeGreaterThanOrEqual(-1);
        expect(box.top).toBeLessThan(800);
        expect(await page.locator('#jie-dai dd').textContent()).toContain('钱从哪里来');
        await screenshot(page, ARTIFACTS, 'help-words-jie-dai');
      } finally {
        await close();
      }
    },
    TEST_MS,
  );

  it(
    'axe finds nothing, of any impact, on the glossary and the voucher page',
    async () => {
      const { page, close } = await phone(390, true);
      try {
        for (const path of ['/help/words', '/help/words#jiti', '/v/fucun/2025-06/1']) {
          await page.goto(`${fixture.portal.url}${path}`);
          await page.evaluate(axeSource);
          const violations = await page.evaluate(async () => (await window.axe.run()).violations);
          expect(
            violations.map((v) => `[${v.impact}] ${v.id}: ${v.nodes.map((n) => n.html.slice(0, 120)).join(' | ')}`),
            path,
          ).toEqual([]);
        }
      } finally {
        await close();
      }
    },
    TEST_MS,
  );
});
