// The review of a submitted month over HTTP: the supervisor sees it as it would be published, approves or returns
// it; the committee answers every red flag; publishing waits for both. Every refusal carries its code and changes
// nothing.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { openPeriod } from '@mingbai/db/ledger/periods';
import { postVouchers } from '@mingbai/db/ledger/post';
import { useTestApi } from '../support/api.ts';
import { aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestApi();

/** The month before this one in Beijing: ended, recent enough for the township's list and not yet late. */
const [Y, MO] = (() => {
  const now = new Date(Date.now() + 8 * 60 * 60 * 1000);
  return now.getUTCMonth() === 0 ? [now.getUTCFullYear() - 1, 12] : [now.getUTCFullYear(), now.getUTCMonth()];
})();
const day = (d: number) => `${Y}-${String(MO).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

const M = `($v: String!, $y: Int!, $m: Int!)`;
const A = `villageSlug: $v, year: $y, month: $m`;
const REVIEW_FIELDS = `status revision publishable blockers approval { by note }
  reviews { decision note reviewer current }
  redFlags { key source rule { code title } voucherNumber amount { yuan } detail answer { body author } }`;

/** A submitted month with a cash payment of ¥1,200 to a person: one automatic flag, CASH_OVER_LIMIT:2. */
async function setUp() {
  const village = await aVillage(t.handle.db);
  const other = await aVillage(t.handle.db);
  const [town] = await queryRows<{ slug: string }>(
    t.handle.db,
    sql`select r.slug from villages v join regions r on r.id = v.town_id where v.id = ${village.id}`,
  );
  const names = {
    accountant: await aUser(t.handle.db, ['accountant', village.slug]),
    director: await aUser(t.handle.db, ['director', village.slug]),
    // 交叉监督: a supervisor of another village, assigned here as well.
    supervisor: await aUser(t.handle.db, ['supervisor', other.slug], ['supervisor', village.slug]),
    otherSupervisor: await aUser(t.handle.db, ['supervisor', other.slug]),
    admin: await aUser(t.handle.db, ['township_admin', town!.slug]),
  };
  const as = async (name: keyof typeof names) => t.api.as(await t.api.login(names[name], TEST_PASSWORD));
  const key = { villageId: village.id, year: Y, month: MO };
  await t.handle.db.transaction(async (tx) => {
    const { revision } = await openPeriod(tx, { ...key, actor: 'test' });
    await postVouchers(tx, {
      ...key,
      revision,
      actor: 'test',
      vouchers: [
        aVoucher(1, day(2), '收到镇拨运转经费', debit('101', 500_000), credit('503', 500_000)),
        aVoucher(
          2,
          day(8),
          '支付张三劳务费',
          debit('51301', 120_000, { accountName: '劳务费' }),
          credit('101', 120_000, { paymentMethod: 'cash', counterparty: { name: '张三', isPerson: true } }),
        ),
      ],
    });
  });
  const accountant = await as('accountant');
  const submitted = await accountant(`mutation ${M} { submitMonth(${A}) { status } }`, vars(village.slug));
  expect(submitted.errors).toBeUndefined();
  return { village, town: town!.slug, names, as, accountant };
}

const vars = (v: string) => ({ v, y: Y, m: MO });

async function periodState(villageId: number) {
  const [row] = await queryRows<{ status: string; reviews: number; answers: number; rollups: number }>(
    t.handle.db,
    sql`select (select status from periods where village_id = ${villageId} and year = ${Y} and month = ${MO}
                 order by revision desc limit 1) as status,
               (select count(*) from period_reviews where village_id = ${villageId})::int as reviews,
               (select count(*) from flag_answers where village_id = ${villageId})::int as answers,
               (select count(*) from statement_rollups where village_id = ${villageId})::int as rollups`,
  );
  return row!;
}

interface ReviewMonth {
  status: string;
  publishable: boolean;
  blockers: string[];
  approval: { by: string; note: string } | null;
  reviews: { decision: string; note: string; reviewer: string; current: boolean }[];
  redFlags: { key: string; source: string; rule: { code: string }; answer: { body: string } | null }[];
}

describe('the supervisor’s review', () => {
  it('shows the submitted month exactly as it would be published, and writes nothing', async () => {
    // Setup
    const { village, as } = await setUp();
    const before = await periodState(village.id);
    // Action
    const supervisor = await as('supervisor');
    const res = await supervisor<{
      committeeMonth: ReviewMonth & {
        statement: {
          income: { yuan: string };
          spending: { yuan: string };
          closingBalance: { yuan: string };
          reconciled: boolean;
          lines: { totalCount: number };
        };
        vouchers: { totalCount: number; edges: { node: { number: number; lines: { amount: { yuan: string } }[] } }[] };
      };
    }>(
      `query ${M} { committeeMonth(${A}) { ${REVIEW_FIELDS}
         statement { income { yuan } spending { yuan } closingBalance { yuan } reconciled lines(first: 10) { totalCount } }
         vouchers(first: 10) { totalCount edges { node { number lines { amount { yuan } } } } } } }`,
      vars(village.slug),
    );
    // Assertions
    expect(res.errors).toBeUndefined();
    const m = res.data!.committeeMonth;
    expect(m.statement).toMatchObject({
      income: { yuan: '5000.00' },
      spending: { yuan: '1200.00' },
      closingBalance: { yuan: '3800.00' },
      reconciled: true,
      lines: { totalCount: 2 },
    });
    expect(m.vouchers.totalCount).toBe(2);
    expect(m.vouchers.edges.map((e) => e.node.number)).toEqual([1, 2]);
    expect(m.redFlags.map((f) => f.key)).toContain('CASH_OVER_LIMIT:2');
    expect(m.publishable).toBe(false);
    expect(m.blockers.join('；')).toContain('还没有监督委员会成员审核通过');
    expect(m.blockers.join('；')).toContain('CASH_OVER_LIMIT:2');
    expect(await periodState(village.id)).toEqual(before);
  });

  it('refuses publishing before approval and answers with REVIEW_REQUIRED, then publishes once both are done', async () => {
    // Setup
    const { village, as, accountant } = await setUp();
    const director = await as('director');
    const publish = `mutation ${M} { publishMonth(${A}) { revision digest } }`;
    // Action and assertions: nothing yet.
    const early = await director(publish, vars(village.slug));
    expect(early.errors![0]!.extensions!.code).toBe('REVIEW_REQUIRED');
    expect(early.errors![0]!.message).toContain('还没有监督委员会成员审核通过');
    expect((await periodState(village.id)).status).toBe('submitted');

    const supervisor = await as('supervisor');
    const approved = await supervisor<{ approveMonth: ReviewMonth }>(
      `mutation ${M} { approveMonth(${A}, note: "已核对银行回单") { ${REVIEW_FIELDS} } }`,
      vars(village.slug),
    );
    expect(approved.errors).toBeUndefined();
    expect(approved.data!.approveMonth.approval).toMatchObject({ note: '已核对银行回单' });
    expect(approved.data!.approveMonth.reviews[0]).toMatchObject({ decision: 'APPROVED', current: true });

    // Approved, but a flag has no answer yet.
    const unanswered = await director(publish, vars(village.slug));
    expect(unanswered.errors![0]!.extensions!.code).toBe('REVIEW_REQUIRED');
    expect(unanswered.errors![0]!.message).toContain('CASH_OVER_LIMIT:2');

    // Every flag gets its answer (a rule on the whole month may have joined the cash payment's).
    const answer = (k: string, b: string) =>
      accountant<{ answerFlag: ReviewMonth }>(
        `mutation ($v: String!, $y: Int!, $m: Int!, $k: String!, $b: String!) {
           answerFlag(${A}, flagKey: $k, body: $b) { ${REVIEW_FIELDS} } }`,
        { ...vars(village.slug), k, b },
      );
    let answered = await answer('CASH_OVER_LIMIT:2', '张三无银行卡，已签收据，附村民代表签字');
    for (const f of answered.data!.answerFlag.redFlags.filter((x) => x.answer === null)) {
      answered = await answer(f.key, '已说明');
    }
    expect(answered.errors).toBeUndefined();
    const flags = answered.data!.answerFlag.redFlags;
    expect(flags.every((f) => f.answer !== null)).toBe(true);
    expect(answered.data!.answerFlag.publishable).toBe(true);
    expect(answered.data!.answerFlag.blockers).toEqual([]);

    const published = await director(publish, vars(village.slug));
    expect(published.errors).toBeUndefined();

    // The public month carries the approval and the answer.
    const pub = await t.api.query<{
      village: {
        statement: {
          approval: { by: string; note: string };
          redFlags: { key: string; answer: { body: string } | null }[];
        };
      };
    }>(
      `query ($v: String!) { village(slug: $v) { statement(year: ${Y}, month: ${MO}) {
         approval { by note } redFlags { key answer { body } } } } }`,
      { v: village.slug },
    );
    expect(pub.errors).toBeUndefined();
    expect(pub.data!.village.statement.approval.note).toBe('已核对银行回单');
    expect(pub.data!.village.statement.redFlags.find((f) => f.key === 'CASH_OVER_LIMIT:2')!.answer!.body).toContain(
      '张三无银行卡',
    );
  });

  it('refuses the wrong people, empty reasons and answers, unknown flags — each with its code, nothing changed', async () => {
    // Setup
    const { village, as, accountant } = await setUp();
    const before = await periodState(village.id);
    const approve = `mutation ${M} { approveMonth(${A}) { status } }`;
    const otherSupervisor = await as('otherSupervisor');
    const supervisor = await as('supervisor');
    // Action
    const byStranger = await t.api.query(approve, vars(village.slug));
    const byOther = await otherSupervisor(approve, vars(village.slug));
    const byAccountant = await accountant(approve, vars(village.slug));
    const emptyReason = await supervisor(
      `mutation ${M} { returnMonth(${A}, reason: "  ") { status } }`,
      vars(village.slug),
    );
    const answerBySupervisor = await supervisor(
      `mutation ${M} { answerFlag(${A}, flagKey: "CASH_OVER_LIMIT:2", body: "我来答") { status } }`,
      vars(village.slug),
    );
    const emptyAnswer = await accountant(
      `mutation ${M} { answerFlag(${A}, flagKey: "CASH_OVER_LIMIT:2", body: " ") { status } }`,
      vars(village.slug),
    );
    const unknownFlag = await accountant(
      `mutation ${M} { answerFlag(${A}, flagKey: "CASH_OVER_LIMIT:99", body: "没有这笔") { status } }`,
      vars(village.slug),
    );
    const malformedFlag = await accountant(
      `mutation ${M} { answerFlag(${A}, flagKey: "no such flag", body: "没有这笔") { status } }`,
      vars(village.slug),
    );
    // Assertions
    const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;
    expect(code(byStranger)).toBe('UNAUTHENTICATED');
    expect(code(byOther)).toBe('FORBIDDEN');
    expect(code(byAccountant)).toBe('FORBIDDEN');
    expect(code(emptyReason)).toBe('BAD_USER_INPUT');
    expect(code(answerBySupervisor)).toBe('FORBIDDEN');
    expect(code(emptyAnswer)).toBe('BAD_USER_INPUT');
    expect(code(unknownFlag)).toBe('FLAG_NOT_FOUND');
    expect(code(malformedFlag)).toBe('FLAG_NOT_FOUND');
    expect(await periodState(village.id)).toEqual(before);
  });

  it('returns a month with reasons, refuses reviewing a month not submitted, and an approval goes stale on upload', async () => {
    // Setup
    const { village, as, accountant } = await setUp();
    const supervisor = await as('supervisor');
    // Action: send it back.
    const returned = await supervisor<{ returnMonth: ReviewMonth }>(
      `mutation ${M} { returnMonth(${A}, reason: "第2号凭证缺少收据") { ${REVIEW_FIELDS} } }`,
      vars(village.slug),
    );
    // Assertions
    expect(returned.errors).toBeUndefined();
    expect(returned.data!.returnMonth.status).toBe('OPEN');
    expect(returned.data!.returnMonth.reviews[0]).toMatchObject({ decision: 'RETURNED', note: '第2号凭证缺少收据' });
    const reviewsBefore = (await periodState(village.id)).reviews;
    const notSubmitted = await supervisor(`mutation ${M} { approveMonth(${A}) { status } }`, vars(village.slug));
    expect(notSubmitted.errors![0]!.extensions!.code).toBe('PERIOD_NOT_SUBMITTED');
    expect((await periodState(village.id)).reviews).toBe(reviewsBefore);

    // Resubmit, approve, then withdraw and upload more: the approval no longer counts.
    await accountant(`mutation ${M} { submitMonth(${A}) { status } }`, vars(village.slug));
    expect(
      (await supervisor(`mutation ${M} { approveMonth(${A}) { status } }`, vars(village.slug))).errors,
    ).toBeUndefined();
    await accountant(`mutation ${M} { withdrawMonth(${A}) { status } }`, vars(village.slug));
    await t.handle.db.transaction(async (tx) => {
      const [p] = await queryRows<{ revision: number }>(
        tx,
        sql`select revision from periods where village_id = ${village.id} and year = ${Y} and month = ${MO}`,
      );
      await postVouchers(tx, {
        villageId: village.id,
        year: Y,
        month: MO,
        revision: p!.revision,
        actor: 'test',
        vouchers: [aVoucher(3, day(20), '购买办公用品', debit('51301', 5_000), credit('101', 5_000))],
      });
    });
    await accountant(`mutation ${M} { submitMonth(${A}) { status } }`, vars(village.slug));
    const stale = await supervisor<{ committeeMonth: ReviewMonth }>(
      `query ${M} { committeeMonth(${A}) { ${REVIEW_FIELDS} } }`,
      vars(village.slug),
    );
    expect(stale.errors).toBeUndefined();
    expect(stale.data!.committeeMonth.approval).toBeNull();
    expect(stale.data!.committeeMonth.reviews[0]).toMatchObject({ decision: 'APPROVED', current: false });
    expect(stale.data!.committeeMonth.blockers.join('；')).toContain('重新审核');
    const director = await as('director');
    const publish = await director(`mutation ${M} { publishMonth(${A}) { revision } }`, vars(village.slug));
    expect(publish.errors![0]!.extensions!.code).toBe('REVIEW_REQUIRED');
  });
});

describe('red-flag rules and the township’s review', () => {
  it('lets a township admin set thresholds, refuses impossible ones and other roles, and lists the town’s months', async () => {
    // Setup
    const { village, town, as } = await setUp();
    const admin = await as('admin');
    const supervisor = await as('supervisor');
    const set = `mutation ($r: String!, $t: [ThresholdInput!]!) {
      setRedFlagRules(regionSlug: $r, effectiveFrom: "2025-01-01", thresholds: $t, note: "镇党委会议决定") {
        current { version regionSlug rules { code thresholds { name value } } } history { version } } }`;
    const defaults = await t.api.query<{
      redFlagRules: { current: { rules: { thresholds: { name: string; value: string }[] }[] } };
    }>(`query ($s: String!) { redFlagRules(regionSlug: $s) { current { rules { thresholds { name value } } } } }`, {
      s: town,
    });
    const all = new Map<string, string>();
    for (const r of defaults.data!.redFlagRules.current.rules)
      for (const th of r.thresholds) all.set(th.name, th.value);
    const thresholds = [...all].map(([name, value]) => ({ name, value: name === 'cashLimitFen' ? '50000' : value }));
    const countSets = async () =>
      (await queryRows<{ n: number }>(t.handle.db, sql`select count(*)::int as n from red_flag_rule_sets`))[0]!.n;
    const setsBefore = await countSets();
    // Action
    const bySupervisor = await supervisor(set, { r: town, t: thresholds });
    const impossible = await admin(set, {
      r: town,
      t: thresholds.map((x) => (x.name === 'tierTownshipFen' ? { ...x, value: '100' } : x)),
    });
    const twice = await admin(set, { r: town, t: [...thresholds, thresholds[0]!] });
    const setsAfterRefusals = await countSets();
    const good = await admin<{ setRedFlagRules: { current: { version: string; regionSlug: string } } }>(set, {
      r: town,
      t: thresholds,
    });
    const review = await admin<{
      townReview: {
        months: { village: { slug: string }; year: number; month: number; state: string; redFlagCount: number }[];
      };
    }>(
      `query ($r: String!) { townReview(regionSlug: $r) { region { slug } months { village { slug } year month state submittedAt redFlagCount } } }`,
      { r: town },
    );
    const reviewBySupervisor = await supervisor(
      `query ($r: String!) { townReview(regionSlug: $r) { region { slug } } }`,
      {
        r: town,
      },
    );
    // Assertions
    expect(bySupervisor.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(impossible.errors![0]!.extensions!.code).toBe('RULES_INVALID');
    expect(twice.errors![0]!.extensions!.code).toBe('RULES_INVALID');
    expect(setsAfterRefusals).toBe(setsBefore);
    expect(good.errors).toBeUndefined();
    expect(good.data!.setRedFlagRules.current).toEqual({
      version: `${town}-v1`,
      regionSlug: town,
      rules: expect.anything(),
    });
    expect(review.errors).toBeUndefined();
    const may = review.data!.townReview.months.find(
      (m) => m.village.slug === village.slug && m.year === Y && m.month === MO,
    );
    expect(may?.state).toBe('WAITING');
    expect(may!.redFlagCount).toBeGreaterThanOrEqual(1);
    expect(reviewBySupervisor.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });
});
