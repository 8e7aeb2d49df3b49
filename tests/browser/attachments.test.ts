// Receipts in a real browser (issue 16): the accountant uploads two photos to a voucher from a phone and draws a
// rectangle over one (JavaScript on), marks another with the numbered grid (JavaScript off), the supervisor confirms
// both, the month is published, and a villager sees the thumbnails and opens the full view, without JavaScript.
// Screenshots at 320 and 390 px land in tests/artifacts/attachments/.
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import {
  clearArtifacts,
  expectAccessible,
  launchBrowser,
  measureLayout,
  openPage,
  screenshot,
  type OpenedPage,
} from '../support/browser.ts';
import { useTestPortal } from '../support/portal.ts';
import { reviewOverApi } from '../support/review.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestPortal();
const TEST = 'attachments';
const WIDTHS = [320, 390] as const;
let browser: Browser;

const [Y, MO] = (() => {
  const now = new Date(Date.now() + 8 * 60 * 60 * 1000);
  return now.getUTCMonth() === 0 ? [now.getUTCFullYear() - 1, 12] : [now.getUTCFullYear(), now.getUTCMonth()];
})();
const YM = `${Y}-${String(MO).padStart(2, '0')}`;
const ARGS = 'villageSlug: $v, year: $y, month: $m';
const MONTH = '($v: String!, $y: Int!, $m: Int!)';

beforeAll(async () => {
  browser = await launchBrowser();
  clearArtifacts(TEST);
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

/**
 * An invoice-like photo: paper, a title bar, rows of "text", a red stamp, and a dark band where a taxpayer or ID number
 * would be (what the accountant covers). Portrait, as a phone holds it.
 */
async function anInvoicePhoto(seed: number): Promise<Buffer> {
  const width = 900;
  const height = 1200;
  const block = (w: number, h: number, colour: string) =>
    sharp({ create: { width: w, height: h, channels: 3, background: colour } })
      .png()
      .toBuffer();
  const rows = await Promise.all(
    Array.from({ length: 10 }, async (_, i) => ({
      input: await block(500 + ((i * 37 + seed * 11) % 200), 18, '#9a9a9a'),
      left: 80,
      top: 420 + i * 60,
    })),
  );
  return sharp({ create: { width, height, channels: 3, background: { r: 252, g: 250, b: 244 - seed * 6 } } })
    .composite([
      { input: await block(740, 70, '#2b4a7a'), left: 80, top: 80 },
      { input: await block(560, 44, '#222222'), left: 80, top: 230 },
      ...rows,
      { input: await block(180, 180, '#c8102e'), left: 640, top: 960 },
    ])
    .jpeg({ quality: 82 })
    .toBuffer();
}

async function signedIn(username: string, javaScript: boolean): Promise<OpenedPage> {
  const opened = await openPage(browser, { viewport: 'phone', javaScript });
  await opened.page.goto(`${t.portal.url}/login`);
  await opened.page.fill('input[name=username]', username);
  await opened.page.fill('input[name=password]', TEST_PASSWORD);
  await Promise.all([opened.page.waitForURL(/\/committee$/), opened.page.click('button[type=submit]')]);
  return opened;
}

/** Clicks a form's button and waits for the page its POST answers with. */
async function submit(page: Page, selector: string) {
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST', { timeout: 30_000 }),
    page.click(selector),
  ]);
  await page.waitForLoadState('load');
}

/** At each width: a screenshot, and no sideways scrolling. */
async function checkPhoneWidths(page: Page, step: string) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 740 });
    const layout = await measureLayout(page);
    expect(layout.scrollWidth, `${step} at ${width} px: ${layout.overflowing.join('; ')}`).toBeLessThanOrEqual(width);
    expect(layout.bodyFontPx).toBeGreaterThanOrEqual(16);
    await screenshot(page, TEST, step);
  }
}

describe('receipts on a phone', () => {
  it('upload two photos and draw → grid without JavaScript → supervisor confirms → published → villager opens them', async () => {
    // Setup: an open month with three payments, and its committee and supervisor.
    const village = await aVillage(t.handle.db, '单据村');
    await aMonth(
      t.handle.db,
      village.id,
      Y,
      MO,
      [
        aVoucher(
          1,
          `${YM}-04`,
          '购买办公用品',
          debit('51301', 32_000, { accountName: '办公费' }),
          credit('102', 32_000),
        ),
        aVoucher(2, `${YM}-10`, '村道修补材料费', debit('514', 880_000), credit('102', 880_000)),
        aVoucher(3, `${YM}-18`, '支付电费', debit('513', 30_000), credit('102', 30_000)),
      ],
      {
        publish: false,
        opening: [
          { accountCode: '102', balanceFen: 5_000_000n },
          { accountCode: '301', balanceFen: -5_000_000n },
        ],
      },
    );
    const [accountant, supervisor, director] = [
      await aUser(t.handle.db, ['accountant', village.slug]),
      await aUser(t.handle.db, ['supervisor', village.slug]),
      await aUser(t.handle.db, ['director', village.slug]),
    ];
    const url = `${t.portal.url}/committee/${village.slug}/attachments?month=${YM}`;

    // 1. The accountant, JavaScript on: two photos at once for voucher 2, a rectangle drawn over the first.
    const a = await signedIn(accountant, true);
    await a.page.goto(`${t.portal.url}/committee/${village.slug}?month=${YM}`);
    await Promise.all([a.page.waitForURL(/\/attachments\?/), a.page.click('#attachments-link')]);
    await a.page.selectOption('select[name=target]', '2');
    await a.page.setInputFiles('input[name=file][capture]', [
      { name: 'IMG_2001.jpg', mimeType: 'image/jpeg', buffer: await anInvoicePhoto(1) },
      { name: 'IMG_2002.jpg', mimeType: 'image/jpeg', buffer: await anInvoicePhoto(2) },
    ]);
    const previews = a.page.locator('#upload-previews img');
    await expect.poll(() => previews.count()).toBe(2);
    for (let i = 0; i < 2; i++) {
      await expect
        .poll(() => previews.nth(i).evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
        .toBeGreaterThan(0);
    }
    const frame = a.page.locator('[data-preview="0"]');
    await frame.scrollIntoViewIfNeeded();
    const box = (await frame.boundingBox())!;
    // Over the dark band (x 80–640 of 900, y 230–274 of 1200), with a margin.
    await a.page.mouse.move(box.x + box.width * 0.07, box.y + box.height * 0.18);
    await a.page.mouse.down();
    await a.page.mouse.move(box.x + box.width * 0.75, box.y + box.height * 0.24, { steps: 6 });
    await a.page.mouse.up();
    const drawn = await a.page.inputValue('input[name="rects-0"]');
    expect(drawn).toMatch(/^0\.0\d+,0\.1\d+,0\.6\d+,0\.0\d+$/);
    expect(await a.page.locator('[data-preview="0"] .drawn').count()).toBe(1);
    await checkPhoneWidths(a.page, '1-upload-drawn');
    await submit(a.page, '#upload-form button[type=submit]');
    expect(await a.page.locator('#outcomes li.in').count()).toBe(2);
    expect(await a.page.locator('[role=status]').innerText()).toContain('上传了 2 个文件');
    const articles = a.page.locator('article.attachment');
    expect(await articles.count()).toBe(2);
    expect(await articles.nth(0).innerText()).toContain('遮盖 1 处');
    expect(await articles.nth(1).innerText()).toContain('遮盖 0 处');
    await checkPhoneWidths(a.page, '2-uploaded');
    await expectAccessible(a.page, 'the attachments page (accountant, JavaScript on)');
    await a.close();

    // 2. The accountant again, JavaScript off: the grid over the second photo, cells 17–20 (the third row's left half).
    const g = await signedIn(accountant, false);
    await g.page.goto(url);
    const second = g.page.locator('article.attachment').nth(1);
    expect(await second.locator('input[name=cell]').count()).toBe(64);
    for (const cell of ['17', '18', '19', '20']) await second.locator(`label.cell:has(input[value="${cell}"])`).click();
    await checkPhoneWidths(g.page, '3-grid');
    await submit(g.page, `#${(await second.getAttribute('id'))!} button:has-text("保存遮盖")`);
    expect(await g.page.locator('[role=status]').innerText()).toContain('遮盖已保存（1 处）');
    expect(await g.page.locator('article.attachment').nth(1).innerText()).toContain('遮盖 1 处');
    await g.close();

    // 3. The supervisor confirms each attachment's redaction.
    const s = await signedIn(supervisor, false);
    await s.page.goto(url);
    expect(await s.page.locator('.state.out').count()).toBe(2);
    await checkPhoneWidths(s.page, '4-supervisor');
    for (let i = 0; i < 2; i++) await submit(s.page, 'form.confirm button');
    expect(await s.page.locator('.state.in').count()).toBe(2);
    expect(await s.page.locator('.state.out').count()).toBe(0);
    await checkPhoneWidths(s.page, '5-confirmed');
    await s.close();

    // 4. Submitted, reviewed, published (as the supervision tests do it).
    const vars = { v: village.slug, y: Y, m: MO };
    const asAccountant = t.api.as(await t.api.login(accountant, TEST_PASSWORD));
    expect((await asAccountant(`mutation ${MONTH} { submitMonth(${ARGS}) { status } }`, vars)).errors).toBeUndefined();
    await reviewOverApi(t, { villageSlug: village.slug, year: Y, month: MO }, { supervisor });
    const asDirector = t.api.as(await t.api.login(director, TEST_PASSWORD));
    expect((await asDirector(`mutation ${MONTH} { publishMonth(${ARGS}) { revision } }`, vars)).errors).toBeUndefined();

    // 5. A villager, no JavaScript: the paperclip on the month page, the thumbnails, the full view.
    const v = await openPage(browser, { viewport: 'phone', javaScript: false });
    await v.page.goto(`${t.portal.url}/v/${village.slug}/${YM}`);
    const clip = v.page.locator('a.clip');
    expect(await clip.count()).toBe(1);
    expect(await clip.getAttribute('data-count')).toBe('2');
    expect(await clip.getAttribute('title')).toBe('附件 2 张');
    expect(await clip.locator('svg').count()).toBe(1);
    await checkPhoneWidths(v.page, '6-month');
    await Promise.all([v.page.waitForURL(/\/2(#attachments)?$/), clip.click()]);
    const thumbs = v.page.locator('a.thumb img');
    expect(await thumbs.count()).toBe(2);
    for (let i = 0; i < 2; i++) {
      await thumbs.nth(i).scrollIntoViewIfNeeded();
      await expect
        .poll(() => thumbs.nth(i).evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
        .toBeGreaterThan(0);
      expect(await thumbs.nth(i).getAttribute('loading')).toBe('lazy');
      expect(await thumbs.nth(i).getAttribute('alt')).toMatch(/第2号凭证的单据.*个人信息已遮盖/);
    }
    await checkPhoneWidths(v.page, '7-voucher');
    // axe needs JavaScript: the same voucher page in a page with it on.
    const checked = await openPage(browser, { viewport: 'phone' });
    await checked.page.goto(v.page.url());
    await expectAccessible(checked.page, 'the voucher page with thumbnails');
    await checked.close();
    const [full] = await Promise.all([
      v.page.waitForResponse(/\/data\/files\/[0-9a-f]{64}\.webp$/),
      thumbs.nth(0).click(),
    ]);
    expect(full.status()).toBe(200);
    expect(full.headers()['content-type']).toBe('image/webp');
    await v.page.waitForURL(/\/data\/files\/[0-9a-f]{64}\.webp$/);
    await v.page.setViewportSize({ width: 390, height: 740 });
    await screenshot(v.page, TEST, '8-full-view');
    await v.close();
  });
});
