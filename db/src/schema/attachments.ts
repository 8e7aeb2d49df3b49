import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { periods } from './ledger.ts';

/**
 * A rectangle blacked out in the published view: fractions (0–1) of the upright image's width and height; on a PDF,
 * of page `page` (0 the first; absent means the first).
 */
export interface RedactionRect {
  x: number;
  y: number;
  w: number;
  h: number;
  page?: number;
}

/** The published view of a PDF's page after the first (the first is the derivative columns). */
export interface PageView {
  sha256: string;
  width: number;
  height: number;
}

export const ATTACHMENT_KINDS = ['receipt', 'minutes', 'contract', 'tender', 'other'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

/**
 * The proof behind a payment (原始凭证) or a document of the month itself (minutes of a decision, a contract, a tender
 * result): a private original and its published, redacted, metadata-free derivative, all kept by SHA-256 in the file
 * store (`MINGBAI_FILES_DIR`, db/src/files/). Attached by voucher number (null: the month's own document), like the
 * supervisors' flags, so an attachment survives its voucher being uploaded again while the month is open. A supervisor
 * confirms the redaction of the derivative as it is (`confirmed_by`); a new redaction clears it. Written only while
 * the revision is not published (migration 0014); a correction copies them into its new revision.
 */
export const attachments = pgTable(
  'attachments',
  {
    villageId: integer('village_id').notNull(),
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity(),
    year: smallint('year').notNull(),
    month: smallint('month').notNull(),
    revision: smallint('revision').notNull(),
    /** The voucher it proves; null for a document of the month. */
    voucherNumber: integer('voucher_number'),
    kind: text('kind').$type<AttachmentKind>().notNull(),
    /** The name it was uploaded with (committee only: a name can carry a person's name). */
    filename: text('filename').notNull(),
    originalSha256: text('original_sha256').notNull(),
    originalMediaType: text('original_media_type').notNull(),
    originalBytes: integer('original_bytes').notNull(),
    /** The published full view: redacted, re-encoded, no metadata. */
    derivativeSha256: text('derivative_sha256').notNull(),
    derivativeMediaType: text('derivative_media_type').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    thumbnailSha256: text('thumbnail_sha256').notNull(),
    thumbnailWidth: integer('thumbnail_width').notNull(),
    thumbnailHeight: integer('thumbnail_height').notNull(),
    pages: smallint('pages').notNull().default(1),
    /** A PDF's pages 2 … `pages`, each a published view like the derivative (migration 0015); empty for an image. */
    pageViews: jsonb('page_views')
      .$type<PageView[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    redactions: jsonb('redactions')
      .$type<RedactionRect[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    uploadedBy: text('uploaded_by').notNull(),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull().defaultNow(),
    redactedBy: text('redacted_by'),
    redactedAt: timestamp('redacted_at', { withTimezone: true }),
    /** The supervisor who confirmed that this derivative hides what must not be public. */
    confirmedBy: text('confirmed_by'),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ name: 'attachments_pkey', columns: [t.villageId, t.id] }),
    foreignKey({
      name: 'attachments_period_fk',
      columns: [t.villageId, t.year, t.month, t.revision],
      foreignColumns: [periods.villageId, periods.year, periods.month, periods.revision],
    }).onDelete('restrict'),
    index('attachments_revision_idx').on(t.villageId, t.year, t.month, t.revision, t.voucherNumber),
    // The public file endpoint finds a derivative by its hash: /data/files/{sha256}.webp.
    index('attachments_derivative_idx').on(t.derivativeSha256),
    index('attachments_thumbnail_idx').on(t.thumbnailSha256),
    index('attachments_page_views_idx').using('gin', sql`${t.pageViews} jsonb_path_ops`),
    check('attachments_kind_known', sql`${t.kind} in ('receipt', 'minutes', 'contract', 'tender', 'other')`),
    check(
      'attachments_hashes_sha256',
      sql`${t.originalSha256} ~ '^[0-9a-f]{64}$' and ${t.derivativeSha256} ~ '^[0-9a-f]{64}$' and ${t.thumbnailSha256} ~ '^[0-9a-f]{64}$'`,
    ),
    check('attachments_derivative_not_original', sql`${t.derivativeSha256} <> ${t.originalSha256}`),
    check(
      'attachments_sizes_positive',
      sql`${t.width} > 0 and ${t.height} > 0 and ${t.originalBytes} > 0 and ${t.pages} > 0`,
    ),
    check('attachments_confirmed_together', sql`(${t.confirmedBy} is null) = (${t.confirmedAt} is null)`),
    check('attachments_filename_present', sql`length(${t.filename}) between 1 and 255`),
    check('attachments_redactions_array', sql`jsonb_typeof(${t.redactions}) = 'array'`),
    check(
      'attachments_page_views_count',
      sql`jsonb_typeof(${t.pageViews}) = 'array' and jsonb_array_length(${t.pageViews}) = ${t.pages} - 1`,
    ),
  ],
);
