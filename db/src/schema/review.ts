import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  foreignKey,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { periods } from './ledger.ts';

/** Supervisors' and committee members' comments on a month under review. */
export const periodComments = pgTable(
  'period_comments',
  {
    villageId: integer('village_id').notNull(),
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity(),
    year: smallint('year').notNull(),
    month: smallint('month').notNull(),
    revision: smallint('revision').notNull(),
    author: text('author').notNull(),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'period_comments_pkey', columns: [t.villageId, t.id] }),
    foreignKey({
      name: 'period_comments_period_fk',
      columns: [t.villageId, t.year, t.month, t.revision],
      foreignColumns: [periods.villageId, periods.year, periods.month, periods.revision],
    }).onDelete('restrict'),
    check('period_comments_body_present', sql`length(btrim(${t.body})) between 1 and 2000`),
  ],
);

/**
 * A doubtful voucher, flagged by number so the flag survives the voucher being replaced while the month is open.
 */
export const voucherFlags = pgTable(
  'voucher_flags',
  {
    villageId: integer('village_id').notNull(),
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity(),
    year: smallint('year').notNull(),
    month: smallint('month').notNull(),
    revision: smallint('revision').notNull(),
    voucherNumber: integer('voucher_number').notNull(),
    author: text('author').notNull(),
    reason: text('reason').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'voucher_flags_pkey', columns: [t.villageId, t.id] }),
    foreignKey({
      name: 'voucher_flags_period_fk',
      columns: [t.villageId, t.year, t.month, t.revision],
      foreignColumns: [periods.villageId, periods.year, periods.month, periods.revision],
    }).onDelete('restrict'),
    check('voucher_flags_reason_present', sql`length(btrim(${t.reason})) between 1 and 2000`),
  ],
);
