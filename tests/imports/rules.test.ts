// Issue 12, items 13 and 14: a file whose voucher lines each appear twice is named and refused unless confirmed; the
// same file twice changes nothing within one revision of a month, but imports into a correction.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { describe, expect, inject, it } from 'vitest';
import { queryRows, type Db } from '@mingbai/db/client';
import { publishPeriod } from '@mingbai/db/ledger/publish';
import { linesRepeated } from '@mingbai/api/imports/tally';
import { useTestApi } from '../support/api.ts';
import { aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';
import { cliArgs } from '../support/cli.ts';

const t = useTestApi();
const root = fileURLToPath(new URL('../..', import.meta.url));

const IMPORT = `mutation ($v: String!, $f: String!, $c: String!, $dry: Boolean!, $confirm: Boolean) {
  importLedger(villageSlug: $v, filename: $f, contentBase64: $c, year: 2025, month: 6, dryRun: $dry,
               confirmRepeatedLines: $confirm) {
    status revision problems { row column code message } warnings { row column code message }
  }
}`;

interface Problem {
  row: number | null;
  column: string | null;
  code: string;
  message: string;
}
interface Report {
  status: string;
  revision: number | null;
  problems: Problem[];
  warnings: Problem[];
}

const HEADER = '凭证号,日期,摘要,科目编码,借方金额,贷方金额';
const csv = (...lines: string[]) => Buffer.from([HEADER, ...lines].join('\n') + '\n').toString('base64');

/** Voucher 1 pasted in twice and sorted (every line twice), voucher 2 as it should be. */
const DOUBLED = csv(
  '1,2025-06-03,支付电费,513,300.00,',
  '1,2025-06-03,支付电费,513,300.00,',
  '1,2025-06-03,支付电费,102,,300.00',
  '1,2025-06-03,支付电费,102,,300.00',
  '2,2025-06-05,支付水费,513,80.00,',
  '2,2025-06-05,支付水费,102,,80.00',
);

async function accountantOf(slug: string) {
  const user = await aUser(t.handle.db, ['accountant', slug]);
  return { user, as: t.api.as(await t.api.login(user, TEST_PASSWORD)) };
}

async function linesOf(db: Db, villageId: number, revision?: number): Promise<string[]> {
  const rows = await queryRows<{ l: string }>(
    db,
    sql`select v.revision || '/' || v.number || '/' || l.account_code || '/' || l.side || '/' || l.amount_fen as l
          from vouchers v join voucher_lines l on l.village_id = v.village_id and l.voucher_id = v.id
         where v.village_id = ${villageId} and (${revision ?? null}::int is null or v.revision = ${revision ?? null}::int)
         order by 1`,
  );
  return rows.map((r) => r.l);
}

describe('vouchers whose every line appears twice', () => {
  it('tells a doubled voucher from one with two equal payments', () => {
    const doubled = aVoucher(1, '2025-06-03', '电费', debit('513', 100), debit('513', 100), credit('102', 100));
    expect(linesRepeated(doubled)).toBe(false);
    const pasted = aVoucher(
      1,
      '2025-06-03',
      '电费',
      debit('513', 100),
      credit('102', 100),
      debit('513', 100),
      credit('102', 100),
    );
    expect(linesRepeated(pasted)).toBe(true);
  });

  it('are named in the preview, refused without confirmation, and imported with it', async () => {
    // Setup
    const village = await aVillage(t.handle.db, '重复村');
    const { as } = await accountantOf(village.slug);
    const upload = (dry: boolean, confirm?: boolean) =>
      as<{ importLedger: Report }>(IMPORT, { v: village.slug, f: 'june.csv', c: DOUBLED, dry, confirm });

    // Action, and Assertions: the preview says so.
    const preview = (await upload(true)).data!.importLedger;
    expect(preview.status).toBe('PREVIEW');
    expect(preview.problems).toEqual([]);
    expect(preview.warnings).toHaveLength(1);
    expect(preview.warnings[0]).toMatchObject({ row: 2, code: 'VOUCHER_LINES_REPEATED' });
    expect(preview.warnings[0]!.message).toContain('第1号凭证');

    // Without confirming: refused with a coded Chinese message naming the voucher, nothing written.
    const refused = (await upload(false)).data!.importLedger;
    expect(refused.status).toBe('REJECTED');
    expect(refused.problems.map((p) => p.code)).toEqual(['REPEATED_LINES_UNCONFIRMED']);
    expect(refused.problems[0]!.message).toMatch(/第1号凭证.*没有导入/);
    expect(refused.warnings.map((w) => w.code)).toEqual(['VOUCHER_LINES_REPEATED']);
    expect(await linesOf(t.handle.db, village.id)).toEqual([]);

    // Confirmed: imported as it is, every line, and the confirmation is in the audit log.
    const committed = (await upload(false, true)).data!.importLedger;
    expect(committed.status).toBe('COMMITTED');
    expect(committed.warnings.map((w) => w.code)).toEqual(['VOUCHER_LINES_REPEATED']);
    expect(await linesOf(t.handle.db, village.id)).toEqual([
      '1/1/102/credit/30000',
      '1/1/102/credit/30000',
      '1/1/513/debit/30000',
      '1/1/513/debit/30000',
      '1/2/102/credit/8000',
      '1/2/513/debit/8000',
    ]);
    const [audit] = await queryRows<{ details: { repeatedLinesConfirmed?: number[] } }>(
      t.handle.db,
      sql`select details from audit_log where village_id = ${village.id} and action = 'import.commit'`,
    );
    expect(audit!.details.repeatedLinesConfirmed).toEqual([1]);
  });

  it('a cash book pasted in twice is named voucher by voucher and refused; one equal pair alone is not', async () => {
    // Setup: a cash book (each row one voucher, numbered 1…n) of three rows, pasted in twice.
    const village = await aVillage(t.handle.db, '流水村');
    const { as } = await accountantOf(village.slug);
    const rows = [
      '2025-06-03,支付电费,513,,300.00',
      '2025-06-04,收到补助,503,5000.00,',
      '2025-06-05,支付水费,513,,80.00',
    ];
    const book = (...lines: string[]) =>
      Buffer.from(['日期,摘要,科目,收入,支出', ...lines].join('\n') + '\n').toString('base64');
    const upload = (c: string, dry: boolean) =>
      as<{ importLedger: Report }>(IMPORT, { v: village.slug, f: 'june.csv', c, dry }).then(
        (r) => r.data!.importLedger,
      );

    // Action and Assertions
    const preview = await upload(book(...rows, ...rows), true);
    expect(preview.status).toBe('PREVIEW');
    expect(preview.warnings.map((w) => [w.code, w.row])).toEqual([
      ['VOUCHER_REPEATED', 5],
      ['VOUCHER_REPEATED', 6],
      ['VOUCHER_REPEATED', 7],
    ]);
    expect(preview.warnings[0]!.message).toContain('第4号凭证与第1号凭证');
    const refused = await upload(book(...rows, ...rows), false);
    expect(refused.problems.map((p) => p.code)).toEqual(['REPEATED_LINES_UNCONFIRMED']);
    expect(refused.problems[0]!.message).toContain('第4、5、6号');
    // Two equal payments among eight vouchers: not a paste.
    const more = [
      '2025-06-06,支付网费,513,,60.00',
      '2025-06-07,支付邮费,513,,12.00',
      '2025-06-08,支付报刊费,513,,90.00',
    ];
    const once = await upload(book(...rows, rows[0]!, ...more, '2025-06-09,支付杂费,513,,5.00'), false);
    expect(once).toMatchObject({ status: 'COMMITTED', problems: [], warnings: [] });
  });

  it('a file without them has no warning', async () => {
    const village = await aVillage(t.handle.db, '不重复村');
    const { as } = await accountantOf(village.slug);
    const res = await as<{ importLedger: Report }>(IMPORT, {
      v: village.slug,
      f: 'june.csv',
      c: csv('1,2025-06-03,补贴,514,100.00,', '1,2025-06-03,补贴,514,100.00,', '1,2025-06-03,补贴,102,,200.00'),
      dry: false,
    });
    expect(res.data!.importLedger).toMatchObject({ status: 'COMMITTED', problems: [], warnings: [] });
  });

  // PGlite serves one process: the CLI can only share the test's database on a PostgreSQL server.
  it.skipIf(!inject('databaseUrl'))(
    'the CLI refuses them unless --confirm-repeated-lines',
    async () => {
      const village = await aVillage(t.handle.db, '命令行重复村');
      const { user } = await accountantOf(village.slug);
      const dir = mkdtempSync(join(tmpdir(), 'mingbai-repeated-'));
      const file = join(dir, 'june.csv');
      writeFileSync(file, Buffer.from(DOUBLED, 'base64'));
      const cli = (...extra: string[]) =>
        promisify(execFile)(
          process.execPath,
          cliArgs('import', '--as', user, '--village', village.slug, '--file', file, ...extra),
          { cwd: root, env: { ...process.env, DATABASE_URL: inject('databaseUrl') } },
        ).then(
          (r) => ({ code: 0, json: JSON.parse(r.stdout) as Report }),
          (e: { code: number; stdout: string }) => ({ code: e.code, json: JSON.parse(e.stdout) as Report }),
        );
      try {
        const refused = await cli();
        expect(refused.code).toBe(1);
        expect(refused.json.problems.map((p) => p.code)).toEqual(['REPEATED_LINES_UNCONFIRMED']);
        const confirmed = await cli('--confirm-repeated-lines');
        expect(confirmed).toMatchObject({ code: 0, json: { status: 'committed' } });
        expect(confirmed.json.warnings.map((w) => w.code)).toEqual(['VOUCHER_LINES_REPEATED']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});

describe('the same file twice', () => {
  it('changes nothing within one revision, and imports into a correction', async () => {
    // Setup: revision 1 of June imported from file A, then published.
    const village = await aVillage(t.handle.db, '更正村');
    const { as } = await accountantOf(village.slug);
    const director = await aUser(t.handle.db, ['director', village.slug]);
    const asDirector = t.api.as(await t.api.login(director, TEST_PASSWORD));
    const fileA = csv('1,2025-06-03,支付电费,513,300.00,', '1,2025-06-03,支付电费,102,,300.00');
    const fileB = csv('1,2025-06-03,支付电费,513,350.00,', '1,2025-06-03,支付电费,102,,350.00');
    const upload = (c: string) =>
      as<{ importLedger: Report }>(IMPORT, { v: village.slug, f: 'june.csv', c, dry: false }).then(
        (r) => r.data!.importLedger,
      );
    expect(await upload(fileA)).toMatchObject({ status: 'COMMITTED', revision: 1 });
    const afterFirst = await linesOf(t.handle.db, village.id);

    // Action and Assertions: the same file into the same revision adds nothing.
    expect((await upload(fileA)).status).toBe('ALREADY_IMPORTED');
    expect(await linesOf(t.handle.db, village.id)).toEqual(afterFirst);

    // A correction opens revision 2 (a copy of revision 1); file B goes in, then file A again: it imports.
    await t.handle.db.transaction((tx) =>
      publishPeriod(tx, { villageId: village.id, year: 2025, month: 6, actor: 'test-director' }),
    );
    const revised = await asDirector(
      `mutation { reviseMonth(villageSlug: "${village.slug}", year: 2025, month: 6, reason: "电费金额有误") { revision } }`,
    );
    expect(revised.errors).toBeUndefined();
    expect(await upload(fileB)).toMatchObject({ status: 'COMMITTED', revision: 2 });
    expect(await linesOf(t.handle.db, village.id, 2)).toEqual(['2/1/102/credit/35000', '2/1/513/debit/35000']);
    expect(await upload(fileA)).toMatchObject({ status: 'COMMITTED', revision: 2, problems: [] });
    expect(await linesOf(t.handle.db, village.id, 2)).toEqual(['2/1/102/credit/30000', '2/1/513/debit/30000']);
    // Once in revision 2, the same file again is the same file twice into one revision.
    expect((await upload(fileA)).status).toBe('ALREADY_IMPORTED');
    expect(await linesOf(t.handle.db, village.id, 2)).toEqual(['2/1/102/credit/30000', '2/1/513/debit/30000']);
    // Revision 1 is untouched, and the bytes of A are kept once.
    expect(await linesOf(t.handle.db, village.id, 1)).toEqual(afterFirst);
    const files = await queryRows<{ n: string }>(
      t.handle.db,
      sql`select count(*)::text as n from imported_files where village_id = ${village.id}`,
    );
    expect(files[0]!.n).toBe('2');
  });

  it('imports again into the same revision after another file replaced it', async () => {
    const village = await aVillage(t.handle.db, '替换村');
    const { as } = await accountantOf(village.slug);
    const fileA = csv('1,2025-06-03,支付电费,513,300.00,', '1,2025-06-03,支付电费,102,,300.00');
    const fileB = csv('1,2025-06-03,支付电费,513,350.00,', '1,2025-06-03,支付电费,102,,350.00');
    const upload = (c: string) =>
      as<{ importLedger: Report }>(IMPORT, { v: village.slug, f: 'june.csv', c, dry: false }).then(
        (r) => r.data!.importLedger,
      );
    expect((await upload(fileA)).status).toBe('COMMITTED');
    expect((await upload(fileB)).status).toBe('COMMITTED');
    expect(await upload(fileA)).toMatchObject({ status: 'COMMITTED', problems: [] });
    expect(await linesOf(t.handle.db, village.id)).toEqual(['1/1/102/credit/30000', '1/1/513/debit/30000']);
  });
});
