// What villagers call income, spending and the balance: the one definition, in TypeScript and in SQL. Publishing,
// statements, the import preview, region totals and the open-data files all classify money through this module, so
// the statement's reconciliation checks the ledger against one rule, not one copy of the rule against another.
// `flows.test.ts` proves the two forms agree on every account of both charts.
import type { AccountClass } from '../schema/accounts.ts';
import type { LineSide } from '../schema/ledger.ts';
import type { FLOW_KINDS } from '../schema/statements.ts';
import type { Fen } from './money.ts';

/** 库存现金 and 银行存款, the same codes in both charts (2004 and 2023): their sum is what villagers call the balance. */
export const CASH_ACCOUNT_CODES: readonly string[] = ['101', '102'];

/** What a statement line is to villagers (the values of `statement_lines.kind`). */
export type FlowKind = (typeof FLOW_KINDS)[number];

/** Whether an account (first-level or a sub-account) is cash or bank. */
export function isCashAccount(accountCode: string): boolean {
  return CASH_ACCOUNT_CODES.includes(accountCode.slice(0, 3));
}

/** What a whole voucher does, which decides what its non-cash lines are. */
export interface VoucherShape {
  /** Some line is on an income or expense account. */
  touchesIncomeOrExpense: boolean;
  /** Some line is on 库存现金 or 银行存款. */
  movesCash: boolean;
}

/**
 * Credits of income accounts are income, debits of expense accounts spending. In a voucher that moves cash without
 * touching income or expense (低保 passed on, wages paid out of 应付工资), the non-cash side is an other receipt or
 * payment. Cash lines themselves, and vouchers that only move money between 库存现金 and 银行存款, are nothing.
 */
export function lineFlow(
  line: { accountClass: AccountClass; side: LineSide; accountCode: string },
  voucher: VoucherShape,
): FlowKind | undefined {
  if (line.accountClass === 'income') return line.side === 'credit' ? 'income' : undefined;
  if (line.accountClass === 'expense') return line.side === 'debit' ? 'spending' : undefined;
  if (isCashAccount(line.accountCode) || voucher.touchesIncomeOrExpense || !voucher.movesCash) return undefined;
  return line.side === 'debit' ? 'other_payment' : 'other_receipt';
}

/** SQL: whether the account code expression is cash or bank. */
export function isCashAccountSql(accountCode: string): string {
  return `left(${accountCode}, 3) in (${CASH_ACCOUNT_CODES.map((c) => `'${c}'`).join(', ')})`;
}

/**
 * `lineFlow` in SQL, as a `case` giving the kind or null. Takes SQL expressions for the line's account class, side
 * and account code, and the name of a window partitioned by voucher.
 */
export function lineFlowSql(col: {
  accountClass: string;
  side: string;
  accountCode: string;
  voucherWindow: string;
}): string {
  const touches = `bool_or(${col.accountClass} in ('income', 'expense')) over ${col.voucherWindow}`;
  const movesCash = `bool_or(${isCashAccountSql(col.accountCode)}) over ${col.voucherWindow}`;
  return `case
        when ${col.accountClass} = 'income' then case when ${col.side} = 'credit' then 'income' end
        when ${col.accountClass} = 'expense' then case when ${col.side} = 'debit' then 'spending' end
        when not ${isCashAccountSql(col.accountCode)} and not ${touches} and ${movesCash}
          then case when ${col.side} = 'debit' then 'other_payment' else 'other_receipt' end
      end`;
}

/** The statement's categories are the income and expense accounts: which of the two an account's class makes it. */
export function categoryKind(accountClass: AccountClass): 'income' | 'spending' | undefined {
  if (accountClass === 'income') return 'income';
  if (accountClass === 'expense') return 'spending';
  return undefined;
}

/** `categoryKind` in SQL: 'income', 'spending' or null. */
export function categoryKindSql(accountClass: string): string {
  return `case ${accountClass} when 'income' then 'income' when 'expense' then 'spending' end`;
}

/** What one account's month (its debit and credit totals) adds to the statement's headline figures. */
export interface AccountFlow {
  incomeFen: Fen;
  spendingFen: Fen;
  /** For neither cash nor income nor expense accounts: net cash coming in through this account (credit − debit). */
  otherInflowFen: Fen;
}

/**
 * An account's month in the statement: income accounts count their credits as income (a debit to one, a refund,
 * is cash going out), expense accounts count their debits as spending (a credit, money back, is cash coming in);
 * every other non-cash account is an other movement. Cash accounts are the balance itself, so they add nothing.
 * With the vouchers balanced, opening + income − spending + Σ other = closing holds exactly.
 */
export function accountFlow(
  account: { accountClass: AccountClass; accountCode: string },
  debitFen: Fen,
  creditFen: Fen,
): AccountFlow {
  if (isCashAccount(account.accountCode)) return { incomeFen: 0n, spendingFen: 0n, otherInflowFen: 0n };
  if (account.accountClass === 'income') return { incomeFen: creditFen, spendingFen: 0n, otherInflowFen: -debitFen };
  if (account.accountClass === 'expense') return { incomeFen: 0n, spendingFen: debitFen, otherInflowFen: creditFen };
  return { incomeFen: 0n, spendingFen: 0n, otherInflowFen: creditFen - debitFen };
}

/** SQL: the income an account's totals count (`accountFlow(…).incomeFen`), from its class, code, debit and credit. */
export function incomeFenSql(col: { accountClass: string; accountCode: string; creditFen: string }): string {
  return `case when ${col.accountClass} = 'income' and not ${isCashAccountSql(col.accountCode)} then ${col.creditFen} else 0 end`;
}

/** SQL: the spending an account's totals count (`accountFlow(…).spendingFen`). */
export function spendingFenSql(col: { accountClass: string; accountCode: string; debitFen: string }): string {
  return `case when ${col.accountClass} = 'expense' and not ${isCashAccountSql(col.accountCode)} then ${col.debitFen} else 0 end`;
}
