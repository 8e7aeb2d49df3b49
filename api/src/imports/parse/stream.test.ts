import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseForTest, utf8, type ParsedForTest } from './test-support.ts';

const parse = (text: string, options = {}) => parseForTest(utf8(text), 'ledger.csv', options);
const codes = (r: ParsedForTest) => r.problems.map((p) => [p.row, p.code]);

const HEADER = '凭证号,日期,摘要,科目编码,借方金额,贷方金额\n';

describe('parseLedgerStream: the file as a whole', () => {
  it('refuses a file over the size limit before reading it', async () => {
    const r = await parseForTest(utf8('x'.repeat(11)), 'a.csv', { maxBytes: 10 });
    expect(codes(r)).toEqual([[null, 'FILE_TOO_LARGE']]);
    expect(r.encoding).toBeNull();
  });

  it('reports empty files and files with only a header', async () => {
    expect(codes(await parse(''))).toEqual([[null, 'FILE_EMPTY']]);
    expect(codes(await parse(' \r\n\r\n'))).toEqual([[null, 'FILE_EMPTY']]);
    expect(codes(await parse(',,,\n,,,\n'))).toEqual([[null, 'FILE_EMPTY']]);
    const headerOnly = await parse(`付村2025年6月\n${HEADER}`);
    expect(codes(headerOnly)).toEqual([[null, 'FILE_EMPTY']]);
    expect(headerOnly.format).toBe('mingbai');
  });

  it('names old .xls files and fake .xlsx files', async () => {
    const xls = await parseForTest(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0]), 'a.xls');
    expect(xls.problems).toMatchObject([{ code: 'XLSX_INVALID', message: expect.stringContaining('.xls') }]);
    const fake = await parseForTest(new Uint8Array([0xff, 0xff, 0x00, 0x01]), '凭证.xlsx');
    expect(codes(fake)).toEqual([[null, 'XLSX_INVALID']]);
  });

  it('reports columns the layout needs and lacks', async () => {
    const r = await parse('凭证号,日期,科目编码,贷方金额\n1,2025-06-03,102,100\n');
    expect(r.problems).toEqual([
      { row: 1, column: '摘要', code: 'COLUMN_MISSING', message: '第1行（表头）：缺少“摘要”列' },
      { row: 1, column: '借方金额', code: 'COLUMN_MISSING', message: '第1行（表头）：缺少“借方金额”列' },
    ]);
    const kis = await parse('FDATE,FNUM,FEXP,FACCTID,FAMOUNT\n2025-06-03,1,x,102,100\n');
    expect(kis.problems.map((p) => p.column)).toEqual(['FDC']);
  });

  it('checks year, month and size options', async () => {
    await expect(parse(HEADER, { year: 2025 })).rejects.toThrow(TypeError);
    await expect(parse(HEADER, { year: 2025, month: 13 })).rejects.toThrow(RangeError);
    await expect(parse(HEADER, { maxBytes: 0 })).rejects.toThrow(RangeError);
  });
});

describe('parseLedgerStream: our own layout', () => {
  it('reads title rows, header variants, full-width text, totals rows and keeps Excel row numbers', async () => {
    const r = await parse(
      '付村2025年6月记账凭证\n' +
        '\n' +
        '凭证字号,制单日期,摘 要,科目,科目名称,借方（元）,贷方（元）,收付款人,结算方式,附件数,制单人,审核人,审批人\n' +
        '记-１,２０２５年６月３日,"购买<b>办公</b>用品\u0000",５１３．０１,办公费,"１，２３４．５０",,精武镇文具店,银行,2张,王淑芬,刘建军,赵国强\n' +
        ',,购买办公用品,102,,,"1,234.50",,,,,,\n' +
        '合计,,,,,"1,234.50","1,234.50",,,,,,\n',
    );
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ format: 'mingbai', encoding: 'utf-8', year: 2025, month: 6, rows: 2 });
    expect(r.vouchers).toEqual([
      {
        number: 1,
        date: '2025-06-03',
        summary: '购买<b>办公</b>用品',
        attachments: 2,
        preparer: '王淑芬',
        reviewer: '刘建军',
        approver: '赵国强',
        lines: [
          {
            accountCode: '51301',
            accountName: '办公费',
            side: 'debit',
            amountFen: 123450n,
            counterparty: { name: '精武镇文具店', isPerson: false },
            paymentMethod: 'bank',
          },
          {
            accountCode: '102',
            side: 'credit',
            amountFen: 123450n,
            summary: '购买办公用品',
            paymentMethod: 'bank',
          },
        ],
      },
    ]);
    expect(r.firstRowOf.get(1)).toBe(4);
  });

  it('keeps personal fields of a person and trusts 是否个人 over the name', async () => {
    const r = await parse(
      '凭证号,日期,摘要,科目编码,借方金额,贷方金额,收付款人,是否个人,身份证号,手机号,银行账号\n' +
        '1,2025-06-10,发放低保,211,800,,张桂兰,,120111 19580315 002x,138-0200-1234,6228 4800 1000 1234 567\n' +
        '1,2025-06-10,发放低保,211,100,,付村第一农业合作社,是,,,\n' +
        '1,2025-06-10,发放低保,102,,900,,,,,\n',
    );
    expect(r.problems).toEqual([]);
    expect(r.vouchers[0]!.lines.map((l) => l.counterparty)).toEqual([
      {
        name: '张桂兰',
        isPerson: true,
        idNumber: '12011119580315002X',
        phone: '13802001234',
        bankAccount: '6228480010001234567',
      },
      { name: '付村第一农业合作社', isPerson: true },
      undefined,
    ]);
  });

  it('reports every problem at once, in row order, and still returns the good vouchers', async () => {
    const r = await parse(
      HEADER +
        '1,2025-06-03,好的,51301,100,\n' +
        '1,2025-06-03,好的,102,,100\n' +
        '2,2025-06-31,坏日期,51301,100,\n' +
        '2,2025-06-31,坏日期,5513,,100\n' +
        '3,2025-06-05,坏金额,51301,"12,3a4.00",\n' +
        '3,2025-06-05,坏金额,102,,-5\n' +
        '4,2025-06-06,,51301,100,\n' +
        '4,2025-06-06,,102,,90\n',
    );
    expect(r.problems.map((p) => [p.row, p.column, p.code])).toEqual([
      [4, '日期', 'DATE_INVALID'],
      [5, '日期', 'DATE_INVALID'],
      [5, '科目编码', 'ACCOUNT_INVALID'],
      [6, '借方金额', 'AMOUNT_INVALID'],
      [7, '贷方金额', 'AMOUNT_NOT_POSITIVE'],
      [8, '摘要', 'SUMMARY_MISSING'],
      [8, null, 'VOUCHER_UNBALANCED'],
    ]);
    expect(r.problems[3]!.message).toBe('第6行“借方金额”：“12,3a4.00”不是金额');
    expect(r.vouchers.map((v) => v.number)).toEqual([1]);
  });

  it('holds the file to the month the user chose', async () => {
    const r = await parse(HEADER + '1,2025-07-01,七月,51301,100,\n1,2025-07-01,七月,102,,100\n', {
      year: 2025,
      month: 6,
    });
    expect(r.problems).toMatchObject([
      {
        row: 2,
        column: '日期',
        code: 'DATE_OUTSIDE_MONTH',
        message: '第2行“日期”：第1号凭证的日期2025-07-01不在2025年6月内',
      },
    ]);
    expect([r.year, r.month]).toEqual([2025, 6]);
  });
});

describe('parseLedgerStream: other layouts', () => {
  it('reads a U8 export whose 收/付/转 vouchers each count from 1', async () => {
    const rows = [
      ['收', 1, '2025-06-03', '收到补助', '102', '500', '0'],
      ['收', 1, '2025-06-03', '收到补助', '50301', '0', '500'],
      ['付', 1, '2025-06-04', '买纸', '51301', '20', '0'],
      ['付', 1, '2025-06-04', '买纸', '101', '0', '20'],
    ];
    const text =
      'iperiod\tcsign\tino_id\tdbill_date\tcdigest\tccode\tmd\tmc\n' +
      rows.map((r) => ['6', ...r].join('\t')).join('\n');
    const r = await parse(text);
    expect(r.problems).toEqual([]);
    expect(r.format).toBe('yonyou-u8');
    expect(r.vouchers.map((v) => [v.number, v.summary, v.lines.length])).toEqual([
      [1, '收到补助', 2],
      [2, '买纸', 2],
    ]);
  });

  it('reads 金蝶 FAMOUNT with FDC and names 4-digit first-level accounts', async () => {
    const r = await parse(
      'FDATE,FNUM,FENTRYID,FEXP,FACCTID,FDC,FAMOUNT\n' +
        '2025-06-03,1,0,买纸,5513.01,1,20\n' +
        '2025-06-03,1,1,买纸,1001,-1,20\n' +
        '2025-06-04,2,0,取现,101,X,20\n' +
        '2025-06-04,2,1,取现,102,0,20\n',
    );
    expect(r.problems.map((p) => [p.row, p.column, p.code])).toEqual([
      [2, 'FACCTID', 'ACCOUNT_INVALID'],
      [3, 'FACCTID', 'ACCOUNT_INVALID'],
      [4, 'FDC', 'AMOUNT_INVALID'],
    ]);
    expect(r.problems[1]!.message).toContain('4位一级科目');
  });

  it('turns each cash-book row into a two-line voucher against cash or the bank', async () => {
    const r = await parse(
      '日期,凭证号,摘要,科目,收入,支出,收付方式,收付款人,经办人\n' +
        '2025-06-03,1,买纸,51301 办公费,,20.00,现金,五金店,王淑芬\n' +
        '2025-06-05,2,收到补助,503,"1,000",,,镇财政所,王淑芬\n' +
        '2025-06-06,3,发低保,211,,800,微信,张桂兰,王淑芬\n',
    );
    expect(r.problems).toEqual([]);
    expect(r.vouchers).toEqual([
      {
        number: 1,
        date: '2025-06-03',
        summary: '买纸',
        attachments: 0,
        preparer: '王淑芬',
        lines: [
          {
            accountCode: '51301',
            accountName: '办公费',
            side: 'debit',
            amountFen: 2000n,
            counterparty: { name: '五金店', isPerson: false },
            paymentMethod: 'cash',
          },
          { accountCode: '101', side: 'credit', amountFen: 2000n, paymentMethod: 'cash' },
        ],
      },
      {
        number: 2,
        date: '2025-06-05',
        summary: '收到补助',
        attachments: 0,
        preparer: '王淑芬',
        lines: [
          { accountCode: '102', side: 'debit', amountFen: 100000n, paymentMethod: 'bank' },
          {
            accountCode: '503',
            side: 'credit',
            amountFen: 100000n,
            counterparty: { name: '镇财政所', isPerson: false },
          },
        ],
      },
      {
        number: 3,
        date: '2025-06-06',
        summary: '发低保',
        attachments: 0,
        preparer: '王淑芬',
        lines: [
          {
            accountCode: '211',
            side: 'debit',
            amountFen: 80000n,
            counterparty: { name: '张桂兰', isPerson: true },
            paymentMethod: 'transfer',
          },
          { accountCode: '102', side: 'credit', amountFen: 80000n, paymentMethod: 'bank' },
        ],
      },
    ]);
  });

  it('numbers cash-book rows 1..n without a 凭证号, and wants one on every row when the column is used', async () => {
    const numbered = await parse('日期,摘要,科目,支出\n2025-06-03,买纸,51301,20\n\n2025-06-04,买笔,51301,5\n');
    expect(numbered.vouchers.map((v) => [v.number, v.summary])).toEqual([
      [1, '买纸'],
      [2, '买笔'],
    ]);
    const partly = await parse('日期,凭证号,摘要,科目,支出\n2025-06-03,7,买纸,51301,20\n2025-06-04,,买笔,51301,5\n');
    expect(codes(partly)).toEqual([[3, 'VOUCHER_NUMBER_INVALID']]);
  });
});

describe('CSV and tab-separated text', () => {
  it('handles quotes, embedded line breaks, CRLF and numbers rows as Excel shows them', async () => {
    const r = await parse(
      '凭证号,日期,摘要,科目编码,借方金额,贷方金额\r\n' +
        '1,2025-06-03,"购买""优质""大米,\r\n两袋",51301,"1,234.50",\r\n' +
        '1,2025-06-03,,102,,"1,234.50"\r\n' +
        '\r\n' +
        '2,2025-06-05,修路,51401,100,\r\n' +
        ',,,,,\r\n' +
        '2,2025-06-05,修路,102,,90\r\n' +
        '3,2025-06-06,修路,51401,"1,234.5x",',
    );
    expect(r.problems.map((p) => [p.row, p.column, p.code])).toEqual([
      [5, null, 'VOUCHER_UNBALANCED'],
      [8, '借方金额', 'AMOUNT_INVALID'],
    ]);
    expect(r.rows).toBe(5);
    expect(r.vouchers.map((v) => [v.number, v.summary, v.lines.map((l) => l.amountFen)])).toEqual([
      [1, '购买"优质"大米, 两袋', [123450n, 123450n]],
    ]);
    expect([...r.firstRowOf]).toEqual([[1, 2]]);
  });

  it('detects tabs, and never splits on the Chinese comma', async () => {
    const r = await parse('日期\t摘要\t科目\t支出\n2025-06-03\t买纸，买笔\t51301\t1,234.50');
    expect(r.problems).toEqual([]);
    expect(r.vouchers.map((v) => [v.summary, v.lines[0]!.amountFen])).toEqual([['买纸，买笔', 123450n]]);
  });

  it('reports a quote that is never closed instead of throwing', async () => {
    const r = await parse('凭证号,摘要\n1,"没有结束\n2,修路');
    expect(r.problems).toMatchObject([{ code: 'LAYOUT_UNKNOWN' }]);
  });
});

describe('reading as a stream', () => {
  const DIR = new URL('../../../../tests/fixtures/imports/', import.meta.url);
  const FILES = ['good', 'bad'].flatMap((d) => readdirSync(new URL(`${d}/`, DIR)).map((f) => `${d}/${f}`));

  it.each(FILES)('reads %s the same when its bytes arrive a few at a time', async (file) => {
    const bytes = new Uint8Array(readFileSync(new URL(file, DIR)));
    for (const options of [{}, { year: 2025, month: 6 }, { year: 2025, month: 7 }]) {
      const whole = await parseForTest(bytes, file, options);
      const pieces = await parseForTest(bytes, file, options, 7);
      expect(pieces).toEqual(whole);
    }
  });

  it('renumbers vouchers when 收/付/转 each count from 1, and names a number repeated under another word', async () => {
    const rows = [
      '收,1,2025-06-02,收租金,102,10.00,',
      '收,1,2025-06-02,收租金,50101,,10.00',
      '付,1,2025-06-03,电费,513,5.00,',
      '付,1,2025-06-03,电费,102,,5.00',
      '收,2,2025-06-04,收租金,102,3.00,',
      '收,2,2025-06-04,收租金,501,,3.00',
    ].join('\r\n');
    const rent = (number: number, date: string, credit: string, fen: bigint) => ({
      number,
      date,
      summary: '收租金',
      attachments: 0,
      lines: [
        { accountCode: '102', side: 'debit', amountFen: fen, paymentMethod: 'bank' },
        { accountCode: credit, side: 'credit', amountFen: fen },
      ],
    });
    const power = {
      number: 3,
      date: '2025-06-03',
      summary: '电费',
      attachments: 0,
      lines: [
        { accountCode: '513', side: 'debit', amountFen: 500n },
        { accountCode: '102', side: 'credit', amountFen: 500n, paymentMethod: 'bank' },
      ],
    };
    // U8 numbers each word (csign) apart: three vouchers, renumbered 1..3 by word, then number.
    const u8 = await parse(`csign,ino_id,dbill_date,cdigest,ccode,md,mc\r\n${rows}`);
    expect(u8.problems).toEqual([]);
    expect(u8.vouchers).toEqual([rent(1, '2025-06-02', '50101', 1000n), power, rent(2, '2025-06-04', '501', 300n)]);
    // Our layout has no 凭证字 column: 付 1 repeats 收 1.
    const ours = await parse(`凭证字,凭证号,日期,摘要,科目编码,借方金额,贷方金额\r\n${rows}`);
    expect(ours.problems).toEqual([
      {
        row: 4,
        column: '凭证号',
        code: 'VOUCHER_DUPLICATE',
        message: '第4行“凭证号”：第1号凭证重复：第2行已有同号凭证（同一张凭证的各行要连在一起、日期相同）',
      },
    ]);
    expect(ours.vouchers).toEqual([rent(1, '2025-06-02', '50101', 1000n), rent(2, '2025-06-04', '501', 300n)]);
  });
});
