import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
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
import { villages } from './regions.ts';

/**
 * A villager's question about a month, a payment or the village in general, asked without an account, and the
 * committee's public answer (issue 15; the rules are in `db/src/ledger/questions.ts`). Public number
 * `{村名}-{number_year}-{seq}`, numbered per village per year from 1. What the asker wrote (`body`) and the contact
 * they left are private; the public reads `body_public` and `answer_public`, masked like 摘要. A hidden question keeps
 * its text (the audit log and the committee still read it), never deleted. `asker_key` is an HMAC of the asker's
 * address: the rate limits count it without storing any address. Migration 0013 refuses deletes and any change but
 * answering once and hiding once.
 */
export const questions = pgTable(
  'questions',
  {
    villageId: integer('village_id').notNull(),
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity(),
    /** The month asked about (both null: the village in general). */
    year: smallint('year'),
    month: smallint('month'),
    /** A voucher of that month, by its number (only with a month). */
    voucherNumber: integer('voucher_number'),
    numberYear: smallint('number_year').notNull(),
    seq: integer('seq').notNull(),
    body: text('body').notNull(),
    bodyPublic: text('body_public').notNull(),
    bodyHash: text('body_hash').notNull(),
    contact: text('contact'),
    askerKey: text('asker_key').notNull(),
    askedAt: timestamp('asked_at', { withTimezone: true }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    answerBody: text('answer_body'),
    answerPublic: text('answer_public'),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
    answeredBy: text('answered_by'),
    answeredByRole: text('answered_by_role'),
    /** A correction link: a published revision of the month asked about. */
    answerRevision: smallint('answer_revision'),
    /** A payment or receipt link: a voucher number of the month asked about. */
    answerVoucherNumber: integer('answer_voucher_number'),
    hiddenAt: timestamp('hidden_at', { withTimezone: true }),
    hiddenBy: text('hidden_by'),
    /** Public: why the text is not shown. */
    hiddenReason: text('hidden_reason'),
  },
  (t) => [
    primaryKey({ name: 'questions_pkey', columns: [t.villageId, t.id] }),
    foreignKey({ name: 'questions_village_fk', columns: [t.villageId], foreignColumns: [villages.id] }).onDelete(
      'restrict',
    ),
    uniqueIndex('questions_number_key').on(t.villageId, t.numberYear, t.seq),
    index('questions_asked_idx').on(t.villageId, t.askedAt),
    index('questions_month_idx').on(t.villageId, t.year, t.month),
    index('questions_body_hash_idx').on(t.villageId, t.bodyHash, t.askedAt),
    // The per-address limit counts one address's asks in every village: the one key here not led by village_id.
    index('questions_asker_idx').on(t.askerKey, t.askedAt),
    // The township's overdue list: each village's unanswered questions by due date.
    index('questions_unanswered_due_idx')
      .on(t.villageId, t.dueAt)
      .where(sql`${t.answeredAt} is null`),
    check('questions_body_length', sql`char_length(${t.body}) between 1 and 500 and char_length(btrim(${t.body})) > 0`),
    check('questions_body_public_present', sql`char_length(${t.bodyPublic}) between 1 and 1000`),
    check('questions_body_hash_format', sql`${t.bodyHash} ~ '^[0-9a-f]{64}$'`),
    check('questions_contact_length', sql`${t.contact} is null or char_length(${t.contact}) between 1 and 50`),
    check('questions_asker_key_format', sql`${t.askerKey} ~ '^[0-9a-f]{64}$'`),
    check(
      'questions_about_valid',
      sql`(${t.year} is null) = (${t.month} is null) and (${t.month} is null or ${t.month} between 1 and 12)
          and (${t.voucherNumber} is null or (${t.month} is not null and ${t.voucherNumber} > 0))`,
    ),
    check('questions_seq_positive', sql`${t.seq} >= 1`),
    check('questions_due_after_asked', sql`${t.dueAt} > ${t.askedAt}`),
    check(
      'questions_answer_complete',
      sql`num_nulls(${t.answerBody}, ${t.answerPublic}, ${t.answeredAt}, ${t.answeredBy}, ${t.answeredByRole}) in (0, 5)`,
    ),
    check(
      'questions_answer_length',
      sql`${t.answerBody} is null or char_length(btrim(${t.answerBody})) between 1 and 2000`,
    ),
    check(
      'questions_answer_links_need_answer',
      sql`(${t.answerRevision} is null and ${t.answerVoucherNumber} is null) or ${t.answeredAt} is not null`,
    ),
    check('questions_hidden_complete', sql`num_nulls(${t.hiddenAt}, ${t.hiddenBy}, ${t.hiddenReason}) in (0, 3)`),
    check(
      'questions_hidden_reason_length',
      sql`${t.hiddenReason} is null or char_length(btrim(${t.hiddenReason})) between 1 and 200`,
    ),
  ],
);
