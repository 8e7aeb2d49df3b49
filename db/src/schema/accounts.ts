import { sql } from 'drizzle-orm';
import { check, foreignKey, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { villages } from './regions.ts';

/** The two national charts. A code means nothing without its standard: 502 is 投资收益 in 2023, 经营支出 in 2004. */
export const ACCOUNT_STANDARDS = ['2004', '2023'] as const;
export type AccountStandard = (typeof ACCOUNT_STANDARDS)[number];

export const ACCOUNT_CLASSES = ['asset', 'liability', 'equity', 'cost', 'income', 'expense'] as const;
export type AccountClass = (typeof ACCOUNT_CLASSES)[number];

/** First-level accounts of 财会〔2004〕12号 and 财会〔2023〕14号, loaded from shared/reference by a migration. */
export const accounts = pgTable(
  'accounts',
  {
    standard: text('standard', { enum: ACCOUNT_STANDARDS }).notNull(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    class: text('class', { enum: ACCOUNT_CLASSES }).notNull(),
    normalBalance: text('normal_balance', { enum: ['debit', 'credit'] }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'accounts_pkey', columns: [t.standard, t.code] }),
    check('accounts_code_format', sql`${t.code} ~ '^[0-9]{3}$'`),
    check('accounts_standard_valid', sql`${t.standard} in ('2004', '2023')`),
    check('accounts_class_valid', sql`${t.class} in ('asset', 'liability', 'equity', 'cost', 'income', 'expense')`),
    check('accounts_normal_balance_valid', sql`${t.normalBalance} in ('debit', 'credit')`),
  ],
);

/**
 * Every account a village's ledger uses, first-level ones included, so voucher lines can reference
 * (village_id, standard, code) on the same shard. Sub-accounts extend their parent by two digits (51301 办公费).
 */
export const villageAccounts = pgTable(
  'village_accounts',
  {
    villageId: integer('village_id').notNull(),
    standard: text('standard', { enum: ACCOUNT_STANDARDS }).notNull(),
    code: text('code').notNull(),
    topCode: text('top_code').notNull(),
    name: text('name').notNull(),
  },
  (t) => [
    primaryKey({ name: 'village_accounts_pkey', columns: [t.villageId, t.standard, t.code] }),
    foreignKey({ name: 'village_accounts_village_fk', columns: [t.villageId], foreignColumns: [villages.id] }).onDelete(
      'restrict',
    ),
    foreignKey({
      name: 'village_accounts_top_fk',
      columns: [t.standard, t.topCode],
      foreignColumns: [accounts.standard, accounts.code],
    }).onDelete('restrict'),
    check('village_accounts_code_format', sql`${t.code} ~ '^[0-9]{3}([0-9]{2}){0,3}$'`),
    check('village_accounts_top_prefix', sql`left(${t.code}, 3) = ${t.topCode}`),
  ],
);
