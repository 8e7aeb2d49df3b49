import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  date,
  foreignKey,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { periods } from './ledger.ts';
import { regions } from './regions.ts';

/**
 * A version of the red-flag thresholds a district or town set for itself (`region_id`), in force from
 * `effective_from`. Complete, not a patch: a version alone says every threshold a month was judged by. Villages under
 * no region with a version use the built-in defaults (`db/src/ledger/red-flag-rules.ts`). Rows are never changed: a
 * new threshold is a new version.
 */
export const redFlagRuleSets = pgTable(
  'red_flag_rule_sets',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    regionId: integer('region_id').notNull(),
    version: integer('version').notNull(),
    effectiveFrom: date('effective_from', { mode: 'string' }).notNull(),
    thresholds: jsonb('thresholds').$type<Record<string, string>>().notNull(),
    note: text('note').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    foreignKey({ name: 'red_flag_rule_sets_region_fk', columns: [t.regionId], foreignColumns: [regions.id] }).onDelete(
      'restrict',
    ),
    uniqueIndex('red_flag_rule_sets_version_key').on(t.regionId, t.version),
    uniqueIndex('red_flag_rule_sets_effective_key').on(t.regionId, t.effectiveFrom),
    check('red_flag_rule_sets_version_positive', sql`${t.version} >= 1`),
    check('red_flag_rule_sets_note_present', sql`length(btrim(${t.note})) between 1 and 2000`),
  ],
);

/**
 * The automatic red flags of a published revision, frozen at publication with the rule version then in force
 * (`periods.red_flag_rule_set_id`): a later change of thresholds never changes them. A flag on the whole month
 * (month-end cash, 非生产性开支, late publication) has no voucher number.
 */
export const redFlags = pgTable(
  'red_flags',
  {
    villageId: integer('village_id').notNull(),
    year: smallint('year').notNull(),
    month: smallint('month').notNull(),
    revision: smallint('revision').notNull(),
    seq: smallint('seq').notNull(),
    ruleCode: text('rule_code').notNull(),
    voucherNumber: integer('voucher_number'),
    amountFen: bigint('amount_fen', { mode: 'bigint' }),
    detail: text('detail').notNull(),
  },
  (t) => [
    primaryKey({ name: 'red_flags_pkey', columns: [t.villageId, t.year, t.month, t.revision, t.seq] }),
    foreignKey({
      name: 'red_flags_period_fk',
      columns: [t.villageId, t.year, t.month, t.revision],
      foreignColumns: [periods.villageId, periods.year, periods.month, periods.revision],
    }).onDelete('restrict'),
    check('red_flags_rule_code_format', sql`${t.ruleCode} ~ '^[A-Z][A-Z_]{2,39}$'`),
    check('red_flags_amount_positive', sql`${t.amountFen} is null or ${t.amountFen} > 0`),
  ],
);

/**
 * The committee's written answer to a flag of a revision, automatic or raised by a supervisor, keyed by the flag's
 * stable key (`flagKey` in `db/src/ledger/flag-keys.ts`: `CASH_OVER_LIMIT:12`, `CASH_ON_HAND:month`,
 * `supervisor:<voucher_flags.id>`). One answer per flag; answering again replaces it until the month is published
 * (every answer is also in the audit log).
 */
export const flagAnswers = pgTable(
  'flag_answers',
  {
    villageId: integer('village_id').notNull(),
    year: smallint('year').notNull(),
    month: smallint('month').notNull(),
    revision: smallint('revision').notNull(),
    flagKey: text('flag_key').notNull(),
    body: text('body').notNull(),
    author: text('author').notNull(),
    answeredAt: timestamp('answered_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'flag_answers_pkey', columns: [t.villageId, t.year, t.month, t.revision, t.flagKey] }),
    foreignKey({
      name: 'flag_answers_period_fk',
      columns: [t.villageId, t.year, t.month, t.revision],
      foreignColumns: [periods.villageId, periods.year, periods.month, periods.revision],
    }).onDelete('restrict'),
    check('flag_answers_body_present', sql`length(btrim(${t.body})) between 1 and 2000`),
    check('flag_answers_key_format', sql`${t.flagKey} ~ '^([A-Z][A-Z_]{2,39}:([0-9]+|month)|supervisor:[0-9]+)$'`),
  ],
);

export const REVIEW_DECISIONS = ['approved', 'returned'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/**
 * A supervisor's decision on a submitted revision: approved, or sent back with reasons (the month reopens). An
 * approval counts only for the content it saw: `content_mark` (`contentMark` in `db/src/ledger/approvals.ts`) must
 * still match when the month is published, so an upload after the approval needs a new one.
 */
export const periodReviews = pgTable(
  'period_reviews',
  {
    villageId: integer('village_id').notNull(),
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity(),
    year: smallint('year').notNull(),
    month: smallint('month').notNull(),
    revision: smallint('revision').notNull(),
    decision: text('decision', { enum: REVIEW_DECISIONS }).notNull(),
    note: text('note').notNull(),
    reviewer: text('reviewer').notNull(),
    contentMark: text('content_mark').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'period_reviews_pkey', columns: [t.villageId, t.id] }),
    foreignKey({
      name: 'period_reviews_period_fk',
      columns: [t.villageId, t.year, t.month, t.revision],
      foreignColumns: [periods.villageId, periods.year, periods.month, periods.revision],
    }).onDelete('restrict'),
    check('period_reviews_decision_valid', sql`${t.decision} in ('approved', 'returned')`),
    check('period_reviews_note_length', sql`length(${t.note}) <= 2000`),
    check('period_reviews_returned_has_reason', sql`${t.decision} = 'approved' or length(btrim(${t.note})) > 0`),
  ],
);
