// Debian's Chromium driven by playwright-core (no downloaded browser), with the helpers the browser tests share:
// a page at a phone or desktop viewport, screenshots kept as artifacts, axe-core, layout measurements.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = fileURLToPath(new URL('../artifacts', import.meta.url));

export const VIEWPORTS = {
  /** A cheap Android phone. */
  phone: { width: 360, height: 740 },
  desktop: { width: 1280, height: 900 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

/** A headless Chromium that talks to nothing but the pages it is sent to (its own profile in a temp folder). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

export interface OpenOptions {
  viewport: ViewportName;
  /** false: the page as a phone with JavaScript off sees it. Default true. */
  javaScript?: boolean;
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  viewport: ViewportName;
  width: number;
  javaScript: boolean;
  /** Requests to anything but 127.0.0.1, aborted: a public page must not depend on outside servers. */
  blocked: string[];
  close(): Promise<void>;
}

const javaScriptOff = new WeakSet<Page>();

/** A new context (cookies, cache and all) with one page at the viewport, going nowhere but 127.0.0.1. */
export async function openPage(browser: Browser, options: OpenOptions): Promise<OpenedPage> {
  const javaScript = options.javaScript ?? true;
  const size = VIEWPORTS[options.viewport];
  const context = await browser.newContext({
    viewport: size,
    deviceScaleFactor: 1,
    // A phone honours <meta name="viewport">: without it the page lays out at 980 px and scrolls sideways.
    isMobile: options.viewport === 'phone',
    hasTouch: options.viewport === 'phone',
    javaScriptEnabled: javaScript,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  const blocked: string[] = [];
  await context.route(
    (url) => url.hostname !== '127.0.0.1',
    (route) => {
      blocked.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  const page = await context.newPage();
  if (!javaScript) javaScriptOff.add(page);
  return {
    context,
    page,
    viewport: options.viewport,
    width: size.width,
    javaScript,
    blocked,
    close: () => context.close(),
  };
}

const safe = (name: string) =>
  name
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);

/** Empties tests/artifacts/<test>/, so that what is there after a run is that run's screenshots only. */
export function clearArtifacts(test: string): void {
  rmSync(join(ARTIFACTS, safe(test)), { recursive: true, force: true });
}

/**
 * Whether screenshots are taken: for people to look at, they check nothing, so not in CI, which keeps no artifacts
 * (five browser files in CI: 103 → 92 s of CPU without them). MINGBAI_TEST_SCREENSHOTS=1 takes them in CI too, =0
 * skips them anywhere.
 */
export const SCREENSHOTS = (process.env.MINGBAI_TEST_SCREENSHOTS?.trim() || (process.env.CI ? '0' : '1')) !== '0';

/**
 * Saves a full-page screenshot as tests/artifacts/<test>/<step>-<width>.png and returns its path; undefined when
 * screenshots are off (SCREENSHOTS) or Chromium could not take this one (under load it sometimes answers "Unable to
 * capture screenshot": a picture for people is not what the test checks, so that is a warning, not a failure).
 */
export async function screenshot(page: Page, test: string, step: string): Promise<string | undefined> {
  if (!SCREENSHOTS) return undefined;
  const dir = join(ARTIFACTS, safe(test));
  mkdirSync(dir, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  const path = join(dir, `${safe(step)}-${width}.png`);
  try {
    await page.screenshot({ path, fullPage: true, animations: 'disabled', timeout: 20_000 });
    return path;
  } catch (error) {
    console.warn(`screenshot ${path} not taken: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

// The page's own globals, typed just enough for the functions below that run inside Chromium (the project is
// compiled without TypeScript's DOM library).
interface PageElement {
  tagName: string;
  id: string;
  classList: Iterable<string>;
  getBoundingClientRect(): { right: number };
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
}
declare const document: {
  documentElement: PageElement & { scrollWidth: number; clientWidth: number };
  body: PageElement;
};
declare function getComputedStyle(element: PageElement): { fontSize: string };
declare const window: { axe: { run(): Promise<{ violations: AxeViolation[] }> } };

export interface Layout {
  /** document.documentElement.scrollWidth: more than the viewport's width means sideways scrolling. */
  scrollWidth: number;
  /** Computed font-size of <html> and <body>, in px. */
  rootFontPx: number;
  bodyFontPx: number;
  /** The elements wider than the viewport, innermost first (for a readable failure). */
  overflowing: string[];
}

/** Measures what a phone user feels: sideways scrolling and the base text size. Works with JavaScript off too. */
export function measureLayout(page: Page): Promise<Layout> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const limit = root.clientWidth;
    const px = (size: string) => Number(size.replace(/px$/, ''));
    const describe = (el: PageElement) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${[...el.classList].map((c) => `.${c}`).join('')}` +
      ` (right edge ${Math.round(el.getBoundingClientRect().right)} px)`;
    const overflowing = [...document.body.querySelectorAll('*')]
      .filter((el) => el.getBoundingClientRect().right > limit + 0.5 && !el.querySelector('*'))
      .slice(0, 8)
      .map(describe);
    return {
      scrollWidth: root.scrollWidth,
      rootFontPx: px(getComputedStyle(root).fontSize),
      bodyFontPx: px(getComputedStyle(document.body).fontSize),
      overflowing,
    };
  });
}

// axe-core, the standard accessibility checker, run inside the page.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string[]; html: string; failureSummary?: string }[];
}

/**
 * The violations of impact 'serious' or 'critical' on the page as it is now (needs JavaScript on: axe is a script);
 * `{ impact: 'any' }`: of any impact (minor and moderate too).
 */
export async function axeViolations(page: Page, options: { impact?: 'any' } = {}): Promise<AxeViolation[]> {
  if (javaScriptOff.has(page)) {
    throw new Error('axe-core cannot run with JavaScript off: check the same URL in a page with JavaScript on');
  }
  // Evaluated rather than added as a <script> tag: the portal's Content-Security-Policy (script-src 'none') rightly
  // blocks inline scripts, and the page should be checked as it is served, CSP and all. Once per document: a second
  // check of the same page (at another width) runs the axe already there (each run measures the page afresh).
  const loaded = await page.evaluate(() => (globalThis as { axe?: unknown }).axe !== undefined);
  if (!loaded) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run();
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String), html: n.html, failureSummary: n.failureSummary })),
    }));
  });
  if (options.impact === 'any') return violations;
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** One violation a line, then where (at most five places each): readable in a test failure. */
export function formatViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) => {
      const places = v.nodes
        .slice(0, 5)
        .map((n) => `    at ${n.target.join(' ')}: ${n.html.replace(/\s+/g, ' ').slice(0, 160)}`)
        .join('\n');
      const more = v.nodes.length > 5 ? `\n    … and ${v.nodes.length - 5} more` : '';
      return `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${places}${more}`;
    })
    .join('\n');
}

/** Fails with a readable list when axe finds serious or critical problems on the page. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const violations = await axeViolations(page);
  if (violations.length > 0) {
    throw new Error(
      `axe: ${violations.length} serious or critical problem(s) on ${label}:\n${formatViolations(violations)}`,
    );
  }
}
