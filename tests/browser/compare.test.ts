// The compare and look-back pages (issue 18) on phones: no sideways scrolling at 320, 390 and 414 px with JavaScript
// off, no serious or critical axe finding, screenshots in tests/artifacts/compare/.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clearArtifacts,
  expectAccessible,
  launchBrowser,
  measureLayout,
  openPage,
  screenshot,
} from '../support/browser.ts';
import { useTestPortal } from '../support/portal.ts';

const t = useTestPortal();
const TEST = 'compare';
const WIDTHS = [320, 390, 414] as const;
/** Every page type this feature adds or changes, by URL (the widths test of issue 18 may list them too). */
const PAGES = [
  ['town', '/r/jingwu'],
  ['district-month', '/r/xiqing?year=2025&month=8'],
  ['city-page-1', '/r/tianjin'],
  ['compare-marked', '/r/jingwu/compare?village=fucun'],
  ['compare-category', '/r/jingwu/compare?year=2025&cat=spending-2023-513&village=xiaonanhe'],
  ['compare-district-income', '/r/xiqing/compare?year=2024&cat=income'],
  ['village-trend', '/v/fucun'],
] as const;
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  clearArtifacts(TEST);
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe('compare pages on a phone', () => {
  it('never scroll sideways at 320, 390 or 414 px', async () => {
    const opened = await openPage(browser, { viewport: 'phone', javaScript: false });
    const problems: string[] = [];
    for (const width of WIDTHS) {
      await opened.page.setViewportSize({ width, height: 740 });
      for (const [name, path] of PAGES) {
        const res = await opened.page.goto(`${t.portal.url}${path}`);
        expect(res?.status(), path).toBe(200);
        const layout = await measureLayout(opened.page);
        if (layout.scrollWidth > width) {
          problems.push(`${path} at ${width}px: ${layout.scrollWidth}px wide (${layout.overflowing.join(', ')})`);
        }
        await screenshot(opened.page, TEST, name);
      }
    }
    await opened.close();
    expect(problems).toEqual([]);
  }, 180_000);

  it('have no serious or critical accessibility problem (axe)', async () => {
    const opened = await openPage(browser, { viewport: 'phone', javaScript: true });
    for (const [, path] of PAGES) {
      await opened.page.goto(`${t.portal.url}${path}`);
      await expectAccessible(opened.page, path);
    }
    await opened.close();
  }, 120_000);
});
