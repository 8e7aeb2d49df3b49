import type { Fen } from '@mingbai/db/ledger/money';
import type { LineInput } from '@mingbai/db/ledger/voucher-input';
import type { LineSide } from '@mingbai/db/schema/ledger';
import { paymentMethodFor } from '../counterparty.ts';
import type { VoucherRef } from '../voucher-numbers.ts';
import type { RowLine } from '../vouchers.ts';
import type { RowReader } from './row-reader.ts';

export type SideAmount = { side: LineSide; fen: Fen } | null;

/** 借方/贷方 columns → the line's side and amount. */
export function debitOrCredit(r: RowReader): SideAmount {
  const picked = r.oneOf('debit', 'credit');
  return picked && { side: picked.which === 'a' ? 'debit' : 'credit', fen: picked.fen };
}

/**
 * A row of a journal-style export (one row per voucher line: ours, 用友 U8, 金蝶 KIS). Cells are read left to right
 * as a person checks them: voucher number, date, account, amount.
 */
export function journalRow(r: RowReader, ref: VoucherRef, amount: () => SideAmount): RowLine {
  const date = r.date();
  const summary = r.text('summary');
  const account = r.account();
  const sideAmount = amount();
  const counterparty = r.counterparty();
  let lines: LineInput[] | null = null;
  if (account && sideAmount) {
    const line: LineInput = { accountCode: account.code, side: sideAmount.side, amountFen: sideAmount.fen };
    if (account.name) line.accountName = account.name;
    if (counterparty) line.counterparty = counterparty;
    const method = paymentMethodFor(account.code, r.settlement());
    if (method) line.paymentMethod = method;
    lines = [line];
  }
  return {
    row: r.row.row,
    ref,
    date,
    summary,
    lines,
    attachments: r.attachments(),
    preparer: r.name('preparer'),
    reviewer: r.name('reviewer'),
    approver: r.name('approver'),
  };
}
