import { describe, expect, it } from 'vitest';
import { parseForTest, utf8 } from './test-support.ts';
import { parseVoucherNumber } from './voucher-numbers.ts';

/** A row of the file at row `n`: 凭证号, 日期, 摘要, and one line "d51301:100" (debit, account, fen); null: a bad amount. */
type Row = [n: number, ref: string, date: string, summary: string, line: string | null];
const row = (...r: Row): Row => r;

const yuan = (fen: string) => `${BigInt(fen) / 100n}.${String(BigInt(fen) % 100n).padStart(2, '0')}`;

/**
 * The rows as a file of our layout (a blank 凭证号 continues the voucher above), or of U8 when `blankNumberContinues`
 * is false (a blank number is a voucher of its own); rows are placed at their numbers, empty lines between.
 */
function assemble(rows: Row[], options: { blankNumberContinues?: boolean; year?: number; month?: number } = {}) {
  const { blankNumberContinues = true, ...month } = options;
  const lines = [
    blankNumberContinues ? '凭证号,日期,摘要,科目编码,借方金额,贷方金额' : 'ino_id,dbill_date,cdigest,ccode,md,mc',
  ];
  for (const [n, ref, date, summary, line] of rows) {
    while (lines.length < n - 1) lines.push('');
    let amounts = ['x', ''];
    let code = '51301';
    if (line) {
      const [, side, account, fen] = /^([dc])(\d+):(\d+)$/.exec(line)!;
      code = account!;
      amounts = side === 'd' ? [yuan(fen!), ''] : ['', yuan(fen!)];
    }
    lines.push([ref, date, summary, code, ...amounts].join(','));
  }
  return parseForTest(utf8(lines.join('\n')), 'ledger.csv', month);
}

describe('voucher numbers', () => {
  it('reads plain numbers and numbers with a voucher word', () => {
    expect(parseVoucherNumber('12')).toMatchObject({ kind: 'number', word: '', number: 12 });
    expect(parseVoucherNumber('0012')).toMatchObject({ kind: 'number', number: 12 });
    expect(parseVoucherNumber('记-12')).toMatchObject({ kind: 'number', word: '记', number: 12 });
    expect(parseVoucherNumber('记字第12号')).toMatchObject({ kind: 'number', word: '记', number: 12 });
    expect(parseVoucherNumber('银付 7')).toMatchObject({ kind: 'number', word: '银付', number: 7 });
    expect(parseVoucherNumber('记 - 12')).toMatchObject({ kind: 'number', word: '记', number: 12 });
    expect(parseVoucherNumber('１２')).toMatchObject({ kind: 'number', number: 12 });
    expect(parseVoucherNumber(12)).toMatchObject({ kind: 'number', number: 12 });
    expect(parseVoucherNumber('3', '收')).toMatchObject({ kind: 'number', word: '收', number: 3 });
    expect(parseVoucherNumber('  ')).toEqual({ kind: 'blank' });
    for (const bad of ['0', '-3', 'abc', '1.5', '记-', '99999999999']) {
      expect(parseVoucherNumber(bad).kind, bad).toBe('invalid');
    }
    expect(parseVoucherNumber(1.5).kind).toBe('invalid');
  });
});

describe('assembling vouchers', () => {
  it('groups consecutive rows; a blank number continues the voucher; later 摘要 become line summaries', async () => {
    const { vouchers, problems, year, month, firstRowOf } = await assemble([
      row(2, '1', '2025-06-03', '购买办公用品', 'd51301:100'),
      row(3, '1', '', '购买办公用品', 'c102:100'),
      row(4, '2', '2025-06-05', '发放低保', 'd211:50'),
      row(5, '', '', '张桂兰', 'd211:50'),
      row(6, '', '', '', 'c102:100'),
    ]);
    expect(problems).toEqual([]);
    expect([year, month]).toEqual([2025, 6]);
    expect(vouchers).toEqual([
      {
        number: 1,
        date: '2025-06-03',
        summary: '购买办公用品',
        attachments: 0,
        lines: [
          { accountCode: '51301', side: 'debit', amountFen: 100n },
          { accountCode: '102', side: 'credit', amountFen: 100n, paymentMethod: 'bank' },
        ],
      },
      {
        number: 2,
        date: '2025-06-05',
        summary: '发放低保',
        attachments: 0,
        lines: [
          { accountCode: '211', side: 'debit', amountFen: 50n },
          { accountCode: '211', side: 'debit', amountFen: 50n, summary: '张桂兰' },
          { accountCode: '102', side: 'credit', amountFen: 100n, paymentMethod: 'bank' },
        ],
      },
    ]);
    expect([...firstRowOf]).toEqual([
      [1, 2],
      [2, 4],
    ]);
  });

  it('reports a number that comes back later, or on another date, as a duplicate', async () => {
    const { vouchers, problems } = await assemble([
      row(2, '1', '2025-06-03', 'a', 'd51301:100'),
      row(3, '1', '2025-06-03', 'a', 'c102:100'),
      row(4, '1', '2025-06-04', 'b', 'd51301:100'),
      row(5, '1', '2025-06-04', 'b', 'c102:100'),
      row(6, '2', '2025-06-05', 'c', 'd51301:100'),
      row(7, '2', '2025-06-05', 'c', 'c102:100'),
      row(8, '1', '2025-06-03', 'a', 'd51301:100'),
      row(9, '1', '2025-06-03', 'a', 'c102:100'),
    ]);
    expect(problems.map((p) => [p.row, p.code, p.column])).toEqual([
      [4, 'VOUCHER_DUPLICATE', '凭证号'],
      [8, 'VOUCHER_DUPLICATE', '凭证号'],
    ]);
    expect(vouchers.map((v) => v.number)).toEqual([1, 2]);
  });

  it('checks numbers, dates, 摘要, line count and balance of every voucher', async () => {
    const { vouchers, problems } = await assemble(
      [
        row(2, 'x', '2025-06-03', 'a', 'd51301:100'),
        row(3, 'x', '2025-06-03', 'a', 'c102:100'),
        row(4, '2', '', 'b', 'd51301:100'),
        row(5, '2', '', 'b', 'c102:100'),
        row(6, '3', '2025-06-05', '', 'd51301:100'),
        row(7, '3', '2025-06-05', '', 'c102:100'),
        row(8, '4', '2025-06-06', 'd', 'd51301:100'),
        row(9, '5', '2025-06-07', 'e', 'd51301:100'),
        row(10, '5', '2025-06-07', 'e', 'c102:99'),
        row(11, '6', '2025-06-08', 'f', 'd51301:100'),
        row(12, '6', '2025-06-08', 'f', null),
      ],
      { blankNumberContinues: false },
    );
    expect(problems.map((p) => [p.row, p.code])).toEqual([
      [2, 'VOUCHER_NUMBER_INVALID'],
      [4, 'DATE_INVALID'],
      [6, 'SUMMARY_MISSING'],
      [8, 'VOUCHER_TOO_FEW_LINES'],
      [9, 'VOUCHER_UNBALANCED'],
      [12, 'AMOUNT_INVALID'],
    ]);
    expect(problems[4]!.message).toBe('第9行：第5号凭证借贷不平：借方合计1.00元，贷方合计0.99元，相差0.01元');
    expect(vouchers).toEqual([]);
  });

  it('holds every voucher to the month the user chose', async () => {
    const rows = [
      row(2, '1', '2025-06-30', 'a', 'd51301:100'),
      row(3, '1', '2025-06-30', 'a', 'c102:100'),
      row(4, '2', '2025-07-01', 'b', 'd51301:100'),
      row(5, '2', '2025-07-01', 'b', 'c102:100'),
    ];
    const chosen = await assemble(rows, { year: 2025, month: 6 });
    expect(chosen.problems.map((p) => [p.row, p.code])).toEqual([[4, 'DATE_OUTSIDE_MONTH']]);
    expect(chosen.vouchers.map((v) => v.number)).toEqual([1]);
    expect([chosen.year, chosen.month]).toEqual([2025, 6]);

    const inferred = await assemble(rows);
    expect(inferred.problems.map((p) => [p.row, p.code])).toEqual([[null, 'MONTH_AMBIGUOUS']]);
    expect(inferred.problems[0]!.message).toContain('2025年6月（1张凭证）、2025年7月（1张凭证）');
    expect([inferred.year, inferred.month]).toEqual([null, null]);
  });

  it('keeps numbers across voucher words when unique, renumbers when 收/付/转 each count from 1', async () => {
    const pair = (n: number, ref: string, day: string) => [
      row(n, ref, `2025-06-${day}`, ref, 'd51301:100'),
      row(n + 1, ref, `2025-06-${day}`, ref, 'c102:100'),
    ];
    const unique = await assemble([...pair(2, '收-1', '03'), ...pair(4, '付-2', '04')]);
    expect(unique.vouchers.map((v) => [v.summary, v.number])).toEqual([
      ['收-1', 1],
      ['付-2', 2],
    ]);
    const colliding = await assemble([
      ...pair(2, '收-1', '03'),
      ...pair(4, '付-1', '04'),
      ...pair(6, '收-2', '05'),
      ...pair(8, '转-1', '06'),
      ...pair(10, '付-2', '07'),
    ]);
    expect(colliding.problems).toEqual([]);
    expect(colliding.vouchers.map((v) => [v.summary, v.number])).toEqual([
      ['收-1', 1],
      ['付-1', 3],
      ['收-2', 2],
      ['转-1', 5],
      ['付-2', 4],
    ]);
    expect(colliding.firstRowOf.get(3)).toBe(4);
  });
});
