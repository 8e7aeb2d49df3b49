// The committee's workbench (Query.workbench): each village a person acts on, the months waiting, and what that
// person can do to each now; and the upload preview's opening balance when the month before is not yet published.
import { describe, expect, it } from 'vitest';
import { setOpeningBalances } from '@mingbai/db/ledger/periods';
import { useTestApi } from '../support/api.ts';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { reviewOverApi } from '../support/review.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestApi();

interface WorkbenchMonth {
  year: number;
  month: number;
  status: string;
  state: string;
  stateLabel: string;
  actions: string[];
  waitingFor: string[];
  unanswered: number;
}
interface WorkbenchVillage {
  slug: string;
  roleNames: string[];
  openMonth: { year: number; month: number };
  months: WorkbenchMonth[];
}
const WORKBENCH = `{ workbench { slug name roles roleNames openMonth { year month }
  months { year month revision status state stateLabel vouchers redFlags unanswered actions waitingFor } } }`;

const IMPORT = `mutation ($v: String!, $f: String!, $c: String!, $y: Int, $m: Int, $dry: Boolean!, $mode: ImportMode!) {
  importLedger(villageSlug: $v, filename: $f, contentBase64: $c, year: $y, month: $m, dryRun: $dry, mode: $mode) {
    status problems { code message }
    preview { vouchers existingVouchers mode openingBalance { fen } closingBalance { fen } income { fen }
      openingBasis { kind fromYear fromMonth fromSource description pending { year month status cashMovement { fen } } } }
  }
}`;

/** The month `back` months before the last one that has ended in Beijing (0: the last ended month). */
function ended(back: number): { year: number; month: number } {
  const beijing = new Date(Date.now() + 8 * 3600_000);
  const i = beijing.getUTCFullYear() * 12 + beijing.getUTCMonth() - 1 - back;
  return { year: Math.floor(i / 12), month: (i % 12) + 1 };
}
const ym = (m: { year: number; month: number }) => `${m.year}-${String(m.month).padStart(2, '0')}`;
const day = (m: { year: number; month: number }, d: number) => `${ym(m)}-${String(d).padStart(2, '0')}`;
const label = (m: { year: number; month: number }) => `${m.year}年${m.month}月`;
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** A month's file in our template: one voucher of income from the town into the bank. */
function incomeCsv(m: { year: number; month: number }, number: number, yuan: string): string {
  return (
    '凭证号,日期,摘要,科目编码,科目名称,借方金额,贷方金额,收付款人\n' +
    `${number},${day(m, 5)},收到镇政府拨付运转经费,102,,${yuan},,\n` +
    `${number},${day(m, 5)},收到镇政府拨付运转经费,503,,,${yuan},\n`
  );
}

async function signIn(username: string) {
  return t.api.as(await t.api.login(username, TEST_PASSWORD));
}
async function benchOf(username: string, slug: string): Promise<WorkbenchVillage | undefined> {
  const res = await (await signIn(username))<{ workbench: WorkbenchVillage[] }>(WORKBENCH);
  expect(res.errors).toBeUndefined();
  return res.data!.workbench.find((v) => v.slug === slug);
}
const monthOf = (v: WorkbenchVillage | undefined, m: { year: number; month: number }) =>
  v?.months.find((x) => x.year === m.year && x.month === m.month);

describe('the workbench', () => {
  it('lists each month waiting, with the step that is each person’s, until the director publishes', async () => {
    // Setup: the month before last published; last month imported by the accountant; this month's last not uploaded.
    const village = await aVillage(t.handle.db);
    const [published, uploaded, last] = [ended(2), ended(1), ended(0)];
    await aMonth(
      t.handle.db,
      village.id,
      published.year,
      published.month,
      [aVoucher(1, day(published, 3), '收到镇政府拨付运转经费', debit('102', 500_000), credit('503', 500_000))],
      {
        opening: [
          { accountCode: '102', balanceFen: 1_000_000n },
          { accountCode: '301', balanceFen: -1_000_000n },
        ],
      },
    );
    const accountant = await aUser(t.handle.db, ['accountant', village.slug]);
    const director = await aUser(t.handle.db, ['director', village.slug]);
    const supervisor = await aUser(t.handle.db, ['supervisor', village.slug]);
    const outsider = await aUser(t.handle.db, ['accountant', (await aVillage(t.handle.db)).slug]);
    const a = await signIn(accountant);
    const imported = await a(IMPORT, {
      v: village.slug,
      f: 'month.csv',
      c: b64(incomeCsv(uploaded, 1, '800.00')),
      ...{ y: uploaded.year, m: uploaded.month },
      dry: false,
      mode: 'REPLACE',
    });
    expect(imported.text).toContain('"COMMITTED"');

    // The accountant: the open month first (it opens by default), then the ended month with nothing in it.
    const mine = await benchOf(accountant, village.slug);
    expect(mine?.roleNames).toEqual(['报账员']);
    expect(mine?.openMonth).toEqual(uploaded);
    expect(mine?.months.map((m) => [m.year, m.month])).toEqual([
      [uploaded.year, uploaded.month],
      [last.year, last.month],
    ]);
    expect(monthOf(mine, uploaded)).toMatchObject({ status: 'OPEN', state: 'OPEN', stateLabel: '正在录入' });
    expect(monthOf(mine, uploaded)!.actions).toEqual(expect.arrayContaining(['UPLOAD', 'SUBMIT']));
    expect(monthOf(mine, last)).toMatchObject({ status: 'NONE', state: 'NOT_UPLOADED', actions: ['UPLOAD'] });
    // The supervisor waits for the committee.
    const watching = await benchOf(supervisor, village.slug);
    expect(watching?.roleNames).toEqual(['监督员']);
    expect(monthOf(watching, uploaded)).toMatchObject({ actions: [], waitingFor: ['村委会提交审核'] });
    expect(monthOf(watching, last)).toMatchObject({ actions: [], waitingFor: ['村委会上传账目'] });
    // Nobody sees a village they have no role in; nobody signed out sees anything.
    expect(await benchOf(outsider, village.slug)).toBeUndefined();
    const anonymous = await t.api.query(WORKBENCH);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    // Submitted: the supervisor's turn to review; nothing for the director to publish yet.
    const vars = { v: village.slug, y: uploaded.year, m: uploaded.month };
    const submitted = await a(
      `mutation ($v: String!, $y: Int!, $m: Int!) { submitMonth(villageSlug: $v, year: $y, month: $m) { status } }`,
      vars,
    );
    expect(submitted.errors).toBeUndefined();
    const toReview = monthOf(await benchOf(supervisor, village.slug), uploaded);
    expect(toReview).toMatchObject({ state: 'WAITING_REVIEW', stateLabel: '已提交，等待监督员审核' });
    expect(toReview!.actions).toContain('REVIEW');
    expect(monthOf(await benchOf(director, village.slug), uploaded)!.actions).not.toContain('PUBLISH');
    expect(monthOf(await benchOf(accountant, village.slug), uploaded)!.actions).not.toContain('SUBMIT');

    // Approved and every flag answered: the director (not the uploader) publishes; the accountant may not.
    await reviewOverApi(t, { villageSlug: village.slug, ...uploaded }, { supervisor, committee: accountant });
    const ready = monthOf(await benchOf(director, village.slug), uploaded);
    expect(ready).toMatchObject({ state: 'READY_TO_PUBLISH', actions: ['PUBLISH'], unanswered: 0 });
    const byAccountant = monthOf(await benchOf(accountant, village.slug), uploaded);
    expect(byAccountant!.actions).toEqual([]);
    expect(byAccountant!.waitingFor.join()).toContain('公开');
    const d = await signIn(director);
    const done = await d(
      `mutation ($v: String!, $y: Int!, $m: Int!) { publishMonth(villageSlug: $v, year: $y, month: $m) { revision } }`,
      vars,
    );
    expect(done.errors).toBeUndefined();

    // Published months leave the list; the month to open next is the one after.
    const after = await benchOf(director, village.slug);
    expect(monthOf(after, uploaded)).toBeUndefined();
    expect(after?.openMonth).toEqual(last);
    expect(after?.roleNames).toEqual(['村主任/书记']);
  });

  it('starts a village with no month at all at the last ended month', async () => {
    const village = await aVillage(t.handle.db);
    const accountant = await aUser(t.handle.db, ['accountant', village.slug], ['director', village.slug]);
    const bench = await benchOf(accountant, village.slug);
    expect(bench?.roleNames).toEqual(['报账员', '村主任/书记']);
    expect(bench?.openMonth).toEqual(ended(0));
    expect(bench?.months).toHaveLength(1);
  });
});

describe('the upload preview’s opening balance', () => {
  async function preview(
    slug: string,
    username: string,
    m: { year: number; month: number },
    csv: string,
    mode = 'REPLACE',
  ) {
    const res = await (
      await signIn(username)
    )<{
      importLedger: {
        status: string;
        preview: {
          existingVouchers: number;
          mode: string;
          openingBalance: { fen: string };
          closingBalance: { fen: string };
          openingBasis: {
            kind: string;
            fromYear: number | null;
            fromMonth: number | null;
            fromSource: string | null;
            description: string;
            pending: { year: number; month: number; status: string; cashMovement: { fen: string } }[];
          };
        };
      };
    }>(IMPORT, { v: slug, f: 'file.csv', c: b64(csv), y: m.year, m: m.month, dry: true, mode });
    expect(res.errors).toBeUndefined();
    expect(res.data!.importLedger.status).toBe('PREVIEW');
    return res.data!.importLedger.preview;
  }

  it('adds the months not yet published to the last published closing, and says so', async () => {
    // Setup: published 3 months back (closing ¥12,000: ¥10,000 + ¥2,000), open 2 back (¥300 paid in cash), nothing 1 back.
    const village = await aVillage(t.handle.db);
    const [published, open, missing, target] = [ended(3), ended(2), ended(1), ended(0)];
    await aMonth(
      t.handle.db,
      village.id,
      published.year,
      published.month,
      [aVoucher(1, day(published, 3), '收到镇政府拨付运转经费', debit('101', 200_000), credit('503', 200_000))],
      {
        opening: [
          { accountCode: '101', balanceFen: 1_000_000n },
          { accountCode: '301', balanceFen: -1_000_000n },
        ],
      },
    );
    await aMonth(
      t.handle.db,
      village.id,
      open.year,
      open.month,
      [aVoucher(1, day(open, 8), '购买办公用品', debit('513', 30_000), credit('101', 30_000))],
      { publish: false },
    );
    const accountant = await aUser(t.handle.db, ['accountant', village.slug]);

    const p = await preview(village.slug, accountant, target, incomeCsv(target, 1, '500.00'));
    expect(p.openingBalance.fen).toBe('1170000');
    expect(p.closingBalance.fen).toBe('1220000');
    expect(p.openingBasis).toMatchObject({
      kind: 'UNPUBLISHED',
      fromYear: published.year,
      fromMonth: published.month,
      fromSource: 'PUBLISHED',
    });
    expect(p.openingBasis.pending).toEqual([
      { ...open, status: 'OPEN', cashMovement: { fen: '-30000' } },
      { ...missing, status: 'MISSING', cashMovement: { fen: '0' } },
    ]);
    expect(p.openingBasis.description).toContain(`从${label(published)}公开的月末余额起算`);
    expect(p.openingBasis.description).toContain(`${label(open)}（正在录入）`);
    expect(p.openingBasis.description).toContain(`${label(missing)}还没有上传`);
  });

  it('starts from last month’s published closing, or from the books’ opening balances', async () => {
    const village = await aVillage(t.handle.db);
    const [before, target] = [ended(1), ended(0)];
    await aMonth(
      t.handle.db,
      village.id,
      before.year,
      before.month,
      [aVoucher(1, day(before, 3), '收到镇政府拨付运转经费', debit('102', 40_000), credit('503', 40_000))],
      {
        opening: [
          { accountCode: '102', balanceFen: 60_000n },
          { accountCode: '301', balanceFen: -60_000n },
        ],
      },
    );
    const accountant = await aUser(t.handle.db, ['accountant', village.slug]);
    const p = await preview(village.slug, accountant, target, incomeCsv(target, 1, '1.00'));
    expect(p.openingBalance.fen).toBe('100000');
    expect(p.openingBasis).toMatchObject({ kind: 'PUBLISHED', pending: [] });
    expect(p.openingBasis.description).toBe(`从${label(before)}公开的月末余额起算。`);

    // A new village whose books start this month: its 期初余额.
    const fresh = await aVillage(t.handle.db);
    await t.handle.db.transaction((tx) =>
      setOpeningBalances(tx, {
        villageId: fresh.id,
        ...target,
        actor: 'test',
        balances: [
          { accountCode: '101', balanceFen: 12_345n },
          { accountCode: '102', balanceFen: 100_000n },
          { accountCode: '301', balanceFen: -112_345n },
        ],
      }),
    );
    const freshAccountant = await aUser(t.handle.db, ['accountant', fresh.slug]);
    const q = await preview(fresh.slug, freshAccountant, target, incomeCsv(target, 1, '1.00'));
    expect(q.openingBalance.fen).toBe('112345');
    expect(q.openingBasis).toMatchObject({ kind: 'BOOKS', fromSource: 'BOOKS', ...{ fromYear: target.year } });
    expect(q.openingBasis.description).toContain('期初余额起算');
  });

  it('counts the vouchers the month keeps when appending, not when replacing', async () => {
    const village = await aVillage(t.handle.db);
    const target = ended(0);
    await t.handle.db.transaction((tx) =>
      setOpeningBalances(tx, {
        villageId: village.id,
        ...target,
        actor: 'test',
        balances: [{ accountCode: '102', balanceFen: 0n }],
      }),
    );
    const accountant = await aUser(t.handle.db, ['accountant', village.slug]);
    const a = await signIn(accountant);
    const first = await a(IMPORT, {
      v: village.slug,
      f: 'first.csv',
      c: b64(incomeCsv(target, 1, '100.00')),
      y: target.year,
      m: target.month,
      dry: false,
      mode: 'REPLACE',
    });
    expect(first.text).toContain('"COMMITTED"');
    const appended = await preview(village.slug, accountant, target, incomeCsv(target, 2, '50.00'), 'APPEND');
    expect(appended).toMatchObject({ mode: 'APPEND', existingVouchers: 1 });
    expect(appended.closingBalance.fen).toBe('15000');
    const replaced = await preview(village.slug, accountant, target, incomeCsv(target, 2, '50.00'), 'REPLACE');
    expect(replaced).toMatchObject({ mode: 'REPLACE', existingVouchers: 1 });
    expect(replaced.closingBalance.fen).toBe('5000');
  });
});
