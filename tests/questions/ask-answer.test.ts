// Issue 15, the loop over HTTP: a villager asks about a published month or payment without an account, gets a public
// number and a due date; the question is listed with its status on the village, the month and the voucher; the
// committee answers once; a question past its due date is 逾期 and on the township's list. The clock is the ledger's
// `now`: questions asked "in the past" are judged by the API's real clock.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { askerKeyOf, askQuestion as askInLedger, questionStatus } from '@mingbai/db/ledger/questions';
import { useTestApi } from '../support/api.ts';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestApi();
const DAY = 24 * 60 * 60 * 1000;

const ASK = `mutation ($input: AskQuestionInput!) { askQuestion(input: $input) { number dueAt url duplicate } }`;
const QUESTION_FIELDS = `number body askedAt dueAt status answeredLate url
  about { year month voucherNumber }
  answer { body answeredAt answeredByRole roleLabel correctionRevision voucherNumber }
  hidden { reason hiddenAt }`;

interface Asked {
  askQuestion: { number: string; dueAt: string; url: string; duplicate: boolean };
}
interface QuestionView {
  number: string;
  body: string | null;
  status: string;
  answeredLate: boolean;
  dueAt: string;
  askedAt: string;
  url: string;
  about: { year: number; month: number; voucherNumber: number | null } | null;
  answer: { body: string; answeredByRole: string; roleLabel: string; correctionRevision: number | null } | null;
  hidden: { reason: string } | null;
}

/** A village with March 2025 published (vouchers 1–3; 2 pays 欧阳凤兰), its committee, a supervisor, its township. */
async function aVillageWithAMonth(name = '问答村') {
  const village = await aVillage(t.handle.db, name);
  const [row] = await queryRows<{ name: string; town: string; district: string }>(
    t.handle.db,
    sql`select v.name, t.slug as town, d.slug as district from villages v join regions t on t.id = v.town_id
          join regions d on d.id = t.parent_id where v.id = ${village.id}`,
  );
  await aMonth(t.handle.db, village.id, 2025, 3, [
    aVoucher(1, '2025-03-03', '收到镇拨运转经费', debit('102', 800_000), credit('503', 800_000)),
    aVoucher(
      2,
      '2025-03-10',
      '支付欧阳凤兰护林工资',
      debit('51301', 150_000, { accountName: '劳务费' }),
      credit('102', 150_000, { counterparty: { name: '欧阳凤兰', isPerson: true } }),
    ),
    aVoucher(3, '2025-03-20', '购买办公用品', debit('51301', 32_000, { accountName: '办公费' }), credit('102', 32_000)),
  ]);
  return { ...village, name: row!.name, town: row!.town, district: row!.district };
}

let visitors = 0;

/**
 * Asks over HTTP as a new visitor each time (the test's requests come from loopback, a trusted proxy, so the API
 * believes X-Forwarded-For): the per-address limit is abuse.test.ts's subject, not this file's.
 */
async function ask(input: Record<string, unknown>) {
  visitors += 1;
  const response = await fetch(t.api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.15.${visitors >> 8}.${visitors & 255}` },
    body: JSON.stringify({ query: ASK, variables: { input } }),
  });
  return (await response.json()) as { data?: Asked; errors?: { message: string; extensions: { code: string } }[] };
}

async function questionOf(slug: string, number: string): Promise<QuestionView | null> {
  const res = await t.api.query<{ village: { question: QuestionView | null } }>(
    `query ($s: String!, $n: String!) { village(slug: $s) { question(number: $n) { ${QUESTION_FIELDS} } } }`,
    { s: slug, n: number },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.village.question;
}

async function count(villageId: number): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    t.handle.db,
    sql`select count(*)::int as n from questions where village_id = ${villageId}`,
  );
  return row!.n;
}

describe('asking, listing, answering', () => {
  it('gives a public number and a due date 10 days on, lists it OPEN, then ANSWERED once the committee answers', async () => {
    // Setup
    const v = await aVillageWithAMonth();
    const accountant = await aUser(t.handle.db, ['accountant', v.slug]);
    const before = Date.now();

    // Action: a villager asks about voucher 3, with a phone number to be called back on.
    const asked = await ask({
      villageSlug: v.slug,
      year: 2025,
      month: 3,
      voucherNumber: 3,
      body: '第3号凭证买的办公用品是什么？',
      contact: '王大妈 13812345678',
    });

    // Assertions
    expect(asked.errors).toBeUndefined();
    const { number, dueAt, url, duplicate } = asked.data!.askQuestion;
    const year = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
    expect(number).toBe(`${v.name}-${year}-0001`);
    expect(duplicate).toBe(false);
    expect(url).toBe(`http://localhost:4321/v/${v.slug}/questions/${year}-0001`);
    const due = new Date(dueAt).getTime();
    expect(due).toBeGreaterThanOrEqual(before + 10 * DAY - 1000);
    expect(due).toBeLessThanOrEqual(Date.now() + 10 * DAY + 1000);

    const second = await ask({ villageSlug: v.slug, body: '村里今年修路花了多少钱？' });
    expect(second.data!.askQuestion.number).toBe(`${v.name}-${year}-0002`);

    const list = await t.api.query<{
      village: { questions: { totalCount: number; nodes: QuestionView[] }; questionRecord: Record<string, number> };
    }>(
      `query ($s: String!) { village(slug: $s) {
         questions(first: 10) { totalCount nodes { ${QUESTION_FIELDS} } }
         questionRecord { months asked answeredOnTime answeredLate open overdue } } }`,
      { s: v.slug },
    );
    expect(list.errors).toBeUndefined();
    const { questions } = list.data!.village;
    expect(questions.totalCount).toBe(2);
    // Newest first.
    expect(questions.nodes.map((q) => q.number)).toEqual([`${v.name}-${year}-0002`, number]);
    expect(questions.nodes[1]).toMatchObject({
      status: 'OPEN',
      body: '第3号凭证买的办公用品是什么？',
      about: { year: 2025, month: 3, voucherNumber: 3 },
      answer: null,
      hidden: null,
    });
    expect(questions.nodes[0]!.about).toBeNull();
    expect(list.data!.village.questionRecord).toEqual({
      months: 12,
      asked: 2,
      answeredOnTime: 0,
      answeredLate: 0,
      open: 2,
      overdue: 0,
    });
    // The contact is never public, in any field.
    expect(JSON.stringify(list.data)).not.toMatch(/13812345678|王大妈|138\*{4}5678/);

    const as = t.api.as(await t.api.login(accountant, TEST_PASSWORD));
    const answered = await as<{ answerQuestion: QuestionView }>(
      `mutation ($v: String!, $n: String!, $b: String!) {
         answerQuestion(villageSlug: $v, number: $n, body: $b, voucherNumber: 3) { ${QUESTION_FIELDS} } }`,
      { v: v.slug, n: `${year}-0001`, b: '买的是打印纸和墨盒，发票附在凭证后，欢迎来村委会查看。' },
    );
    expect(answered.errors).toBeUndefined();
    expect(answered.data!.answerQuestion).toMatchObject({
      status: 'ANSWERED',
      answeredLate: false,
      answer: {
        body: '买的是打印纸和墨盒，发票附在凭证后，欢迎来村委会查看。',
        answeredByRole: 'accountant',
        roleLabel: '报账员（会计）',
        correctionRevision: null,
        voucherNumber: 3,
      },
    });
    expect((await questionOf(v.slug, number))!.status).toBe('ANSWERED');

    const again = await as(
      `mutation ($v: String!, $n: String!) { answerQuestion(villageSlug: $v, number: $n, body: "再答一次") { status } }`,
      { v: v.slug, n: number },
    );
    expect(again.errors?.[0]?.extensions?.code).toBe('QUESTION_ANSWERED');
    const [stored] = await queryRows<{ answer_body: string }>(
      t.handle.db,
      sql`select answer_body from questions where village_id = ${v.id} and seq = 1`,
    );
    expect(stored!.answer_body).toBe('买的是打印纸和墨盒，发票附在凭证后，欢迎来村委会查看。');
    // Every ask and the answer are in the village's audit chain; the refused second answer is not.
    const audit = await queryRows<{ action: string; actor: string; entity_key: string }>(
      t.handle.db,
      sql`select action, actor, entity_key from audit_log where village_id = ${v.id} and entity = 'question' order by id`,
    );
    expect(audit).toEqual([
      { action: 'question.ask', actor: 'public', entity_key: `${year}-0001` },
      { action: 'question.ask', actor: 'public', entity_key: `${year}-0002` },
      { action: 'question.answer', actor: accountant, entity_key: `${year}-0001` },
    ]);
  });

  it('lists the questions of a month and of each voucher on the month page, in no more statements', async () => {
    const v = await aVillageWithAMonth();
    await ask({ villageSlug: v.slug, year: 2025, month: 3, body: '三月的收入只有运转经费吗？' });
    await ask({ villageSlug: v.slug, year: 2025, month: 3, voucherNumber: 2, body: '护林工资按什么标准发？' });
    await ask({ villageSlug: v.slug, year: 2025, month: 3, voucherNumber: 3, body: '办公用品买给谁用？' });
    const MONTH = (
      withQuestions: boolean,
    ) => `query ($s: String!) { village(slug: $s) { statement(year: 2025, month: 3) {
        closingBalance { yuan } ${withQuestions ? 'questions { number about { voucherNumber } }' : ''}
        lines(first: 50) { nodes { voucher { number ${withQuestions ? 'questions { number body }' : ''} } } } } } }`;

    const without = await t.api.query(MONTH(false), { s: v.slug });
    const withQ = await t.api.query<{
      village: {
        statement: {
          questions: { number: string; about: { voucherNumber: number | null } }[];
          lines: { nodes: { voucher: { number: number; questions: { body: string }[] } }[] };
        };
      };
    }>(MONTH(true), { s: v.slug });

    expect(withQ.errors).toBeUndefined();
    const statement = withQ.data!.village.statement;
    expect(statement.questions.map((q) => q.about.voucherNumber)).toEqual([3, 2, null]);
    const byVoucher = new Map(statement.lines.nodes.map((l) => [l.voucher.number, l.voucher.questions]));
    expect(byVoucher.get(1)).toEqual([]);
    expect(byVoucher.get(2)!.map((q) => q.body)).toEqual(['护林工资按什么标准发？']);
    expect(byVoucher.get(3)!.map((q) => q.body)).toEqual(['办公用品买给谁用？']);
    // The month's and every voucher's questions come from one batched query, however many vouchers, read with the
    // month's statement (issue 19: api/src/graphql/execution/read-ahead.ts): no statement more than without them.
    expect(withQ.extensions!.sql!.statements).toBe(without.extensions!.sql!.statements);
  });

  it('returns the same question for the same text within 24 hours, and writes nothing new', async () => {
    const v = await aVillageWithAMonth();
    const first = await ask({ villageSlug: v.slug, body: '  村里的  路灯电费是多少？ ' });
    const second = await ask({ villageSlug: v.slug, body: '村里的路灯电费是多少' });
    expect(second.data!.askQuestion).toMatchObject({ number: first.data!.askQuestion.number, duplicate: true });
    expect(await count(v.id)).toBe(1);

    // A day later the same words are a new question.
    const db = t.handle.db;
    const key = askerKeyOf('198.51.100.7', 'test-secret');
    const limits = { perAddressHour: 100, perVillageHour: 100 };
    const base = { villageId: v.id, askerKey: key, defaultDueDays: 10, limits, body: '去年的账什么时候公开？' };
    const early = await db.transaction((tx) => askInLedger(tx, { ...base, now: new Date(Date.now() - 30 * 3600_000) }));
    const later = await db.transaction((tx) => askInLedger(tx, { ...base, now: new Date(Date.now() - 3600_000) }));
    expect(early.duplicate).toBe(false);
    expect(later.duplicate).toBe(false);
    expect(later.seq).toBe(early.seq + 1);
  });

  it('marks a question past its due date 逾期 (OVERDUE), lists it for the township, and an answer then is late', async () => {
    // Setup: asked 12 days ago, due 2 days ago; another asked 3 days ago, still open.
    const v = await aVillageWithAMonth();
    const director = await aUser(t.handle.db, ['director', v.slug]);
    const admin = await aUser(t.handle.db, ['township_admin', v.town]);
    const limits = { perAddressHour: 100, perVillageHour: 100 };
    const asked = (body: string, daysAgo: number) =>
      t.handle.db.transaction((tx) =>
        askInLedger(tx, {
          villageId: v.id,
          askerKey: askerKeyOf('198.51.100.8', 'test-secret'),
          defaultDueDays: 10,
          limits,
          body,
          year: 2025,
          month: 3,
          now: new Date(Date.now() - daysAgo * DAY),
        }),
      );
    const late = await asked('三月份为什么没有开会公示？', 12);
    const open = await asked('三月的电费单在哪里看？', 3);
    expect(questionStatus({ dueAt: late.dueAt, answer: null }, new Date())).toBe('OVERDUE');
    const tail = (q: { numberYear: number; seq: number }) => `${q.numberYear}-${String(q.seq).padStart(4, '0')}`;

    // Assertions: statuses, filters, the township's list.
    expect((await questionOf(v.slug, tail(late)))!.status).toBe('OVERDUE');
    expect((await questionOf(v.slug, `${v.name}-${tail(open)}`))!.status).toBe('OPEN');
    const filtered = await t.api.query<{ village: { questions: { totalCount: number; nodes: { number: string }[] } } }>(
      `query ($s: String!) { village(slug: $s) { questions(status: OVERDUE) { totalCount nodes { number } } } }`,
      { s: v.slug },
    );
    expect(filtered.data!.village.questions.nodes.map((q) => q.number)).toEqual([`${v.name}-${tail(late)}`]);

    const town = await t.api.as(await t.api.login(admin, TEST_PASSWORD))<{
      townReview: { overdueQuestions: { village: { slug: string }; question: { number: string; status: string } }[] };
    }>(
      `query ($r: String!) { townReview(regionSlug: $r) { overdueQuestions { village { slug } question { number status } } } }`,
      { r: v.town },
    );
    expect(town.errors).toBeUndefined();
    const mine = town.data!.townReview.overdueQuestions.filter((q) => q.village.slug === v.slug);
    expect(mine.map((q) => q.question)).toEqual([{ number: `${v.name}-${tail(late)}`, status: 'OVERDUE' }]);

    const as = t.api.as(await t.api.login(director, TEST_PASSWORD));
    const answered = await as<{ answerQuestion: QuestionView }>(
      `mutation ($v: String!, $n: String!) {
         answerQuestion(villageSlug: $v, number: $n, body: "三月因防汛推迟，四月已补开村民代表会议。", correctionRevision: 1) {
           ${QUESTION_FIELDS} } }`,
      { v: v.slug, n: tail(late) },
    );
    expect(answered.data!.answerQuestion).toMatchObject({
      status: 'ANSWERED',
      answeredLate: true,
      answer: { answeredByRole: 'director', roleLabel: '村委会主任', correctionRevision: 1 },
    });
    const record = await t.api.query<{ village: { questionRecord: Record<string, number> } }>(
      `query ($s: String!) { village(slug: $s) { questionRecord { asked answeredOnTime answeredLate open overdue } } }`,
      { s: v.slug },
    );
    expect(record.data!.village.questionRecord).toEqual({
      asked: 2,
      answeredOnTime: 0,
      answeredLate: 1,
      open: 1,
      overdue: 0,
    });
  });

  it('takes the days to answer from the town, else the district, else the default; asked questions keep theirs', async () => {
    const v = await aVillageWithAMonth();
    const townAdmin = await aUser(t.handle.db, ['township_admin', v.town]);
    const as = t.api.as(await t.api.login(townAdmin, TEST_PASSWORD));
    const dueDays = async () =>
      (
        await t.api.query<{ village: { questionDueDays: number } }>(
          `query ($s: String!) { village(slug: $s) { questionDueDays } }`,
          { s: v.slug },
        )
      ).data!.village.questionDueDays;
    const first = await ask({ villageSlug: v.slug, body: '默认期限是几天？' });
    expect(first.errors).toBeUndefined();

    const refused = await as(`mutation ($r: String!) { setQuestionDueDays(regionSlug: $r, days: 61) }`, { r: v.town });
    expect(refused.errors?.[0]?.extensions?.code).toBe('QUESTION_INVALID');
    const set = await as<{ setQuestionDueDays: number }>(
      `mutation ($r: String!) { setQuestionDueDays(regionSlug: $r, days: 7) }`,
      { r: v.town },
    );
    expect(set.data!.setQuestionDueDays).toBe(7);
    expect(await dueDays()).toBe(7);
    const second = await ask({ villageSlug: v.slug, body: '改了以后是几天？' });
    expect(second.errors).toBeUndefined();
    const days = (a: Asked['askQuestion'], b: Asked['askQuestion']) =>
      Math.round((new Date(b.dueAt).getTime() - new Date(a.dueAt).getTime()) / DAY);
    expect(days(first.data!.askQuestion, second.data!.askQuestion)).toBe(-3);
    // The first question's due date did not move.
    expect((await questionOf(v.slug, first.data!.askQuestion.number))!.dueAt).toBe(first.data!.askQuestion.dueAt);

    // A town admin of this town cannot set the district's days.
    const district = await as(`mutation ($r: String!) { setQuestionDueDays(regionSlug: $r, days: 9) }`, {
      r: v.district,
    });
    expect(district.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await t.api.query(`mutation ($r: String!) { setQuestionDueDays(regionSlug: $r, days: 9) }`, {
      r: v.town,
    });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('ranks the villages of a region by their on-time share', async () => {
    const good = await aVillageWithAMonth('守时村');
    const slow = await aVillageWithAMonth('拖延村');
    const limits = { perAddressHour: 100, perVillageHour: 100 };
    const askAt = (villageId: number, body: string, daysAgo: number) =>
      t.handle.db.transaction((tx) =>
        askInLedger(tx, {
          villageId,
          askerKey: askerKeyOf('198.51.100.9', 'test-secret'),
          defaultDueDays: 10,
          limits,
          body,
          now: new Date(Date.now() - daysAgo * DAY),
        }),
      );
    const q1 = await askAt(good.id, '排名测试问题一', 20);
    await askAt(slow.id, '排名测试问题二', 20);
    const director = await aUser(t.handle.db, ['director', good.slug]);
    const as = t.api.as(await t.api.login(director, TEST_PASSWORD));
    // Answered now, 20 days after the ask: late. Then a fresh one answered at once: on time.
    await as(
      `mutation ($v: String!, $n: String!) { answerQuestion(villageSlug: $v, number: $n, body: "已答复") { status } }`,
      {
        v: good.slug,
        n: `${q1.numberYear}-${String(q1.seq).padStart(4, '0')}`,
      },
    );
    const fresh = await ask({ villageSlug: good.slug, body: '排名测试问题三' });
    await as(
      `mutation ($v: String!, $n: String!) { answerQuestion(villageSlug: $v, number: $n, body: "已答复") { status } }`,
      {
        v: good.slug,
        n: fresh.data!.askQuestion.number,
      },
    );

    const ranking = await t.api.query<{
      region: {
        questionRanking: { village: { slug: string }; record: { asked: number }; onTimePercent: number | null }[];
      };
    }>(
      `query ($r: String!) { region(slug: $r) { questionRanking(first: 100) { village { slug } record { asked } onTimePercent } } }`,
      { r: good.town },
    );
    expect(ranking.errors).toBeUndefined();
    const rows = ranking.data!.region.questionRanking;
    const at = (slug: string) => rows.findIndex((r) => r.village.slug === slug);
    expect(rows[at(good.slug)]).toMatchObject({ record: { asked: 2 }, onTimePercent: 50 });
    expect(rows[at(slow.slug)]).toMatchObject({ record: { asked: 1 }, onTimePercent: 0 });
    expect(at(good.slug)).toBeLessThan(at(slow.slug));
  });
});
