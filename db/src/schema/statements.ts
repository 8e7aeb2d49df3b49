import { sql } from 'drizzle-orm';
import { bigint, check, foreignKey, integer, pgTable, primaryKey, smallint, text } from 'drizzle-orm/pg-core';
import { ACCOUNT_STANDARDS, villageAccounts } from './accounts.ts';
import { periods } from './ledger.ts';

/**
 * Derived per account for one period revision when it is published, so a statement reads a few dozen rows
 * whatever the size of the month. Balances are signed, debit-positive, in fen.
 */
export const statementRollups = pgTable(
  'statement_rollups',
  {
    villageId: integer('village_id').notNull(),
    year: smallint('year').notNull(),
    month: smallint('month').notNull(),
    revision: smallint('revision').notNull(),
    standard: text('standard', { enum: ACCOUNT_STANDARDS }).notNull(),
    accountCode: text('account_code').notNull(),
    openingFen: bigint('opening_fen', { mode: 'bigint' }).notNull(),
    debitFen: bigint('debit_fen', { mode: 'bigint' }).notNull(),
    creditFen: bigint('credit_fen', { mode: 'bigint' }).notNull(),
    closingFen: bigint('closing_fen', { mode: 'bigint' }).notNull(),
    lineCount: integer('line_count').notNull(),
  },
  (t) => [
    primaryKey({
      name: 'statement_rollups_pkey',
      columns: [t.villageId, t.year, t.month, t.revision, t.standard, t.accountCode],
    }),
    foreignKey({
      name: 'statement_rollups_period_fk',
      columns: [t.villageId, t.year, t.month, t.revision],
      foreignColumns: [periods.villageId, periods.year, periods.month, periods.revision],
    }).onDelete('restrict'),
    check('statement_rollups_movements_nonnegative', sql`${t.debitFen} >= 0 and ${t.creditFen} >= 0`),
    check(
      'statement_rollups_closing_identity',
      sql`${t.closingFen} = ${t.openingFen} + ${t.debitFen} - ${t.creditFen}`,
    ),
  ],
);

/**
 * 期初余额 when a village's books start on this system (建账). Later months open with the previous month's closing
 * balances, so this is read only for the first published month. Signed, debit-positive, summing to zero.
 */
export const openingBalances = pgTable(
  'opening_balances',
  {
    villageId: integer('village_id').notNull(),
    year: smallint('year').notNull(),
    month: smallint('month').notNull(),
    standard: text('standard', { enum: ACCOUNT_STANDARDS }).notNull(),
    accountCode: text('account_code').notNull(),
    balanceFen: bigint('balance_fen', { mode: 'bigint' }).notNull(),
  },
  (t) => [
    primaryKey({
      name: 'opening_balances_pkey',
      columns: [t.villageId, t.year, t.month, t.standard, t.accountCode],
    }),
    foreignKey({
      name: 'opening_balances_account_fk',
      columns: [t.villageId, t.standard, t.accountCode],
      foreignColumns: [villageAccounts.villageId, villageAccounts.standard, villageAccounts.code],
    }).onDelete('restrict'),
  ],
);

export const FLOW_KINDS = ['income', 'spending', 'other_receipt', 'other_payment'] as const;

/**
 * The payments and receipts of a published revision as villagers read them, derived when it is published: one row per
 * voucher line that is one, with its flow kind and its position `seq` (1, 2, 3…) in date order (date, voucher number,
 * line). A page of a month's lines is a range of `seq`, and its total the last `seq`, whatever the month's size.
 */
export const statementLines = pgTable(
  'statement_lines',
  {
    villageId: integer('village_id').notNull(),
    year: smallint('year').notNull(),
    month: smallint('month').notNull(),
    revision: smallint('revision').notNull(),
    seq: integer('seq').notNull(),
    voucherId: bigint('voucher_id', { mode: 'number' }).notNull(),
    lineNo: smallint('line_no').notNull(),
    kind: text('kind', { enum: FLOW_KINDS }).notNull(),
    accountCode: text('account_code').notNull(),
    amountFen: bigint('amount_fen', { mode: 'bigint' }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'statement_lines_pkey', columns: [t.villageId, t.year, t.month, t.revision, t.seq] }),
    foreignKey({
      name: 'statement_lines_period_fk',
      columns: [t.villageId, t.year, t.month, t.revision],
      foreignColumns: [periods.villageId, periods.year, periods.month, periods.revision],
    }).onDelete('restrict'),
    check('statement_lines_kind_valid', sql`${t.kind} in ('income', 'spending', 'other_receipt', 'other_payment')`),
    check('statement_lines_seq_positive', sql`${t.seq} > 0`),
  ],
);

export const CHANGE_KINDS = ['added', 'removed', 'changed'] as const;

/**
 * What a correction changed against the revision before it, by voucher number, as the public sees it: derived when
 * the correction is published, so showing it never reads either ledger.
 */
export const statementChanges = pgTable(
  'statement_changes',
  {
    villageId: integer('village_id').notNull(),
    year: smallint('year').notNull(),
    month: smallint('month').notNull(),
    revision: smallint('revision').notNull(),
    voucherNumber: integer('voucher_number').notNull(),
    kind: text('kind', { enum: CHANGE_KINDS }).notNull(),
    summaryBefore: text('summary_before'),
    summaryAfter: text('summary_after'),
    /** Total debits of the voucher before and after; null when it did not exist on that side. */
    amountBeforeFen: bigint('amount_before_fen', { mode: 'bigint' }),
    amountAfterFen: bigint('amount_after_fen', { mode: 'bigint' }),
  },
  (t) => [
    primaryKey({
      name: 'statement_changes_pkey',
      columns: [t.villageId, t.year, t.month, t.revision, t.voucherNumber],
    }),
    foreignKey({
      name: 'statement_changes_period_fk',
      columns: [t.villageId, t.year, t.month, t.revision],
      foreignColumns: [periods.villageId, periods.year, periods.month, periods.revision],
    }).onDelete('restrict'),
    check('statement_changes_kind_valid', sql`${t.kind} in ('added', 'removed', 'changed')`),
  ],
);
