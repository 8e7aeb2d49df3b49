import type { Fen } from '@mingbai/db/ledger/money';
import type { LineInput } from '@mingbai/db/ledger/voucher-input';
import { isBlank } from '../cells.ts';
import { cashbookVia, paymentMethodFor } from '../counterparty.ts';
import { missingFields, PERSON_FIELDS, type Layout } from '../headers.ts';
import { parseVoucherNumber, type VoucherRef } from '../voucher-numbers.ts';
import type { RowLine } from '../vouchers.ts';
import { RowReader } from './row-reader.ts';

/** 收入 or 支出 of a row: both columns, or the one the book has. */
function incomeOrExpense(r: RowReader): { income: boolean; fen: Fen } | null {
  if (r.has('income') && r.has('expense')) {
    const picked = r.oneOf('income', 'expense');
    return picked && { income: picked.which === 'a', fen: picked.fen };
  }
  const income = r.has('income');
  const fen = r.single(income ? 'income' : 'expense');
  return fen === null ? null : { income, fen };
}

/**
 * 收支流水, the cash book many villages keep: one row per receipt or payment, against cash (101) or the bank (102) as
 * 收付方式 says. Each row becomes a voucher of two lines: 收入 debits cash/bank and credits 科目; 支出 debits 科目 and
 * credits cash/bank. The payee (收付款人) sits on the 科目 line. Without a 凭证号 column rows are numbered 1..n.
 */
export const cashbookLayout: Layout = {
  format: 'cashbook',
  fields: {
    date: ['日期', '收支日期', '业务日期', '记账日期'],
    voucherNo: ['凭证号', '凭证编号', '凭证字号', '单据号'],
    summary: ['摘要', '事由'],
    account: ['科目', '科目编码', '科目代码', '会计科目', '收支科目'],
    accountName: ['科目名称'],
    income: ['收入', '收入金额', '收入额', '收款'],
    expense: ['支出', '支出金额', '支出额', '付款'],
    preparer: ['经办人', '经手人'],
    settlement: ['收付方式', '结算方式', '支付方式'],
    ...PERSON_FIELDS,
    attachments: ['附件数', '附件张数', '附单据数'],
    reviewer: ['审核人'],
    approver: ['审批人'],
  },
  signature: ['收入', '收入金额', '收入额', '收款', '支出', '支出金额', '支出额', '付款'],
  missing(found) {
    const names = missingFields(this.fields, ['date', 'summary', 'account'], found);
    if (!found.has('income') && !found.has('expense')) names.push('收入', '支出');
    return names;
  },
  blankNumberContinues: false,
  read(rows, columns, problems) {
    const numberColumn = columns.get('voucherNo');
    const numbered = numberColumn !== undefined && rows.some((row) => !isBlank(row.cells[numberColumn.index] ?? null));
    return rows.map((row, i): RowLine => {
      const r = new RowReader(row, columns, problems);
      const ref: VoucherRef = numbered
        ? parseVoucherNumber(r.cell('voucherNo'))
        : { kind: 'number', word: '', number: i + 1, raw: String(i + 1) };
      const date = r.date();
      const summary = r.text('summary');
      const account = r.account();
      const amount = incomeOrExpense(r);
      const counterparty = r.counterparty();
      let lines: LineInput[] | null = null;
      if (account && amount) {
        const via = cashbookVia(r.text('settlement'));
        const cashLine: LineInput = {
          accountCode: via,
          side: amount.income ? 'debit' : 'credit',
          amountFen: amount.fen,
          paymentMethod: via === '101' ? 'cash' : 'bank',
        };
        const otherLine: LineInput = {
          accountCode: account.code,
          side: amount.income ? 'credit' : 'debit',
          amountFen: amount.fen,
        };
        if (account.name) otherLine.accountName = account.name;
        if (counterparty) otherLine.counterparty = counterparty;
        const method = paymentMethodFor(account.code, r.settlement());
        if (method) otherLine.paymentMethod = method;
        lines = amount.income ? [cashLine, otherLine] : [otherLine, cashLine];
      }
      return {
        row: row.row,
        ref,
        date,
        summary,
        lines,
        attachments: r.attachments(),
        preparer: r.name('preparer'),
        reviewer: r.name('reviewer'),
        approver: r.name('approver'),
      };
    });
  },
};
