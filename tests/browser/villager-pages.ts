// Every villager page type, by URL: the list the width, axe and 大字 tests (widths.test.ts, elder.test.ts) walk.
// A new villager page is one more line here.
import type { Page } from 'playwright-core';

export interface VillagerPage {
  /** What kind of page, for messages and screenshot names. */
  type: string;
  /** The path on the portal; a function when it is known only once the test has set something up. */
  path: string | ((made: Made) => string);
  /** 'api-down': served by a second portal whose API cannot be reached (the error page). */
  portal?: 'api-down';
  /** The status the page answers with (200 unless said). */
  status?: number;
}

/** What the tests make before walking the pages. */
export interface Made {
  /** A question asked about 付村 2025-06, voucher 1: its page's path. */
  questionPath: string;
}

export const VILLAGER_PAGES: VillagerPage[] = [
  { type: 'home', path: '/' },
  { type: 'home search', path: '/?q=%E4%BB%98%E6%9D%91' },
  { type: 'region (district)', path: '/r/xiqing' },
  { type: 'region (town)', path: '/r/jingwu' },
  { type: 'village', path: '/v/fucun' },
  { type: 'month', path: '/v/fucun/2025-06' },
  { type: 'month (filtered)', path: '/v/fucun/2025-06?category=514' },
  { type: 'month (corrected, first revision)', path: '/v/fucun/2025-08?rev=1' },
  { type: 'voucher', path: '/v/fucun/2025-06/1' },
  { type: 'print', path: '/v/fucun/2025-06/print' },
  { type: 'verify', path: '/v/fucun/verify' },
  { type: 'questions', path: '/v/fucun/questions' },
  { type: 'question', path: (made) => made.questionPath },
  { type: 'ask', path: '/v/fucun/ask' },
  { type: 'rules', path: '/rules' },
  { type: 'rules (a town)', path: '/rules?region=fucun' },
  { type: 'docs (zh)', path: '/docs' },
  { type: 'docs (en)', path: '/en/docs' },
  { type: 'docs types (zh)', path: '/docs/types' },
  { type: 'docs types (en)', path: '/en/docs/types' },
  { type: 'digest docs (zh)', path: '/docs/digest' },
  { type: 'digest docs (en)', path: '/en/docs/digest' },
  { type: 'data index', path: '/data' },
  { type: '404', path: '/v/no-such-village', status: 404 },
  { type: '500 (API down)', path: '/v/fucun', portal: 'api-down', status: 503 },
  { type: 'glossary', path: '/help/words' },
  { type: 'village search', path: '/v/fucun/search' },
  { type: 'village search (results)', path: `/v/fucun/search?q=${encodeURIComponent('五金')}&year=2025&min=100` },
  { type: 'village search (a mistake)', path: '/v/fucun/search?min=12abc', status: 400 },
  { type: 'yearly print', path: '/v/fucun/2025/print' },
  { type: 'region (a year and month)', path: '/r/xiqing?year=2025&month=8' },
  { type: 'region (city, paged)', path: '/r/tianjin' },
  { type: 'town comparison', path: '/r/jingwu/compare?village=fucun' },
  { type: 'town comparison (a category)', path: '/r/jingwu/compare?year=2025&cat=spending-2023-513&village=xiaonanhe' },
  { type: 'district comparison (income)', path: '/r/xiqing/compare?year=2024&cat=income' },
];

/**
 * A small phone and a common one. Not 414 any more: from 390 to 414 px the same CSS applies (the portal's only
 * breakpoints are at 40rem) with the same grid tracks (its auto-fit grids need 424 px or more for another column), so
 * 414 only widened what 390 lays out, and sideways scrolling, stacked tables and minimum sizes bind at the narrower.
 */
export const PHONE_WIDTHS = [320, 390] as const;

export type TextSizeMode = 'standard' | 'large';
export const MODES: TextSizeMode[] = ['standard', 'large'];

export function pathOf(page: VillagerPage, made: Made): string {
  return typeof page.path === 'function' ? page.path(made) : page.path;
}

// The page's own globals, typed just enough for the functions below that run inside Chromium (the project is
// compiled without TypeScript's DOM library).
interface El {
  tagName: string;
  textContent: string | null;
  parentElement: El | null;
  closest(selector: string): El | null;
  getBoundingClientRect(): { width: number; height: number; right: number };
}
declare const document: {
  body: El;
  querySelectorAll(selector: string): Iterable<El>;
  createTreeWalker(root: El, what: number): { nextNode(): El | null; currentNode: El };
};
declare function getComputedStyle(el: El): {
  fontSize: string;
  lineHeight: string;
  visibility: string;
  clip: string;
};

/** The 大字 numbers a page breaks, as readable lines (at most 12): text size, line spacing, tap targets. */
export function elderProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const seen = new Set<El>();
    const SHOW_TEXT = 4;
    const walker = document.createTreeWalker(document.body, SHOW_TEXT);
    const visible = (el: El) => {
      const r = el.getBoundingClientRect();
      // Screen-reader-only text (1 × 1 px, clipped) is not read with the eyes.
      return r.width > 1 && r.height > 1 && getComputedStyle(el).visibility !== 'hidden';
    };
    while (walker.nextNode()) {
      const text = walker.currentNode;
      const words = (text.textContent ?? '').trim();
      const el = text.parentElement;
      if (!words || !el || seen.has(el) || el.closest('svg') || !visible(el)) continue;
      seen.add(el);
      const style = getComputedStyle(el);
      // Computed sizes are "24px" (pixels, not money).
      const px = (value: string) => Number(value.replace(/px$/, ''));
      const size = px(style.fontSize);
      const line = style.lineHeight === 'normal' ? 1.2 * size : px(style.lineHeight);
      const heading = el.closest('h1, h2, h3, h4, h5, h6') !== null;
      const what = `<${el.tagName.toLowerCase()}> "${words.slice(0, 24)}"`;
      if (size < (heading ? 40 : 24)) out.push(`text ${size} px (< ${heading ? 40 : 24}): ${what}`);
      if (line / size < 1.3 - 1e-6) out.push(`line spacing ${(line / size).toFixed(2)} (< 1.3): ${what}`);
    }
    const targets = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
    for (const el of document.querySelectorAll(targets)) {
      if (!visible(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width < 60 - 0.5 || r.height < 60 - 0.5)
        out.push(
          `tap target ${Math.round(r.width)} × ${Math.round(r.height)} px (< 60 × 60): ` +
            `<${el.tagName.toLowerCase()}> "${(el.textContent ?? '').trim().slice(0, 24)}"`,
        );
    }
    return out.slice(0, 12);
  });
}
