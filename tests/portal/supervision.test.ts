// Supervision in the portal, rendered against the real API: the supervisor's review page (the month as it would be
// published, its red flags, approve or return), the committee's answers, the publish button's blockers, and what the
// public then sees (flags beside their payments with answers, the approval, the rule version, /rules).
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { useTestPortal } from '../support/portal.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestPortal();

/**
 * The month before this one in Beijing: ended and recent enough for the township's list. (After the 10th it is
 * late, so a whole-month LATE_PUBLICATION flag may join the payments' flags: assertions leave it room.)
 */
const [Y, MO] = (() => {
  const now = new Date(Date.now() + 8 * 60 * 60 * 1000);
  return now.getUTCMonth() === 0 ? [now.getUTCFullYear() - 1, 12] : [now.getUTCFullYear(), now.getUTCMonth()];
})();
const YM = `${Y}-${String(MO).padStart(2, '0')}`;
const day = (d: number) => `${YM}-${String(d).padStart(2, '0')}`;
const CSRF = 'c'.repeat(40);
const ARGS = 'villageSlug: $v, year: $y, month: $m';
const MONTH = '($v: String!, $y: Int!, $m: Int!)';

/** The portal as a signed-in user: the session cookie holds the API's token; forms carry the double-submit token. */
async function portalAs(username: string) {
  const token = await t.api.login(username, TEST_PASSWORD);
  const cookie = `mingbai_session=${token}; mingbai_csrf=${CSRF}`;
  return {
    token,
    api: t.api.as(token),
    async get(path: string) {
      const res = await fetch(`${t.portal.url}${path}`, { headers: { cookie }, redirect: 'manual' });
      return { status: res.status, html: await res.text() };
    },
    async post(path: string, fields: Record<string, string>) {
      const res = await fetch(`${t.portal.url}${path}`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf: CSRF, ...fields }),
        redirect: 'manual',
      });
      return { status: res.status, html: await res.text() };
    },
  };
}

async function page(path: string) {
  const res = await fetch(`${t.portal.url}${path}`, { redirect: 'manual' });
  return { status: res.status, html: await res.text() };
}

/** Text of the page without tags, whitespace squeezed: what a reader sees, for `toContain`. */
const text = (html: string) =>
  html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ');

/**
 * A submitted June with a cash payment of ¥1,200 to a person (CASH_OVER_LIMIT), ¥19,900 of fitness equipment just
 * under the ¥20,000 tier (JUST_BELOW_TIER) and an ordinary electricity bill; the committee and a supervisor.
 */
async function aSubmittedMonth() {
  const village = await aVillage(t.handle.db, '审核村');
  await aMonth(
    t.handle.db,
    village.id,
    Y,
    MO,
    [
      aVoucher(
        1,
        day(5),
        '支付临时用工工资',
        debit('513', 120_000, { counterparty: { name: '张三丰', isPerson: true }, paymentMethod: 'cash' }),
        credit('101', 120_000, { counterparty: { name: '张三丰', isPerson: true }, paymentMethod: 'cash' }),
      ),
      aVoucher(
        2,
        day(12),
        '购买健身器材',
        debit('514', 1_990_000, {
          counterparty: { name: '天津市健身器材有限公司', isPerson: false },
          paymentMethod: 'bank',
        }),
        credit('102', 1_990_000, {
          counterparty: { name: '天津市健身器材有限公司', isPerson: false },
          paymentMethod: 'bank',
        }),
      ),
      aVoucher(
        3,
        day(20),
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
  const [accountant, director, supervisor] = await Promise.all([
    portalAs(await aUser(t.handle.db, ['accountant', village.slug])),
    portalAs(await aUser(t.handle.db, ['director', village.slug])),
    portalAs(await aUser(t.handle.db, ['supervisor', village.slug])),
  ]);
  const vars = { v: village.slug, y: Y, m: MO };
  const submitted = await accountant.api(`mutation ${MONTH} { submitMonth(${ARGS}) { status } }`, vars);
  expect(submitted.errors).toBeUndefined();
  const url = `/committee/${village.slug}?month=${YM}`;
  return { village, accountant, director, supervisor, vars, url };
}

type Flags = {
  committeeMonth: {
    redFlags: { key: string; rule: { code: string }; voucherNumber: number | null }[];
    blockers: string[];
  };
};

describe('the supervisor’s review page', () => {
  it('shows the submitted month as it would be published: statement, every voucher with its lines, the red flags', async () => {
    // Setup
    const m = await aSubmittedMonth();
    // Action
    const res = await m.supervisor.get(m.url);
    // Assertions
    expect(res.status).toBe(200);
    expect(res.html).not.toMatch(/<script/i);
    const seen = text(res.html);
    expect(seen).toContain('公开后村民看到的样子');
    expect(seen).toContain('¥21,400.00'); // spending: 1,200 + 19,900 + 300
    for (const n of [1, 2, 3]) expect(res.html).toContain(`id="v${n}"`);
    expect(seen).toContain('天津市健身器材有限公司');
    expect(seen).toContain('大额现金支付');
    expect(seen).toContain('金额卡在审批线下');
    // Voucher 2's block carries the marker; voucher 3's does not.
    expect(res.html).toMatch(/<article id="v2" class="voucher flagged"/);
    expect(res.html).toMatch(/<article id="v3" class="voucher"/);
    expect(res.html).toContain('id="approve"');
    expect(res.html).toContain('id="return"');
    // A supervisor answers no flag and publishes nothing.
    expect(res.html).not.toContain('name="flagKey"');
    expect(res.html).not.toContain('公开本月账目');
  });

  it('publishing before review: the button explains what is missing, in Chinese, and the refusal is shown', async () => {
    const m = await aSubmittedMonth();
    const { data } = await m.director.api<Flags>(
      `query ${MONTH} { committeeMonth(${ARGS}) { blockers redFlags { key rule { code } voucherNumber } } }`,
      m.vars,
    );
    expect(data!.committeeMonth.blockers.length).toBeGreaterThan(0);

    const before = await m.director.get(m.url);
    expect(before.html).toContain('id="blockers"');
    for (const blocker of data!.committeeMonth.blockers) expect(text(before.html)).toContain(blocker);

    const refused = await m.director.post(m.url, { action: 'publish' });
    expect(refused.status).toBe(400);
    expect(refused.html).toMatch(/role="alert"[^>]*>[^<]*[\u4e00-\u9fff]/);
    const state = await m.director.api<{ committeeMonth: { status: string } }>(
      `query ${MONTH} { committeeMonth(${ARGS}) { status } }`,
      m.vars,
    );
    expect(state.data!.committeeMonth.status).toBe('SUBMITTED');
  });

  it('returning needs a reason; with one, the month goes back to the committee and the reason is listed', async () => {
    const m = await aSubmittedMonth();
    const empty = await m.supervisor.post(m.url, { action: 'return', reason: '' });
    expect(empty.status).toBe(400);
    expect(
      (
        await m.supervisor.api<{ committeeMonth: { status: string } }>(
          `query ${MONTH} { committeeMonth(${ARGS}) { status } }`,
          m.vars,
        )
      ).data!.committeeMonth.status,
    ).toBe('SUBMITTED');

    const returned = await m.supervisor.post(m.url, { action: 'return', reason: '第2号凭证请附三家比价单' });
    expect(returned.status).toBe(200);
    expect(text(returned.html)).toContain('已退回');
    const after = await m.accountant.get(m.url);
    expect(text(after.html)).toContain('第2号凭证请附三家比价单');
    expect(text(after.html)).toContain('退回修改');
    expect(after.html).toContain('提交监督员审核');
  });
});

describe('approve, answer, publish: what the public sees', () => {
  it('shows flags beside their payments with the committee’s answers, the approval and the rule version', async () => {
    // Setup: a supervisor's own doubt on voucher 3 too, then the approval with a note.
    const m = await aSubmittedMonth();
    const flagged = await m.supervisor.post(m.url, { action: 'flag', number: '3', reason: '电费比上月高一倍' });
    expect(flagged.status).toBe(200);
    const approved = await m.supervisor.post(m.url, { action: 'approve', note: '凭证齐全，同意公开' });
    expect(approved.status).toBe(200);
    expect(text(approved.html)).toContain('已审核通过');

    // An empty answer is refused and changes nothing.
    const { data } = await m.accountant.api<Flags>(
      `query ${MONTH} { committeeMonth(${ARGS}) { blockers redFlags { key rule { code } voucherNumber } } }`,
      m.vars,
    );
    const flags = data!.committeeMonth.redFlags;
    const onPayments = flags.filter((f) => f.voucherNumber !== null);
    expect(onPayments.map((f) => `${f.rule.code}:${f.voucherNumber}`).sort()).toEqual([
      'CASH_OVER_LIMIT:1',
      'JUST_BELOW_TIER:2',
      'SUPERVISOR:3',
    ]);
    const accountantPage = await m.accountant.get(m.url);
    expect(accountantPage.html.match(/name="flagKey"/g)?.length).toBe(flags.length);
    const blank = await m.accountant.post(m.url, { action: 'answer', flagKey: flags[0]!.key, body: '' });
    expect(blank.status).toBe(400);

    // Action: an answer per flag, through the page's forms; then the director publishes.
    const answers: Record<string, string> = {
      CASH_OVER_LIMIT: '临时工没有银行卡，当场发放并签字',
      JUST_BELOW_TIER: '经村民代表会议决定，三家比价后选最低价',
      SUPERVISOR: '本月抽水灌溉用电多',
      LATE_PUBLICATION: '会计生病，月初没能报账',
    };
    for (const f of flags) {
      const res = await m.accountant.post(m.url, { action: 'answer', flagKey: f.key, body: answers[f.rule.code]! });
      expect(res.status, f.key).toBe(200);
    }
    const ready = await m.director.get(m.url);
    expect(ready.html).not.toContain('id="blockers"');
    const published = await m.director.post(m.url, { action: 'publish' });
    expect(published.status).toBe(200);
    expect(text(published.html)).toContain('已公开');

    // Assertions: the month page.
    const month = await page(`/v/${m.village.slug}/${YM}`);
    expect(month.status).toBe(200);
    // Styles inline, as the Content-Security-Policy allows no external sheet (Astro would link a large one).
    expect(month.html).toContain('<style');
    expect(month.html).not.toMatch(/<link[^>]+stylesheet/);
    const seen = text(month.html);
    expect(seen).toContain('审核与红旗');
    expect(seen).toContain('凭证齐全，同意公开');
    expect(seen).toMatch(/红旗规则[^。]*版本 \S+/);
    for (const f of flags) expect(seen).toContain(answers[f.rule.code]);
    expect(seen).toContain('电费比上月高一倍');
    // The rows of vouchers 1, 2 and 3 carry the marker and the flag's title.
    const rows = [...month.html.matchAll(/<tr class="flagged"[\s\S]*?<\/tr>/g)].map((r) => text(r[0]));
    expect(rows.some((r) => r.includes('红旗：大额现金支付') && r.includes('第1号凭证'))).toBe(true);
    expect(rows.some((r) => r.includes('红旗：金额卡在审批线下') && r.includes('第2号凭证'))).toBe(true);
    expect(rows.some((r) => r.includes('红旗：监督员存疑') && r.includes('第3号凭证'))).toBe(true);
    // Every flag links to its rule.
    expect(month.html).toContain(`/rules?region=${m.village.slug}#CASH_OVER_LIMIT`);

    // The print sheet: the approval and the flags with answers.
    const print = text((await page(`/v/${m.village.slug}/${YM}/print`)).html);
    expect(print).toContain('凭证齐全，同意公开');
    for (const f of flags) expect(print).toContain(answers[f.rule.code]);

    // The voucher page and the village page's count.
    const voucher = text((await page(`/v/${m.village.slug}/${YM}/2`)).html);
    expect(voucher).toContain('这张凭证有 1 面红旗');
    expect(voucher).toContain(answers.JUST_BELOW_TIER);
    const village = await page(`/v/${m.village.slug}`);
    expect(text(village.html)).toContain(`⚑ ${flags.length}`);
  });

  it('a month with no flags on its payments says so, and marks no row', async () => {
    const village = await aVillage(t.handle.db, '无旗村');
    await aMonth(t.handle.db, village.id, Y, MO, [
      aVoucher(
        1,
        day(8),
        '支付电费',
        debit('513', 30_000, { paymentMethod: 'bank' }),
        credit('102', 30_000, { paymentMethod: 'bank' }),
      ),
    ]);
    const { data } = await t.api.query<{ village: { statement: { redFlagCount: number } } }>(
      `query ($v: String!, $y: Int!, $m: Int!) { village(slug: $v) { statement(year: $y, month: $m) { redFlagCount } } }`,
      { v: village.slug, y: Y, m: MO },
    );
    const res = await page(`/v/${village.slug}/${YM}`);
    expect(res.status).toBe(200);
    expect(res.html).not.toContain('class="flagged"');
    if (data!.village.statement.redFlagCount === 0) expect(text(res.html)).toContain('本月没有红旗提示');
    else expect(text(res.html)).toContain('公开不及时'); // only the whole month can be late
  });
});

describe('/rules', () => {
  it('lists every rule with its thresholds and sources, and the versions, for a village and its regions', async () => {
    const village = await aVillage(t.handle.db);
    const res = await page(`/rules?region=${village.slug}`);
    expect(res.status).toBe(200);
    for (const code of [
      'CASH_OVER_LIMIT',
      'SPLIT_BELOW_TIER',
      'JUST_BELOW_TIER',
      'LARGE_TO_PERSON',
      'DUPLICATE_PAYMENT',
      'CASH_ON_HAND',
      'NON_PRODUCTIVE',
      'LATE_PUBLICATION',
      'SUPERVISOR',
    ])
      expect(res.html, code).toContain(`id="${code}"`);
    const seen = text(res.html);
    expect(seen).toContain('1,000.00 元');
    expect(seen).toContain('《现金管理暂行条例》');
    expect(seen).toContain('历次版本');
    expect(seen).not.toContain('{cashLimitFen}');
    expect(res.html).toMatch(/<h1>测试村\d+的红旗规则<\/h1>/);
    // A town and the top region are named too, though both follow the built-in defaults here.
    expect((await page('/rules?region=jingwu')).html).toContain('<h1>精武镇的红旗规则</h1>');
    const top = await page('/rules');
    expect(top.status).toBe(200);
    expect(top.html).toContain('<h1>天津市的红旗规则</h1>');
    expect((await page('/rules?region=no-such-place')).status).toBe(404);
    expect((await page('/rules?region=%3Cscript%3E')).status).toBe(404);
    expect(text((await page('/')).html)).toContain('红旗规则');
  });
});

describe('the township overview', () => {
  it('lists the town’s villages and months by review state, for the town’s admin only', async () => {
    const m = await aSubmittedMonth();
    const [town] = await queryRows<{ slug: string }>(
      t.handle.db,
      sql`select r.slug from villages v join regions r on r.id = v.town_id where v.id = ${m.village.id}`,
    );
    const admin = await portalAs(await aUser(t.handle.db, ['township_admin', town!.slug]));
    const res = await admin.get(`/committee/town/${town!.slug}`);
    expect(res.status).toBe(200);
    const waiting = /<section id="WAITING">[\s\S]*?<\/section>/.exec(res.html)?.[0] ?? '';
    expect(text(waiting)).toContain('等待审核');
    expect(waiting).toContain(`/committee/${m.village.slug}?month=${YM}`);
    expect((await admin.get('/committee')).html).toContain(`/committee/town/${town!.slug}`);

    expect((await m.accountant.get(`/committee/town/${town!.slug}`)).status).toBe(403);
    expect((await page(`/committee/town/${town!.slug}`)).status).toBe(303);
  });
});
