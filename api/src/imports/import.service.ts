import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { queryRows, type Db, type DbOrTx } from '@mingbai/db/client';
import { standardForYear } from '@mingbai/db/ledger/accounts';
import { accountFlow, categoryKind, isCashAccountSql } from '@mingbai/db/ledger/flows';
import { importedIntoLatest, importFile, type ImportCheck } from '@mingbai/db/ledger/import';
import { assertMonthEnded, latestRevision, type PeriodKey } from '@mingbai/db/ledger/periods';
import { evaluateCollected, redFlagsOf, type RedFlagFound } from '@mingbai/db/ledger/red-flags';
import type { PaymentBook } from '@mingbai/db/ledger/red-flag-engine';
import { accounts, villageAccounts, type AccountClass } from '@mingbai/db/schema/accounts';
import { vouchers } from '@mingbai/db/schema/ledger';
import { villageForAction, type Actor } from '../auth/village-access.ts';
import { importLimits, importSlots } from './import-slots.ts';
import { openingBasis, type OpeningBasis } from './opening-basis.ts';
import { isZip } from './parse/decode.ts';
import { bufferSource, MAX_PROBLEMS, type ByteSource } from './parse/stream.ts';
import { parseInWorker } from './parse-in-worker.ts';
import { runParse, type ParseJob, type ParseOutcome } from './parse-job.ts';
import type { TallySnapshot } from './tally.ts';
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
  /** What the opening balance starts from (a published closing, the books, months not yet published). */
  openingBasis: OpeningBasis;
  /** Vouchers the month holds now: replaced by the file, or kept beside it when appending. */
  existingVouchers: number;
  mode: ImportMode;
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
  /** What the file holds that is allowed but probably a mistake (every line of a voucher twice); never blocks alone. */
  warnings: ImportProblem[];
  preview: ImportPreview | null;
  importId: number | null;
  /**
   * The month's red flags once the file is imported, judged by the rules in force today: what the supervisor will
   * see and the committee must answer before publishing. Empty when nothing was written (a dry run, a rejection): the
   * rules read the month as stored, across the months before it.
   */
  redFlags: RedFlagFound[];
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
  /** The uploader confirms that vouchers whose every line appears twice are meant so (otherwise they are refused). */
  confirmRepeatedLines?: boolean | undefined;
  /** Called as each phase ends (hash, parse, check, and the writes), for measuring. */
  onPhase?: ((phase: string) => void) | undefined;
  /** Called as a file on disk (`source`) is hashed, read and written, for a progress line at a terminal. */
  onProgress?: ((progress: ImportProgress) => void) | undefined;
}

/** How far an import of a file on disk has come. */
export interface ImportProgress {
  step: 'hash' | 'read' | 'write';
  /** The row the last voucher read starts on (while reading). */
  rows: number;
  /** Bytes of the file read in this step, of `totalBytes`. */
  bytes: number;
  totalBytes: number;
}

/**
 * Streaming parse → validate → preview → commit. A file with any problem is rejected whole, with every problem
 * listed, and writes nothing. A committed file is kept byte for byte; the same bytes again into the same revision of
 * the month add nothing. An upload (`bytes`) is read in a worker thread with a memory cap; at most IMPORT_CONCURRENCY
 * imports run at once in a process, IMPORT_QUEUE more wait, and beyond that the upload is refused (IMPORT_BUSY).
 */
export async function importLedger(db: Db, actor: Actor, input: ImportInput): Promise<ImportReport> {
  input = { ...input, filename: safeFilename(input.filename) };
  const village = await villageForAction(actor, input.villageSlug, 'import');
  if (input.year !== undefined && input.month !== undefined) assertMonthEnded({ year: input.year, month: input.month });
  const release = await importSlots.acquire();
  try {
    return await readAndImport(db, actor.viewer!.username, village.id, input);
  } finally {
    release();
  }
}

/** Hashes, parses and checks the file, then hands what it holds to the ledger's import, which writes it all. */
async function readAndImport(db: Db, actor: string, villageId: number, input: ImportInput): Promise<ImportReport> {
  const source = input.source ?? bufferSource(input.bytes ?? new Uint8Array());
  const hash = createHash('sha256');
  const magic = new Uint8Array(4);
  let seen = 0;
  const progress = input.onProgress ?? (() => {});
  let hashed = 0;
  for await (const chunk of source.chunks()) {
    hash.update(chunk);
    hashed += chunk.byteLength;
    progress({ step: 'hash', rows: 0, bytes: hashed, totalBytes: source.size });
    if (seen < magic.length) {
      const part = chunk.subarray(0, magic.length - seen);
      magic.set(part, seen);
      seen += part.length;
    }
  }
  const sha256 = hash.digest('hex');
  // The parse reads any zip as an xlsx workbook, so the media type is known before it.
  const mediaType = seen === magic.length && isZip(magic) ? XLSX_MEDIA_TYPE : 'text/csv';
  const onPhase = input.onPhase ?? (() => {});
  // The parse reads the file again (more than once when it tries another encoding): bytes count from each start.
  let rowsRead = 0;
  let parseBytes = 0;
  const phase = (name: string) => {
    onPhase(name);
    if (name === 'parse') progress({ step: 'write', rows: rowsRead, bytes: 0, totalBytes: source.size });
  };
  phase('hash');
  const counted: ByteSource = {
    size: source.size,
    async *chunks() {
      parseBytes = 0;
      for await (const chunk of source.chunks()) {
        parseBytes += chunk.byteLength;
        progress({ step: 'read', rows: rowsRead, bytes: parseBytes, totalBytes: source.size });
        yield chunk;
      }
    },
  };
  const onVoucher = input.onProgress
    ? (row: number) => {
        rowsRead = Math.max(rowsRead, row);
        progress({ step: 'read', rows: rowsRead, bytes: parseBytes, totalBytes: source.size });
      }
    : undefined;
  const options = { year: input.year, month: input.month, maxBytes: input.maxBytes ?? MAX_IMPORT_BYTES };
  const mode = input.mode ?? 'replace';
  // The vouchers are spooled to disk as they are read, for the ledger's COPY (a preview's too: it is written, judged
  // by the red-flag rules and rolled back).
  const dir = await mkdtemp(join(tmpdir(), 'mingbai-import-'));
  try {
    const job: ParseJob = { filename: input.filename, options, spoolDir: dir };
    /** What the file holds; 'too-complex' when reading it needed more memory than a worker may have. */
    const parse = async (): Promise<ParseOutcome | 'too-complex'> => {
      const outcome = input.bytes
        ? await parseInWorker(input.bytes, job, importLimits.workerHeapMb)
        : await runParse(input.onProgress ? counted : source, job, onVoucher);
      phase('parse');
      return outcome;
    };

    /** The report of a parsed file, and what to write when it may be written, from what only the database knows. */
    const settle = async (db: DbOrTx, outcome: ParseOutcome | 'too-complex'): Promise<ImportCheck<ImportReport>> => {
      const base: ImportReport = {
        status: 'rejected',
        sha256,
        sizeBytes: source.size,
        filename: input.filename,
        format: null,
        encoding: null,
        year: null,
        month: null,
        revision: null,
        rows: 0,
        problems: [],
        warnings: [],
        preview: null,
        importId: null,
        redFlags: [],
      };
      if (outcome === 'too-complex') {
        const problem: ImportProblem = { row: null, column: null, code: 'FILE_TOO_COMPLEX', message: TOO_COMPLEX };
        return { report: { ...base, problems: [problem] } };
      }
      const { ledger: parsed, tally } = outcome;
      const report: ImportReport = {
        ...base,
        format: parsed.format,
        encoding: parsed.encoding,
        year: parsed.year,
        month: parsed.month,
        rows: parsed.rows,
        problems: [...parsed.problems],
      };
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
      const key = { villageId, year: parsed.year, month: parsed.month };
      const previous = await importedIntoLatest(db, key, sha256);
      if (previous !== undefined) return { report: { ...report, status: 'already_imported', importId: previous } };
      report.problems.push(...(await ledgerProblems(db, key, tally, parsed.numbers, mode)));
      report.warnings = repeatedLineWarnings(tally, parsed.numbers);
      if (report.warnings.length > 0 && !input.confirmRepeatedLines && !input.dryRun) {
        report.problems.push(repeatedLinesRefusal(tally, parsed.numbers));
      }
      report.preview = await preview(db, key, tally, mode);
      phase('check');
      if (report.problems.length > 0) return { report: finish(report) };
      const numberOf = (ordinal: number) => parsed.numbers[ordinal]!;
      return {
        report,
        write: {
          key,
          mode,
          spool: tally.spool!,
          numberOf,
          details: {
            format: parsed.format,
            encoding: parsed.encoding,
            vouchers: tally.vouchers,
            lines: tally.lines,
            ...(report.warnings.length > 0 ? { repeatedLinesConfirmed: repeatedOrdinals(tally).map(numberOf) } : {}),
          },
        },
      };
    };

    const result = await importFile(db, {
      file: {
        villageId,
        sha256,
        sizeBytes: source.size,
        filename: input.filename,
        mediaType,
        uploadedBy: actor,
        chunks: () => source.chunks(),
      },
      read: parse,
      check: settle,
      // A preview shows the month's red flags as the committed upload would: written, judged, rolled back.
      rehearse: input.dryRun
        ? async (tx, report, { revision, payments }): Promise<ImportReport> => ({
            ...report,
            status: 'preview',
            redFlags: await flagsOfUpload(
              tx,
              { villageId, year: report.year!, month: report.month!, revision },
              payments,
            ),
          })
        : undefined,
      onPhase: input.onPhase,
    });
    if (result.status === 'checked') return result.report;
    phase('commit');
    const redFlags = await flagsOfUpload(
      db,
      { villageId, year: result.report.year!, month: result.report.month!, revision: result.revision },
      result.payments,
    );
    phase('red flags');
    return { ...result.report, status: 'committed', revision: result.revision, importId: result.importId, redFlags };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The red flags of the month an upload wrote: from the payments collected as it was written, when it collected them. */
function flagsOfUpload(
  db: DbOrTx,
  key: PeriodKey & { revision: number },
  payments: PaymentBook | undefined,
): Promise<RedFlagFound[]> {
  return payments ? evaluateCollected(db, key, payments) : redFlagsOf(db, key);
}

const TOO_COMPLEX =
  '这个文件太复杂，读取它需要的内存超过了一次导入的上限，没有导入任何内容；请检查文件（例如多余的空行、隐藏的工作表或大量不同的文字），按月分开导出，或另存为 CSV 后再上传';

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

const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Whether the file looks pasted in twice, voucher by voucher: at least 2 vouchers, and a quarter of them, identical to
 * an earlier one but for their number (as a cash book numbered 1…n pasted twice gives). One pair alone is left be:
 * two equal payments on one day happen, and a million generated lines hold a chance pair.
 */
function looksPasted(tally: TallySnapshot): boolean {
  const twins = tally.twins.length / 2;
  return twins >= 2 && twins * 4 >= tally.vouchers;
}

/** Ordinals of the vouchers to be confirmed: every line twice, or (when the file looks pasted) a twin's copy. */
function repeatedOrdinals(tally: TallySnapshot): number[] {
  const ordinals = new Set(tally.repeated);
  if (looksPasted(tally)) for (let i = 0; i < tally.twins.length; i += 2) ordinals.add(tally.twins[i]!);
  return [...ordinals].sort((a, b) => a - b);
}

/** One warning per voucher whose lines are repeated (an export pasted in twice), by row. */
function repeatedLineWarnings(tally: TallySnapshot, numbers: Int32Array): ImportProblem[] {
  const warnings: ImportProblem[] = [...tally.repeated].map((ordinal) => ({
    row: tally.rows[ordinal] ?? null,
    column: null,
    code: 'VOUCHER_LINES_REPEATED' as const,
    message: `第${numbers[ordinal]}号凭证的每条分录都出现了两次或更多，像是同一份导出粘贴了两遍`,
  }));
  if (looksPasted(tally)) {
    for (let i = 0; i < tally.twins.length; i += 2) {
      const [ordinal, earlier] = [tally.twins[i]!, tally.twins[i + 1]!];
      warnings.push({
        row: tally.rows[ordinal] ?? null,
        column: null,
        code: 'VOUCHER_REPEATED',
        message: `第${numbers[ordinal]}号凭证与第${numbers[earlier]}号凭证的日期、摘要和每条分录都相同，像是同一份导出粘贴了两遍`,
      });
    }
  }
  return warnings.sort((a, b) => (a.row ?? 0) - (b.row ?? 0)).slice(0, MAX_PROBLEMS);
}

/** The refusal of a file with such vouchers, unless the uploader confirmed they are meant. */
function repeatedLinesRefusal(tally: TallySnapshot, numbers: Int32Array): ImportProblem {
  const ordinals = repeatedOrdinals(tally);
  const listed = ordinals.slice(0, 20).map((o) => numbers[o]);
  const more = ordinals.length > listed.length ? `等${ordinals.length}张` : '';
  return {
    row: null,
    column: null,
    code: 'REPEATED_LINES_UNCONFIRMED',
    message:
      `第${listed.join('、')}号${more}凭证的分录重复出现，本次没有导入。` +
      '如果是同一份导出粘贴了两遍，请删去重复的行后重新上传；如果这些分录确实如此，请确认后再上传' +
      '（上传页勾选“分录重复是有意的”，命令行加 --confirm-repeated-lines，接口传 confirmRepeatedLines: true）',
  };
}

/** What only the database can tell: the month's state, the village's chart, numbers already used. */
async function ledgerProblems(
  db: DbOrTx,
  key: { villageId: number; year: number; month: number },
  tally: TallySnapshot,
  numbers: Int32Array,
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
      const number = numbers[i]!;
      if (used.has(number)) {
        problems.push({
          row: tally.rows[i] ?? null,
          column: null,
          code: 'VOUCHER_DUPLICATE',
          message: `第${number}号凭证本月已有；追加上传时凭证号不能重复`,
        });
      }
    }
  }
  return problems;
}

/**
 * Counts, totals by category and the balances the month would have: the opening from the last certain balance and the
 * months between (`openingBasis`), the closing from it, the file's cash movement and, when appending, the movement of
 * the vouchers the month keeps.
 */
async function preview(
  db: DbOrTx,
  key: { villageId: number; year: number; month: number },
  tally: TallySnapshot,
  mode: ImportMode,
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
    const kind = account && categoryKind(account.cls);
    if (!account || !kind) continue;
    const flow = accountFlow({ accountClass: account.cls, accountCode: top }, debit, credit);
    income += flow.incomeFen;
    spending += flow.spendingFen;
    const amountFen = kind === 'income' ? flow.incomeFen : flow.spendingFen;
    if (amountFen > 0n) categories.push({ code: top, name: account.name, kind, amountFen });
  }
  const basis = await openingBasis(db, key);
  const existing = await openMonthNow(db, key);
  const kept = mode === 'append' ? existing.cashMovementFen : 0n;
  return {
    vouchers: tally.vouchers,
    lines: tally.lines,
    debitTotalFen: tally.debitTotal,
    incomeFen: income,
    spendingFen: spending,
    byCategory: categories.sort((a, b) => a.code.localeCompare(b.code)),
    openingBalanceFen: basis.openingFen,
    closingBalanceFen: basis.openingFen + kept + tally.cashMovement,
    openingBasis: basis,
    existingVouchers: existing.vouchers,
    mode,
  };
}

/** The vouchers of the month's newest revision while it is open, and their cash and bank movement. */
async function openMonthNow(
  db: DbOrTx,
  key: { villageId: number; year: number; month: number },
): Promise<{ vouchers: number; cashMovementFen: bigint }> {
  const [row] = await queryRows<{ vouchers: number; fen: string }>(
    db,
    sql`with latest as (
          select p.revision from periods p
           where p.village_id = ${key.villageId} and p.year = ${key.year} and p.month = ${key.month} and p.status = 'open'
             and p.revision = (select max(revision) from periods q where q.village_id = p.village_id
                                 and q.year = p.year and q.month = p.month)
        )
        select (select count(*) from vouchers v, latest where v.village_id = ${key.villageId} and v.year = ${key.year}
                   and v.month = ${key.month} and v.revision = latest.revision)::int as vouchers,
               (select coalesce(sum(case when l.side = 'debit' then l.amount_fen else -l.amount_fen end), 0)
                  from vouchers v join voucher_lines l on l.village_id = v.village_id and l.voucher_id = v.id, latest
                 where v.village_id = ${key.villageId} and v.year = ${key.year} and v.month = ${key.month}
                   and v.revision = latest.revision and ${sql.raw(isCashAccountSql('l.account_code'))})::text as fen`,
  );
  return { vouchers: row?.vouchers ?? 0, cashMovementFen: BigInt(row?.fen ?? '0') };
}
