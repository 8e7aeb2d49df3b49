import { createReadStream } from 'node:fs';
import { and, eq, sql } from 'drizzle-orm';
import { queryRows, type BulkConnection, type Tx } from '../client.ts';
import type { AccountClass, AccountStandard } from '../schema/accounts.ts';
import { periods, voucherLines, vouchers, type LineSide } from '../schema/ledger.ts';
import { ensureVillageAccounts } from './accounts.ts';
import { appendAudit } from './audit.ts';
import { LedgerError } from './errors.ts';
import { createTextMasker, maskName } from './privacy.ts';
import { dateOfDay, daysOf, voucherWords, type EngineLine, type PaymentBook } from './red-flag-engine.ts';
import { copyField, SPOOL_BUFFER_BYTES, type SpooledVouchers } from './spool.ts';
import type { LineInput, VoucherInput } from './voucher-input.ts';

export interface PostVouchersInput {
  villageId: number;
  year: number;
  month: number;
  revision: number;
  actor: string;
  importId?: number | undefined;
  vouchers: VoucherInput[];
}

/** Lines per INSERT: a few MB of JSON; a voucher's lines never split across statements. */
const LINES_PER_STATEMENT = 20_000;

/**
 * Writes vouchers into an open period revision. Checks every rule first and refuses the whole batch on the first
 * broken one; the database checks balance and period status again on its own.
 */
export async function postVouchers(tx: Tx, input: PostVouchersInput): Promise<{ voucherIds: number[] }> {
  const period = await openPeriodRow(tx, input);
  validateVouchers(input, period.standard);
  await ensureVillageAccounts(
    tx,
    input.villageId,
    period.standard,
    input.vouchers.flatMap((v) => v.lines.map((l) => ({ code: l.accountCode, name: l.accountName }))),
  );

  const mask = createTextMasker(await personsOfVillage(tx, input.villageId, input.vouchers));
  const voucherIds: number[] = [];
  for (const chunk of chunkVouchers(input.vouchers)) {
    // One JSON parameter per statement, expanded by jsonb_to_recordset: the same on both drivers, no limit of
    // 65,535 bind parameters, and far less work than binding every value separately.
    const inserted = await queryRows<{ id: string | number; number: number }>(
      tx,
      sql`insert into vouchers (village_id, year, month, revision, number, date, summary, summary_public, attachments,
                                preparer, reviewer, approver, import_id, created_by)
          select ${input.villageId}, ${input.year}, ${input.month}, ${input.revision}, r.number, r.date, r.summary,
                 r.summary_public, r.attachments, r.preparer, r.reviewer, r.approver, ${input.importId ?? null}::bigint,
                 ${input.actor}
            from jsonb_to_recordset(${JSON.stringify(chunk.map((v) => voucherRecord(v, mask)))}::jsonb)
                 as r(number int, date date, summary text, summary_public text, attachments int, preparer text,
                      reviewer text, approver text)
          returning id, number`,
    );
    const idByNumber = new Map(inserted.map((r) => [r.number, Number(r.id)]));
    const lines = chunk.flatMap((v) =>
      v.lines.map((line, i) => lineRecord(idByNumber.get(v.number)!, i + 1, line, mask)),
    );
    await tx.execute(
      sql`insert into voucher_lines (village_id, voucher_id, line_no, standard, account_code, side, amount_fen, summary,
                                     summary_public, counterparty_name, counterparty_is_person, counterparty_public,
                                     counterparty_id_number, counterparty_phone, counterparty_bank_account,
                                     payment_method)
          select ${input.villageId}, r.voucher_id, r.line_no, ${period.standard}, r.account_code, r.side, r.amount_fen,
                 r.summary, r.summary_public, r.counterparty_name, r.counterparty_is_person, r.counterparty_public,
                 r.counterparty_id_number, r.counterparty_phone, r.counterparty_bank_account, r.payment_method
            from jsonb_to_recordset(${JSON.stringify(lines)}::jsonb)
                 as r(voucher_id bigint, line_no smallint, account_code text, side text, amount_fen bigint,
                      summary text, summary_public text, counterparty_name text, counterparty_is_person boolean,
                      counterparty_public text, counterparty_id_number text, counterparty_phone text,
                      counterparty_bank_account text, payment_method text)`,
    );
    voucherIds.push(...idByNumber.values());
  }

  await appendAudit(tx, {
    villageId: input.villageId,
    actor: input.actor,
    action: 'vouchers.post',
    entity: 'period',
    entityKey: `${input.year}-${input.month}#${input.revision}`,
    importId: input.importId,
    details: {
      vouchers: input.vouchers.length,
      lines: input.vouchers.reduce((n, v) => n + v.lines.length, 0),
      numbers: input.vouchers.map((v) => v.number),
    },
  });
  return { voucherIds };
}

/** Removes one voucher (and its lines) from an open revision, e.g. to replace it in a correction. */
export async function deleteVoucher(
  tx: Tx,
  input: {
    villageId: number;
    year: number;
    month: number;
    revision: number;
    number: number;
    actor: string;
    reason: string;
  },
): Promise<void> {
  await openPeriodRow(tx, input);
  const deleted = await tx
    .delete(vouchers)
    .where(
      and(
        eq(vouchers.villageId, input.villageId),
        eq(vouchers.year, input.year),
        eq(vouchers.month, input.month),
        eq(vouchers.revision, input.revision),
        eq(vouchers.number, input.number),
      ),
    )
    .returning({ id: vouchers.id });
  if (deleted.length === 0) {
    throw new LedgerError('VOUCHER_NOT_FOUND', `${input.year}年${input.month}月没有第${input.number}号凭证`);
  }
  await appendAudit(tx, {
    villageId: input.villageId,
    actor: input.actor,
    action: 'voucher.delete',
    entity: 'voucher',
    entityKey: `${input.year}-${input.month}#${input.revision}/${input.number}`,
    reason: input.reason,
  });
}

async function openPeriodRow(
  tx: Tx,
  key: { villageId: number; year: number; month: number; revision: number },
): Promise<{ standard: AccountStandard }> {
  const [period] = await tx
    .select({ status: periods.status, standard: periods.standard })
    .from(periods)
    .where(
      and(
        eq(periods.villageId, key.villageId),
        eq(periods.year, key.year),
        eq(periods.month, key.month),
        eq(periods.revision, key.revision),
      ),
    )
    .for('update');
  if (!period || period.status !== 'open') {
    throw new LedgerError(
      'PERIOD_NOT_OPEN',
      `${key.year}年${key.month}月（第${key.revision}版）${period ? '已公开，不能再修改' : '尚未开账'}`,
      { ...key },
    );
  }
  return period;
}

function validateVouchers(input: PostVouchersInput, standard: AccountStandard): void {
  const monthPrefix = `${input.year}-${String(input.month).padStart(2, '0')}-`;
  const seen = new Set<number>();
  for (const v of input.vouchers) {
    const at = { voucherNumber: v.number };
    if (!Number.isInteger(v.number) || v.number <= 0) {
      throw new LedgerError('DUPLICATE_VOUCHER_NUMBER', `凭证号“${v.number}”无效：应为正整数`, at);
    }
    if (seen.has(v.number)) {
      throw new LedgerError('DUPLICATE_VOUCHER_NUMBER', `第${v.number}号凭证重复`, at);
    }
    seen.add(v.number);
    if (!v.summary.trim()) throw new LedgerError('SUMMARY_MISSING', `第${v.number}号凭证缺少摘要`, at);
    if (!v.date.startsWith(monthPrefix) || Number.isNaN(Date.parse(`${v.date}T00:00:00Z`))) {
      throw new LedgerError(
        'DATE_OUTSIDE_PERIOD',
        `第${v.number}号凭证日期${v.date}不在${input.year}年${input.month}月内`,
        at,
      );
    }
    if (v.lines.length < 2) {
      throw new LedgerError('VOUCHER_TOO_FEW_LINES', `第${v.number}号凭证至少要有两条分录（一借一贷）`, at);
    }
    let net = 0n;
    for (const line of v.lines) {
      if (line.amountFen <= 0n) {
        throw new LedgerError('AMOUNT_NOT_POSITIVE', `第${v.number}号凭证有金额不大于零的分录`, at);
      }
      net += line.side === 'debit' ? line.amountFen : -line.amountFen;
    }
    if (net !== 0n) {
      throw new LedgerError('VOUCHER_UNBALANCED', `第${v.number}号凭证借贷不平：借方与贷方相差${net}分`, {
        ...at,
        differenceFen: net.toString(),
        standard,
      });
    }
  }
}

/**
 * Every natural person this village has paid or been paid by, here or in earlier months: a 摘要 often names someone
 * who is not the counterparty of that very voucher (支付张桂兰低保 on a line paid to the bank).
 */
async function personsOfVillage(tx: Tx, villageId: number, batch: VoucherInput[]): Promise<string[]> {
  const earlier = await tx
    .selectDistinct({ name: voucherLines.counterpartyName })
    .from(voucherLines)
    .where(and(eq(voucherLines.villageId, villageId), eq(voucherLines.counterpartyIsPerson, true)));
  const names = new Set(earlier.flatMap((r) => (r.name ? [r.name] : [])));
  for (const v of batch) for (const l of v.lines) if (l.counterparty?.isPerson) names.add(l.counterparty.name.trim());
  return [...names];
}

function voucherRecord(v: VoucherInput, mask: (text: string) => string) {
  return {
    number: v.number,
    date: v.date,
    summary: v.summary.trim(),
    summary_public: mask(v.summary.trim()),
    attachments: v.attachments,
    preparer: v.preparer ?? null,
    reviewer: v.reviewer ?? null,
    approver: v.approver ?? null,
  };
}

function lineRecord(voucherId: number, lineNo: number, line: LineInput, mask: (text: string) => string) {
  const cp = line.counterparty;
  const summary = line.summary?.trim() || null;
  return {
    voucher_id: voucherId,
    line_no: lineNo,
    account_code: line.accountCode,
    side: line.side,
    // A string, so amounts beyond 2^53 survive JSON; PostgreSQL reads it as bigint.
    amount_fen: line.amountFen.toString(),
    summary,
    summary_public: summary ? mask(summary) : null,
    counterparty_name: cp?.name.trim() || null,
    counterparty_is_person: cp?.isPerson ?? false,
    counterparty_public: cp ? (cp.isPerson ? maskName(cp.name) : mask(cp.name.trim())) : null,
    counterparty_id_number: cp?.idNumber ?? null,
    counterparty_phone: cp?.phone ?? null,
    counterparty_bank_account: cp?.bankAccount ?? null,
    payment_method: line.paymentMethod ?? null,
  };
}

function* chunkVouchers(all: VoucherInput[]): Generator<VoucherInput[]> {
  let chunk: VoucherInput[] = [];
  let lines = 0;
  for (const v of all) {
    if (chunk.length > 0 && lines + v.lines.length > LINES_PER_STATEMENT) {
      yield chunk;
      chunk = [];
      lines = 0;
    }
    chunk.push(v);
    lines += v.lines.length;
  }
  if (chunk.length > 0) yield chunk;
}

// ---- Streaming: vouchers spooled to disk while a file is read, then COPY'd once the whole file is known good ----

const COPY_UNESCAPES: Record<string, string> = { '\\': '\\', n: '\n', r: '\r', t: '\t' };

function copyValue(field: string): string | null {
  if (field === '\\N') return null;
  return field.includes('\\') ? field.replace(/\\(.)/g, (_, c: string) => COPY_UNESCAPES[c] ?? c) : field;
}

async function* spoolLines(path: string): AsyncGenerator<string[]> {
  let rest = '';
  // 32 KB at a time: the lines of a chunk are all alive until its rows are written, and must die young.
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 32 * 1024 })) {
    const text = rest + (chunk as string);
    const end = text.lastIndexOf('\n');
    rest = text.slice(end + 1);
    if (end >= 0) yield text.slice(0, end).split('\n');
  }
  if (rest) yield [rest];
}

/** COPY rows as UTF-8, each written as soon as it is made (a string of many rows outlived the young generation). */
class RowBuffer {
  private buffer = Buffer.allocUnsafe(SPOOL_BUFFER_BYTES);
  private bytes = 0;
  private rest: Buffer[] = [];

  /** A row without its line break (added here). */
  add(row: string): void {
    if (this.bytes + row.length * 3 + 1 > this.buffer.length) {
      this.rest.push(this.buffer.subarray(0, this.bytes));
      this.buffer = Buffer.allocUnsafe(Math.max(SPOOL_BUFFER_BYTES, row.length * 3 + 1));
      this.bytes = 0;
    }
    this.bytes += this.buffer.write(row, this.bytes);
    this.buffer[this.bytes++] = 0x0a;
  }

  get full(): boolean {
    return this.rest.length > 0;
  }

  /** What was added since the last take; the buffer is the stream's from then on. */
  take(): Buffer {
    const parts = [...this.rest, this.buffer.subarray(0, this.bytes)];
    this.rest = [];
    this.buffer = Buffer.allocUnsafe(SPOOL_BUFFER_BYTES);
    this.bytes = 0;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
}

/** `fn` with its last few thousand results kept: 摘要 and names repeat all through a ledger. */
function remembered(fn: (text: string) => string): (text: string) => string {
  const results = new Map<string, string>();
  return (text) => {
    let result = results.get(text);
    if (result === undefined) {
      if (results.size >= 8192) results.clear();
      results.set(text, (result = fn(text)));
    }
    return result;
  };
}

/** `n` ids from a sequence, as ranges (one range unless another session took ids meanwhile). */
async function reserveIds(sql: BulkConnection, sequence: string, n: number): Promise<Float64Array> {
  const ranges = await sql.query(
    `select min(id)::text as lo, max(id)::text as hi from (
       select id, id - row_number() over (order by id) as grp
         from (select nextval('${sequence}') as id from generate_series(1, $1::int)) s) t
      group by grp order by 1::int`,
    [n],
  );
  const ids = new Float64Array(n);
  let i = 0;
  for (const r of ranges) for (let id = Number(r.lo); id <= Number(r.hi); id++) ids[i++] = id;
  return ids;
}

/**
 * Posts a spooled batch through COPY on the transaction's connection (`sql`), with the checks and effects of
 * postVouchers: the period must be open, accounts enter the village's chart, 摘要 are masked with every person known (the batch's
 * included), the ledger's triggers check balance. `numberOf` gives each voucher's final number by ordinal.
 */
export async function copyVoucherSpool(
  tx: Tx,
  sql: BulkConnection,
  input: Omit<PostVouchersInput, 'vouchers'> & {
    spool: SpooledVouchers;
    numberOf: (ordinal: number) => number;
    onPhase?: ((phase: string) => void) | undefined;
    /** Collects the vouchers' payments as they are written, for the red-flag rules (`red-flag-engine.ts`). */
    collect?: PaymentBook | undefined;
  },
): Promise<void> {
  const phase = input.onPhase ?? (() => {});
  const period = await openPeriodRow(tx, input);
  const { spool, collect } = input;
  const classes = collect ? await accountClasses(tx, period.standard) : undefined;
  // Per voucher ordinal, what the lines' pass needs of it: its day and what its 摘要 says (bits), not its text.
  const days = collect ? new Int32Array(spool.vouchers) : undefined;
  const words = collect ? new Uint8Array(spool.vouchers) : undefined;
  await ensureVillageAccounts(
    tx,
    input.villageId,
    period.standard,
    [...spool.accounts].map(([code, name]) => ({ code, name })),
  );
  const earlier = await tx
    .selectDistinct({ name: voucherLines.counterpartyName })
    .from(voucherLines)
    .where(and(eq(voucherLines.villageId, input.villageId), eq(voucherLines.counterpartyIsPerson, true)));
  const names = new Set(earlier.flatMap((r) => (r.name ? [r.name] : [])));
  for (const n of spool.persons) names.add(n);
  const mask = remembered(createTextMasker(names));
  const maskPerson = remembered(maskName);
  // One string per name for the payments collected (a payment keeps its payee's name until the month is judged).
  const sameName = remembered((name) => name);
  const ids = await reserveIds(sql, 'vouchers_id_seq', spool.vouchers);
  phase('accounts, persons, ids');
  const numbers: number[] = [];
  // Rows joined from arrays: `a + '\t' + b + …` of two dozen parts made a chain of joined strings per row, copied flat
  // again by the write.
  const importId = input.importId ?? '\\N';
  const actor = copyField(input.actor);
  async function* voucherRows(): AsyncGenerator<Buffer> {
    const out = new RowBuffer();
    for await (const lines of spoolLines(spool.paths.vouchers)) {
      for (const line of lines) {
        const [ordinal, date, summary, attachments, preparer, reviewer, approver] = line.split('\t') as string[];
        const number = input.numberOf(Number(ordinal));
        numbers.push(number);
        const shownSummary = mask(copyValue(summary!)!);
        if (days && words) {
          days[Number(ordinal)] = daysOf(date!);
          words[Number(ordinal)] = voucherWords(shownSummary);
        }
        out.add(
          [
            input.villageId,
            ids[Number(ordinal)],
            input.year,
            input.month,
            input.revision,
            number,
            date,
            summary,
            copyField(shownSummary),
            attachments,
            preparer,
            reviewer,
            approver,
            importId,
            actor,
          ].join('\t'),
        );
        if (out.full) yield out.take();
      }
    }
    yield out.take();
  }
  await sql.copyFrom(
    'vouchers (village_id, id, year, month, revision, number, date, summary, summary_public, attachments, preparer, reviewer, approver, import_id, created_by)',
    '',
    voucherRows(),
  );
  phase('copy vouchers');
  const standard = period.standard;
  // A voucher's lines are consecutive in the spool: each voucher goes to `collect` once its last line is read.
  let collecting = -1;
  let collected: EngineLine[] = [];
  const flush = () => {
    if (collecting >= 0) {
      collect!.add({
        year: input.year,
        month: input.month,
        number: input.numberOf(collecting),
        date: dateOfDay(days![collecting]!),
        words: words![collecting]!,
        lines: collected,
      });
    }
    collected = [];
  };
  async function* lineRows(): AsyncGenerator<Buffer> {
    const out = new RowBuffer();
    for await (const lines of spoolLines(spool.paths.lines)) {
      for (const line of lines) {
        const f = line.split('\t');
        const summary = copyValue(f[5]!);
        const name = copyValue(f[6]!);
        const person = f[7] === 't';
        const shown = name === null ? null : person ? maskPerson(name) : mask(name);
        const shownSummary = summary === null ? null : mask(summary);
        if (classes) {
          const ordinal = Number(f[0]);
          if (ordinal !== collecting) {
            flush();
            collecting = ordinal;
          }
          collected.push({
            side: f[3] as LineSide,
            standard: period.standard,
            accountCode: f[2]!,
            accountClass: classes.get(f[2]!.slice(0, 3))!,
            amountFen: BigInt(f[4]!),
            summary: shownSummary,
            counterpartyName: name === null ? null : sameName(name),
            counterpartyIsPerson: person,
            counterpartyPublic: shown,
            paymentMethod: copyValue(f[11]!),
          });
        }
        out.add(
          [
            input.villageId,
            ids[Number(f[0])],
            f[1],
            standard,
            f[2],
            f[3],
            f[4],
            f[5],
            copyField(shownSummary),
            f[6],
            f[7],
            copyField(shown),
            f[8],
            f[9],
            f[10],
            f[11],
          ].join('\t'),
        );
        if (out.full) yield out.take();
      }
    }
    yield out.take();
  }
  await sql.copyFrom(
    'voucher_lines (village_id, voucher_id, line_no, standard, account_code, side, amount_fen, summary, summary_public, counterparty_name, counterparty_is_person, counterparty_public, counterparty_id_number, counterparty_phone, counterparty_bank_account, payment_method)',
    '',
    lineRows(),
  );
  if (collect) flush();
  phase('copy lines');
  await appendAudit(tx, {
    villageId: input.villageId,
    actor: input.actor,
    action: 'vouchers.post',
    entity: 'period',
    entityKey: `${input.year}-${input.month}#${input.revision}`,
    importId: input.importId,
    details: { vouchers: spool.vouchers, lines: spool.lines, numbers },
  });
}

/** First-level account code → its class, in one chart. */
async function accountClasses(tx: Tx, standard: AccountStandard): Promise<Map<string, AccountClass>> {
  const rows = await queryRows<{ code: string; class: AccountClass }>(
    tx,
    sql`select code, class from accounts where standard = ${standard}`,
  );
  return new Map(rows.map((r) => [r.code, r.class]));
}

/**
 * Keeps an uploaded file byte for byte through a binary COPY, streamed on PostgreSQL without holding it in memory.
 * Binary, because in text format PostgreSQL spent more time reading the hex digits of a 90 MB file than storing it.
 */
export async function copyImportedFile(
  sql: BulkConnection,
  file: {
    villageId: number;
    sha256: string;
    sizeBytes: number;
    filename: string;
    mediaType: string;
    uploadedBy: string;
    chunks: () => AsyncIterable<Uint8Array>;
  },
): Promise<number> {
  // lz4 where the server has it (PostgreSQL 14+ built with it; not PGlite): pglz spent 5.6 s of the server's CPU on a
  // 90 MB CSV, lz4 1.2 s, for a value 7% larger. For the rest of the transaction; only values over 2 KB are compressed.
  const [row] = await sql.query(
    `select nextval('imported_files_id_seq')::text as id,
            (select set_config('default_toast_compression', 'lz4', true) from pg_settings
              where name = 'default_toast_compression' and 'lz4' = any(enumvals)) as compression`,
  );
  const id = Number(row!.id);
  async function* rows(): AsyncGenerator<Buffer> {
    const text = (value: string) => {
      const bytes = Buffer.from(value, 'utf8');
      return [int32(bytes.length), bytes];
    };
    const id8 = Buffer.alloc(8);
    id8.writeBigInt64BE(BigInt(id));
    yield Buffer.concat([
      COPY_BINARY_HEADER,
      int16(8),
      int32(4),
      int32(file.villageId),
      int32(8),
      id8,
      ...text(file.sha256),
      int32(4),
      int32(file.sizeBytes),
      ...text(file.filename),
      ...text(file.mediaType),
      ...text(file.uploadedBy),
      int32(file.sizeBytes),
    ]);
    // The field's length is sent first: a file that changed since it was measured must not become another row.
    let sent = 0;
    for await (const chunk of file.chunks()) {
      sent += chunk.byteLength;
      if (sent > file.sizeBytes) break;
      yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
    if (sent !== file.sizeBytes)
      throw new Error(`the file changed while it was read (${sent} of ${file.sizeBytes} bytes)`);
    yield int16(-1);
  }
  await sql.copyFrom(
    'imported_files (village_id, id, sha256, size_bytes, filename, media_type, uploaded_by, content)',
    '(format binary)',
    rows(),
  );
  return id;
}

const COPY_BINARY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);

function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}
