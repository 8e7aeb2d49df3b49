// A committee's month in a real browser with JavaScript off: every form works as plain HTML.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '@mingbai/db/client';
import { aVillage } from '../support/builders.ts';
import {
  axeViolations,
  clearArtifacts,
  formatViolations,
  launchBrowser,
  openPage,
  screenshot,
} from '../support/browser.ts';
import { useTestPortal } from '../support/portal.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestPortal();
const fixtures = fileURLToPath(new URL('../fixtures/imports/', import.meta.url));
const TEST = 'committee-path';
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  clearArtifacts(TEST);
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

async function signedIn(username: string) {
  const opened = await openPage(browser, { viewport: 'phone', javaScript: false });
  const { page } = opened;
  await page.goto(`${t.portal.url}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', TEST_PASSWORD);
  await Promise.all([page.waitForURL(/\/committee$/), page.click('button[type=submit]')]);
  return opened;
}

async function press(page: Page, label: string) {
  await Promise.all([page.waitForLoadState('load'), page.click(`button:has-text("${label}")`)]);
}

describe('the committee’s path', () => {
  it('log in → a broken file’s errors → a good file → submit → a supervisor flags and approves → answers → the director publishes', async () => {
    const village = await aVillage(t.handle.db);
    const [accountant, supervisor, director] = [
      await aUser(t.handle.db, ['accountant', village.slug]),
      await aUser(t.handle.db, ['supervisor', village.slug]),
      await aUser(t.handle.db, ['director', village.slug]),
    ];
    const monthUrl = `${t.portal.url}/committee/${village.slug}?month=2025-06`;

    const a = await signedIn(accountant);
    await a.page.goto(monthUrl);
    await a.page.setInputFiles('input[name=file]', fixtures + 'bad/unbalanced.csv');
    await press(a.page, '上传并预览');
    const problems = a.page.locator('table#problems tbody tr');
    expect(await problems.count()).toBeGreaterThan(0);
    expect(await a.page.locator('table#problems').innerText()).toMatch(/借贷不平|不平衡|不相等/);
    await screenshot(a.page, TEST, '1-errors');

    await a.page.setInputFiles('input[name=file]', fixtures + 'good/mingbai.utf-8.csv');
    await press(a.page, '上传并预览');
    expect(await a.page.locator('h2:has-text("预览")').count()).toBe(1);
    // The preview names the red flags the upload will raise, as many as the committed upload then reports.
    const previewFlags = await a.page.locator('#preview-flags').innerText();
    expect(previewFlags).toMatch(/红旗/);
    const flagCount = (text: string) => Number(/(\d+) 面红旗/.exec(text)?.[1] ?? 0);
    await screenshot(a.page, TEST, '2-preview');
    await press(a.page, '确认导入');
    const committed = await a.page.locator('[role=status]').innerText();
    expect(committed).toContain('已导入');
    expect(flagCount(committed)).toBe(flagCount(previewFlags));
    await press(a.page, '提交监督员审核');
    expect(await a.page.locator('[role=status]').innerText()).toContain('已提交审核');
    await a.close();

    const s = await signedIn(supervisor);
    await s.page.goto(monthUrl);
    expect(await s.page.locator('button:has-text("公开本月账目")').count()).toBe(0);
    await s.page.fill('#flag input[name=number]', '2');
    await s.page.fill('#flag input[name=reason]', '单价偏高，请补充发票');
    // The month-wide form (each voucher also has its own, folded away).
    await Promise.all([s.page.waitForLoadState('load'), s.page.click('#flag button:has-text("标记存疑")')]);
    expect(await s.page.locator('#flags').innerText()).toContain('单价偏高，请补充发票');
    await screenshot(s.page, TEST, '3-flagged');
    // Publication needs the supervisor's approval of this upload and an answer to every flag.
    await press(s.page, '审核通过');
    expect(await s.page.locator('[role=status]').innerText()).toContain('已审核通过');
    await s.close();

    const answerer = await signedIn(accountant);
    await answerer.page.goto(monthUrl);
    const answers = await answerer.page.locator('form.answer').count();
    expect(answers).toBeGreaterThan(0);
    for (let i = 0; i < answers; i++) {
      const form = answerer.page.locator('form.answer').nth(i);
      await form.locator('textarea[name=body]').fill('单价含安装费，发票已补');
      await Promise.all([answerer.page.waitForLoadState('load'), form.locator('button').click()]);
    }
    await answerer.close();

    const d = await signedIn(director);
    await d.page.goto(monthUrl);
    await press(d.page, '公开本月账目');
    expect(await d.page.locator('[role=status]').innerText()).toContain('已公开');
    await d.close();

    const pub = await openPage(browser, { viewport: 'phone', javaScript: false });
    const response = await pub.page.goto(`${t.portal.url}/v/${village.slug}/2025-06`);
    expect(response?.status()).toBe(200);
    expect(await pub.page.locator('h1').innerText()).toContain('2025年6月');
    expect(await pub.page.locator('table#lines tbody tr').count()).toBeGreaterThan(0);
    await screenshot(pub.page, TEST, '4-public');
    await pub.close();
  }, 180_000);

  it('a file pasted in twice: the preview names the voucher, importing it needs the box ticked', async () => {
    // Setup: voucher 1's lines each twice (an export pasted in twice, then sorted).
    const village = await aVillage(t.handle.db);
    const accountant = await aUser(t.handle.db, ['accountant', village.slug]);
    const dir = mkdtempSync(join(tmpdir(), 'mingbai-doubled-'));
    const file = join(dir, 'june.csv');
    writeFileSync(
      file,
      [
        '凭证号,日期,摘要,科目编码,借方金额,贷方金额',
        '1,2025-06-03,支付电费,513,300.00,',
        '1,2025-06-03,支付电费,513,300.00,',
        '1,2025-06-03,支付电费,102,,300.00',
        '1,2025-06-03,支付电费,102,,300.00',
      ].join('\n') + '\n',
    );
    const a = await signedIn(accountant);
    const preview = async () => {
      await a.page.goto(`${t.portal.url}/committee/${village.slug}?month=2025-06`);
      await a.page.setInputFiles('input[name=file]', file);
      await press(a.page, '上传并预览');
    };
    try {
      // Action and Assertions: the preview warns; confirming without the box is refused; with it, imported.
      await preview();
      expect(await a.page.locator('#warnings').innerText()).toContain('第1号凭证');
      await screenshot(a.page, TEST, '5-repeated-lines');
      await press(a.page, '确认导入');
      expect(await a.page.locator('table#problems').innerText()).toContain('REPEATED_LINES_UNCONFIRMED');
      await preview();
      await a.page.check('input[name=confirmRepeatedLines]');
      await press(a.page, '确认导入');
      expect(await a.page.locator('[role=status]').innerText()).toContain('已导入');
    } finally {
      await a.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('lets a second township admin confirm a director another admin created, with one button', async () => {
    const village = await aVillage(t.handle.db);
    const [town] = await queryRows<{ slug: string; district: string }>(
      t.handle.db,
      sql`select r.slug, d.slug as district from villages v join regions r on r.id = v.town_id
            join regions d on d.id = r.parent_id where v.id = ${village.id}`,
    );
    const granter = t.api.as(
      await t.api.login(await aUser(t.handle.db, ['township_admin', town!.slug]), TEST_PASSWORD),
    );
    const second = await aUser(t.handle.db, ['township_admin', town!.district]);
    const director = `pd-${process.pid}-${village.id}`;
    await granter(
      `mutation ($v: String!, $u: String!) { createVillageUser(villageSlug: $v, username: $u, displayName: "新主任", password: "${TEST_PASSWORD}", role: "director") }`,
      { v: village.slug, u: director },
    );
    const roles = async () =>
      (
        await t.api.as(await t.api.login(director, TEST_PASSWORD))<{ me: { roles: unknown[] } }>(
          `{ me { roles { role } } }`,
        )
      ).data!.me.roles;
    expect(await roles()).toEqual([]);

    const s = await signedIn(second);
    const row = s.page.locator('li', { hasText: director });
    expect(await row.innerText()).toContain('村主任');
    await Promise.all([s.page.waitForLoadState('load'), row.locator('button:has-text("确认")').click()]);
    expect(await s.page.locator('[role=status]').innerText()).toContain('已确认');
    await s.close();

    expect(await roles()).toEqual([{ role: 'director' }]);
  }, 120_000);

  it('has no serious or critical accessibility violations on the login, workbench and month pages', async () => {
    const village = await aVillage(t.handle.db);
    const accountant = await aUser(t.handle.db, ['accountant', village.slug]);
    const opened = await openPage(browser, { viewport: 'desktop', javaScript: true });
    const { page } = opened;
    const problems: string[] = [];
    const check = async (name: string) => {
      const violations = await axeViolations(page);
      if (violations.length > 0) problems.push(`${name}:\n${formatViolations(violations)}`);
    };
    await page.goto(`${t.portal.url}/login`);
    await check('login');
    await page.fill('input[name=username]', accountant);
    await page.fill('input[name=password]', TEST_PASSWORD);
    await Promise.all([page.waitForURL(/\/committee$/), page.click('button[type=submit]')]);
    await check('workbench');
    await page.goto(`${t.portal.url}/committee/${village.slug}?month=2025-06`);
    await page.setInputFiles('input[name=file]', fixtures + 'bad/amounts.csv');
    await press(page, '上传并预览');
    await check('month with errors');
    await opened.close();
    expect(problems).toEqual([]);
  }, 90_000);

  it('refuses a cross-site form post and a post without the CSRF token', async () => {
    const village = await aVillage(t.handle.db);
    const accountant = await aUser(t.handle.db, ['accountant', village.slug]);
    const opened = await signedIn(accountant);
    const cookies = await opened.context.cookies();
    const cookieHeader = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const form = new URLSearchParams({ action: 'submit', csrf: cookies.find((c) => c.name === 'mingbai_csrf')!.value });
    const url = `${t.portal.url}/committee/${village.slug}?month=2025-06`;
    const crossSite = await fetch(url, {
      method: 'POST',
      headers: {
        cookie: cookieHeader,
        origin: 'https://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form,
      redirect: 'manual',
    });
    expect(crossSite.status).toBe(403);
    const noToken = await fetch(url, {
      method: 'POST',
      headers: { cookie: cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ action: 'submit' }),
      redirect: 'manual',
    });
    expect(noToken.status).toBe(403);
    const session = cookies.find((c) => c.name === 'mingbai_session')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    await opened.close();
  }, 90_000);
});
