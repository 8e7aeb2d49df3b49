// The committee's workbench in a real browser with JavaScript off: what waits for whom, roles in Chinese, the month
// chosen with Chinese selects and opened at the open month, uploads that replace or append, and the preview's opening
// balance when the month before is not yet published. Phone widths without sideways scrolling.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import {
  axeViolations,
  clearArtifacts,
  formatViolations,
  launchBrowser,
  measureLayout,
  openPage,
  screenshot,
} from '../support/browser.ts';
import { useTestPortal } from '../support/portal.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestPortal();
const TEST = 'workbench';
let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await launchBrowser();
  clearArtifacts(TEST);
  dir = mkdtempSync(join(tmpdir(), 'mingbai-workbench-'));
}, 60_000);
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The month `back` months before the last one that has ended in Beijing. */
function ended(back: number): { year: number; month: number } {
  const beijing = new Date(Date.now() + 8 * 3600_000);
  const i = beijing.getUTCFullYear() * 12 + beijing.getUTCMonth() - 1 - back;
  return { year: Math.floor(i / 12), month: (i % 12) + 1 };
}
const ym = (m: { year: number; month: number }) => `${m.year}-${String(m.month).padStart(2, '0')}`;
const label = (m: { year: number; month: number }) => `${m.year}年${m.month}月`;

/** A file in our template for the month: voucher `number`, income from the town into the bank. */
function ledgerFile(m: { year: number; month: number }, number: number, yuan: string): string {
  const path = join(dir, `${ym(m)}-${number}.csv`);
  const date = `${ym(m)}-0${Math.min(9, number + 1)}`;
  writeFileSync(
    path,
    '凭证号,日期,摘要,科目编码,科目名称,借方金额,贷方金额,收付款人\n' +
      `${number},${date},收到镇政府拨付运转经费,102,,${yuan},,\n` +
      `${number},${date},收到镇政府拨付运转经费,503,,,${yuan},\n`,
  );
  return path;
}

async function signedIn(username: string, width = 390) {
  const opened = await openPage(browser, { viewport: 'phone', javaScript: false });
  await opened.page.setViewportSize({ width, height: 844 });
  await opened.page.goto(`${t.portal.url}/login`);
  await opened.page.fill('input[name=username]', username);
  await opened.page.fill('input[name=password]', TEST_PASSWORD);
  await Promise.all([opened.page.waitForURL(/\/committee$/), opened.page.click('button[type=submit]')]);
  return opened;
}

async function press(page: Page, selector: string) {
  await Promise.all([page.waitForLoadState('load'), page.click(selector)]);
}

describe('the committee’s workbench', () => {
  it('lists what waits, opens the open month from Chinese selects, replaces then appends, and says where the opening balance starts', async () => {
    // Setup: the month before last published; nothing after it.
    const village = await aVillage(t.handle.db);
    const [published, open, last] = [ended(2), ended(1), ended(0)];
    await aMonth(
      t.handle.db,
      village.id,
      published.year,
      published.month,
      [aVoucher(1, `${ym(published)}-03`, '收到镇政府拨付运转经费', debit('102', 500_000), credit('503', 500_000))],
      {
        opening: [
          { accountCode: '102', balanceFen: 1_000_000n },
          { accountCode: '301', balanceFen: -1_000_000n },
        ],
      },
    );
    const accountant = await aUser(t.handle.db, ['accountant', village.slug]);
    const supervisor = await aUser(t.handle.db, ['supervisor', village.slug]);

    const { page, close } = await signedIn(accountant);
    const bench = page.locator(`#bench-${village.slug}`);
    // Roles by their Chinese names, where by the village's name: no slugs.
    const roles = await page.locator('#roles').innerText();
    expect(roles).toMatch(/报账员（测试村\d+）/);
    expect(roles).not.toContain(village.slug);
    expect(roles).not.toContain('accountant');
    // The two ended months with nothing uploaded, each waiting for an upload; the first is the month opened.
    const waiting = bench.locator('.bench-months li');
    expect(await waiting.count()).toBe(2);
    expect(await waiting.nth(0).innerText()).toContain(label(open));
    expect(await waiting.nth(0).innerText()).toMatch(/尚未上传[\s\S]*待您：上传账目/);
    expect(await waiting.nth(1).innerText()).toContain(label(last));
    // No browser date picker: two selects in Chinese, set to the open month.
    expect(await page.locator('input[type=month], input[type=date]').count()).toBe(0);
    expect(await bench.locator('select[name=y]').inputValue()).toBe(String(open.year));
    expect(await bench.locator('select[name=m]').inputValue()).toBe(String(open.month));
    expect(await bench.locator(`select[name=m] option[value="${open.month}"]`).innerText()).toBe(`${open.month}月`);
    await screenshot(page, TEST, '1-workbench');
    for (const width of [320, 390, 414]) {
      await page.setViewportSize({ width, height: 844 });
      const layout = await measureLayout(page);
      expect(layout.scrollWidth, `${width} px: ${layout.overflowing.join(', ')}`).toBeLessThanOrEqual(width);
    }
    await page.setViewportSize({ width: 390, height: 844 });

    // The village's page without a month opens its open month.
    await page.goto(`${t.portal.url}/committee/${village.slug}`);
    expect(new URL(page.url()).search).toBe(`?month=${ym(open)}`);
    await page.goto(`${t.portal.url}/committee`);

    // The picker opens the month page at ?month=YYYY-MM.
    await press(page, `#bench-${village.slug} form.month-picker button[type=submit]`);
    expect(new URL(page.url()).search).toBe(`?month=${ym(open)}`);
    expect(await page.locator('h1').innerText()).toContain(label(open));

    // Replace (the only sensible choice on an empty month, so chosen already), preview, confirm.
    expect(await page.locator('input[name=mode][value=replace]').isChecked()).toBe(true);
    await page.setInputFiles('input[name=file]', ledgerFile(open, 1, '800.00'));
    await press(page, 'button:has-text("上传并预览")');
    expect(await page.locator('#opening-basis').innerText()).toContain(`从${label(published)}公开的月末余额起算`);
    await press(page, 'button:has-text("确认导入")');
    expect(await page.locator('[role=status]').innerText()).toContain('已导入');

    // Append a second voucher: the month keeps the first. With vouchers in the month, neither way is pre-chosen.
    expect(await page.locator('input[name=mode]:checked').count()).toBe(0);
    await page.check('input[name=mode][value=append]');
    await page.setInputFiles('input[name=file]', ledgerFile(open, 2, '50.00'));
    await press(page, 'button:has-text("上传并预览")');
    expect(await page.locator('#preview-mode').innerText()).toContain('原有的 1 张凭证保留');
    await screenshot(page, TEST, '2-append-preview');
    for (const width of [320, 414]) {
      await page.setViewportSize({ width, height: 844 });
      const layout = await measureLayout(page);
      expect(layout.scrollWidth, `${width} px: ${layout.overflowing.join(', ')}`).toBeLessThanOrEqual(width);
    }
    await page.setViewportSize({ width: 390, height: 844 });
    await press(page, 'button:has-text("确认追加")');
    expect(await page.locator('[role=status]').innerText()).toContain('已追加');
    expect(await page.locator('.card:has-text("凭证") .value').first().innerText()).toBe('2 张');

    // The last ended month, while the one before is open: the preview starts from the published month and says so.
    await page.goto(`${t.portal.url}/committee/${village.slug}?y=${last.year}&m=${last.month}`);
    expect(new URL(page.url()).search).toBe(`?month=${ym(last)}`);
    await page.setInputFiles('input[name=file]', ledgerFile(last, 1, '10.00'));
    await press(page, 'button:has-text("上传并预览")');
    const basis = await page.locator('#opening-basis').innerText();
    expect(basis).toContain(`从${label(published)}公开的月末余额起算`);
    expect(basis).toContain(`${label(open)}（正在录入）`);
    // ¥10,000 opening + ¥5,000 published + ¥850 still open = ¥15,850.
    expect(await page.locator('h2:has-text("预览") + p + p').innerText()).toMatch(/月初余额 ¥?15,850\.00/);
    await screenshot(page, TEST, '3-opening-basis');

    // Back on the workbench: the open month now waits for its submission.
    await page.goto(`${t.portal.url}/committee`);
    const first = bench.locator('.bench-months li').nth(0);
    expect(await first.innerText()).toMatch(/正在录入，2 张凭证[\s\S]*提交审核/);
    await close();

    // The supervisor sees the same month waiting on the committee, not on them.
    const s = await signedIn(supervisor);
    expect(await s.page.locator('#roles').innerText()).toMatch(/监督员（测试村\d+）/);
    const theirs = s.page.locator(`#bench-${village.slug}`);
    expect(await theirs.locator('.bench-months li').count()).toBe(0);
    expect(await theirs.locator('.bench-others').innerText()).toContain(`${label(open)}：正在录入，等村委会提交审核`);
    await s.close();
  });

  it('passes axe on the workbench', async () => {
    const village = await aVillage(t.handle.db);
    const director = await aUser(t.handle.db, ['director', village.slug]);
    const opened = await openPage(browser, { viewport: 'phone' });
    await opened.page.goto(`${t.portal.url}/login`);
    await opened.page.fill('input[name=username]', director);
    await opened.page.fill('input[name=password]', TEST_PASSWORD);
    await Promise.all([opened.page.waitForURL(/\/committee$/), opened.page.click('button[type=submit]')]);
    const violations = await axeViolations(opened.page);
    expect(violations, formatViolations(violations)).toEqual([]);
    await opened.close();
  });
});
