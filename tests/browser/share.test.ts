// The share pages (issue 18) in a real Chromium at phone widths: the village search (results and a mistake), the
// village page with its search form, the yearly summary sheet; no sideways scrolling at 320, 390 and 414 px, no axe
// violation, screenshots kept under tests/artifacts/share/; the yearly sheet prints on one A4 page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeViolations,
  clearArtifacts,
  formatViolations,
  launchBrowser,
  measureLayout,
  screenshot,
} from '../support/browser.ts';
import { useTestPortal } from '../support/portal.ts';

const ARTIFACTS = 'share';
const WIDTHS = [320, 390, 414] as const;
/** Every page type this feature adds, by URL (the elder helper's width test takes the same list). */
const PAGES = [
  '/v/fucun',
  '/v/fucun/search',
  `/v/fucun/search?q=${encodeURIComponent('五金')}&year=2025&min=100`,
  '/v/fucun/search?min=12abc',
  '/v/fucun/2025/print',
];

describe('share pages at phone widths', () => {
  const t = useTestPortal();
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
    clearArtifacts(ARTIFACTS);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  }, 30_000);

  async function phone(width: number, javaScript: boolean): Promise<{ page: Page; close(): Promise<void> }> {
    const context = await browser.newContext({
      viewport: { width, height: 800 },
      isMobile: true,
      hasTouch: true,
      javaScriptEnabled: javaScript,
      locale: 'zh-CN',
    });
    await context.route(
      (url) => url.hostname !== '127.0.0.1',
      (route) => route.abort('blockedbyclient'),
    );
    return { page: await context.newPage(), close: () => context.close() };
  }

  it.each(WIDTHS)(
    'has no sideways scrolling at %i px',
    async (width) => {
      const { page, close } = await phone(width, false);
      try {
        for (const path of PAGES) {
          await page.goto(`${t.portal.url}${path}`);
          const layout = await measureLayout(page);
          await screenshot(page, ARTIFACTS, path);
          expect(layout.scrollWidth, `${path} at ${width}px: ${layout.overflowing.join(', ')}`).toBeLessThanOrEqual(
            width,
          );
          expect(await page.locator('script').count(), path).toBe(0);
        }
      } finally {
        await close();
      }
    },
    120_000,
  );

  it('has no accessibility violations on the share pages', async () => {
    const { page, close } = await phone(390, true);
    try {
      for (const path of PAGES) {
        await page.goto(`${t.portal.url}${path}`);
        const violations = await axeViolations(page);
        expect(violations, `${path}\n${formatViolations(violations)}`).toEqual([]);
      }
    } finally {
      await close();
    }
  }, 120_000);

  it('prints the yearly summary on one A4 page', async () => {
    const { page, close } = await phone(390, false);
    try {
      await page.goto(`${t.portal.url}/v/fucun/2025/print`);
      await page.emulateMedia({ media: 'print' });
      const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
      const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? [];
      expect(pages).toHaveLength(1);
    } finally {
      await close();
    }
  }, 60_000);
});
