import { createHash } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '@mingbai/db/client';
import { standardForYear } from '@mingbai/db/ledger/accounts';
import { appendAudit } from '@mingbai/db/ledger/audit';
import { latestRevision, lockVillageLedger, openPeriod } from '@mingbai/db/ledger/periods';
import { postVouchers, type VoucherInput } from '@mingbai/db/ledger/post';
import { previousMonth } from '@mingbai/db/ledger/publish';
import { accounts, villageAccounts, type AccountClass } from '@mingbai/db/schema/accounts';
import { vouchers } from '@mingbai/db/schema/ledger';
import { importedFiles } from '@mingbai/db/schema/records';
import type { Context } from '../context.ts';
import { villageForAction } from '../committee/committee.service.ts';
import { parseLedgerFile } from './parse/parse-ledger.ts';
import type { ImportErrorCode, ParsedLedger } from './parse/types.ts';

/** A problem found in the file, or one only the ledger can see (the month's state, the village's chart). */
export interface ImportProblem {
  row: number | null;
  column: string | null;
  code: ImportErrorCode | 'ACCOUNT_UNKNOWN' | 'MONTH_PUBLISHED' | 'MONTH_SUBMITTED';
  message: string;
}

export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

export type ImportMode = 'replace' | 'append';
export type ImportStatus = 'rejected' | 'preview' | 'committed' | 'already_imported';

export interface CategoryPreview {
  code: string;
  name: string;
  kind: 'income' | 'spending';
  amountFen: bigint;
}

export interface ImportPreview {
  vouchers: number;
  lines: number;
  debitTotalFen: bigint;
  incomeFen: bigint;
  spendingFen: bigint;
  byCategory: CategoryPreview[];
  openingBalanceFen: bigint;
  closingBalanceFen: bigint;
}

export interface ImportReport {
  status: ImportStatus;
  sha256: string;
  sizeBytes: number;
  filename: string;
  format: string | null;
  encoding: string | null;
  year: number | null;
  month: number | null;
  revision: number | null;
  rows: number;
  problems: ImportProblem[];
  preview: ImportPreview | null;
  importId: number | null;
}

export interface ImportInput {
  villageSlug: string;
  bytes: Uint8Array;
  filename: string;
  year?: number | undefined;
  month?: number | undefined;
  /** Validate and preview only: nothing is written. */
  dryRun?: boolean | undefined;
  /** replace: the file is the whole month (default); append: its vouchers are added to what is there. */
  mode?: ImportMode | undefined;
}

/**
 * Streaming parse → validate → preview → commit. A file with any problem is rejected whole, with every problem
 * listed, and writes nothing. A committed file is kept byte for byte; the same bytes again add nothing.
 */
export async function importLedger(ctx: Context, input: ImportInput): Promise<ImportReport> {
  const village = await villageForAction(ctx, input.villageSlug, 'import');
  const actor = ctx.viewer!.username;
  const sha256 = createHash('sha256').update(input.bytes).digest('hex');
  const parsed = await parseLedgerFile(input.bytes, input.filename, {
    year: input.year,
    month: input.month,
    maxBytes: MAX_IMPORT_BYTES,
  });
  const report: ImportReport = {
    status: 'rejected',
    sha256,
    sizeBytes: input.bytes.byteLength,
    filename: input.filename,
    format: parsed.format,
    encoding: parsed.encoding,
    year: parsed.year,
    month: parsed.month,
    revision: null,
    rows: parsed.rows,
    problems: [...parsed.problems],
    preview: null,
    importId: null,
  };

  const previous = await previousImport(ctx.db, village.id, sha256);
  if (previous !== undefined) return { ...report, status: 'already_imported', importId: previous, problems: [] };
  if (parsed.year === null || parsed.month === null) return report;
  const key = { villageId: village.id, year: parsed.year, month: parsed.month };

  report.problems.push(...(await ledgerProblems(ctx.db, key, parsed, input.mode ?? 'replace')));
  report.preview = await preview(ctx.db, key, parsed.vouchers);
  if (report.problems.length > 0) return report;
  if (input.dryRun) return { ...report, status: 'preview' };

  return ctx.db.transaction(async (tx) => {
    await lockVillageLedger(tx, village.id);
    const again = await previousImport(tx, village.id, sha256);
    if (again !== undefined) return { ...report, status: 'already_imported' as const, importId: again };
    const latest = await latestRevision(tx, key);
    const revision = latest?.status === 'open' ? latest.revision : (await openPeriod(tx, { ...key, actor })).revision;
    const [file] = await tx
      .insert(importedFiles)
      .values({
        villageId: village.id,
        sha256,
        content: input.bytes,
        sizeBytes: input.bytes.byteLength,
        filename: input.filename,
        mediaType: parsed.encoding === 'xlsx' ? XLSX_MEDIA_TYPE : 'text/csv',
        uploadedBy: actor,
      })
      .returning({ id: importedFiles.id });
    if ((input.mode ?? 'replace') === 'replace') {
      await tx
        .delete(vouchers)
        .where(
          and(
            eq(vouchers.villageId, village.id),
            eq(vouchers.year, key.year),
            eq(vouchers.month, key.month),
            eq(vouchers.revision, revision),
          ),
        );
    }
    await postVouchers(tx, { ...key, revision, actor, importId: file!.id, vouchers: parsed.vouchers });
    await appendAudit(tx, {
      villageId: village.id,
      actor,
      action: 'import.commit',
      entity: 'period',
      entityKey: `${key.year}-${key.month}#${revision}`,
      importId: file!.id,
      details: {
        sha256,
        filename: input.filename,
        format: parsed.format,
        encoding: parsed.encoding,
        mode: input.mode ?? 'replace',
        vouchers: parsed.vouchers.length,
        lines: parsed.vouchers.reduce((n, v) => n + v.lines.length, 0),
      },
    });
    return { ...report, status: 'committed' as const, revision, importId: file!.id };
  });
}

const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The file's id when these exact bytes were already imported into this village's ledger. */
async function previousImport(db: DbOrTx, villageId: number, sha256: string): Promise<number | undefined> {
  const [row] = await queryRows<{ id: number }>(
    db,
    sql`select f.id from imported_files f
         where f.village_id = ${villageId} and f.sha256 = ${sha256}
           and exists (select 1 from vouchers v where v.village_id = f.village_id and v.import_id = f.id)`,
  );
  return row ? Number(row.id) : undefined;
}

/** What only the database can tell: the month's state, the village's chart, numbers already used. */
async function ledgerProblems(
  db: DbOrTx,
  key: { villageId: number; year: number; month: number },
  parsed: ParsedLedger,
  mode: ImportMode,
): Promise<ImportProblem[]> {
  const problems: ImportProblem[] = [];
  const latest = await latestRevision(db, key);
  if (latest?.status === 'published') {
    problems.push({
      row: null,
      column: null,
      code: 'MONTH_PUBLISHED',
      message: `${key.year}年${key.month}月已公开，不能再上传；如需更正，请村主任先开更正版本并写明原因`,
    });
  } else if (latest?.status === 'submitted') {
    problems.push({
      row: null,
      column: null,
      code: 'MONTH_SUBMITTED',
      message: `${key.year}年${key.month}月已提交审核，请先撤回再上传`,
    });
  }

  const standard = standardForYear(key.year);
  const codes = [...new Set(parsed.vouchers.flatMap((v) => v.lines.map((l) => l.accountCode)))];
  const national = new Set(
    (
      await db
        .select({ code: accounts.code })
        .from(accounts)
        .where(
          and(
            eq(accounts.standard, standard),
            inArray(accounts.code, [...new Set(codes.map((c) => c.slice(0, 3))), '']),
          ),
        )
    ).map((a) => a.code),
  );
  const known = new Set(
    (
      await db
        .select({ code: villageAccounts.code })
        .from(villageAccounts)
        .where(
          and(
            eq(villageAccounts.villageId, key.villageId),
            eq(villageAccounts.standard, standard),
            inArray(villageAccounts.code, [...codes, '']),
          ),
        )
    ).map((a) => a.code),
  );
  const reported = new Set<string>();
  for (const v of parsed.vouchers) {
    for (const line of v.lines) {
      const code = line.accountCode;
      if (reported.has(code)) continue;
      const row = parsed.firstRowOf.get(v.number) ?? null;
      if (!national.has(code.slice(0, 3))) {
        reported.add(code);
        problems.push({
          row,
          column: null,
          code: 'ACCOUNT_UNKNOWN',
          message: `科目“${code}”不在${key.year < 2024 ? '2004年' : '2023年'}会计制度的科目表中（一级科目${code.slice(0, 3)}不存在）`,
        });
      } else if (code.length > 3 && !known.has(code) && !line.accountName?.trim()) {
        reported.add(code);
        problems.push({
          row,
          column: null,
          code: 'ACCOUNT_UNKNOWN',
          message: `明细科目“${code}”本村尚未使用过，请在“科目名称”列写明名称`,
        });
      }
    }
  }

  if (mode === 'append' && latest?.status === 'open') {
    const used = new Set(
      (
        await db
          .select({ number: vouchers.number })
          .from(vouchers)
          .where(
            and(
              eq(vouchers.villageId, key.villageId),
              eq(vouchers.year, key.year),
              eq(vouchers.month, key.month),
              eq(vouchers.revision, latest.revision),
            ),
          )
      ).map((v) => v.number),
    );
    for (const v of parsed.vouchers) {
      if (used.has(v.number)) {
        problems.push({
          row: parsed.firstRowOf.get(v.number) ?? null,
          column: null,
          code: 'VOUCHER_DUPLICATE',
          message: `第${v.number}号凭证本月已有；追加上传时凭证号不能重复`,
        });
      }
    }
  }
  return problems;
}

/** Counts, totals by category and the balances the month would have, from the file and last month's closing. */
async function preview(
  db: DbOrTx,
  key: { villageId: number; year: number; month: number },
  list: VoucherInput[],
): Promise<ImportPreview> {
  const standard = standardForYear(key.year);
  const chart = await db
    .select({ code: accounts.code, name: accounts.name, cls: accounts.class })
    .from(accounts)
    .where(eq(accounts.standard, standard));
  const byCode = new Map<string, { name: string; cls: AccountClass }>(
    chart.map((a) => [a.code, { name: a.name, cls: a.cls }]),
  );
  const categories = new Map<string, CategoryPreview>();
  let debitTotal = 0n;
  let income = 0n;
  let spending = 0n;
  let cashMovement = 0n;
  let lines = 0;
  for (const v of list) {
    for (const l of v.lines) {
      lines++;
      const top = l.accountCode.slice(0, 3);
      const account = byCode.get(top);
      if (l.side === 'debit') debitTotal += l.amountFen;
      if (top === '101' || top === '102') cashMovement += l.side === 'debit' ? l.amountFen : -l.amountFen;
      const kind =
        account?.cls === 'income' && l.side === 'credit'
          ? 'income'
          : account?.cls === 'expense' && l.side === 'debit'
            ? 'spending'
            : undefined;
      if (!kind) continue;
      if (kind === 'income') income += l.amountFen;
      else spending += l.amountFen;
      const cat = categories.get(top) ?? { code: top, name: account!.name, kind, amountFen: 0n };
      cat.amountFen += l.amountFen;
      categories.set(top, cat);
    }
  }
  const opening = await openingCash(db, key);
  return {
    vouchers: list.length,
    lines,
    debitTotalFen: debitTotal,
    incomeFen: income,
    spendingFen: spending,
    byCategory: [...categories.values()].sort((a, b) => a.code.localeCompare(b.code)),
    openingBalanceFen: opening,
    closingBalanceFen: opening + cashMovement,
  };
}

/** Cash + bank at the start of the month: last month's published closing, or the books' opening balances. */
async function openingCash(db: DbOrTx, key: { villageId: number; year: number; month: number }): Promise<bigint> {
  const prev = previousMonth(key.year, key.month);
  const [row] = await queryRows<{ fen: string | null }>(
    db,
    sql`select coalesce(
          (select sum(r.closing_fen) from statement_rollups r
            where r.village_id = ${key.villageId} and r.year = ${prev.year} and r.month = ${prev.month}
              and left(r.account_code, 3) in ('101', '102')
              and r.revision = (select max(revision) from periods p where p.village_id = ${key.villageId}
                                  and p.year = ${prev.year} and p.month = ${prev.month} and p.status = 'published')),
          (select sum(balance_fen) from opening_balances o
            where o.village_id = ${key.villageId} and o.year = ${key.year} and o.month = ${key.month}
              and left(o.account_code, 3) in ('101', '102')),
          0)::text as fen`,
  );
  return BigInt(row?.fen ?? '0');
}
