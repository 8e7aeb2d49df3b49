import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { queryRows, type DbOrTx, type Tx } from '@mingbai/db/client';
import { standardForYear } from '@mingbai/db/ledger/accounts';
import { appendAudit } from '@mingbai/db/ledger/audit';
import { assertMonthEnded, latestRevision, lockVillageLedger, openPeriod } from '@mingbai/db/ledger/periods';
import {
  copyConnection,
  copyImportedFile,
  copyVoucherSpool,
  postVouchers,
  VoucherSpool,
  type VoucherInput,
} from '@mingbai/db/ledger/post';
import { previousMonth } from '@mingbai/db/ledger/publish';
import { accounts, villageAccounts, type AccountClass } from '@mingbai/db/schema/accounts';
import { vouchers } from '@mingbai/db/schema/ledger';
import { importedFiles } from '@mingbai/db/schema/records';
import type { Context } from '../context.ts';
import { villageForAction } from '../committee/committee.service.ts';
import { isZip } from './parse/decode.ts';
import { IntList } from './parse/int-list.ts';
import {
  bufferSource,
  MAX_PROBLEMS,
  parseLedgerStream,
  readAll,
  type ByteSource,
  type StreamedLedger,
} from './parse/stream.ts';
import type { ImportErrorCode } from './parse/types.ts';

/** A problem found in the file, or one only the ledger can see (the month's state, the village's chart). */
export interface ImportProblem {
  row: number | null;
  column: string | null;
  code: ImportErrorCode;
  message: string;
}

/** An upload through the API (base64 in a GraphQL request). */
export const MAX_IMPORT_BYTES = 40 * 1024 * 1024;
/** A file the operator CLI reads from disk: streamed, so memory does not grow with it. */
export const MAX_FILE_IMPORT_BYTES = 512 * 1024 * 1024;

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
  /** The file's bytes (an upload), or `source` (a file on disk, read as a stream). */
  bytes?: Uint8Array | undefined;
  source?: ByteSource | undefined;
  maxBytes?: number | undefined;
  filename: string;
  year?: number | undefined;
  month?: number | undefined;
  /** Validate and preview only: nothing is written. */
  dryRun?: boolean | undefined;
  /** replace: the file is the whole month (default); append: its vouchers are added to what is there. */
  mode?: ImportMode | undefined;
  /** Called as each phase ends (hash, parse, check, and the writes), for measuring. */
  onPhase?: ((phase: string) => void) | undefined;
}

/**
 * Streaming parse → validate → preview → commit. A file with any problem is rejected whole, with every problem
 * listed, and writes nothing. A committed file is kept byte for byte; the same bytes again add nothing.
 */
export async function importLedger(ctx: Context, input: ImportInput): Promise<ImportReport> {
  input = { ...input, filename: safeFilename(input.filename) };
  const village = await villageForAction(ctx, input.villageSlug, 'import');
  if (input.year !== undefined && input.month !== undefined) assertMonthEnded({ year: input.year, month: input.month });
  const actor = ctx.viewer!.username;
  const source = input.source ?? bufferSource(input.bytes ?? new Uint8Array());
  const hash = createHash('sha256');
  const magic = new Uint8Array(4);
  let seen = 0;
  for await (const chunk of source.chunks()) {
    hash.update(chunk);
    if (seen < magic.length) {
      const part = chunk.subarray(0, magic.length - seen);
      magic.set(part, seen);
      seen += part.length;
    }
  }
  const sha256 = hash.digest('hex');
  // The parse reads any zip as an xlsx workbook, so the media type is known before it.
  const mediaType = seen === magic.length && isZip(magic) ? XLSX_MEDIA_TYPE : 'text/csv';
  const phase = input.onPhase ?? (() => {});
  phase('hash');
  const options = { year: input.year, month: input.month, maxBytes: input.maxBytes ?? MAX_IMPORT_BYTES };
  const mode = input.mode ?? 'replace';
  const previous = await previousImport(ctx.db, village.id, sha256);
  const copying = !input.dryRun && previous === undefined && copyConnection(ctx.db as never) !== undefined;
  const dir = copying ? await mkdtemp(join(tmpdir(), 'mingbai-import-')) : undefined;
  try {
    const tally = new Tally(dir ? new VoucherSpool(dir) : undefined, !input.dryRun && previous === undefined);
    const parse = async () => {
      const parsed = await parseLedgerStream(source, input.filename, options, tally);
      tally.spool?.close();
      phase('parse');
      return parsed;
    };
    const fileRow = { villageId: village.id, sha256, sizeBytes: source.size, filename: input.filename, mediaType };

    /** The report of a parsed file, and whether it may be written (`key`), from what only the database knows. */
    const settle = async (parsed: StreamedLedger): Promise<{ report: ImportReport; key?: LedgerKey }> => {
      const report: ImportReport = {
        status: 'rejected',
        sha256,
        sizeBytes: source.size,
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
      if (previous !== undefined)
        return { report: { ...report, status: 'already_imported', importId: previous, problems: [] } };
      const finish = (r: ImportReport): ImportReport => {
        const omitted = parsed.problemsOmitted + Math.max(0, r.problems.length - MAX_PROBLEMS);
        if (omitted === 0) return r;
        const problems = r.problems.slice(0, MAX_PROBLEMS);
        problems.push({
          row: null,
          column: null,
          code: 'TOO_MANY_PROBLEMS',
          message: `另有${omitted}个问题没有列出；请先改正上面这些，再上传一次`,
        });
        return { ...r, problems };
      };
      if (parsed.year === null || parsed.month === null) return { report: finish(report) };
      const key = { villageId: village.id, year: parsed.year, month: parsed.month };
      report.problems.push(...(await ledgerProblems(ctx.db, key, tally, parsed.numberOf, mode)));
      report.preview = await preview(ctx.db, key, tally);
      phase('check');
      if (report.problems.length > 0) return { report: finish(report) };
      if (input.dryRun) return { report: { ...report, status: 'preview' } };
      return { report, key };
    };

    /** Everything but the file, in the transaction that holds the village's ledger lock. */
    const write = async (
      tx: Tx,
      parsed: StreamedLedger,
      report: ImportReport,
      key: LedgerKey,
      importId: number,
    ): Promise<ImportReport> => {
      const latest = await latestRevision(tx, key);
      const revision = latest?.status === 'open' ? latest.revision : (await openPeriod(tx, { ...key, actor })).revision;
      if (mode === 'replace') {
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
      phase('replace');
      if (tally.spool) {
        await copyVoucherSpool(tx, {
          ...key,
          revision,
          actor,
          importId,
          spool: tally.spool,
          numberOf: parsed.numberOf,
          onPhase: input.onPhase,
        });
      } else {
        const list = tally.held.map((v, i) => ({ ...v, number: parsed.numberOf(i) }));
        await postVouchers(tx, { ...key, revision, actor, importId, vouchers: list });
      }
      phase('vouchers');
      await appendAudit(tx, {
        villageId: village.id,
        actor,
        action: 'import.commit',
        entity: 'period',
        entityKey: `${key.year}-${key.month}#${revision}`,
        importId,
        details: {
          sha256,
          filename: input.filename,
          format: parsed.format,
          encoding: parsed.encoding,
          mode,
          vouchers: tally.vouchers,
          lines: tally.lines,
        },
      });
      return { ...report, status: 'committed' as const, revision, importId };
    };

    if (!copying) {
      const parsed = await parse();
      const { report, key } = await settle(parsed);
      if (!key) return report;
      const committed = await ctx.db.transaction(async (tx) => {
        await lockVillageLedger(tx, village.id);
        const again = await previousImport(tx, village.id, sha256);
        if (again !== undefined) return { ...report, status: 'already_imported' as const, importId: again };
        const [row] = await tx
          .insert(importedFiles)
          .values({ ...fileRow, content: await readAll(source), uploadedBy: actor })
          .returning({ id: importedFiles.id });
        phase('file');
        return write(tx, parsed, report, key, Number(row!.id));
      });
      phase('commit');
      return committed;
    }

    // PostgreSQL: the file is kept (COPY, by PostgreSQL) while it is parsed (by us), in the transaction that then
    // writes the vouchers; a file with problems rolls it back, so nothing of it stays, as before.
    try {
      const committed = await ctx.db.transaction(async (tx) => {
        await lockVillageLedger(tx, village.id);
        const again = await previousImport(tx, village.id, sha256);
        const stored =
          again === undefined
            ? copyImportedFile(tx, { ...fileRow, uploadedBy: actor, chunks: () => source.chunks() })
            : undefined;
        stored?.catch(() => {});
        let parsed: StreamedLedger;
        try {
          parsed = await parse();
        } finally {
          await stored?.catch(() => {});
        }
        const importId = await stored;
        phase('file');
        const { report, key } = await settle(parsed);
        if (!key) throw new RolledBack(report);
        if (importId === undefined) throw new RolledBack({ ...report, status: 'already_imported', importId: again! });
        return write(tx, parsed, report, key, importId);
      });
      phase('commit');
      return committed;
    } catch (error) {
      if (error instanceof RolledBack) return error.report;
      throw error;
    }
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

type LedgerKey = { villageId: number; year: number; month: number };

/** Ends the import's transaction without writing anything, with the report to give. */
class RolledBack extends Error {
  constructor(readonly report: ImportReport) {
    super('import rolled back');
  }
}

/**
 * The name a file is kept and shown under: its last path segment, without control, invisible or bidirectional
 * characters (PostgreSQL refuses NUL; CR/LF would break a download header; U+202E would disguise the extension).
 */
export function safeFilename(name: string): string {
  const last = name.split(/[/\\]/).pop() ?? '';
  const clean = last
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/g, '')
    .trim();
  const short = [...clean].slice(0, 200).join('');
  return short === '' || short === '.' || short === '..' ? 'upload' : short;
}

interface CodeUse {
  /** Line ordinal and voucher row of the first line with this account, and of the first without a name. */
  first: number;
  firstRow: number;
  unnamed: number;
  unnamedRow: number;
}

/**
 * What the import needs to know of the vouchers read, kept small: counts, sums by first-level account, cash movement,
 * the accounts used and where, voucher numbers; the vouchers themselves go to the spool (PostgreSQL) or, on PGlite or
 * for a preview, are held only when they will be written.
 */
class Tally {
  vouchers = 0;
  lines = 0;
  debitTotal = 0n;
  cashMovement = 0n;
  /** First-level account → [debit, credit]. */
  readonly byTop = new Map<string, [bigint, bigint]>();
  readonly codes = new Map<string, CodeUse>();
  readonly rows = new IntList();
  readonly held: VoucherInput[] = [];

  constructor(
    readonly spool: VoucherSpool | undefined,
    private readonly hold: boolean,
  ) {}

  voucher(v: VoucherInput, ordinal: number, row: number): void {
    this.vouchers++;
    this.rows.push(row);
    for (const l of v.lines) {
      const at = this.lines++;
      const top = l.accountCode.slice(0, 3);
      let sums = this.byTop.get(top);
      if (!sums) this.byTop.set(top, (sums = [0n, 0n]));
      if (l.side === 'debit') {
        this.debitTotal += l.amountFen;
        sums[0] += l.amountFen;
      } else sums[1] += l.amountFen;
      if (top === '101' || top === '102') this.cashMovement += l.side === 'debit' ? l.amountFen : -l.amountFen;
      let use = this.codes.get(l.accountCode);
      if (!use) this.codes.set(l.accountCode, (use = { first: at, firstRow: row, unnamed: -1, unnamedRow: 0 }));
      if (use.unnamed < 0 && !l.accountName?.trim()) {
        use.unnamed = at;
        use.unnamedRow = row;
      }
    }
    if (this.spool) this.spool.add(v, ordinal);
    else if (this.hold) this.held.push(v);
  }

  reset(): void {
    this.vouchers = 0;
    this.lines = 0;
    this.debitTotal = 0n;
    this.cashMovement = 0n;
    this.byTop.clear();
    this.codes.clear();
    this.rows.clear();
    this.held.length = 0;
    this.spool?.reset();
  }
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
  tally: Tally,
  numberOf: (ordinal: number) => number,
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
  const codes = [...tally.codes.keys()];
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
  // In the order the lines come, as when every voucher was held: each account once, at its first offending line.
  const found: { at: number; problem: ImportProblem }[] = [];
  for (const [code, use] of tally.codes) {
    if (!national.has(code.slice(0, 3))) {
      found.push({
        at: use.first,
        problem: {
          row: use.firstRow,
          column: null,
          code: 'ACCOUNT_UNKNOWN',
          message: `科目“${code}”不在${key.year < 2024 ? '2004年' : '2023年'}会计制度的科目表中（一级科目${code.slice(0, 3)}不存在）`,
        },
      });
    } else if (code.length > 3 && !known.has(code) && use.unnamed >= 0) {
      found.push({
        at: use.unnamed,
        problem: {
          row: use.unnamedRow,
          column: null,
          code: 'ACCOUNT_UNKNOWN',
          message: `明细科目“${code}”本村尚未使用过，请在“科目名称”列写明名称`,
        },
      });
    }
  }
  problems.push(...found.sort((a, b) => a.at - b.at).map((f) => f.problem));

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
    for (let i = 0; i < tally.vouchers; i++) {
      const number = numberOf(i);
      if (used.has(number)) {
        problems.push({
          row: tally.rows.get(i) ?? null,
          column: null,
          code: 'VOUCHER_DUPLICATE',
          message: `第${number}号凭证本月已有；追加上传时凭证号不能重复`,
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
  tally: Tally,
): Promise<ImportPreview> {
  const standard = standardForYear(key.year);
  const chart = await db
    .select({ code: accounts.code, name: accounts.name, cls: accounts.class })
    .from(accounts)
    .where(eq(accounts.standard, standard));
  const byCode = new Map<string, { name: string; cls: AccountClass }>(
    chart.map((a) => [a.code, { name: a.name, cls: a.cls }]),
  );
  const categories: CategoryPreview[] = [];
  let income = 0n;
  let spending = 0n;
  for (const [top, [debit, credit]] of tally.byTop) {
    const account = byCode.get(top);
    if (account?.cls === 'income' && credit > 0n) {
      income += credit;
      categories.push({ code: top, name: account.name, kind: 'income', amountFen: credit });
    } else if (account?.cls === 'expense' && debit > 0n) {
      spending += debit;
      categories.push({ code: top, name: account.name, kind: 'spending', amountFen: debit });
    }
  }
  const opening = await openingCash(db, key);
  return {
    vouchers: tally.vouchers,
    lines: tally.lines,
    debitTotalFen: tally.debitTotal,
    incomeFen: income,
    spendingFen: spending,
    byCategory: categories.sort((a, b) => a.code.localeCompare(b.code)),
    openingBalanceFen: opening,
    closingBalanceFen: opening + tally.cashMovement,
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
