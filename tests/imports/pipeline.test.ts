// Real exports through the whole pipeline: every layout × encoding, the codes only the ledger can give, the CLI.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { describe, expect, it } from 'vitest';
import { ensureVillageAccounts } from '@mingbai/db/ledger/accounts';
import { publishPeriod } from '@mingbai/db/ledger/publish';
import { beijingDate, rulesInForce } from '@mingbai/db/ledger/red-flag-rules';
import { evaluateRedFlags } from '@mingbai/db/ledger/red-flags';
import { voucherCsv } from '../../bench/import/make-csv.ts';
import { useTestApi } from '../support/api.ts';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { reviewOverApi } from '../support/review.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';
import { cliArgs } from '../support/cli.ts';

const t = useTestApi();
const fixtures = fileURLToPath(new URL('../fixtures/imports/', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

const IMPORT = `mutation ($v: String!, $f: String!, $c: String!, $dry: Boolean!) {
  importLedger(villageSlug: $v, filename: $f, contentBase64: $c, dryRun: $dry) {
    status format encoding year month problems { row column code message }
    preview { vouchers lines debitTotal { fen } income { fen } spending { fen } }
  }
}`;

interface Report {
  status: string;
  format: string;
  encoding: string;
  year: number;
  month: number;
  problems: { row: number | null; column: string | null; code: string; message: string }[];
  preview: {
    vouchers: number;
    lines: number;
    debitTotal: { fen: string };
    income: { fen: string };
    spending: { fen: string };
  } | null;
}

async function accountantOf(slug: string) {
  const user = await aUser(t.handle.db, ['accountant', slug]);
  return t.api.as(await t.api.login(user, TEST_PASSWORD));
}

async function upload(as: Awaited<ReturnType<typeof accountantOf>>, slug: string, file: string, dry = true) {
  const res = await as<{ importLedger: Report }>(IMPORT, {
    v: slug,
    f: file,
    c: readFileSync(fixtures + file).toString('base64'),
    dry,
  });
  expect(res.errors, file).toBeUndefined();
  return res.data!.importLedger;
}

describe('every layout in every encoding', () => {
  it('previews each good export as the same six vouchers', async () => {
    const village = await aVillage(t.handle.db);
    // Some layouts carry no account names: the village has used these sub-accounts before.
    await t.handle.db.transaction((tx) =>
      ensureVillageAccounts(tx, village.id, '2023', [
        { code: '51301', name: '办公费' },
        { code: '51401', name: '道路维修' },
        { code: '50301', name: '运转经费补助' },
      ]),
    );
    const as = await accountantOf(village.slug);
    const files = readdirSync(fixtures + 'good');
    expect(files.length).toBeGreaterThanOrEqual(16);
    const previews = new Set<string>();
    const seen = new Set<string>();
    for (const file of files) {
      const report = await upload(as, village.slug, `good/${file}`);
      expect(report.problems, file).toEqual([]);
      expect(report.status, file).toBe('PREVIEW');
      expect([report.year, report.month], file).toEqual([2025, 6]);
      previews.add(JSON.stringify(report.preview));
      seen.add(`${report.format}/${report.encoding}`);
    }
    expect(previews.size).toBe(1);
    for (const format of ['mingbai', 'yonyou-u8', 'kingdee-kis', 'cashbook']) {
      for (const encoding of ['utf-8', 'utf-8-bom', 'gb18030', 'xlsx'])
        expect(seen, `${format}/${encoding}`).toContain(`${format}/${encoding}`);
    }
  });

  it('rejects each bad file with its codes, and a row and a Chinese message for each problem', async () => {
    const village = await aVillage(t.handle.db);
    const as = await accountantOf(village.slug);
    const expected: Record<string, string> = {
      'amounts.csv': 'AMOUNT_INVALID',
      'cashbook-both-sides.csv': 'AMOUNT_BOTH_SIDES',
      'dates.csv': 'DATE_INVALID',
      'duplicate-numbers.csv': 'VOUCHER_DUPLICATE',
      'empty.csv': 'FILE_EMPTY',
      'header-only.csv': 'FILE_EMPTY',
      'last-row.csv': 'ACCOUNT_INVALID',
      'missing-column.csv': 'COLUMN_MISSING',
      'missing-summary.csv': 'SUMMARY_MISSING',
      'truncated.xlsx': 'XLSX_INVALID',
      'unbalanced.csv': 'VOUCHER_UNBALANCED',
      'undecodable.csv': 'ENCODING_UNDECODABLE',
      'unknown-layout.csv': 'LAYOUT_UNKNOWN',
      'voucher-numbers.csv': 'VOUCHER_NUMBER_INVALID',
    };
    const badFiles = readdirSync(fixtures + 'bad');
    expect(badFiles.length).toBeGreaterThan(0);
    for (const file of badFiles) {
      const report = await upload(as, village.slug, `bad/${file}`, false);
      expect(report.status, file).toBe('REJECTED');
      expect(
        report.problems.map((p) => p.code),
        file,
      ).toContain(expected[file]);
      for (const p of report.problems) expect(p.message, file).toMatch(/[\u4e00-\u9fff]/);
    }
    const lastRow = await upload(as, village.slug, 'bad/last-row.csv', false);
    expect(lastRow.problems.map((p) => p.row)).toEqual([
      readFileSync(fixtures + 'bad/last-row.csv', 'utf8')
        .trimEnd()
        .split('\n').length,
    ]);
    const committee = await as<{ committeeMonth: unknown }>(
      `query ($v: String!) { committeeMonth(villageSlug: $v, year: 2025, month: 6) { status } }`,
      { v: village.slug },
    );
    expect(committee.data!.committeeMonth).toBeNull();
  });
});

describe('what only the ledger can refuse', () => {
  it('refuses a published month, a submitted month and an account the chart does not have', async () => {
    const village = await aVillage(t.handle.db);
    const as = await accountantOf(village.slug);
    await aMonth(t.handle.db, village.id, 2025, 6, [
      aVoucher(1, '2025-06-01', '电费', debit('513', 100), credit('102', 100)),
    ]);
    const published = await upload(as, village.slug, 'good/mingbai.utf-8.csv', false);
    expect(published.problems.map((p) => p.code)).toEqual(['MONTH_PUBLISHED']);

    const other = await aVillage(t.handle.db);
    const asOther = await accountantOf(other.slug);
    const unknownAccount = Buffer.from(
      '凭证号,日期,摘要,科目编码,借方金额,贷方金额\n1,2025-07-02,支付杂费,599,100.00,\n1,2025-07-02,支付杂费,102,,100.00\n2,2025-07-03,支付网费,51377,50.00,\n2,2025-07-03,支付网费,102,,50.00\n',
    ).toString('base64');
    const res = await asOther<{ importLedger: Report }>(IMPORT, {
      v: other.slug,
      f: 'july.csv',
      c: unknownAccount,
      dry: false,
    });
    const problems = res.data!.importLedger.problems;
    expect(problems.map((p) => [p.code, p.row])).toEqual([
      ['ACCOUNT_UNKNOWN', 2],
      ['ACCOUNT_UNKNOWN', 4],
    ]);
    expect(problems[1]!.message).toContain('科目名称');

    await asOther(IMPORT, {
      v: other.slug,
      f: 'july-ok.csv',
      c: Buffer.from(
        '凭证号,日期,摘要,科目编码,借方金额,贷方金额\n1,2025-07-02,支付杂费,513,100.00,\n1,2025-07-02,支付杂费,102,,100.00\n',
      ).toString('base64'),
      dry: false,
    });
    await asOther(`mutation { submitMonth(villageSlug: "${other.slug}", year: 2025, month: 7) { status } }`);
    const submitted = await asOther<{ importLedger: Report }>(IMPORT, {
      v: other.slug,
      f: 'july-again.csv',
      c: Buffer.from(
        '凭证号,日期,摘要,科目编码,借方金额,贷方金额\n1,2025-07-02,支付杂费,513,200.00,\n1,2025-07-02,支付杂费,102,,200.00\n',
      ).toString('base64'),
      dry: false,
    });
    expect(submitted.data!.importLedger.problems.map((p) => p.code)).toEqual(['MONTH_SUBMITTED']);
  });
});

describe('a correction', () => {
  it('moves the opening balances of the months published after it, and keeps the old revision readable', async () => {
    const village = await aVillage(t.handle.db);
    const opening = [
      { accountCode: '102', balanceFen: 1_000_000n },
      { accountCode: '301', balanceFen: -1_000_000n },
    ];
    await aMonth(
      t.handle.db,
      village.id,
      2025,
      6,
      [aVoucher(1, '2025-06-05', '路灯维修', debit('514', 185_000), credit('102', 185_000))],
      { opening },
    );
    await aMonth(t.handle.db, village.id, 2025, 7, [
      aVoucher(1, '2025-07-05', '电费', debit('513', 10_000), credit('102', 10_000)),
    ]);
    const director = await aUser(t.handle.db, ['director', village.slug]);
    const accountant = await aUser(t.handle.db, ['accountant', village.slug]);
    const asDirector = t.api.as(await t.api.login(director, TEST_PASSWORD));
    const asAccountant = t.api.as(await t.api.login(accountant, TEST_PASSWORD));
    await asDirector(
      `mutation { reviseMonth(villageSlug: "${village.slug}", year: 2025, month: 6, reason: "金额应为1,580.00元") { revision } }`,
    );
    const fixed =
      '凭证号,日期,摘要,科目编码,借方金额,贷方金额\n1,2025-06-05,路灯维修,514,1580.00,\n1,2025-06-05,路灯维修,102,,1580.00\n';
    const up = await asAccountant<{ importLedger: Report }>(IMPORT, {
      v: village.slug,
      f: 'june-fixed.csv',
      c: Buffer.from(fixed).toString('base64'),
      dry: false,
    });
    expect(up.data!.importLedger.status).toBe('COMMITTED');
    await asAccountant(`mutation { submitMonth(villageSlug: "${village.slug}", year: 2025, month: 6) { status } }`);
    await reviewOverApi(t, { villageSlug: village.slug, year: 2025, month: 6 }, { committee: accountant });
    const published = await asDirector(
      `mutation { publishMonth(villageSlug: "${village.slug}", year: 2025, month: 6) { revision } }`,
    );
    expect(published.errors).toBeUndefined();

    const res = await t.api.query<{
      village: {
        june: { closingBalance: { yuan: string } };
        old: { closingBalance: { yuan: string } };
        july: { openingBalance: { yuan: string }; closingBalance: { yuan: string }; reconciled: boolean };
      };
    }>(
      `query ($v: String!) { village(slug: $v) {
        june: statement(year: 2025, month: 6) { closingBalance { yuan } }
        old: statement(year: 2025, month: 6, revision: 1) { closingBalance { yuan } }
        july: statement(year: 2025, month: 7) { openingBalance { yuan } closingBalance { yuan } reconciled } } }`,
      { v: village.slug },
    );
    const v = res.data!.village;
    expect(v.old.closingBalance.yuan).toBe('8150.00');
    expect(v.june.closingBalance.yuan).toBe('8420.00');
    expect(v.july).toEqual({
      openingBalance: { yuan: '8420.00' },
      closingBalance: { yuan: '8320.00' },
      reconciled: true,
    });
  });
});

describe('the operator CLI', () => {
  // PGlite serves one process: the CLI can only share the test's database on a PostgreSQL server.
  it.skipIf(!inject('databaseUrl'))('prints one JSON report and exits non-zero when the file is rejected', async () => {
    const village = await aVillage(t.handle.db);
    const user = await aUser(t.handle.db, ['accountant', village.slug]);
    const env: NodeJS.ProcessEnv = { ...process.env };
    env.DATABASE_URL = inject('databaseUrl');
    const run = promisify(execFile);
    const cli = (...args: string[]) =>
      run(process.execPath, cliArgs(...args), { cwd: root, env }).then(
        (r) => ({ code: 0, json: JSON.parse(r.stdout) }),
        (e: { code: number; stdout: string }) => ({ code: e.code, json: JSON.parse(e.stdout) }),
      );
    const bad = await cli('import', '--as', user, '--village', village.slug, '--file', fixtures + 'bad/unbalanced.csv');
    expect(bad.code).toBe(1);
    expect(bad.json).toMatchObject({ ok: false, status: 'rejected' });
    const dry = await cli(
      'import',
      '--as',
      user,
      '--village',
      village.slug,
      '--file',
      fixtures + 'good/cashbook.xlsx',
      '--dry-run',
    );
    expect(dry).toMatchObject({ code: 0, json: { ok: true, status: 'preview', format: 'cashbook', encoding: 'xlsx' } });
    const forbidden = await cli('publish', '--as', user, '--village', village.slug, '--month', '2025-06');
    expect(forbidden).toMatchObject({ code: 1, json: { ok: false, error: { code: 'FORBIDDEN' } } });
  });
});

describe('red flags at upload', () => {
  it('lists the month’s red flags in the preview and once a file is imported', async () => {
    // Setup: a fresh village; voucher 1 pays 1,200.00 in cash, voucher 2 pays 19,900.00 by bank (just under the
    // ¥20,000 tier), voucher 3 pays 300.00 by bank.
    const village = await aVillage(t.handle.db);
    const as = await accountantOf(village.slug);
    const file =
      '凭证号,日期,摘要,科目编码,借方金额,贷方金额\n' +
      '1,2025-06-05,支付临时用工费,513,1200.00,\n1,2025-06-05,支付临时用工费,101,,1200.00\n' +
      '2,2025-06-12,购买办公电脑,513,19900.00,\n2,2025-06-12,购买办公电脑,102,,19900.00\n' +
      '3,2025-06-20,支付复印费,513,300.00,\n3,2025-06-20,支付复印费,102,,300.00\n';
    const send = (dry: boolean) =>
      as<{
        importLedger: {
          status: string;
          redFlags: { key: string; code: string; title: string; amount: { yuan: string } | null }[];
        };
      }>(
        `mutation ($v: String!, $c: String!, $dry: Boolean!) { importLedger(villageSlug: $v, filename: "june.csv",
           contentBase64: $c, dryRun: $dry) { status redFlags { key code title amount { yuan } } } }`,
        { v: village.slug, c: Buffer.from(file).toString('base64'), dry },
      );
    // Action
    const preview = await send(true);
    const imported = await send(false);
    // Assertions: the preview judges the month as the upload would write it (written, judged, rolled back).
    expect(preview.data!.importLedger.status).toBe('PREVIEW');
    expect(imported.data!.importLedger.status).toBe('COMMITTED');
    expect(preview.data!.importLedger.redFlags).toEqual(imported.data!.importLedger.redFlags);
    expect(imported.data!.importLedger.redFlags).toEqual(
      expect.arrayContaining([
        { key: 'CASH_OVER_LIMIT:1', code: 'CASH_OVER_LIMIT', title: '大额现金支付', amount: { yuan: '1200.00' } },
        { key: 'JUST_BELOW_TIER:2', code: 'JUST_BELOW_TIER', title: '金额卡在审批线下', amount: { yuan: '19900.00' } },
      ]),
    );
    expect(imported.data!.importLedger.redFlags.map((f) => f.key)).not.toContainEqual(expect.stringMatching(/:3$/));
  });
});

describe('red flags of an upload, from what it wrote', () => {
  it('judges the payments collected as the file was copied exactly as it judges the stored month', async () => {
    // Setup: October published (the 30 days the rules look back into), then November uploaded; both generated by
    // the bench's deterministic ledger (payees paid again and again, cash and bank, people and firms).
    const village = await aVillage(t.handle.db);
    const as = await accountantOf(village.slug);
    const send = (month: number, seed: number, dry: boolean) =>
      as<{
        importLedger: {
          status: string;
          redFlags: { key: string; detail: string; amount: { fen: string } | null }[];
        };
      }>(
        `mutation ($v: String!, $c: String!, $dry: Boolean!) { importLedger(villageSlug: $v, filename: "m.csv",
           contentBase64: $c, dryRun: $dry) { status redFlags { key detail amount { fen } } } }`,
        {
          v: village.slug,
          c: Buffer.from([...voucherCsv({ lines: 3000, year: 2026, month, seed })].join('')).toString('base64'),
          dry,
        },
      );
    expect((await send(10, 2, false)).data!.importLedger.status).toBe('COMMITTED');
    await t.handle.db.transaction((tx) =>
      publishPeriod(tx, { villageId: village.id, year: 2026, month: 10, actor: 'test-director' }),
    );
    // Action
    const preview = (await send(11, 3, true)).data!.importLedger;
    const committed = (await send(11, 3, false)).data!.importLedger;
    const key = { villageId: village.id, year: 2026, month: 11, revision: 1 };
    const stored = await evaluateRedFlags(t.handle.db, key, await rulesInForce(t.handle.db, village.id, beijingDate()));
    // Assertions
    const asShown = stored.map((f) => ({
      key: f.key,
      detail: f.detail,
      amount: f.amountFen === null ? null : { fen: f.amountFen.toString() },
    }));
    expect(committed.status).toBe('COMMITTED');
    expect(committed.redFlags).toEqual(asShown);
    expect(preview.redFlags).toEqual(asShown);
    const codes = new Set(stored.map((f) => f.key.split(':')[0]));
    for (const code of ['CASH_OVER_LIMIT', 'JUST_BELOW_TIER', 'SPLIT_BELOW_TIER']) {
      expect(codes, code).toContain(code);
    }
    // Some flag reaches back into October: the look-back was read, not only what the upload wrote.
    expect(stored.some((f) => /10月\d+日第\d+号/.test(f.detail))).toBe(true);
  });
});
