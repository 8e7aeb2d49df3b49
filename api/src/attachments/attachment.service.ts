// Attaching, redacting, confirming and removing the proof behind payments: who may (`villageForAction`), the file
// through the image pipeline in a worker (process-in-worker.ts), stored by hash, then the ledger's rows and audit
// (`@mingbai/db/ledger/attachments`). A refused file stores nothing: the checks and the processing come first.
import type { Db } from '@mingbai/db/client';
import { statSync } from 'node:fs';
import { putFile, putFileFromPath, readStoredFile } from '@mingbai/db/files/store';
import { MAX_UPLOAD_BYTES, checkRedactions, type ProcessedUpload, type Redaction } from '@mingbai/db/files/image';
import {
  assertAttachable,
  attach,
  attachmentOf,
  confirm,
  redact,
  remove,
  type AttachmentRow,
} from '@mingbai/db/ledger/attachments';
import { LedgerError } from '@mingbai/db/ledger/errors';
import { ATTACHMENT_KINDS, type AttachmentKind } from '@mingbai/db/schema/attachments';
import { villageForAction, type Actor } from '../auth/village-access.ts';
import { badInput } from '../errors.ts';
import { checkMonth } from '../month.ts';
import { processFileInWorker, processInWorker } from './process-in-worker.ts';

export interface AttachmentRef {
  villageSlug: string;
  year: number;
  month: number;
  id: number;
}

export interface AttachInput {
  villageSlug: string;
  year: number;
  month: number;
  voucherNumber: number | null;
  kind: string;
  filename: string;
  /**
   * The file: its bytes (GraphQL's Base64), or a path the image worker reads (the binary upload route's temporary
   * file, moved into the store; the CLI's own file, copied), so the API's thread never holds it.
   */
  file: { bytes: Uint8Array } | { path: string; temporary: boolean };
  redactions: Redaction[];
}

/** FILE_TOO_LARGE, as the pipeline's own check words it. */
export function tooLarge(sizeBytes: number): LedgerError {
  return new LedgerError('FILE_TOO_LARGE', `文件有 ${(sizeBytes / 1024 / 1024).toFixed(1)} MB，超过 20 MB 的上限`, {
    sizeBytes,
    maxBytes: MAX_UPLOAD_BYTES,
  });
}

/** Base64 as sent in a GraphQL mutation, refused past the size limit before it is decoded. */
export function decodeBase64(text: string): Uint8Array {
  // No copy of a 27 MB string unless it has line breaks to take out.
  const clean = /\s/.test(text) ? text.replace(/\s+/g, '') : text;
  if (clean.length > Math.ceil(MAX_UPLOAD_BYTES / 3) * 4 + 4) {
    throw new LedgerError('FILE_TOO_LARGE', `文件超过 20 MB 的上限`, {
      sizeBytes: Math.floor((clean.length * 3) / 4),
      maxBytes: MAX_UPLOAD_BYTES,
    });
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) {
    throw badInput('contentBase64 不是有效的 Base64', 'contentBase64');
  }
  return Buffer.from(clean, 'base64');
}

function checkFilename(name: string): string {
  // A browser or phone may send a path; only the last part is a name.
  const base = name.split(/[\\/]/).pop()!.trim();
  if (base.length === 0 || base.length > 255 || [...base].some((c) => c.charCodeAt(0) < 0x20)) {
    throw badInput('文件名应为 1 到 255 个字符', 'filename');
  }
  return base;
}

function checkKind(kind: string): AttachmentKind {
  if (!(ATTACHMENT_KINDS as readonly string[]).includes(kind)) {
    throw badInput(`附件种类应为 ${ATTACHMENT_KINDS.join('、')} 之一`, 'kind');
  }
  return kind as AttachmentKind;
}

/**
 * The original and its derivatives into the store, before the rows that name them are written: a failed write leaves
 * files no row names, which the sweep (files-sweep.ts, daily and `pnpm cli sweep-files`) removes once they are older
 * than its grace period. Returns the hashes stored.
 */
function storeUpload(file: AttachInput['file'], sizeBytes: number, processed: ProcessedUpload): string[] {
  // The worker hashed every file (our code, from these bytes): the API's thread does not hash 20 MB again.
  if (processed.original.sizeBytes !== sizeBytes) throw new Error('the image worker answered for other bytes');
  return [
    'bytes' in file
      ? putFile(file.bytes, processed.original.sha256)
      : putFileFromPath(file.path, processed.original.sha256, { move: file.temporary }),
    ...[processed.view, processed.thumbnail, ...processed.pageViews].map((d) => putFile(d.bytes, d.sha256)),
  ];
}

/**
 * Every check of an attachment that needs no file: the month, voucher, kind, name, rectangles, who may, and that the
 * month takes attachments. The upload route runs it before reading a byte of the body; `attachFile` runs it again.
 */
export async function checkAttach(db: Db, actor: Actor, input: Omit<AttachInput, 'file'>) {
  checkMonth(input.year, input.month);
  if (input.voucherNumber !== null && (!Number.isInteger(input.voucherNumber) || input.voucherNumber < 1)) {
    throw badInput('凭证号应为正整数', 'voucherNumber');
  }
  const kind = checkKind(input.kind);
  const filename = checkFilename(input.filename);
  const village = await villageForAction(actor, input.villageSlug, 'import');
  const key = { villageId: village.id, year: input.year, month: input.month };
  const redactions = checkRedactions(input.redactions);
  // Before any work on the file: a month that takes no attachments refuses at once.
  await assertAttachable(db, key, input.voucherNumber);
  return { key, kind, filename, redactions };
}

/** The accountant or director attaches a file to a voucher of the month being prepared, or to the month itself. */
export async function attachFile(db: Db, actor: Actor, input: AttachInput): Promise<AttachmentRow> {
  const { key, kind, filename, redactions } = await checkAttach(db, actor, input);
  const { file } = input;
  let processed: ProcessedUpload;
  let sizeBytes: number;
  if ('bytes' in file) {
    sizeBytes = file.bytes.length;
    processed = await processInWorker(file.bytes, filename, redactions);
  } else {
    // Refused by its size before any worker reads it (the upload route has counted it already; the CLI's file not).
    sizeBytes = statSync(file.path).size;
    if (sizeBytes > MAX_UPLOAD_BYTES) throw tooLarge(sizeBytes);
    processed = await processFileInWorker(file.path, sizeBytes, filename, redactions);
  }
  storeUpload(file, sizeBytes, processed);
  const { id } = await db.transaction((tx) =>
    attach(tx, {
      ...key,
      actor: actor.viewer!.username,
      voucherNumber: input.voucherNumber,
      kind,
      filename,
      upload: processed,
      redactions,
    }),
  );
  return attachmentOf(db, key, id);
}

async function keyFor(actor: Actor, ref: AttachmentRef, action: 'import' | 'approve') {
  checkMonth(ref.year, ref.month);
  if (!Number.isInteger(ref.id) || ref.id < 1) throw badInput('附件编号应为正整数', 'id');
  const village = await villageForAction(actor, ref.villageSlug, action);
  return { villageId: village.id, year: ref.year, month: ref.month };
}

/** New redaction rectangles: a new published view made from the private original; the confirmation is cleared. */
export async function setRedactions(
  db: Db,
  actor: Actor,
  ref: AttachmentRef & { redactions: Redaction[] },
): Promise<AttachmentRow> {
  const key = await keyFor(actor, ref, 'import');
  const redactions = checkRedactions(ref.redactions);
  const row = await attachmentOf(db, key, ref.id);
  await assertAttachable(db, key, null);
  const original = readStoredFile(row.originalSha256);
  if (!original) throw new Error(`attachment ${row.id}: original ${row.originalSha256} is missing from the file store`);
  const processed = await processInWorker(original, row.filename, redactions);
  storeUpload({ bytes: original }, original.length, processed);
  await db.transaction((tx) =>
    redact(tx, { ...key, actor: actor.viewer!.username, id: ref.id, redactions, derived: processed }),
  );
  return attachmentOf(db, key, ref.id);
}

/** A supervisor of the village (own or cross-assigned) confirms the published view hides what it must. */
export async function confirmAttachment(
  db: Db,
  actor: Actor,
  ref: AttachmentRef & { derivativeSha256?: string | null },
): Promise<AttachmentRow> {
  const key = await keyFor(actor, ref, 'approve');
  await db.transaction((tx) =>
    confirm(tx, {
      ...key,
      actor: actor.viewer!.username,
      id: ref.id,
      derivativeSha256: ref.derivativeSha256 ?? undefined,
    }),
  );
  return attachmentOf(db, key, ref.id);
}

/** The accountant or director takes an attachment off the month being prepared. */
export async function removeAttachment(
  db: Db,
  actor: Actor,
  ref: AttachmentRef & { reason?: string | null },
): Promise<void> {
  const key = await keyFor(actor, ref, 'import');
  await db.transaction((tx) =>
    remove(tx, { ...key, actor: actor.viewer!.username, id: ref.id, reason: ref.reason ?? undefined }),
  );
}
