import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { queryRows, type DbOrTx, type Tx } from '../client.ts';
import { attachments, type AttachmentKind, type RedactionRect } from '../schema/attachments.ts';
import { vouchers } from '../schema/ledger.ts';
import { appendAudit } from './audit.ts';
import type { PublicAttachment } from './digest.ts';
import { LedgerError } from './errors.ts';
import { latestRevision, lockVillageLedger, STATUS_LABELS, type PeriodKey } from './periods.ts';

/**
 * The proof behind a payment, in the ledger: an attachment of a voucher (by number) or of the month, on the revision
 * being prepared (open, or submitted for review). The files are processed and stored before (db/src/files/); here the
 * rows, the rules and the audit. A supervisor's confirmation holds for the derivative it saw: a new redaction clears
 * it; publication needs every attachment confirmed (`approvals.ts` `reviewBlockers`). See README.md.
 */

export interface StoredDerivatives {
  view: { sha256: string; mediaType: string; width: number; height: number };
  thumbnail: { sha256: string; width: number; height: number };
  pages: number;
  /** A PDF's pages after the first (their views); empty for an image. */
  pageViews: { sha256: string; width: number; height: number }[];
}

const pageViewsOf = (d: StoredDerivatives) =>
  d.pageViews.map(({ sha256, width, height }) => ({ sha256, width, height }));

export interface StoredUpload extends StoredDerivatives {
  original: { sha256: string; mediaType: string; sizeBytes: number };
}

export type AttachmentRow = typeof attachments.$inferSelect;

const label = (key: PeriodKey) => `${key.year}年${key.month}月`;

/** The revision attachments are written to: the newest, while it is open or submitted; locked to the commit. */
async function revisionBeingPrepared(tx: Tx, key: PeriodKey): Promise<number> {
  await lockVillageLedger(tx, key.villageId);
  const latest = await latestRevision(tx, key);
  if (!latest || latest.status === 'published') {
    throw new LedgerError(
      'PERIOD_NOT_OPEN',
      latest
        ? `${label(key)}${STATUS_LABELS.published}，附件已随月份公开，不能再改；要改请先开启更正`
        : `${label(key)}尚未开账，不能添加附件`,
      { status: latest?.status ?? null },
    );
  }
  return latest.revision;
}

/** Whether the revision may take attachments now, without writing: checked before a file is processed. */
export async function assertAttachable(db: DbOrTx, key: PeriodKey, voucherNumber: number | null): Promise<number> {
  const latest = await latestRevision(db, key);
  if (!latest || latest.status === 'published') {
    throw new LedgerError(
      'PERIOD_NOT_OPEN',
      latest ? `${label(key)}已公开，不能再添加附件；要改请先开启更正` : `${label(key)}尚未开账，不能添加附件`,
      { status: latest?.status ?? null },
    );
  }
  if (voucherNumber !== null) await assertVoucher(db, { ...key, revision: latest.revision }, voucherNumber);
  return latest.revision;
}

async function assertVoucher(db: DbOrTx, key: PeriodKey & { revision: number }, number: number): Promise<void> {
  const [found] = await db
    .select({ id: vouchers.id })
    .from(vouchers)
    .where(
      and(
        eq(vouchers.villageId, key.villageId),
        eq(vouchers.year, key.year),
        eq(vouchers.month, key.month),
        eq(vouchers.revision, key.revision),
        eq(vouchers.number, number),
      ),
    );
  if (!found) {
    throw new LedgerError('VOUCHER_NOT_FOUND', `${label(key)}第${key.revision}版没有第${number}号凭证`, { number });
  }
}

/**
 * Attaches a stored upload to a voucher (or the month, voucherNumber null). The same original attached to the same
 * voucher again changes nothing and answers the attachment it already is (`created: false`).
 */
export async function attach(
  tx: Tx,
  input: PeriodKey & {
    actor: string;
    voucherNumber: number | null;
    kind: AttachmentKind;
    filename: string;
    upload: StoredUpload;
    redactions: RedactionRect[];
    /** When it was uploaded (default now): for loaders that write history, such as the demo seed. */
    at?: Date | undefined;
  },
): Promise<{ id: number; revision: number; created: boolean }> {
  const key = { villageId: input.villageId, year: input.year, month: input.month };
  const revision = await revisionBeingPrepared(tx, key);
  if (input.voucherNumber !== null) await assertVoucher(tx, { ...key, revision }, input.voucherNumber);
  const [existing] = await tx
    .select({ id: attachments.id })
    .from(attachments)
    .where(
      and(
        ...revisionWhere({ ...key, revision }),
        input.voucherNumber === null
          ? isNull(attachments.voucherNumber)
          : eq(attachments.voucherNumber, input.voucherNumber),
        eq(attachments.originalSha256, input.upload.original.sha256),
      ),
    );
  if (existing) return { id: existing.id, revision, created: false };
  const u = input.upload;
  const [row] = await tx
    .insert(attachments)
    .values({
      ...key,
      revision,
      voucherNumber: input.voucherNumber,
      kind: input.kind,
      filename: input.filename,
      originalSha256: u.original.sha256,
      originalMediaType: u.original.mediaType,
      originalBytes: u.original.sizeBytes,
      derivativeSha256: u.view.sha256,
      derivativeMediaType: u.view.mediaType,
      width: u.view.width,
      height: u.view.height,
      thumbnailSha256: u.thumbnail.sha256,
      thumbnailWidth: u.thumbnail.width,
      thumbnailHeight: u.thumbnail.height,
      pages: u.pages,
      pageViews: pageViewsOf(u),
      redactions: input.redactions,
      uploadedBy: input.actor,
      ...(input.at ? { uploadedAt: input.at } : {}),
      ...(input.redactions.length > 0 ? { redactedBy: input.actor, redactedAt: input.at ?? sql`now()` } : {}),
    })
    .returning({ id: attachments.id });
  await appendAudit(tx, {
    villageId: key.villageId,
    actor: input.actor,
    action: 'attachment.attach',
    entity: 'attachment',
    entityKey: `${key.year}-${key.month}#${revision}/${row!.id}`,
    details: {
      voucherNumber: input.voucherNumber,
      kind: input.kind,
      originalSha256: u.original.sha256,
      derivativeSha256: u.view.sha256,
      redactions: input.redactions.length,
    },
  });
  return { id: row!.id, revision, created: true };
}

function revisionWhere(key: PeriodKey & { revision: number }) {
  return [
    eq(attachments.villageId, key.villageId),
    eq(attachments.year, key.year),
    eq(attachments.month, key.month),
    eq(attachments.revision, key.revision),
  ];
}

/** An attachment of the revision being prepared, locked for the change; ATTACHMENT_NOT_FOUND otherwise. */
async function attachmentToChange(tx: Tx, key: PeriodKey, id: number): Promise<AttachmentRow> {
  const revision = await revisionBeingPrepared(tx, key);
  const [row] = await tx
    .select()
    .from(attachments)
    .where(and(...revisionWhere({ ...key, revision }), eq(attachments.id, id)))
    .for('update');
  if (!row) {
    throw new LedgerError('ATTACHMENT_NOT_FOUND', `${label(key)}第${revision}版没有编号为 ${id} 的附件`, { id });
  }
  return row;
}

/** An attachment of the month's newest revision, whatever its state (for reprocessing before a redaction). */
export async function attachmentOf(db: DbOrTx, key: PeriodKey, id: number): Promise<AttachmentRow> {
  const latest = await latestRevision(db, key);
  const [row] = latest
    ? await db
        .select()
        .from(attachments)
        .where(and(...revisionWhere({ ...key, revision: latest.revision }), eq(attachments.id, id)))
    : [];
  if (!row) throw new LedgerError('ATTACHMENT_NOT_FOUND', `${label(key)}没有编号为 ${id} 的附件`, { id });
  return row;
}

/** New rectangles burned into a new derivative (made from the original by the caller); the confirmation is cleared. */
export async function redact(
  tx: Tx,
  input: PeriodKey & { actor: string; id: number; redactions: RedactionRect[]; derived: StoredDerivatives },
): Promise<void> {
  const key = { villageId: input.villageId, year: input.year, month: input.month };
  const row = await attachmentToChange(tx, key, input.id);
  const d = input.derived;
  await tx
    .update(attachments)
    .set({
      redactions: input.redactions,
      derivativeSha256: d.view.sha256,
      derivativeMediaType: d.view.mediaType,
      width: d.view.width,
      height: d.view.height,
      thumbnailSha256: d.thumbnail.sha256,
      thumbnailWidth: d.thumbnail.width,
      thumbnailHeight: d.thumbnail.height,
      pages: d.pages,
      pageViews: pageViewsOf(d),
      redactedBy: input.actor,
      redactedAt: sql`now()`,
      confirmedBy: null,
      confirmedAt: null,
    })
    .where(and(eq(attachments.villageId, row.villageId), eq(attachments.id, row.id)));
  await appendAudit(tx, {
    villageId: key.villageId,
    actor: input.actor,
    action: 'attachment.redact',
    entity: 'attachment',
    entityKey: `${key.year}-${key.month}#${row.revision}/${row.id}`,
    details: { redactions: input.redactions, derivativeSha256: d.view.sha256, before: row.derivativeSha256 },
  });
}

/**
 * A supervisor confirms that the published view hides what must not be public. `derivativeSha256`, when given, is the
 * view the supervisor saw: if it was redacted again since, the confirmation is refused rather than given to another.
 */
export async function confirm(
  tx: Tx,
  input: PeriodKey & { actor: string; id: number; derivativeSha256?: string | undefined; at?: Date | undefined },
): Promise<void> {
  const key = { villageId: input.villageId, year: input.year, month: input.month };
  const row = await attachmentToChange(tx, key, input.id);
  if (input.derivativeSha256 && input.derivativeSha256 !== row.derivativeSha256) {
    throw new LedgerError('ATTACHMENT_NOT_FOUND', `附件 ${row.id} 的遮盖已经改过，请看过新的样子再确认`, {
      id: row.id,
      derivativeSha256: row.derivativeSha256,
    });
  }
  await tx
    .update(attachments)
    .set({ confirmedBy: input.actor, confirmedAt: input.at ?? sql`now()` })
    .where(and(eq(attachments.villageId, row.villageId), eq(attachments.id, row.id)));
  await appendAudit(tx, {
    villageId: key.villageId,
    actor: input.actor,
    action: 'attachment.confirm',
    entity: 'attachment',
    entityKey: `${key.year}-${key.month}#${row.revision}/${row.id}`,
    details: { derivativeSha256: row.derivativeSha256 },
  });
}

/** Takes an attachment off the revision being prepared (earlier revisions keep theirs); the files stay stored. */
export async function remove(
  tx: Tx,
  input: PeriodKey & { actor: string; id: number; reason?: string | undefined },
): Promise<void> {
  const key = { villageId: input.villageId, year: input.year, month: input.month };
  const row = await attachmentToChange(tx, key, input.id);
  await tx.delete(attachments).where(and(eq(attachments.villageId, row.villageId), eq(attachments.id, row.id)));
  await appendAudit(tx, {
    villageId: key.villageId,
    actor: input.actor,
    action: 'attachment.remove',
    entity: 'attachment',
    entityKey: `${key.year}-${key.month}#${row.revision}/${row.id}`,
    reason: input.reason?.trim() || undefined,
    details: { voucherNumber: row.voucherNumber, originalSha256: row.originalSha256 },
  });
}

/**
 * A revision's attachments as a v3 digest covers them: what is published of each (digest.ts sorts them). A PDF's
 * later pages' views are `pageSha256s`, in page order (`page_views`; attachments.csv lists the same, digest-inputs.ts).
 */
export async function publishedAttachments(
  db: DbOrTx,
  key: PeriodKey & { revision: number },
): Promise<PublicAttachment[]> {
  const rows = await db
    .select({
      voucherNumber: attachments.voucherNumber,
      kind: attachments.kind,
      sha256: attachments.derivativeSha256,
      thumbnailSha256: attachments.thumbnailSha256,
      pageViews: attachments.pageViews,
    })
    .from(attachments)
    .where(and(...revisionWhere(key)));
  return rows.map(({ pageViews, ...r }) => ({ ...r, pageSha256s: pageViews.map((p) => p.sha256) }));
}

/** Every attachment of a revision: the month's documents first, then by voucher number and upload. */
export async function attachmentsOfRevision(
  db: DbOrTx,
  key: PeriodKey & { revision: number },
): Promise<AttachmentRow[]> {
  return db
    .select()
    .from(attachments)
    .where(and(...revisionWhere(key)))
    .orderBy(sql`${attachments.voucherNumber} asc nulls first`, asc(attachments.id));
}

/** Every file hash an attachment of any revision names (original, views, thumbnail): what the file sweep keeps. */
export async function referencedFileHashes(db: DbOrTx): Promise<Set<string>> {
  const rows = await queryRows<{ sha256: string }>(
    db,
    sql`select original_sha256 as sha256 from attachments
        union select derivative_sha256 from attachments
        union select thumbnail_sha256 from attachments
        union select p->>'sha256' from attachments, jsonb_array_elements(page_views) p`,
  );
  return new Set(rows.map((r) => r.sha256));
}
