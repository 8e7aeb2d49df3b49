// The API docs and the query explorer in Chromium: readable on a 360 px phone, an example run with JavaScript off,
// no serious or critical axe findings. Screenshots go to tests/artifacts/docs/.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeViolations,
  clearArtifacts,
  formatViolations,
  launchBrowser,
  measureLayout,
  openPage,
  screenshot,
  type ViewportName,
} from '../support/browser.ts';
import { useTestPortal } from '../support/portal.ts';

const t = useTestPortal();
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
  clearArtifacts('docs');
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe('API docs in a browser', () => {
  for (const viewport of ['phone', 'desktop'] as ViewportName[]) {
    it(`/docs and /en/docs at ${viewport} size: no sideways scrolling, no serious axe findings`, async () => {
      const opened = await openPage(browser, { viewport, javaScript: true });
      try {
        for (const path of ['/docs', '/en/docs']) {
          const response = await opened.page.goto(`${t.portal.url}${path}`);
          expect(response?.status()).toBe(200);
          await screenshot(opened.page, 'docs', path === '/docs' ? '1-docs-zh' : '2-docs-en');
          const layout = await measureLayout(opened.page);
          expect(layout.scrollWidth, `${path} scrolls sideways`).toBeLessThanOrEqual(opened.width);
          const violations = await axeViolations(opened.page);
          expect(violations, formatViolations(violations)).toEqual([]);
        }
        expect(opened.blocked).toEqual([]);
      } finally {
        await opened.close();
      }
    }, 90_000);
  }

  it('runs an example in the explorer with JavaScript off, on a phone', async () => {
    const opened = await openPage(browser, { viewport: 'phone', javaScript: false });
    const { page } = opened;
    try {
      await page.goto(`${t.portal.url}/docs`);
      await page.locator('#example-village-month a', { hasText: '试一试' }).click();
      await page.waitForURL(/\/docs\/explorer\?example=village-month$/);
      expect(await page.locator('#query').inputValue()).toContain('query VillageMonth');
      await screenshot(page, 'docs', '3-explorer-prefilled');
      await page.getByRole('button', { name: '运行' }).click();
      await page.waitForSelector('#result-body');
      expect(await page.locator('#result-status').innerText()).toBe('200');
      expect(await page.locator('#result-cost').innerText()).toMatch(/"requested":\d+/);
      const body = await page.locator('#result-body').innerText();
      expect(body).toContain('"name": "付村"');
      expect(body).not.toContain('"errors"');
      // The form keeps what was run, so the visitor can change it and run again.
      expect(await page.locator('#query').inputValue()).toContain('query VillageMonth');
      await screenshot(page, 'docs', '4-explorer-result');
      expect((await measureLayout(page)).scrollWidth).toBeLessThanOrEqual(opened.width);
    } finally {
      await opened.close();
    }
  }, 90_000);

  it('the explorer and its result have no serious axe findings', async () => {
    const opened = await openPage(browser, { viewport: 'desktop', javaScript: true });
    const { page } = opened;
    try {
      await page.goto(`${t.portal.url}/en/docs/explorer?example=villages`);
      let violations = await axeViolations(page);
      expect(violations, formatViolations(violations)).toEqual([]);
      await page.getByRole('button', { name: 'Run' }).click();
      await page.waitForSelector('#result-body');
      await screenshot(page, 'docs', '5-explorer-en-result');
      violations = await axeViolations(page);
      expect(violations, formatViolations(violations)).toEqual([]);
    } finally {
      await opened.close();
    }
  }, 60_000);
});
