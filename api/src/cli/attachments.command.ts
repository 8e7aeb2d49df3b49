import { basename } from 'node:path';
import type { Command } from 'commander';
import type { AttachmentRow } from '@mingbai/db/ledger/attachments';
import { attachFile, confirmAttachment, removeAttachment, setRedactions } from '../attachments/attachment.service.ts';
import { sweepFiles } from '../attachments/files-sweep.ts';
import { badInput } from '../errors.ts';
import { actorAs, parseMonth, withDb } from './session.ts';

interface MonthOptions {
  as: string;
  village: string;
  month: string;
}

/**
 * `--redact 0.1,0.2,0.3,0.05[,page]`: x, y, width, height as fractions (0–1) of the upright image, and on a PDF the
 * page index (0 the first, the default); repeatable.
 */
function redaction(value: string, previous: { x: number; y: number; w: number; h: number; page?: number }[] = []) {
  const parts = value.split(',').map((p) => Number(p.trim()));
  if ((parts.length !== 4 && parts.length !== 5) || parts.some((n) => !Number.isFinite(n))) {
    throw badInput(`--redact 应写成 x,y,宽,高[,页序号]（占图片宽高的比例，0 到 1），收到“${value}”`, 'redact');
  }
  const [x, y, w, h, page] = parts as [number, number, number, number, number | undefined];
  return [...previous, { x, y, w, h, ...(page ? { page } : {}) }];
}

const report = (a: AttachmentRow) => ({
  id: a.id,
  revision: a.revision,
  voucherNumber: a.voucherNumber,
  kind: a.kind,
  filename: a.filename,
  originalSha256: a.originalSha256,
  sha256: a.derivativeSha256,
  thumbnailSha256: a.thumbnailSha256,
  width: a.width,
  height: a.height,
  pages: a.pages,
  pageSha256s: a.pageViews.map((p) => p.sha256),
  redactions: a.redactions,
  confirmedBy: a.confirmedBy,
});

/**
 * Receipts and documents, as the API's mutations (the same service):
 * `pnpm cli attach --as fucun-kuaiji --village fucun --month 2026-11 --voucher 3 --file receipt.jpg [--kind receipt]
 * [--redact x,y,w,h …]`, `pnpm cli redact … --id N [--redact …]`, `pnpm cli confirm-attachment --as <supervisor> …
 * --id N`, `pnpm cli remove-attachment … --id N`.
 */
export function registerAttachmentCommands(program: Command): void {
  program
    .command('sweep-files')
    .description('remove stored files that no attachment names (older than an hour), as the API does daily')
    .option('--dry-run', 'only count what would be removed')
    .option('--grace-minutes <n>', 'keep files younger than this (default 60)')
    .action((opts: { dryRun?: boolean; graceMinutes?: string }) =>
      withDb(async (handle) => {
        const grace = opts.graceMinutes === undefined ? undefined : Number(opts.graceMinutes);
        if (grace !== undefined && !(Number.isFinite(grace) && grace >= 0)) {
          throw badInput(`--grace-minutes 应为非负数，收到“${opts.graceMinutes}”`, 'grace-minutes');
        }
        const result = await sweepFiles(handle.db, {
          dryRun: opts.dryRun === true,
          ...(grace === undefined ? {} : { graceMs: grace * 60_000 }),
        });
        return { ok: true, dryRun: opts.dryRun === true, ...result };
      }),
    );

  const monthOptions = (name: string, description: string, who: string) =>
    program
      .command(name)
      .description(description)
      .requiredOption('--as <user>', `act as this user (${who})`)
      .requiredOption('--village <slug>')
      .requiredOption('--month <YYYY-MM>');

  monthOptions(
    'attach',
    'attach an image (JPEG, PNG, WebP) or a PDF (≤ 20 pages) to a voucher or to the month',
    'the accountant or director',
  )
    .requiredOption('--file <path>', 'the image or PDF')
    .option('--voucher <number>', 'the voucher number; omit for a document of the month')
    .option('--kind <kind>', 'receipt, minutes, contract, tender or other', 'receipt')
    .option('--redact <x,y,w,h>', 'a rectangle to black out, fractions of the image (repeat for more)', redaction)
    .action(
      (opts: MonthOptions & { file: string; voucher?: string; kind: string; redact?: ReturnType<typeof redaction> }) =>
        withDb(async (handle) => {
          const actor = await actorAs(handle, opts.as);
          const voucherNumber = opts.voucher === undefined ? null : Number(opts.voucher);
          if (voucherNumber !== null && !Number.isInteger(voucherNumber)) {
            throw badInput(`--voucher 应为凭证号，收到“${opts.voucher}”`, 'voucher');
          }
          const row = await attachFile(handle.db, actor, {
            villageSlug: opts.village,
            ...parseMonth(opts.month),
            voucherNumber,
            kind: opts.kind,
            filename: basename(opts.file),
            // The path, not the bytes: the image worker reads the file, as it reads the API's streamed uploads.
            file: { path: opts.file, temporary: false },
            redactions: opts.redact ?? [],
          });
          return { ok: true, village: opts.village, month: opts.month, result: report(row) };
        }),
    );

  monthOptions('redact', 'set the redaction rectangles of an attachment (a new published view)', 'the committee')
    .requiredOption('--id <number>', 'the attachment number')
    .option('--redact <x,y,w,h>', 'a rectangle to black out (repeat; none clears them)', redaction)
    .action((opts: MonthOptions & { id: string; redact?: ReturnType<typeof redaction> }) =>
      withDb(async (handle) => {
        const actor = await actorAs(handle, opts.as);
        const row = await setRedactions(handle.db, actor, {
          villageSlug: opts.village,
          ...parseMonth(opts.month),
          id: Number(opts.id),
          redactions: opts.redact ?? [],
        });
        return { ok: true, village: opts.village, month: opts.month, result: report(row) };
      }),
    );

  monthOptions('confirm-attachment', 'confirm an attachment’s redaction', 'a supervisor assigned to the village')
    .requiredOption('--id <number>', 'the attachment number')
    .option('--sha256 <hash>', 'the published view you checked (refused if it changed since)')
    .action((opts: MonthOptions & { id: string; sha256?: string }) =>
      withDb(async (handle) => {
        const actor = await actorAs(handle, opts.as);
        const row = await confirmAttachment(handle.db, actor, {
          villageSlug: opts.village,
          ...parseMonth(opts.month),
          id: Number(opts.id),
          derivativeSha256: opts.sha256,
        });
        return { ok: true, village: opts.village, month: opts.month, result: report(row) };
      }),
    );

  monthOptions('remove-attachment', 'take an attachment off the month being prepared', 'the accountant or director')
    .requiredOption('--id <number>', 'the attachment number')
    .option('--reason <text>', 'why, for the audit log')
    .action((opts: MonthOptions & { id: string; reason?: string }) =>
      withDb(async (handle) => {
        const actor = await actorAs(handle, opts.as);
        await removeAttachment(handle.db, actor, {
          villageSlug: opts.village,
          ...parseMonth(opts.month),
          id: Number(opts.id),
          reason: opts.reason,
        });
        return { ok: true, village: opts.village, month: opts.month, result: { removed: Number(opts.id) } };
      }),
    );
}
