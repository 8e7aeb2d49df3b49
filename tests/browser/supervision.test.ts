// Supervision in a real browser, on a phone with JavaScript off: the supervisor reviews and approves, the committee
// answers each red flag, the director publishes, and villagers see the flags beside their payments. Screenshots at
// 320 and 390 px land in tests/artifacts/supervision/.
import type { Browser, Page } from 'playwright-core';
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
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestPortal();
const TEST = 'supervision';
/** The narrowest phones still sold, and a common one. */
const WIDTHS = [320, 390] as const;
let browser: Browser;

/** Last month in Beijing: ended, so it can be submitted (after the 10th a whole-month LATE_PUBLICATION flag joins in). */
const [Y, MO] = (() => {
  const now = new Date(Date.now() + 8 * 60 * 60 * 1000);
  return now.getUTCMonth() === 0 ? [now.getUTCFullYear() - 1, 12] : [now.getUTCFullYear(), now.getUTCMonth()];
})();
const YM = `${Y}-${String(MO).padStart(2, '0')}`;

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

async function press(page: Page, scope: string, label: string) {
  await Promise.all([page.waitForLoadState('load'), page.click(`${scope} button:has-text("${label}")`)]);
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

describe('supervision on a phone', () => {
  it('supervisor reviews and approves → the committee answers each flag → published with flags beside payments', async () => {
    // Setup: a submitted June with a ¥1,200 cash payment to a person and ¥19,800 of computers just under a tier.
    const village = await aVillage(t.handle.db, '监督村');
    await aMonth(
      t.handle.db,
      village.id,
      Y,
      MO,
      [
        aVoucher(
          1,
          `${YM}-05`,
          '支付临时用工工资',
          debit('513', 120_000, { counterparty: { name: '张三丰', isPerson: true }, paymentMethod: 'cash' }),
          credit('101', 120_000, { counterparty: { name: '张三丰', isPerson: true }, paymentMethod: 'cash' }),
        ),
        aVoucher(
          2,
          `${YM}-12`,
          '购买办公电脑',
          debit('513', 1_980_000, {
            counterparty: { name: '天津市某某电子科技有限公司', isPerson: false },
            paymentMethod: 'bank',
          }),
          credit('102', 1_980_000, {
            counterparty: { name: '天津市某某电子科技有限公司', isPerson: false },
            paymentMethod: 'bank',
          }),
        ),
        aVoucher(
          3,
          `${YM}-20`,
          '支付电费',
          debit('513', 30_000, { paymentMethod: 'bank' }),
          credit('102', 30_000, { paymentMethod: 'bank' }),
        ),
      ],
      {
        publish: false,
        opening: [
          { accountCode: '101', balanceFen: 200_000n },
          { accountCode: '102', balanceFen: 10_000_000n },
          { accountCode: '301', balanceFen: -10_200_000n },
        ],
      },
    );
    const [accountant, supervisor, director] = [
      await aUser(t.handle.db, ['accountant', village.slug]),
      await aUser(t.handle.db, ['supervisor', village.slug]),
      await aUser(t.handle.db, ['director', village.slug]),
    ];
    const monthUrl = `${t.portal.url}/committee/${village.slug}?month=${YM}`;
    const a = await signedIn(accountant);
    await a.page.goto(monthUrl);
    await press(a.page, 'form', '提交监督员审核');
    expect(await a.page.locator('[role=status]').innerText()).toContain('已提交审核');
    await a.close();

    // The supervisor sees the month as it would be published, flags and all, and approves it.
    const s = await signedIn(supervisor);
    await s.page.goto(monthUrl);
    expect(await s.page.locator('article.voucher').count()).toBe(3);
    expect(await s.page.locator('article.voucher.flagged').count()).toBe(2);
    expect(await s.page.locator('#flags li.flag').count()).toBeGreaterThanOrEqual(2);
    await checkPhoneWidths(s.page, '1-supervisor-review');
    await s.page.fill('#approve textarea[name=note]', '凭证齐全，同意公开');
    await press(s.page, '#approve', '审核通过');
    expect(await s.page.locator('[role=status]').innerText()).toContain('已审核通过');
    expect(await s.page.locator('#approval').innerText()).toContain('凭证齐全，同意公开');
    await s.close();

    // The director cannot publish yet: the page says why.
    const d = await signedIn(director);
    await d.page.goto(monthUrl);
    expect(await d.page.locator('#blockers').innerText()).toMatch(/[\u4e00-\u9fff]/);
    await checkPhoneWidths(d.page, '2-publish-blocked');

    // The accountant answers each flag, one form each.
    const answerer = await signedIn(accountant);
    await answerer.page.goto(monthUrl);
    const forms = answerer.page.locator('form.answer');
    const count = await forms.count();
    expect(count).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < count; i++) {
      const form = answerer.page.locator('form.answer').nth(i);
      await form.locator('textarea[name=body]').fill(`第${i + 1}条答复：有签字的领款单和三家比价`);
      await Promise.all([answerer.page.waitForLoadState('load'), form.locator('button').click()]);
      expect(await answerer.page.locator('[role=status]').innerText()).toContain('答复已保存');
    }
    await checkPhoneWidths(answerer.page, '3-answered');
    await answerer.close();

    await d.page.goto(monthUrl);
    expect(await d.page.locator('#blockers').count()).toBe(0);
    await press(d.page, '#publish', '公开本月账目');
    expect(await d.page.locator('[role=status]').innerText()).toContain('已公开');
    await d.close();

    // Villagers: the flags near the top with answers, each flagged payment marked in the list.
    const pub = await openPage(browser, { viewport: 'phone', javaScript: false });
    const response = await pub.page.goto(`${t.portal.url}/v/${village.slug}/${YM}`);
    expect(response?.status()).toBe(200);
    const review = await pub.page.locator('#review').innerText();
    expect(review).toContain('凭证齐全，同意公开');
    expect(review).toContain('第1条答复');
    expect(review).toContain('大额现金支付');
    expect(review).toContain('金额卡在审批线下');
    expect(await pub.page.locator('table#lines tr.flagged').count()).toBeGreaterThanOrEqual(2);
    expect(await pub.page.locator('table#lines tr.flagged .flag-tag').first().isVisible()).toBe(true);
    await checkPhoneWidths(pub.page, '4-public-month');
    await pub.page.goto(`${t.portal.url}/rules?region=${village.slug}`);
    await checkPhoneWidths(pub.page, '5-rules');
    await pub.close();

    const desktop = await openPage(browser, { viewport: 'desktop', javaScript: true });
    await desktop.page.goto(`${t.portal.url}/v/${village.slug}/${YM}`);
    await expectAccessible(desktop.page, 'the month page with flags');
    await desktop.page.goto(`${t.portal.url}/rules?region=${village.slug}`);
    await expectAccessible(desktop.page, '/rules');
    await desktop.close();
  }, 240_000);

  it('the demo’s 付村 shows its flags on first start: counts on the village and town pages, markers on the month', async () => {
    const { data } = await t.api.query<{
      village: { periods: { nodes: { year: number; month: number; statement: { redFlagCount: number } }[] } };
    }>(`{ village(slug: "fucun") { periods(first: 100) { nodes { year month statement { redFlagCount } } } } }`);
    const flagged = data!.village.periods.nodes.filter((p) => p.statement.redFlagCount > 0);
    expect(flagged.length).toBeGreaterThan(0);
    const first = flagged[0]!;
    const slug = `${first.year}-${String(first.month).padStart(2, '0')}`;

    const opened = await openPage(browser, { viewport: 'phone', javaScript: false });
    await opened.page.goto(`${t.portal.url}/v/fucun`);
    // The month list draws a month once per layout (wide table, phone line, 大字 card); the phone shows one of them.
    const marker = opened.page.locator(`a.flag-count[href="/v/fucun/${slug}#review"]`).filter({ visible: true });
    expect(await marker.count()).toBe(1);
    expect(await marker.innerText()).toContain(String(first.statement.redFlagCount));
    await opened.page.goto(`${t.portal.url}/r/jingwu`);
    expect(await opened.page.locator('th:has-text("最近一月红旗")').count()).toBe(1);
    await opened.page.goto(`${t.portal.url}/v/fucun/${slug}`);
    expect(await opened.page.locator('#review li.flag').count()).toBe(first.statement.redFlagCount);
    expect(await opened.page.locator('#review .flag-answer').first().innerText()).toContain('村委会答复');
    await checkPhoneWidths(opened.page, '6-fucun-demo-month');
    await opened.close();
  }, 120_000);
});
