import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseForTest } from './test-support.ts';

/** The files tests/fixtures/imports/make-fixtures.ts writes. */
const DIR = new URL('../../../../tests/fixtures/imports/', import.meta.url);
const read = (path: string) => new Uint8Array(readFileSync(new URL(path, DIR)));

/** What every good file says, whatever its layout and encoding: number, date, 摘要, then side, account and fen. */
const MONTH = [
  [1, '2025-06-03', '购买办公用品（打印纸, 墨盒）', 'd 51301 123450', 'c 102 123450'],
  [2, '2025-06-05', '收到镇财政拨付村级组织运转经费', 'd 102 5000000', 'c 50301 5000000'],
  [3, '2025-06-10', '代发6月低保金', 'd 211 80000', 'c 102 80000'],
  [4, '2025-06-12', '提取备用金', 'd 101 200000', 'c 102 200000'],
  [5, '2025-06-18', '修补村内道路坑槽，东街"三横一纵"主路', 'd 51401 1860000', 'c 102 1860000'],
  [6, '2025-06-28', '发放5月村干部工资', 'd 212 350000', 'c 101 350000'],
];

const GOOD = readdirSync(new URL('good/', DIR)).sort();
const LAYOUTS = ['mingbai', 'yonyou-u8', 'kingdee-kis', 'cashbook'] as const;

describe('good fixtures: every layout in every encoding reads as the same month', () => {
  it('has each layout in UTF-8, UTF-8 with BOM, GB18030 and xlsx', () => {
    for (const layout of LAYOUTS) {
      const files = GOOD.filter((f) => f.startsWith(`${layout}.`));
      expect(files.map((f) => f.split('.').slice(1, -1).join('.') || 'xlsx').sort(), layout).toEqual([
        'gb18030',
        'utf-8',
        'utf-8-bom',
        'xlsx',
      ]);
    }
  });

  it.each(GOOD)('%s', async (file) => {
    const r = await parseForTest(read(`good/${file}`), file);
    expect(r.problems).toEqual([]);
    expect(r.format).toBe(LAYOUTS.find((l) => file.startsWith(l)));
    expect(r.encoding).toBe(file.endsWith('.xlsx') ? 'xlsx' : file.split('.').at(-2));
    expect([r.year, r.month]).toEqual([2025, 6]);
    expect(r.rows).toBe(r.format === 'cashbook' ? 6 : 12);
    const seen = r.vouchers.map((v) => [
      v.number,
      v.date,
      v.summary,
      ...v.lines.map((l) => `${l.side[0]} ${l.accountCode} ${l.amountFen}`),
    ]);
    expect(seen).toEqual(MONTH);
    // Also fixed by the file: who prepared every voucher, and the way money moved on cash and bank lines.
    for (const v of r.vouchers) {
      expect(v.preparer).toBe('王淑芬');
      for (const l of v.lines) {
        if (l.accountCode === '101') expect(l.paymentMethod).toBe('cash');
        if (l.accountCode === '102') expect(l.paymentMethod).toBe('bank');
      }
    }
  });

  it('reads everything our layout carries, the same from CSV and xlsx', async () => {
    for (const file of ['mingbai.gb18030.csv', 'mingbai.xlsx']) {
      const r = await parseForTest(read(`good/${file}`), file);
      expect(r.vouchers[2], file).toEqual({
        number: 3,
        date: '2025-06-10',
        summary: '代发6月低保金',
        attachments: 1,
        preparer: '王淑芬',
        reviewer: '刘建军',
        approver: '赵国强',
        lines: [
          {
            accountCode: '211',
            side: 'debit',
            amountFen: 80000n,
            counterparty: {
              name: '张桂兰',
              isPerson: true,
              idNumber: '120111195803150026',
              phone: '13802001234',
              bankAccount: '6228480010001234567',
            },
            paymentMethod: 'bank',
          },
          { accountCode: '102', side: 'credit', amountFen: 80000n, paymentMethod: 'bank' },
        ],
      });
      expect(r.vouchers[0]!.lines[0]).toMatchObject({ accountName: '办公费', paymentMethod: 'bank' });
      expect(r.vouchers[5]!.lines[0]!.counterparty).toEqual({ name: '李明', isPerson: true, phone: '13902005678' });
    }
  });

  it('reads reviewer and attachments from U8 and KIS, payees and their kind from the cash book', async () => {
    for (const file of ['yonyou-u8.utf-8.txt', 'yonyou-u8.xlsx', 'kingdee-kis.utf-8.csv', 'kingdee-kis.xlsx']) {
      const r = await parseForTest(read(`good/${file}`), file);
      expect(
        r.vouchers.map((v) => [v.attachments, v.reviewer]),
        file,
      ).toEqual([2, 1, 1, 1, 3, 1].map((n) => [n, '刘建军']));
    }
    const book = await parseForTest(read('good/cashbook.xlsx'), 'cashbook.xlsx');
    expect(book.vouchers.map((v) => v.lines.find((l) => l.counterparty)?.counterparty)).toEqual([
      { name: '精武镇文具店', isPerson: false },
      { name: '精武镇财政所', isPerson: false },
      { name: '张桂兰', isPerson: true },
      undefined,
      { name: '天津宏达市政工程有限公司', isPerson: false },
      { name: '李明', isPerson: true },
    ]);
    expect(book.vouchers[2]!.lines[0]!.paymentMethod).toBe('transfer');
  });

  it('accepts its own template', async () => {
    const r = await parseForTest(read('template-mingbai.csv'), 'template-mingbai.csv');
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ format: 'mingbai', encoding: 'utf-8-bom' });
    expect(r.vouchers.map((v) => v.number)).toEqual([1, 2, 3]);
  });
});

/** Each bad file → the problems it must produce, as [row, code]. */
const BAD: Record<string, [number | null, string][]> = {
  'unbalanced.csv': [[2, 'VOUCHER_UNBALANCED']],
  'unknown-layout.csv': [[null, 'LAYOUT_UNKNOWN']],
  'dates.csv': [
    [null, 'MONTH_AMBIGUOUS'],
    ...[2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((row): [number, string] => [row, 'DATE_INVALID']),
  ],
  'amounts.csv': [
    [2, 'AMOUNT_INVALID'],
    [3, 'AMOUNT_INVALID'],
    [4, 'AMOUNT_NOT_POSITIVE'],
    [5, 'AMOUNT_NOT_POSITIVE'],
    [6, 'AMOUNT_TOO_LARGE'],
    [7, 'AMOUNT_TOO_LARGE'],
    [8, 'AMOUNT_BOTH_SIDES'],
    [9, 'AMOUNT_INVALID'],
    [10, 'AMOUNT_INVALID'],
  ],
  'duplicate-numbers.csv': [[6, 'VOUCHER_DUPLICATE']],
  'missing-summary.csv': [[2, 'SUMMARY_MISSING']],
  'last-row.csv': [[16, 'ACCOUNT_INVALID']],
  'voucher-numbers.csv': [
    [2, 'VOUCHER_NUMBER_INVALID'],
    [4, 'VOUCHER_NUMBER_INVALID'],
    [6, 'VOUCHER_TOO_FEW_LINES'],
  ],
  'missing-column.csv': [[1, 'COLUMN_MISSING']],
  'cashbook-both-sides.csv': [
    [3, 'AMOUNT_BOTH_SIDES'],
    [4, 'AMOUNT_INVALID'],
  ],
  'undecodable.csv': [[null, 'ENCODING_UNDECODABLE']],
  'empty.csv': [[null, 'FILE_EMPTY']],
  'header-only.csv': [[null, 'FILE_EMPTY']],
  'truncated.xlsx': [[null, 'XLSX_INVALID']],
};

describe('bad fixtures: each is refused with every problem, row and column', () => {
  it('covers every bad file', () => {
    expect(readdirSync(new URL('bad/', DIR)).sort()).toEqual(Object.keys(BAD).sort());
  });

  it.each(Object.entries(BAD))('%s', async (file, expected) => {
    const r = await parseForTest(read(`bad/${file}`), file);
    expect(r.problems.map((p) => [p.row, p.code])).toEqual(expected);
    for (const p of r.problems) {
      expect(p.message).toMatch(/\p{Script=Han}/u);
      if (p.row !== null) expect(p.message.startsWith(`第${p.row}行`)).toBe(true);
    }
  });

  it('still returns the vouchers it could read when only the last row is wrong', async () => {
    const r = await parseForTest(read('bad/last-row.csv'), 'last-row.csv');
    expect(r.vouchers.map((v) => v.number)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.problems[0]).toMatchObject({ column: '科目编码', message: expect.stringContaining('“5513”') });
  });

  it('checks the dates against a chosen month instead of guessing one', async () => {
    const r = await parseForTest(read('bad/dates.csv'), 'dates.csv', { year: 2025, month: 6 });
    expect(r.problems.filter((p) => p.code !== 'DATE_INVALID').map((p) => [p.row, p.code])).toEqual([
      [14, 'DATE_OUTSIDE_MONTH'],
    ]);
  });
});
