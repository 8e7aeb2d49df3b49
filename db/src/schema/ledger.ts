import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  foreignKey,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { ACCOUNT_STANDARDS } from './accounts.ts';
import { villages } from './regions.ts';

/** The canonical texts of db/src/ledger/digest.ts (kept there; named here so the schema needs no ledger import). */
export type DigestFormatName = 'mingbai-period-v1' | 'mingbai-period-v2' | 'mingbai-period-v3';

export const PERIOD_STATUSES = ['open', 'submitted', 'published'] as const;
export type PeriodStatus = (typeof PERIOD_STATUSES)[number];

/**
 * One revision of a village's month. Revision 1 is the first publication; a correction opens revision N+1 with
 * a reason and its own full copy of the vouchers, so every published revision stays readable as it was.
 */
export const periods = pgTable(
  'periods',
  {
    villageId: integer('village_id').notNull(),
    year: smallint('year').notNull(),
    month: smallint('month').notNull(),
    revision: smallint('revision').notNull(),
    status: text('status', { enum: PERIOD_STATUSES }).notNull().default('open'),
    standard: text('standard', { enum: ACCOUNT_STANDARDS }).notNull(),
    reason: text('reason'),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
    openedBy: text('opened_by').notNull(),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    submittedBy: text('submitted_by'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    publishedBy: text('published_by'),
    /** SHA-256 over the canonical serialisation of this revision's vouchers and the previous digest. */
    digest: text('digest'),
    previousDigest: text('previous_digest'),
    /**
     * The canonical text the digest was computed over (db/src/ledger/digest.ts, docs/DIGEST.md). Null for months
     * sealed before it was stored (and the scale loader's): v2 when approved, else v1 (`legacyFormat`).
     */
    digestFormat: text('digest_format').$type<DigestFormatName>(),
    /** Position of this publication in the village's digest chain: 1, 2, 3… in publishing order. */
    chainSeq: integer('chain_seq'),
    voucherCount: integer('voucher_count'),
    lineCount: integer('line_count'),
    /** The supervisor's approval this publication rests on (null for months published before reviews existed). */
    approvedBy: text('approved_by'),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    approvalNote: text('approval_note'),
    /** The red-flag rules the month was judged by, frozen at publication: `builtin-1`, `<region slug>-v2`. */
    redFlagRules: text('red_flag_rules'),
    /** The region's rule version, or null when the built-in defaults applied. */
    redFlagRuleSetId: integer('red_flag_rule_set_id'),
  },
  (t) => [
    primaryKey({ name: 'periods_pkey', columns: [t.villageId, t.year, t.month, t.revision] }),
    foreignKey({ name: 'periods_village_fk', columns: [t.villageId], foreignColumns: [villages.id] }).onDelete(
      'restrict',
    ),
    index('periods_published_at_idx').on(t.publishedAt),
    // Which villages published a month: open-data scopes, the catalogue, openData.
    index('periods_published_month_idx')
      .on(t.year, t.month)
      .where(sql`${t.status} = 'published'`),
    // The publication feed (statements(publishedSince)) pages in exactly this order.
    index('periods_publication_feed_idx')
      .on(t.publishedAt, t.villageId, t.year, t.month, t.revision)
      .where(sql`${t.status} = 'published'`),
    uniqueIndex('periods_chain_seq_key').on(t.villageId, t.chainSeq),
    check('periods_status_valid', sql`${t.status} in ('open', 'submitted', 'published')`),
    check('periods_month_range', sql`${t.month} between 1 and 12`),
    check('periods_year_range', sql`${t.year} between 2000 and 2100`),
    check('periods_revision_positive', sql`${t.revision} >= 1`),
    check('periods_revision_has_reason', sql`${t.revision} = 1 or length(btrim(${t.reason})) > 0`),
    check(
      'periods_published_complete',
      sql`(${t.status} = 'published') = (${t.publishedAt} is not null and ${t.publishedBy} is not null and ${t.digest} is not null and ${t.chainSeq} is not null)`,
    ),
    check(
      'periods_digest_format_known',
      sql`${t.digestFormat} in ('mingbai-period-v1', 'mingbai-period-v2', 'mingbai-period-v3')`,
    ),
    check('periods_approval_complete', sql`(${t.approvedBy} is null) = (${t.approvedAt} is null)`),
    check('periods_standard_by_year', sql`${t.standard} = case when ${t.year} < 2024 then '2004' else '2023' end`),
  ],
);

/** 记账凭证. Belongs to one period revision; its lines must balance (checked by triggers, see migrations). */
export const vouchers = pgTable(
  'vouchers',
  {
    villageId: integer('village_id').notNull(),
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity(),
    year: smallint('year').notNull(),
    month: smallint('month').notNull(),
    revision: smallint('revision').notNull(),
    number: integer('number').notNull(),
    date: date('date', { mode: 'string' }).notNull(),
    summary: text('summary').notNull(),
    /** The 摘要 with personal data masked: what the public sees and searches. */
    summaryPublic: text('summary_public').notNull(),
    attachments: integer('attachments').notNull().default(0),
    preparer: text('preparer'),
    reviewer: text('reviewer'),
    approver: text('approver'),
    importId: bigint('import_id', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [
    primaryKey({ name: 'vouchers_pkey', columns: [t.villageId, t.id] }),
    // vouchers_period_fk was a foreign key to periods, checked per row (an index lookup and a row lock for each of an
    // import's vouchers); migration 0019 keeps the same rule with statement triggers.
    uniqueIndex('vouchers_period_number_key').on(t.villageId, t.year, t.month, t.revision, t.number),
    check('vouchers_number_positive', sql`${t.number} > 0`),
    check('vouchers_attachments_nonnegative', sql`${t.attachments} >= 0`),
    check('vouchers_summary_present', sql`length(btrim(${t.summary})) > 0`),
    check(
      'vouchers_date_in_period',
      sql`extract(year from ${t.date}) = ${t.year} and extract(month from ${t.date}) = ${t.month}`,
    ),
  ],
);

export const LINE_SIDES = ['debit', 'credit'] as const;
export type LineSide = (typeof LINE_SIDES)[number];
export const PAYMENT_METHODS = ['cash', 'bank', 'transfer'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** 分录. One side, one positive amount in fen. Personal fields of natural persons never leave the API unmasked. */
export const voucherLines = pgTable(
  'voucher_lines',
  {
    villageId: integer('village_id').notNull(),
    voucherId: bigint('voucher_id', { mode: 'number' }).notNull(),
    lineNo: smallint('line_no').notNull(),
    standard: text('standard', { enum: ACCOUNT_STANDARDS }).notNull(),
    accountCode: text('account_code').notNull(),
    side: text('side', { enum: LINE_SIDES }).notNull(),
    amountFen: bigint('amount_fen', { mode: 'bigint' }).notNull(),
    summary: text('summary'),
    summaryPublic: text('summary_public'),
    counterpartyName: text('counterparty_name'),
    counterpartyIsPerson: boolean('counterparty_is_person').notNull().default(false),
    counterpartyPublic: text('counterparty_public'),
    counterpartyIdNumber: text('counterparty_id_number'),
    counterpartyPhone: text('counterparty_phone'),
    counterpartyBankAccount: text('counterparty_bank_account'),
    paymentMethod: text('payment_method', { enum: PAYMENT_METHODS }),
  },
  (t) => [
    primaryKey({ name: 'voucher_lines_pkey', columns: [t.villageId, t.voucherId, t.lineNo] }),
    // No foreign keys: a line's voucher (deleted with it) and its account in the village's chart (never deleted
    // while used) are enforced by the statement-level triggers of migration 0009, which check a million-line COPY in
    // one join instead of two key lookups per line.
    // The persons a village deals with, for masking their names in new 摘要 without scanning its whole ledger.
    index('voucher_lines_persons_idx')
      .on(t.villageId, t.counterpartyName)
      .where(sql`${t.counterpartyIsPerson}`),
    check('voucher_lines_side_valid', sql`${t.side} in ('debit', 'credit')`),
    check('voucher_lines_payment_method_valid', sql`${t.paymentMethod} in ('cash', 'bank', 'transfer')`),
    check('voucher_lines_amount_positive', sql`${t.amountFen} > 0`),
    check('voucher_lines_line_no_positive', sql`${t.lineNo} > 0`),
    check(
      'voucher_lines_person_has_public_name',
      sql`not ${t.counterpartyIsPerson} or (${t.counterpartyName} is not null and ${t.counterpartyPublic} is not null)`,
    ),
  ],
);
