// Issue 15, abuse and bad input: asking needs no account, so the limits per address and per village hold over HTTP
// (counted in the database: the visitor's address, even through the portal), bad text is refused with a code and
// nothing written, personal data written into a question or left as a contact is never public, a supervisor hides
// abuse with a public reason while the text stays, and only the right people answer, hide or read what was asked.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { startApiServer, type RunningApi } from '@mingbai/api/server';
import { useTestApi } from '../support/api.ts';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestApi();

const PORTAL_SECRET = 'questions-test-portal-secret-0123456789';
/** A second API on the same database with low limits: 2 asks an hour per address, 3 per village. */
let limited: RunningApi;
beforeAll(async () => {
  limited = await startApiServer({
    db: t.handle.db,
    port: 0,
    portalSecret: PORTAL_SECRET,
    rateLimits: { anonymousPointsPerHour: 1_000_000_000 },
    questions: { perAddressHour: 2, perVillageHour: 3, secret: 'questions-test-secret-0123456789' },
  });
});
afterAll(() => limited?.close());

const ASK = `mutation ($input: AskQuestionInput!) { askQuestion(input: $input) { number dueAt duplicate } }`;

interface Reply {
  status: number;
  data?: { askQuestion: { number: string } } | null;
  errors?: { message: string; extensions: Record<string, unknown> & { code: string } }[];
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, ...((await response.json()) as Omit<Reply, 'status'>) };
}

let visitors = 0;
const ask = (input: Record<string, unknown>, from = `10.16.${++visitors >> 8}.${visitors & 255}`, url = t.api.url) =>
  post(url, JSON.stringify({ query: ASK, variables: { input } }), { 'x-forwarded-for': from });

async function published(name = '防滥用村') {
  const village = await aVillage(t.handle.db, name);
  await aMonth(t.handle.db, village.id, 2025, 4, [
    aVoucher(1, '2025-04-02', '收到镇拨运转经费', debit('102', 500_000), credit('503', 500_000)),
    aVoucher(2, '2025-04-09', '支付保洁费', debit('51301', 60_000, { accountName: '保洁费' }), credit('102', 60_000)),
  ]);
  const [row] = await queryRows<{ name: string }>(t.handle.db, sql`select name from villages where id = ${village.id}`);
  return { ...village, name: row!.name };
}

/** Every trace an ask leaves: its rows and the village's audit entries. */
async function traces(villageId: number) {
  const [row] = await queryRows<{ questions: number; audit: number }>(
    t.handle.db,
    sql`select (select count(*)::int from questions where village_id = ${villageId}) as questions,
               (select count(*)::int from audit_log where village_id = ${villageId} and entity = 'question') as audit`,
  );
  return row!;
}

describe('rate limits, counted in the database', () => {
  it('refuses the third ask of an hour from one address, in any village, and writes nothing', async () => {
    const a = await published();
    const b = await published();
    const from = '203.0.113.21';
    expect((await ask({ villageSlug: a.slug, body: '限流测试一' }, from, limited.url)).errors).toBeUndefined();
    expect((await ask({ villageSlug: b.slug, body: '限流测试二' }, from, limited.url)).errors).toBeUndefined();
    const before = await traces(a.id);

    const refused = await ask({ villageSlug: a.slug, body: '限流测试三' }, from, limited.url);

    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'QUESTION_RATE_LIMITED',
      scope: 'address',
      limit: 2,
    });
    expect(refused.errors![0]!.message).toMatch(/每小时最多提 2 个问题/);
    expect(new Date(refused.errors![0]!.extensions.retryAt as string).getTime()).toBeGreaterThan(Date.now());
    expect(await traces(a.id)).toEqual(before);
    // Another address may still ask.
    expect(
      (await ask({ villageSlug: a.slug, body: '限流测试四' }, '203.0.113.22', limited.url)).errors,
    ).toBeUndefined();
  });

  it('refuses asks past the village’s hourly limit, from any address', async () => {
    const v = await published();
    for (const i of [1, 2, 3]) {
      const r = await ask({ villageSlug: v.slug, body: `村限流${i}` }, `203.0.113.${30 + i}`, limited.url);
      expect(r.errors).toBeUndefined();
    }
    const before = await traces(v.id);
    const refused = await ask({ villageSlug: v.slug, body: '村限流4' }, '203.0.113.39', limited.url);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'QUESTION_RATE_LIMITED',
      scope: 'village',
      limit: 3,
    });
    expect(await traces(v.id)).toEqual(before);
  });

  it('counts the portal’s visitor, never the portal: two visitors through the portal each have their own limit', async () => {
    const v = await published();
    const viaPortal = (body: string, visitor: string) =>
      post(limited.url, JSON.stringify({ query: ASK, variables: { input: { villageSlug: v.slug, body } } }), {
        'x-mingbai-portal': PORTAL_SECRET,
        'x-forwarded-for': visitor,
      });
    expect((await viaPortal('门户一', '198.51.100.41')).errors).toBeUndefined();
    expect((await viaPortal('门户二', '198.51.100.41')).errors).toBeUndefined();
    expect((await viaPortal('门户三', '198.51.100.41')).errors?.[0]?.extensions.code).toBe('QUESTION_RATE_LIMITED');
    // A second visitor of the same portal is not refused for the first one's asks.
    expect((await viaPortal('门户四', '198.51.100.42')).errors).toBeUndefined();
    // No address is stored: only its HMAC.
    const rows = await queryRows<{ asker_key: string }>(
      t.handle.db,
      sql`select distinct asker_key from questions where village_id = ${v.id}`,
    );
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r.asker_key).toMatch(/^[0-9a-f]{64}$/);
    const [audit] = await queryRows<{ text: string }>(
      t.handle.db,
      sql`select string_agg(details::text, ' ') as text from audit_log where village_id = ${v.id} and entity = 'question'`,
    );
    expect(audit!.text).not.toContain('198.51.100.4');
  });
});

describe('bad input: a code, a Chinese message, nothing written', () => {
  it('refuses empty, too long, control characters, bad contacts, unpublished months and unknown vouchers', async () => {
    const v = await published();
    const cases: [string, Record<string, unknown>, string, string][] = [
      ['empty', { body: '   \n ' }, 'QUESTION_INVALID', '不能为空'],
      ['501 characters', { body: '问'.repeat(501) }, 'QUESTION_INVALID', '最多 500 个字'],
      ['a control character', { body: '为什么\u0007响铃' }, 'QUESTION_INVALID', '控制字符'],
      ['an escape sequence', { body: '\u001b[31m红色\u001b[0m' }, 'QUESTION_INVALID', '控制字符'],
      ['a bidi override', { body: '凭证\u202e号码' }, 'QUESTION_INVALID', '控制字符'],
      ['a tab', { body: '制表\t符' }, 'QUESTION_INVALID', '控制字符'],
      ['a contact too long', { body: '联系方式太长', contact: '1'.repeat(51) }, 'QUESTION_INVALID', '最多 50'],
      ['a contact with markup', { body: '联系方式', contact: '<b>x</b>' }, 'QUESTION_INVALID', '姓名或电话'],
      ['a month not published', { body: '五月呢？', year: 2025, month: 5 }, 'QUESTION_INVALID', '还没有公开'],
      ['month 13', { body: '十三月？', year: 2025, month: 13 }, 'QUESTION_INVALID', '1 到 12'],
      ['a year without a month', { body: '哪一年？', year: 2025 }, 'QUESTION_INVALID', '一起给出'],
      [
        'an unknown voucher',
        { body: '第9号？', year: 2025, month: 4, voucherNumber: 9 },
        'QUESTION_INVALID',
        '第 9 号',
      ],
      ['a voucher without a month', { body: '第1号？', voucherNumber: 1 }, 'QUESTION_INVALID', '哪一年哪一月'],
      // NUL is the transport's to refuse, for every argument of every operation (api/src/limits/limits.plugin.ts).
      ['NUL', { body: '空\u0000字符' }, 'BAD_USER_INPUT', 'NUL'],
    ];
    for (const [label, input, code, message] of cases) {
      const reply = await ask({ villageSlug: v.slug, ...input });
      expect(reply.errors?.[0]?.extensions.code, label).toBe(code);
      expect(reply.errors?.[0]?.message, label).toContain(message);
      expect(reply.data?.askQuestion ?? null, label).toBeNull();
    }
    expect(await traces(v.id)).toEqual({ questions: 0, audit: 0 });
    // Exactly 500 characters, and a newline, are fine.
    expect((await ask({ villageSlug: v.slug, body: '问'.repeat(499) + '？' })).errors).toBeUndefined();
    expect((await ask({ villageSlug: v.slug, body: '第一行\r\n第二行' })).errors).toBeUndefined();
    const [kept] = await queryRows<{ body: string }>(
      t.handle.db,
      sql`select body from questions where village_id = ${v.id} and body like '第一行%'`,
    );
    expect(kept!.body).toBe('第一行\n第二行');
  });

  it('answers a 5 MB post with a clear 413 before reading it, and an unknown village with NOT_FOUND', async () => {
    const huge = JSON.stringify({
      query: ASK,
      variables: { input: { villageSlug: 'fucun', body: '问'.repeat(1_700_000) } },
    });
    expect(Buffer.byteLength(huge)).toBeGreaterThan(5_000_000);
    const reply = await post(t.api.url, huge, { 'x-forwarded-for': '203.0.113.50' });
    expect(reply.status).toBe(413);
    expect(reply.errors?.[0]?.extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(reply.errors?.[0]?.message).toMatch(/请求体超过 1000000 字节/);
    const unknown = await ask({ villageSlug: 'no-such-village', body: '有人吗？' });
    expect(unknown.errors?.[0]?.extensions.code).toBe('NOT_FOUND');
  });
});

describe('privacy and hostile text', () => {
  it('masks ID, phone and card numbers and named persons written into a question, and never shows the contact', async () => {
    const v = await published();
    const body =
      '退还押金 联系电话138 1234 5678，身份证120111 19800101 1237，卡号6228-4801-2345-6789-015，经办人郑小军，' +
      '联系人手机+86-139-8765-4321，手机１３８１２３４５６７８';
    const asked = await ask({ villageSlug: v.slug, body, contact: '李秀英 13600001111' });
    expect(asked.errors).toBeUndefined();
    const reply = await t.api.query<{ village: { question: { body: string } } }>(
      `query ($s: String!, $n: String!) { village(slug: $s) { question(number: $n) { body }
         questions { nodes { body } } } }`,
      { s: v.slug, n: asked.data!.askQuestion.number },
    );
    const text = JSON.stringify(reply.data);
    for (const secret of [
      '1234 5678',
      '19800101',
      '2345-6789',
      '郑小军',
      '8765-4321',
      '１２３４５６７８',
      '13600001111',
      '李秀英',
    ]) {
      expect(text, secret).not.toContain(secret);
    }
    for (const shown of ['138****5678', '120111********1237', '6228 ****9015', '郑*军', '+86 139****4321']) {
      expect(reply.data!.village.question.body, shown).toContain(shown);
    }

    // The committee sees the text as asked and the contact masked.
    const accountant = await aUser(t.handle.db, ['accountant', v.slug]);
    const committee = await t.api.as(await t.api.login(accountant, TEST_PASSWORD))<{
      committeeQuestions: { bodyAsked: string; contactMasked: string; question: { number: string } }[];
    }>(`query ($s: String!) { committeeQuestions(villageSlug: $s) { bodyAsked contactMasked question { number } } }`, {
      s: v.slug,
    });
    expect(committee.data!.committeeQuestions[0]).toMatchObject({
      bodyAsked: body,
      contactMasked: '李*英 136****1111',
    });
    // The audit entry names the question, never the contact.
    const [audit] = await queryRows<{ details: string }>(
      t.handle.db,
      sql`select details::text from audit_log where village_id = ${v.id} and action = 'question.ask'`,
    );
    expect(audit!.details).not.toMatch(/13600001111|李秀英/);
  });

  it('stores and returns script and markup as the text it is', async () => {
    const v = await published();
    const payload = `<script>alert('x')</script><img src=x onerror=alert(1)>"'&amp;`;
    const asked = await ask({ villageSlug: v.slug, body: payload });
    expect(asked.errors).toBeUndefined();
    const director = await aUser(t.handle.db, ['director', v.slug]);
    const as = t.api.as(await t.api.login(director, TEST_PASSWORD));
    const answer = `<a href="javascript:alert(2)">点此</a>`;
    const answered = await as<{ answerQuestion: { body: string; answer: { body: string } } }>(
      `mutation ($v: String!, $n: String!, $b: String!) { answerQuestion(villageSlug: $v, number: $n, body: $b) { body answer { body } } }`,
      { v: v.slug, n: asked.data!.askQuestion.number, b: answer },
    );
    expect(answered.data!.answerQuestion).toEqual({ body: payload, answer: { body: answer } });
  });
});

describe('hiding, and who may do what', () => {
  it('lets a supervisor hide a question with a public reason; the text stays for the committee and the audit', async () => {
    const v = await published();
    const other = await published();
    const people = {
      supervisor: await aUser(t.handle.db, ['supervisor', other.slug], ['supervisor', v.slug]),
      accountant: await aUser(t.handle.db, ['accountant', v.slug]),
      otherAccountant: await aUser(t.handle.db, ['accountant', other.slug]),
      otherSupervisor: await aUser(t.handle.db, ['supervisor', other.slug]),
    };
    const as = async (who: keyof typeof people) => t.api.as(await t.api.login(people[who], TEST_PASSWORD));
    const abusive = '村主任王某某是个骗子，他家住在幸福路3号';
    const asked = await ask({ villageSlug: v.slug, body: abusive });
    const number = asked.data!.askQuestion.number;
    const HIDE = `mutation ($v: String!, $n: String!, $r: String!) { hideQuestion(villageSlug: $v, number: $n, reason: $r) {
      body hidden { reason } } }`;
    const ANSWER = `mutation ($v: String!, $n: String!) { answerQuestion(villageSlug: $v, number: $n, body: "答复") { status } }`;
    const vars = { v: v.slug, n: number, r: '含有对他人的人身攻击和住址' };

    // Who may not: each refused with its code, nothing changed.
    const refusals: [string, Promise<{ errors?: { extensions?: { code?: string } }[] }>, string][] = [
      ['anonymous hides', t.api.query(HIDE, vars), 'UNAUTHENTICATED'],
      ['the accountant hides', (await as('accountant'))(HIDE, vars), 'FORBIDDEN'],
      ['another village’s supervisor hides', (await as('otherSupervisor'))(HIDE, vars), 'FORBIDDEN'],
      ['anonymous answers', t.api.query(ANSWER, vars), 'UNAUTHENTICATED'],
      ['another village’s accountant answers', (await as('otherAccountant'))(ANSWER, vars), 'FORBIDDEN'],
      ['the supervisor answers', (await as('supervisor'))(ANSWER, vars), 'FORBIDDEN'],
    ];
    for (const [label, reply, code] of refusals) expect((await reply).errors?.[0]?.extensions?.code, label).toBe(code);
    const [untouched] = await queryRows<{ answered_at: Date | null; hidden_at: Date | null }>(
      t.handle.db,
      sql`select answered_at, hidden_at from questions where village_id = ${v.id}`,
    );
    expect(untouched).toEqual({ answered_at: null, hidden_at: null });
    const readers = await t.api.query(`query ($s: String!) { committeeQuestions(villageSlug: $s) { bodyAsked } }`, {
      s: v.slug,
    });
    expect(readers.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    // The cross-assigned supervisor hides it.
    const hidden = await (
      await as('supervisor')
    )<{ hideQuestion: { body: string | null; hidden: { reason: string } } }>(HIDE, vars);
    expect(hidden.data!.hideQuestion).toEqual({ body: null, hidden: { reason: '含有对他人的人身攻击和住址' } });
    const again = await (await as('supervisor'))(HIDE, vars);
    expect(again.errors?.[0]?.extensions?.code).toBe('QUESTION_INVALID');

    const publicView = await t.api.query(
      `query ($s: String!) { village(slug: $s) { questions { nodes { body hidden { reason } } } } }`,
      {
        s: v.slug,
      },
    );
    expect(JSON.stringify(publicView.data)).not.toContain('骗子');
    const committee = await (
      await as('accountant')
    )<{ committeeQuestions: { bodyAsked: string; hiddenText: string }[] }>(
      `query ($s: String!) { committeeQuestions(villageSlug: $s) { bodyAsked hiddenText } }`,
      { s: v.slug },
    );
    expect(committee.data!.committeeQuestions).toEqual([{ bodyAsked: abusive, hiddenText: abusive }]);
    const audit = await queryRows<{ action: string; actor: string; reason: string | null }>(
      t.handle.db,
      sql`select action, actor, reason from audit_log where village_id = ${v.id} and entity = 'question' order by id`,
    );
    expect(audit).toEqual([
      { action: 'question.ask', actor: 'public', reason: null },
      { action: 'question.hide', actor: people.supervisor, reason: '含有对他人的人身攻击和住址' },
    ]);
    // The database keeps the text whatever a caller tries.
    await expect(t.handle.db.execute(sql`delete from questions where village_id = ${v.id}`)).rejects.toThrow();
    await expect(
      t.handle.db.execute(sql`update questions set body = 'x' where village_id = ${v.id}`),
    ).rejects.toThrow();
  });

  it('refuses answers with a correction or voucher that does not exist, and unknown numbers', async () => {
    const v = await published();
    const director = await aUser(t.handle.db, ['director', v.slug]);
    const as = t.api.as(await t.api.login(director, TEST_PASSWORD));
    const general = await ask({ villageSlug: v.slug, body: '村集体有多少存款？' });
    const aboutMonth = await ask({ villageSlug: v.slug, body: '四月的保洁费给了谁？', year: 2025, month: 4 });
    const answer = (number: string, extra: string) =>
      as(
        `mutation ($v: String!, $n: String!) { answerQuestion(villageSlug: $v, number: $n, body: "见凭证" ${extra}) { status } }`,
        {
          v: v.slug,
          n: number,
        },
      );
    const cases: [string, string, string, string][] = [
      [
        'a correction of a general question',
        general.data!.askQuestion.number,
        ', correctionRevision: 1',
        'QUESTION_INVALID',
      ],
      [
        'revision 2 that does not exist',
        aboutMonth.data!.askQuestion.number,
        ', correctionRevision: 2',
        'QUESTION_INVALID',
      ],
      ['voucher 7 that does not exist', aboutMonth.data!.askQuestion.number, ', voucherNumber: 7', 'QUESTION_INVALID'],
      ['an unknown number', '2019-0042', '', 'QUESTION_NOT_FOUND'],
      [
        'another village’s name',
        `别的村-${aboutMonth.data!.askQuestion.number.split('-').slice(1).join('-')}`,
        '',
        'QUESTION_NOT_FOUND',
      ],
      ['nonsense', 'abc', '', 'QUESTION_NOT_FOUND'],
    ];
    for (const [label, number, extra, code] of cases) {
      expect((await answer(number, extra)).errors?.[0]?.extensions?.code, label).toBe(code);
    }
    const [row] = await queryRows<{ answered: number }>(
      t.handle.db,
      sql`select count(*)::int as answered from questions where village_id = ${v.id} and answered_at is not null`,
    );
    expect(row!.answered).toBe(0);
    expect(
      (await answer(aboutMonth.data!.askQuestion.number, ', voucherNumber: 2, correctionRevision: 1')).errors,
    ).toBeUndefined();
  });
});
