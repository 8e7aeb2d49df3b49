// The committee's month: upload, review, publish, correct — each step by the right person only.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { hashToken } from '@mingbai/api/auth/auth.service';
import { useTestApi } from '../support/api.ts';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { reviewOverApi } from '../support/review.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestApi();

const IMPORT = `mutation ($v: String!, $f: String!, $c: String!, $y: Int, $m: Int, $dry: Boolean!) {
  importLedger(villageSlug: $v, filename: $f, contentBase64: $c, year: $y, month: $m, dryRun: $dry) {
    status sha256 format encoding year month revision rows
    problems { row column code message }
    preview { vouchers lines income { yuan } spending { yuan } openingBalance { yuan } closingBalance { yuan } }
  }
}`;
const MONTH = `($v: String!, $y: Int!, $m: Int!) `;
const ARGS = `villageSlug: $v, year: $y, month: $m`;

/** A month in our own CSV format: opening money from the township, then spending. */
function ledgerCsv(month: string, rows: [number, string, string, string, string, string][]): string {
  const header = '凭证号,日期,摘要,科目编码,科目名称,借方金额,贷方金额,收付款人';
  return (
    [
      header,
      ...rows.map(
        ([n, day, summary, code, debit, credit]) => `${n},${month}-${day},${summary},${code},,${debit},${credit},`,
      ),
    ].join('\n') + '\n'
  );
}
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

const JUNE = ledgerCsv('2025-06', [
  [1, '03', '收到镇政府拨付运转经费', '102', '50000.00', ''],
  [1, '03', '收到镇政府拨付运转经费', '503', '', '50000.00'],
  [2, '10', '购买办公用品', '513', '1234.56', ''],
  [2, '10', '购买办公用品', '102', '', '1234.56'],
]);

async function setUp() {
  const village = await aVillage(t.handle.db);
  const other = await aVillage(t.handle.db);
  const names = {
    accountant: await aUser(t.handle.db, ['accountant', village.slug]),
    director: await aUser(t.handle.db, ['director', village.slug]),
    supervisor: await aUser(t.handle.db, ['supervisor', village.slug]),
    otherAccountant: await aUser(t.handle.db, ['accountant', other.slug]),
  };
  const as = async (name: keyof typeof names) => t.api.as(await t.api.login(names[name], TEST_PASSWORD));
  return { village, other, names, as };
}

async function ledgerCounts(villageId: number) {
  const [row] = await queryRows<{ vouchers: number; periods: number; files: number }>(
    t.handle.db,
    sql`select (select count(*) from vouchers where village_id = ${villageId})::int as vouchers,
               (select count(*) from periods where village_id = ${villageId})::int as periods,
               (select count(*) from imported_files where village_id = ${villageId})::int as files`,
  );
  return row!;
}

describe('signing in', () => {
  it('answers an unknown user and a wrong password with the same coded error', async () => {
    const user = await aUser(t.handle.db);
    const q = `mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`;
    const wrong = await t.api.query(q, { u: user, p: 'not-the-password' });
    const unknown = await t.api.query(q, { u: 'nobody-here', p: 'not-the-password' });
    expect(wrong.errors![0]!.extensions!.code).toBe('LOGIN_FAILED');
    expect(unknown.errors![0]).toEqual(wrong.errors![0]);
  });

  it('refuses committee mutations without a login, and after logout', async () => {
    const { village, names } = await setUp();
    const anonymous = await t.api.query(IMPORT, { v: village.slug, f: 'a.csv', c: b64(JUNE), dry: true });
    expect(anonymous.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    const token = await t.api.login(names.accountant, TEST_PASSWORD);
    await t.api.query(`mutation ($t: String!) { logout(token: $t) }`, { t: token });
    const after = await t.api.as(token)(IMPORT, { v: village.slug, f: 'a.csv', c: b64(JUNE), dry: true });
    expect(after.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });
});

describe('sessions', () => {
  it('ends every session when the password changes, and refuses expired ones', async () => {
    const { village, names } = await setUp();
    const me = `{ me { username } }`;
    const first = await t.api.login(names.accountant, TEST_PASSWORD);
    const second = await t.api.login(names.accountant, TEST_PASSWORD);
    expect((await t.api.as(first)<{ me: { username: string } }>(me)).data!.me.username).toBe(names.accountant);
    const changed = await t.api.as(first)(
      `mutation { changePassword(currentPassword: "${TEST_PASSWORD}", newPassword: "a-new-password-2") }`,
    );
    expect(changed.errors).toBeUndefined();
    for (const token of [first, second]) expect((await t.api.as(token)(me)).data!.me).toBeNull();
    const fresh = await t.api.login(names.accountant, 'a-new-password-2');
    await t.handle.db.execute(sql`update sessions set expires_at = now() - interval '1 second'
                                   where token_hash = ${hashToken(fresh)}`);
    expect((await t.api.as(fresh)(me)).data!.me).toBeNull();
    expect(village.slug).toBeTruthy();
  });
});

describe('uploading a month', () => {
  it('previews the red flags the upload would raise, and writes nothing of it', async () => {
    const { village, as } = await setUp();
    const accountant = await as('accountant');
    const cash = ledgerCsv('2025-06', [
      [1, '03', '收到镇政府拨付运转经费', '101', '50000.00', ''],
      [1, '03', '收到镇政府拨付运转经费', '503', '', '50000.00'],
      [2, '10', '购买办公桌椅', '513', '1500.00', ''],
      [2, '10', '购买办公桌椅', '101', '', '1500.00'],
    ]);
    const FLAGS = IMPORT.replace('status sha256', 'status sha256 redFlags { key }');
    type Flags = { importLedger: { status: string; revision: number | null; redFlags: { key: string }[] } };
    const audit = sql`select count(*)::int as n from audit_log where village_id = ${village.id}`;
    const auditBefore = await queryRows<{ n: number }>(t.handle.db, audit);

    const dry = await accountant<Flags>(FLAGS, { v: village.slug, f: 'cash.csv', c: b64(cash), dry: true });

    expect(dry.errors).toBeUndefined();
    expect(dry.data!.importLedger.status).toBe('PREVIEW');
    expect(dry.data!.importLedger.revision).toBeNull();
    const previewed = dry.data!.importLedger.redFlags.map((f) => f.key);
    expect(previewed).toContain('CASH_OVER_LIMIT:2');
    expect(previewed).toContain('CASH_ON_HAND:month');
    expect(await ledgerCounts(village.id)).toEqual({ vouchers: 0, periods: 0, files: 0 });
    expect(await queryRows(t.handle.db, audit)).toEqual(auditBefore);
    const commit = await accountant<Flags>(FLAGS, { v: village.slug, f: 'cash.csv', c: b64(cash), dry: false });
    expect(commit.data!.importLedger.status).toBe('COMMITTED');
    expect(commit.data!.importLedger.redFlags.map((f) => f.key)).toEqual(previewed);
  });

  it('previews without writing, commits all at once, and recognises the same file twice', async () => {
    const { village, as } = await setUp();
    const accountant = await as('accountant');
    const dry = await accountant<{
      importLedger: {
        status: string;
        preview: { vouchers: number; income: { yuan: string }; spending: { yuan: string } };
      };
    }>(IMPORT, { v: village.slug, f: 'june.csv', c: b64(JUNE), dry: true });
    expect(dry.errors).toBeUndefined();
    expect(dry.data!.importLedger).toMatchObject({
      status: 'PREVIEW',
      preview: { vouchers: 2, income: { yuan: '50000.00' }, spending: { yuan: '1234.56' } },
    });
    expect(await ledgerCounts(village.id)).toEqual({ vouchers: 0, periods: 0, files: 0 });

    const commit = await accountant<{ importLedger: { status: string; revision: number } }>(IMPORT, {
      v: village.slug,
      f: 'june.csv',
      c: b64(JUNE),
      dry: false,
    });
    expect(commit.data!.importLedger).toMatchObject({ status: 'COMMITTED', revision: 1 });
    expect(await ledgerCounts(village.id)).toEqual({ vouchers: 2, periods: 1, files: 1 });

    const again = await accountant<{ importLedger: { status: string } }>(IMPORT, {
      v: village.slug,
      f: 'june-copy.csv',
      c: b64(JUNE),
      dry: false,
    });
    expect(again.data!.importLedger.status).toBe('ALREADY_IMPORTED');
    expect(await ledgerCounts(village.id)).toEqual({ vouchers: 2, periods: 1, files: 1 });
  });

  it('rejects a file whose last row is wrong with every problem listed, and leaves nothing behind', async () => {
    const { village, as } = await setUp();
    const last = JUNE.lastIndexOf('1234.56');
    const broken = `${JUNE.slice(0, last)}1234.65${JUNE.slice(last + '1234.56'.length)}`;
    const res = await (
      await as('accountant')
    )<{ importLedger: { status: string; problems: { row: number | null; code: string; message: string }[] } }>(IMPORT, {
      v: village.slug,
      f: 'june.csv',
      c: b64(broken),
      dry: false,
    });
    expect(res.data!.importLedger.status).toBe('REJECTED');
    expect(res.data!.importLedger.problems.map((p) => p.code)).toContain('VOUCHER_UNBALANCED');
    expect(res.data!.importLedger.problems[0]!.message).toMatch(/[\u4e00-\u9fff]/);
    expect(await ledgerCounts(village.id)).toEqual({ vouchers: 0, periods: 0, files: 0 });
  });

  it('lets an accountant of village A touch nothing in village B', async () => {
    const { other, village, as } = await setUp();
    const res = await (await as('otherAccountant'))(IMPORT, { v: village.slug, f: 'x.csv', c: b64(JUNE), dry: false });
    expect(res.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(await ledgerCounts(village.id)).toEqual({ vouchers: 0, periods: 0, files: 0 });
    expect(other.id).not.toBe(village.id);
  });
});

describe('the month workflow', () => {
  it('runs open → submitted → published → revision 2, visible to the public only once published', async () => {
    const { village, as, names } = await setUp();
    const [accountant, director, supervisor] = [await as('accountant'), await as('director'), await as('supervisor')];
    const publicStatement = async () =>
      (
        await t.api.query<{ village: { statement: { revision: number; spending: { yuan: string } } | null } }>(
          `query ($v: String!) { village(slug: $v) { statement(year: 2025, month: 6) { revision spending { yuan } } } }`,
          { v: village.slug },
        )
      ).data!.village.statement;

    await accountant(IMPORT, { v: village.slug, f: 'june.csv', c: b64(JUNE), dry: false });
    expect(await publicStatement()).toBeNull();

    const early = await director(`mutation ${MONTH}{ publishMonth(${ARGS}) { revision } }`, {
      v: village.slug,
      y: 2025,
      m: 6,
    });
    expect(early.errors![0]!.extensions!.code).toBe('PERIOD_NOT_SUBMITTED');

    const submitted = await accountant<{ submitMonth: { status: string } }>(
      `mutation ${MONTH}{ submitMonth(${ARGS}) { status } }`,
      { v: village.slug, y: 2025, m: 6 },
    );
    expect(submitted.data!.submitMonth.status).toBe('SUBMITTED');
    expect(await publicStatement()).toBeNull();

    const flagged = await supervisor<{ flagVoucher: { flags: { voucherNumber: number; reason: string }[] } }>(
      `mutation ${MONTH}{ flagVoucher(${ARGS}, number: 2, reason: "办公用品单价偏高，请附发票") { flags { voucherNumber reason } } }`,
      { v: village.slug, y: 2025, m: 6 },
    );
    expect(flagged.data!.flagVoucher.flags).toEqual([{ voucherNumber: 2, reason: '办公用品单价偏高，请附发票' }]);
    const supervisorPublish = await supervisor(`mutation ${MONTH}{ publishMonth(${ARGS}) { revision } }`, {
      v: village.slug,
      y: 2025,
      m: 6,
    });
    expect(supervisorPublish.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const unreviewed = await director(`mutation ${MONTH}{ publishMonth(${ARGS}) { revision } }`, {
      v: village.slug,
      y: 2025,
      m: 6,
    });
    expect(unreviewed.errors![0]!.extensions!.code).toBe('REVIEW_REQUIRED');
    // The supervisor approves; the accountant answers every flag, the supervisor's among them.
    const answered = await reviewOverApi(
      t,
      { villageSlug: village.slug, year: 2025, month: 6 },
      { supervisor: names.supervisor, committee: names.accountant },
    );
    expect(answered).toContainEqual(expect.stringMatching(/^supervisor:[0-9]+$/));

    const published = await director<{ publishMonth: { revision: number; digest: string } }>(
      `mutation ${MONTH}{ publishMonth(${ARGS}) { revision digest } }`,
      { v: village.slug, y: 2025, m: 6 },
    );
    expect(published.errors).toBeUndefined();
    expect(published.data!.publishMonth.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(await publicStatement()).toEqual({ revision: 1, spending: { yuan: '1234.56' } });
    const flags = await t.api.query<{
      village: {
        voucher: {
          flags: { author: string; reason: string }[];
          redFlags: { source: string; detail: string; answer: { body: string } | null }[];
        };
      };
    }>(
      `query ($v: String!) { village(slug: $v) { voucher(year: 2025, month: 6, number: 2) {
         flags { author reason } redFlags { source detail answer { body } } } } }`,
      { v: village.slug },
    );
    expect(flags.data!.village.voucher.redFlags).toEqual([
      { source: 'SUPERVISOR', detail: '办公用品单价偏高，请附发票', answer: { body: '已核实，凭证和收据齐全' } },
    ]);
    expect(flags.data!.village.voucher.flags).toEqual([
      {
        author: expect.not.stringContaining(names.supervisor) as unknown as string,
        reason: '办公用品单价偏高，请附发票',
      },
    ]);

    // Flags belong to the review: the published month's flags are sealed in its digest.
    const lateFlag = await supervisor(
      `mutation ${MONTH}{ flagVoucher(${ARGS}, number: 1, reason: "公开后才发现的疑问") { flags { voucherNumber } } }`,
      { v: village.slug, y: 2025, m: 6 },
    );
    expect(lateFlag.errors![0]!.extensions!.code).toBe('PERIOD_NOT_OPEN');
    expect(lateFlag.errors![0]!.message).toContain('已经公开');
    const stillOne = await t.api.query<{ village: { voucher: { redFlags: unknown[] } } }>(
      `query ($v: String!) { village(slug: $v) { voucher(year: 2025, month: 6, number: 1) { redFlags { key } } } }`,
      { v: village.slug },
    );
    expect(stillOne.data!.village.voucher.redFlags).toEqual([]);

    const noReason = await director(`mutation ${MONTH}{ reviseMonth(${ARGS}, reason: "  ") { revision } }`, {
      v: village.slug,
      y: 2025,
      m: 6,
    });
    expect(noReason.errors![0]!.extensions!.code).toBe('REASON_REQUIRED');
    const revised = await director<{ reviseMonth: { revision: number; status: string } }>(
      `mutation ${MONTH}{ reviseMonth(${ARGS}, reason: "第2号凭证金额应为1,243.56元") { revision status } }`,
      { v: village.slug, y: 2025, m: 6 },
    );
    expect(revised.data!.reviseMonth).toEqual({ revision: 2, status: 'OPEN' });
    expect(await publicStatement()).toEqual({ revision: 1, spending: { yuan: '1234.56' } });

    const corrected = JUNE.replaceAll('1234.56', '1243.56');
    const upload = await accountant<{ importLedger: { status: string; revision: number } }>(IMPORT, {
      v: village.slug,
      f: 'june-fixed.csv',
      c: b64(corrected),
      dry: false,
    });
    expect(upload.data!.importLedger).toMatchObject({ status: 'COMMITTED', revision: 2 });
    await accountant(`mutation ${MONTH}{ submitMonth(${ARGS}) { status } }`, { v: village.slug, y: 2025, m: 6 });
    // A correction is reviewed anew: the first revision's approval does not carry over.
    await reviewOverApi(
      t,
      { villageSlug: village.slug, year: 2025, month: 6 },
      { supervisor: names.supervisor, committee: names.accountant },
    );
    const second = await director(`mutation ${MONTH}{ publishMonth(${ARGS}) { revision } }`, {
      v: village.slug,
      y: 2025,
      m: 6,
    });
    expect(second.errors).toBeUndefined();
    expect(await publicStatement()).toEqual({ revision: 2, spending: { yuan: '1243.56' } });

    const history = await t.api.query<{ village: { statement: { spending: { yuan: string } } } }>(
      `query ($v: String!) { village(slug: $v) { statement(year: 2025, month: 6, revision: 1) { spending { yuan } } } }`,
      { v: village.slug },
    );
    expect(history.data!.village.statement.spending.yuan).toBe('1234.56');

    const chain = await t.api.query<{ verifyChain: { ok: boolean; checked: number } }>(
      `query ($v: String!) { verifyChain(villageSlug: $v) { ok checked } }`,
      { v: village.slug },
    );
    expect(chain.data!.verifyChain).toEqual({ ok: true, checked: 2 });
  });

  it('does not let the person who uploaded a month publish it alone', async () => {
    const { village, as } = await setUp();
    const director = await as('director');
    await director(IMPORT, { v: village.slug, f: 'june.csv', c: b64(JUNE), dry: false });
    await director(`mutation ${MONTH}{ submitMonth(${ARGS}) { status } }`, { v: village.slug, y: 2025, m: 6 });
    const res = await director(`mutation ${MONTH}{ publishMonth(${ARGS}) { revision } }`, {
      v: village.slug,
      y: 2025,
      m: 6,
    });
    expect(res.errors![0]!.extensions!.code).toBe('UPLOADER_CANNOT_PUBLISH');
  });
});

describe('the digest chain', () => {
  it('fails verification at the month whose stored amount was altered behind the API’s back', async () => {
    const village = await aVillage(t.handle.db);
    for (const month of [1, 2, 3]) {
      await aMonth(t.handle.db, village.id, 2025, month, [
        aVoucher(1, `2025-0${month}-05`, '电费', debit('513', 10_000 * month), credit('102', 10_000 * month)),
      ]);
    }
    const verify = () =>
      t.api.query<{
        verifyChain: { ok: boolean; checked: number; breaks: { year: number; month: number; problem: string }[] };
      }>(`query ($v: String!) { verifyChain(villageSlug: $v) { ok checked breaks { year month problem } } }`, {
        v: village.slug,
      });
    expect((await verify()).data!.verifyChain).toEqual({ ok: true, checked: 3, breaks: [] });
    await t.handle.db.transaction(async (tx) => {
      // Only a superuser switching off the immutability triggers can do this; the chain still notices.
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(sql`update voucher_lines set amount_fen = amount_fen + 100
                            where village_id = ${village.id}
                              and voucher_id in (select id from vouchers where village_id = ${village.id} and month = 2)`);
    });
    const after = (await verify()).data!.verifyChain;
    expect(after.ok).toBe(false);
    expect(after.breaks).toEqual([{ year: 2025, month: 2, problem: 'CONTENT' }]);
  });
});
