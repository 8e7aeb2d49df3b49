// Villagers' questions in a real Chromium, on a phone with JavaScript off: a villager asks on the month page, the
// question is listed with its due date, the accountant answers on the committee page, the public page shows the
// answer; a question past its due date (the clock moved in the database) shows 逾期 and reaches the township's list.
// Screenshots at 320 and 390 px land in tests/artifacts/questions/.
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { askerKeyOf, askQuestion } from '@mingbai/db/ledger/questions';
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
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestPortal();
const TEST = 'questions';
/** The narrowest phones still sold, and a common one. */
const WIDTHS = [320, 390] as const;
const YM = '2025-04';
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  clearArtifacts(TEST);
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

async function signedIn(username: string): Promise<OpenedPage> {
  const opened = await openPage(browser, { viewport: 'phone', javaScript: false });
  await opened.page.goto(`${t.portal.url}/login`);
  await opened.page.fill('input[name=username]', username);
  await opened.page.fill('input[name=password]', TEST_PASSWORD);
  await Promise.all([opened.page.waitForURL(/\/committee$/), opened.page.click('button[type=submit]')]);
  return opened;
}

/** At each width: a screenshot, no sideways scrolling, type no smaller than 16 px. */
async function checkPhoneWidths(page: Page, step: string) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 740 });
    const layout = await measureLayout(page);
    expect(layout.scrollWidth, `${step} at ${width} px: ${layout.overflowing.join('; ')}`).toBeLessThanOrEqual(width);
    expect(layout.bodyFontPx).toBeGreaterThanOrEqual(16);
    await screenshot(page, TEST, step);
  }
}

async function submit(page: Page, scope: string, label: string) {
  await Promise.all([page.waitForLoadState('load'), page.click(`${scope} button:has-text("${label}")`)]);
}

describe('questions on a phone', () => {
  it('ask on the month page → listed with its due date → the accountant answers → the public sees the answer; overdue → 逾期 and the township list', async () => {
    // Setup: a published April with a payment to a person and a ¥300 electricity bill.
    const village = await aVillage(t.handle.db, '问答村');
    await aMonth(
      t.handle.db,
      village.id,
      2025,
      4,
      [
        aVoucher(
          1,
          `${YM}-08`,
          '支付保洁员工资',
          debit('513', 150_000, { counterparty: { name: '王秀英', isPerson: true }, paymentMethod: 'bank' }),
          credit('102', 150_000, { counterparty: { name: '王秀英', isPerson: true }, paymentMethod: 'bank' }),
        ),
        aVoucher(2, `${YM}-21`, '支付村委会电费', debit('513', 30_000), credit('102', 30_000)),
      ],
      {
        opening: [
          { accountCode: '102', balanceFen: 10_000_000n },
          { accountCode: '301', balanceFen: -10_000_000n },
        ],
      },
    );
    const [town] = await queryRows<{ slug: string }>(
      t.handle.db,
      sql`select r.slug from villages v join regions r on r.id = v.town_id where v.id = ${village.id}`,
    );
    const accountant = await aUser(t.handle.db, ['accountant', village.slug]);
    const admin = await aUser(t.handle.db, ['township_admin', town!.slug]);
    const monthUrl = `${t.portal.url}/v/${village.slug}/${YM}`;

    // A villager on a cheap phone, JavaScript off, asks from the month page's form.
    const villager = await openPage(browser, { viewport: 'phone', javaScript: false });
    const p = villager.page;
    await p.setViewportSize({ width: 320, height: 740 });
    await p.goto(`${monthUrl}#ask`);
    expect(await p.locator('#ask form').count()).toBe(1);
    await p.fill('#ask textarea[name=body]', '4月电费300元，比3月多了一倍，是什么原因？');
    await p.fill('#ask input[name=contact]', '13812345678');
    await p.locator('#ask').scrollIntoViewIfNeeded();
    await checkPhoneWidths(p, '1-month-ask-form');
    await submit(p, '#ask', '提交问题');
    const number = (await p.locator('#asked-number').innerText()).trim();
    expect(number).toMatch(/^问答村\d+-\d{4}-0001$/);
    const due = (await p.locator('#asked-due').innerText()).trim();
    expect(due).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日前$/);
    await checkPhoneWidths(p, '2-asked');

    // The list shows it, waiting, with its due date; the contact is nowhere.
    await p.click('a:has-text("本村全部提问")');
    const item = p.locator('li.question', { hasText: number });
    expect(await item.count()).toBe(1);
    expect(await item.innerText()).toContain('待答复');
    expect(await item.innerText()).toContain(`${due.replace(/前$/, '')}前答复`);
    expect(await p.content()).not.toContain('13812345678');
    await checkPhoneWidths(p, '3-list-open');

    // The accountant answers on the committee page.
    const a = await signedIn(accountant);
    await a.page.goto(`${t.portal.url}/committee/${village.slug}/questions`);
    const mine = a.page.locator('li.question', { hasText: number });
    expect(await mine.innerText()).toContain('138****5678');
    expect(await mine.innerText()).not.toContain('13812345678');
    await mine.locator('textarea[name=body]').fill('4月是灌溉季，村委会抽水泵用电多；电费单已附在第2号凭证。');
    await mine.locator('summary').click();
    await mine.locator('input[name=voucherNumber]').fill('2');
    await checkPhoneWidths(a.page, '4-committee-answer-form');
    await Promise.all([a.page.waitForLoadState('load'), mine.locator('button:has-text("公开答复")').click()]);
    expect(await a.page.locator('[role=status]').innerText()).toContain(`已答复 ${number}`);
    await checkPhoneWidths(a.page, '5-committee-answered');
    await a.close();

    // The public page shows the answer, who answered (by role) and when, and the voucher link.
    await p.goto(`${t.portal.url}/v/${village.slug}/questions/${number.slice(-9)}`);
    expect(await p.locator('#status').innerText()).toContain('已答复');
    expect(await p.locator('#answer').innerText()).toContain('灌溉季');
    expect(await p.locator('#answer').innerText()).toMatch(/答复（按期）/);
    expect(await p.locator('#answer a').getAttribute('href')).toBe(`/v/${village.slug}/${YM}/2`);
    await checkPhoneWidths(p, '6-public-answer');

    // A second question passes its due date. Questions are history (the database refuses to move an asked one's
    // clock), so the test asks it through the ledger 14 days ago: due 10 days later, 4 days overdue now.
    const past = await t.handle.db.transaction((tx) =>
      askQuestion(tx, {
        villageId: village.id,
        year: 2025,
        month: 4,
        voucherNumber: 1,
        body: '保洁员工资每月都是1500元吗？',
        askerKey: askerKeyOf('10.99.1.1', 'browser-test-secret'),
        defaultDueDays: 10,
        limits: { perAddressHour: 100, perVillageHour: 100 },
        now: new Date(Date.now() - 14 * 86_400_000),
      }),
    );
    const late = `${number.replace(/-\d{4}-\d{4}$/, '')}-${past.numberYear}-${String(past.seq).padStart(4, '0')}`;
    await p.goto(`${t.portal.url}/v/${village.slug}/questions/${late.slice(-9)}`);
    expect(await p.locator('#status').innerText()).toContain('逾期未答复');
    expect(await p.locator('#status').innerText()).toMatch(/⚠\s*逾期未答复\s*逾期4天/);
    expect(await p.locator('#no-answer').innerText()).toContain('已过答复期限');
    await checkPhoneWidths(p, '7-public-overdue');
    await p.goto(`${t.portal.url}/v/${village.slug}/questions?status=overdue`);
    expect(await p.locator('li.question.q-overdue').count()).toBe(1);
    await checkPhoneWidths(p, '8-list-overdue');
    await p.goto(`${t.portal.url}/v/${village.slug}`);
    expect(await p.locator('#question-record').innerText()).toMatch(/逾期未答复\s*⚠?\s*1 个/);
    await checkPhoneWidths(p, '9-village-record');
    await p.goto(`${t.portal.url}/r/${town!.slug}#question-ranking`);
    const ranked = p.locator('#question-ranking tr', { hasText: village.slug ? '问答村' : '' });
    expect(await ranked.count()).toBeGreaterThanOrEqual(1);
    await checkPhoneWidths(p, '9b-region-ranking');
    await villager.close();

    // The township admin's list has the overdue question.
    const adm = await signedIn(admin);
    await adm.page.goto(`${t.portal.url}/committee/town/${town!.slug}`);
    const overdue = await adm.page.locator('#overdue-questions').innerText();
    expect(overdue).toContain(late);
    expect(overdue).toContain('逾期');
    await adm.page.locator('#overdue-questions').scrollIntoViewIfNeeded();
    await checkPhoneWidths(adm.page, '10-township-overdue');
    await adm.close();
  }, 180_000);

  it('the demo’s 付村: every kind of question (on time, late with a correction, overdue, open, hidden) reads well on a phone', async () => {
    const res = await t.api.query<{
      village: {
        questions: {
          nodes: { number: string; status: string; answeredLate: boolean; hidden: { reason: string } | null }[];
        };
      };
    }>(
      `{ village(slug: "fucun") { questions(first: 20) { nodes { number status answeredLate hidden { reason } } } } }`,
    );
    const nodes = res.data!.village.questions.nodes;
    expect(nodes.length).toBeGreaterThanOrEqual(5);
    const opened = await openPage(browser, { viewport: 'phone', javaScript: false });
    await opened.page.goto(`${t.portal.url}/v/fucun/questions`);
    expect(await opened.page.locator('li.question').count()).toBe(nodes.length);
    await checkPhoneWidths(opened.page, '12-demo-list');
    const late = nodes.find((q) => q.answeredLate);
    const hidden = nodes.find((q) => q.hidden);
    const overdue = nodes.find((q) => q.status === 'OVERDUE');
    for (const [step, q] of [
      ['13-demo-late', late],
      ['14-demo-hidden', hidden],
      ['15-demo-overdue', overdue],
    ] as const) {
      if (!q) continue;
      await opened.page.goto(`${t.portal.url}/v/fucun/questions/${q.number.slice(-9)}`);
      expect(await opened.page.locator('#status').innerText()).toMatch(/[\u4e00-\u9fff]/);
      if (q.hidden) expect(await opened.page.locator('#hidden').innerText()).toContain(q.hidden.reason);
      await checkPhoneWidths(opened.page, step);
    }
    await opened.close();
  }, 90_000);

  it('the feed parses as XML in the browser, and the new pages pass axe', async () => {
    const opened = await openPage(browser, { viewport: 'phone' });
    const village = await aVillage(t.handle.db, '订阅村');
    await aMonth(
      t.handle.db,
      village.id,
      2025,
      4,
      [aVoucher(1, `${YM}-08`, '支付电费', debit('513', 30_000), credit('102', 30_000))],
      {
        opening: [
          { accountCode: '102', balanceFen: 1_000_000n },
          { accountCode: '301', balanceFen: -1_000_000n },
        ],
      },
    );
    const feed = await (await fetch(`${t.portal.url}/v/${village.slug}/feed.xml`)).text();
    await opened.page.goto(`${t.portal.url}/v/${village.slug}`);
    const problem = await opened.page.evaluate((xml) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- DOM types are not in this project's lib
      const doc = new (globalThis as any).DOMParser().parseFromString(xml, 'application/xml');
      const error = doc.getElementsByTagName('parsererror')[0];
      return error
        ? String(error.textContent)
        : doc.documentElement.namespaceURI + ' ' + doc.getElementsByTagName('entry').length;
    }, feed);
    expect(problem).toBe('http://www.w3.org/2005/Atom 1');
    // A refused question comes back with the reason in Chinese and the text kept (here: only spaces).
    await opened.page.goto(`${t.portal.url}/v/${village.slug}/ask?month=${YM}`);
    await opened.page.fill('textarea[name=body]', '   ');
    await opened.page.fill('input[name=contact]', '王大爷');
    await submit(opened.page, '#ask', '提交问题');
    expect(await opened.page.locator('#ask-error').innerText()).toMatch(/问题没有提交：.*[\u4e00-\u9fff]/);
    expect(await opened.page.inputValue('input[name=contact]')).toBe('王大爷');
    await checkPhoneWidths(opened.page, '11-ask-refused');
    for (const path of [
      `/v/${village.slug}`,
      `/v/${village.slug}/${YM}`,
      `/v/${village.slug}/questions`,
      `/v/${village.slug}/ask`,
    ]) {
      await opened.page.goto(`${t.portal.url}${path}`);
      await expectAccessible(opened.page, path);
    }
    await opened.close();
  }, 90_000);
});
