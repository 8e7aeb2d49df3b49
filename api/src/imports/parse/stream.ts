/**
 * The ledger parser: bytes → text → CSV records → rows → vouchers, one at a time, so that memory does not grow with the
 * file. What needs the whole file (repeated voucher numbers, the month, renumbering) is kept as a few numbers per
 * voucher (vouchers.ts). See README.md in this folder for the formats, the rules and the problem codes.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { cellText, halfWidth, type TableRow } from './cells.ts';
import { CsvSplitter, detectDelimiter, NotPlainCsv } from './csv-split.ts';
import { encodingsToTry, hasXlsxName, isZip, looksLikeOldExcel, type TextEncoding } from './decode.ts';
import { duplicateHeaders, findHeader, HEADER_SEARCH_ROWS, type ColumnMap, type Layout } from './headers.ts';
import { LAYOUTS } from './layouts/index.ts';
import { shown, Problems } from './problems.ts';
import { openXlsx, XlsxRefusal } from './xlsx-stream.ts';
import type { DetectedEncoding, ImportFormat, ImportProblem, ParseOptions } from './types.ts';
import { VoucherStream, type RowLine, type VoucherSink } from './vouchers.ts';

/** Bytes that can be read more than once (a file, or an upload held in memory). */
export interface ByteSource {
  size: number;
  chunks(): AsyncIterable<Uint8Array>;
}

const CHUNK_BYTES = 256 * 1024;

export function bufferSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.byteLength,
    async *chunks() {
      for (let i = 0; i < bytes.byteLength; i += CHUNK_BYTES) yield bytes.subarray(i, i + CHUNK_BYTES);
    },
  };
}

export async function fileSource(path: string): Promise<ByteSource> {
  const { size } = await stat(path);
  return {
    size,
    chunks: () => createReadStream(path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>,
  };
}

export async function readAll(source: ByteSource): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of source.chunks()) parts.push(chunk);
  return new Uint8Array(Buffer.concat(parts));
}

async function head(source: ByteSource, bytes: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const chunk of source.chunks()) {
    parts.push(chunk);
    n += chunk.byteLength;
    if (n >= bytes) break;
  }
  return new Uint8Array(Buffer.concat(parts)).subarray(0, bytes);
}

export interface StreamedLedger {
  format: ImportFormat | null;
  encoding: DetectedEncoding | null;
  year: number | null;
  month: number | null;
  rows: number;
  /** Sorted by row; at most `MAX_PROBLEMS`. */
  problems: ImportProblem[];
  /** Problems found beyond those listed. */
  problemsOmitted: number;
  /** Vouchers handed to the sink. */
  vouchers: number;
  /** The voucher's number in the ledger, by ordinal (numbers are final only once the whole file is read). */
  numberOf(ordinal: number): number;
}

export const MAX_PROBLEMS = 1000;
const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
/** How far an xlsx may expand when unzipped, as a multiple of the upload limit (and never beyond 200 MB). */
const UNZIP_FACTOR = 10;
const DETECT_BYTES = 64 * 1024;

class DecodeFailure extends Error {}
class CsvFailure extends Error {
  constructor(
    readonly row: number | null,
    readonly kind: 'quotes' | 'too-long' = 'quotes',
  ) {
    super('csv');
  }
}

/** What a row of a ledger may hold, in characters; a 100 MB line must not be held whole. */
const MAX_RECORD_CHARS = 1_000_000;
/** How much text the delimiter is guessed from when ten lines take longer than that. */
const DELIMITER_SAMPLE_CHARS = 256 * 1024;

/**
 * csv-parse builds a CsvError (with a stack and context) for every record whose length differs from the first, even
 * with relax_column_count, which then ignores it: a million ragged rows took minutes. Rows of any length are fine
 * here (the layout reads cells by index), so the expected length follows each record.
 */
function tolerateRaggedRows(parser: object): void {
  const state = (parser as { state?: { record?: unknown[]; expectedRecordLength?: number } }).state;
  if (!state || !('expectedRecordLength' in state)) return;
  Object.defineProperty(state, 'expectedRecordLength', {
    get: () => state.record?.length ?? 0,
    set: () => undefined,
  });
}

const TOO_LONG = `有一行超过100万个字符，读不出表格：可能是某个英文双引号没有配对，或单元格内容过长；请用 Excel 打开检查后重新另存为 CSV`;

const UNDECODABLE =
  '文件既不是 UTF-8 也不是 GBK/GB18030 编码的文字，无法读取；请从记账软件或 Excel 重新导出为 CSV 或 .xlsx';
const BAD_QUOTES =
  '文件中的引号不成对（某个以英文双引号开头的单元格没有结束），读不出表格；请用 Excel 打开检查后重新另存为 CSV';

/** Decoded text with line breaks as \n, chunk by chunk; throws DecodeFailure on a byte the encoding has no use for. */
async function* decodedText(source: ByteSource, encoding: TextEncoding): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding === 'gb18030' ? 'gb18030' : 'utf-8', { fatal: true, ignoreBOM: true });
  let skip = encoding === 'utf-8-bom' ? 3 : 0;
  let carry = '';
  const lines = (text: string): string => {
    text = carry + text;
    carry = text.endsWith('\r') ? '\r' : '';
    if (carry) text = text.slice(0, -1);
    return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  };
  for await (let chunk of source.chunks()) {
    if (skip > 0) {
      const n = Math.min(skip, chunk.byteLength);
      chunk = chunk.subarray(n);
      skip -= n;
    }
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw new DecodeFailure();
    }
    yield lines(text);
  }
  let rest: string;
  try {
    rest = decoder.decode();
  } catch {
    throw new DecodeFailure();
  }
  yield lines(rest) + (carry ? '\n' : '');
}

/** Whether 10 non-blank lines (what detectDelimiter looks at) are complete in `text`. */
function enoughForDelimiter(text: string): boolean {
  let seen = 0;
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    if (end < 0) return false;
    if (text.slice(start, end).trim() !== '') seen++;
    if (seen === 10) return true;
    start = end + 1;
  }
}

/** How much text the splitter takes at a time: the records of 256 KB alive at once outgrew the young generation. */
const SPLIT_CHARS = 16 * 1024;

/** `text` in pieces of about SPLIT_CHARS, each ending after a line break where there is one (no copying). */
function* linesOf(text: string): Generator<string> {
  let start = 0;
  while (text.length - start > SPLIT_CHARS) {
    const end = text.indexOf('\n', start + SPLIT_CHARS);
    if (end < 0) break;
    yield text.slice(start, end + 1);
    start = end + 1;
  }
  if (start < text.length) yield start === 0 ? text : text.slice(start);
}

/**
 * Rows a batch at a time (a CSV's, those of about SPLIT_CHARS of text): a promise and a trip through an async generator
 * per row cost more than reading the row.
 */
type RowBatches = AsyncGenerator<TableRow[]>;

/** Up to `size` rows of an xlsx sheet at a time. */
async function* batched(rows: AsyncIterable<TableRow>, size = 256): RowBatches {
  let batch: TableRow[] = [];
  for await (const row of rows) {
    batch.push(row);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

interface TextRows {
  rows: RowBatches;
  /** Whether the text had anything but white space (known once `rows` is done). */
  hadText(): boolean;
}

function hasText(cells: string[]): boolean {
  for (const c of cells) if (c !== '' && cellText(c) !== '') return true;
  return false;
}

/**
 * CSV text → the rows that are not empty, numbered as Excel shows them (a quoted cell spanning lines is one record, an
 * empty line is a row of its own); throws CsvFailure on unclosed quotes.
 * `fast`: split by CsvSplitter, which throws NotPlainCsv where only csv-parse knows the answer.
 */
function csvRows(text: AsyncIterable<string>, fast: boolean): TextRows {
  let hadText = false;
  async function* rows(): RowBatches {
    const iterator = text[Symbol.asyncIterator]();
    let start = '';
    let done = false;
    while (!done && start.length < DELIMITER_SAMPLE_CHARS && !enoughForDelimiter(start)) {
      const next = await iterator.next();
      if (next.done) done = true;
      else start += next.value;
    }
    if (/\S/.test(start)) hadText = true;
    const delimiter = detectDelimiter(start);
    if (fast) {
      const splitter = new CsvSplitter(delimiter, MAX_RECORD_CHARS);
      let row = 0;
      let piece: string | undefined = start;
      for (;;) {
        for (const part of piece === undefined ? [undefined] : linesOf(piece)) {
          const batch: TableRow[] = [];
          for (const cells of part === undefined ? splitter.end() : splitter.push(part)) {
            row++;
            if (hasText(cells)) batch.push({ row, cells });
          }
          if (batch.length > 0) yield batch;
        }
        if (piece === undefined) return;
        const next = done ? undefined : await iterator.next();
        if (next === undefined || next.done) piece = undefined;
        else {
          if (!hadText && /\S/.test(next.value)) hadText = true;
          piece = next.value;
        }
      }
    }
    const parser = parse({
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      max_record_size: MAX_RECORD_CHARS,
    });
    tolerateRaggedRows(parser);
    const feeding = (async () => {
      try {
        if (start !== '' && !parser.write(start)) await once(parser, 'drain');
        while (!done) {
          const next = await iterator.next();
          if (next.done) break;
          if (!hadText && /\S/.test(next.value)) hadText = true;
          if (!parser.write(next.value)) await once(parser, 'drain');
        }
        parser.end();
      } catch (error) {
        parser.destroy(error as Error);
      }
    })();
    let row = 0;
    try {
      for await (const cells of parser as AsyncIterable<string[]>) {
        row++;
        if (hasText(cells)) yield [{ row, cells }];
      }
    } catch (error) {
      if (error instanceof DecodeFailure) throw error;
      if ((error as { code?: unknown }).code === 'CSV_MAX_RECORD_SIZE') {
        throw new CsvFailure(row + 1, 'too-long');
      }
      const line = (error as { lines?: unknown }).lines;
      if (typeof line === 'number' || (error as { code?: unknown }).code !== undefined) {
        throw new CsvFailure(typeof line === 'number' ? line : null);
      }
      throw error;
    } finally {
      await feeding;
    }
  }
  return { rows: rows(), hadText: () => hadText };
}

const TOTALS = /^(?:合计|总计|小计|本月合计|本期合计|本月累计|本年累计|累计|本页合计)$/;

function isTotalsRow(row: TableRow, columns: ColumnMap): boolean {
  const account = columns.get('account');
  if (account && cellText(row.cells[account.index] ?? null) !== '') return false;
  return row.cells.some((c) => TOTALS.test(halfWidth(cellText(c)).replace(/\s/g, '')));
}

function unknownLayoutMessage(first: TableRow): string {
  const seen = first.cells
    .map((c) => cellText(c))
    .filter((t) => t !== '')
    .slice(0, 8)
    .join('、');
  return (
    `认不出这是哪种账目表格：前${HEADER_SEARCH_ROWS}行里没有找到表头（第${first.row}行是${shown(seen)}）。` +
    '能导入的格式有：明白账模板（凭证号、日期、摘要、科目编码、借方金额、贷方金额）、' +
    '用友U8凭证（iperiod、csign、ino_id、dbill_date、cdigest、ccode、md、mc）、' +
    '金蝶KIS凭证（FDATE、FNUM、FEXP、FACCTID、FDEBIT、FCREDIT）、' +
    '收支流水（日期、摘要、科目、收入、支出）'
  );
}

interface Attempt {
  format: ImportFormat | null;
  encoding: DetectedEncoding | null;
  rows: number;
  problems: Problems;
  assembler: VoucherStream | undefined;
  period: { year: number | null; month: number | null };
}

/** Reads table rows into vouchers: header, layout, each data row, each voucher. */
async function readRows(
  rows: RowBatches,
  hadText: () => boolean,
  out: Attempt,
  options: ParseOptions,
  sink: VoucherSink | undefined,
): Promise<void> {
  const { problems } = out;
  const first: TableRow[] = [];
  /** Rows of the last batch read beyond the first HEADER_SEARCH_ROWS. */
  let after: TableRow[] = [];
  while (first.length < HEADER_SEARCH_ROWS) {
    const next = await rows.next();
    if (next.done) break;
    const take = HEADER_SEARCH_ROWS - first.length;
    first.push(...next.value.slice(0, take));
    if (next.value.length > take) after = next.value.slice(take);
  }
  const drain = async () => {
    // A CSV error further down replaces every other problem, as when the whole file was parsed first.
    if (first.length === HEADER_SEARCH_ROWS) while (!(await rows.next()).done);
  };
  if (first.length === 0) {
    problems.add(null, null, 'FILE_EMPTY', hadText() ? '文件里没有任何数据' : '文件是空的，没有任何内容');
    return;
  }
  const header = findHeader(first, LAYOUTS);
  if (!header) {
    await drain();
    problems.add(null, null, 'LAYOUT_UNKNOWN', unknownLayoutMessage(first[0]!));
    return;
  }
  const { layout, columns } = header;
  out.format = layout.format;
  const missing = layout.missing(new Set(columns.keys()));
  for (const name of missing) {
    problems.add(header.row, name, 'COLUMN_MISSING', `第${header.row}行（表头）：缺少“${name}”列`);
  }
  const twice = duplicateHeaders(header, first[header.position]!);
  for (const name of twice) {
    problems.add(
      header.row,
      name,
      'COLUMN_DUPLICATE',
      `第${header.row}行（表头）：“${name}”列出现了不止一次，请删去多余的列`,
    );
  }
  if (missing.length > 0 || twice.length > 0) {
    await drain();
    return;
  }
  const assembler = new VoucherStream(
    {
      number: columns.get('voucherNo')?.header ?? null,
      date: columns.get('date')?.header ?? null,
      summary: columns.get('summary')?.header ?? null,
    },
    { year: options.year, month: options.month, blankNumberContinues: layout.blankNumberContinues },
    problems,
    sink,
  );
  out.assembler = assembler;
  // The cash book numbers its rows 1..n unless some row has a 凭证号: that needs every row, so it is read at once
  // (a village's cash book is a few hundred rows).
  const whole = layout.format === 'cashbook';
  const held: TableRow[] = [];
  const read = (row: TableRow): void | Promise<void> => {
    if (isTotalsRow(row, columns)) return;
    out.rows++;
    if (whole) held.push(row);
    else return assembler.push(readOne(layout, row, columns, problems));
  };
  for (const row of first.slice(header.position + 1)) await read(row);
  if (first.length === HEADER_SEARCH_ROWS) {
    for (
      let batch: IteratorResult<TableRow[]> = { done: false, value: after };
      !batch.done;
      batch = await rows.next()
    ) {
      for (const row of batch.value) {
        const sent = read(row);
        if (sent) await sent;
      }
    }
  }
  if (out.rows === 0) {
    problems.add(null, null, 'FILE_EMPTY', '文件只有表头，没有凭证数据');
    out.assembler = undefined;
    return;
  }
  if (whole) for (const line of layout.read(held, columns, problems)) await assembler.push(line);
  out.period = await assembler.end();
}

function readOne(layout: Layout, row: TableRow, columns: ColumnMap, problems: Problems): RowLine {
  return layout.read([row], columns, problems)[0]!;
}

function fresh(): Attempt {
  return {
    format: null,
    encoding: null,
    rows: 0,
    problems: new Problems(MAX_PROBLEMS),
    assembler: undefined,
    period: { year: null, month: null },
  };
}

function result(a: Attempt): StreamedLedger {
  const assembler = a.assembler;
  return {
    format: a.format,
    encoding: a.encoding,
    year: a.period.year,
    month: a.period.month,
    rows: a.rows,
    problems: a.problems.sorted(),
    problemsOmitted: a.problems.omitted,
    vouchers: assembler?.vouchers ?? 0,
    numberOf: (ordinal) => assembler!.numberOf(ordinal),
  };
}

function checkOptions(options: ParseOptions): void {
  const { year, month, maxBytes } = options;
  if ((year === undefined) !== (month === undefined))
    throw new TypeError('parseLedgerStream: year and month go together');
  if (year !== undefined && (!Number.isInteger(year) || year < 1900 || year > 2200)) {
    throw new RangeError(`parseLedgerStream: year ${year}`);
  }
  if (month !== undefined && (!Number.isInteger(month) || month < 1 || month > 12)) {
    throw new RangeError(`parseLedgerStream: month ${month}`);
  }
  if (maxBytes !== undefined && !(maxBytes > 0)) throw new RangeError(`parseLedgerStream: maxBytes ${maxBytes}`);
}

/**
 * Reads a ledger file exported from accounting software (or kept in Excel) into vouchers, without touching the
 * database. Every voucher without a problem goes to `sink` as soon as its last row is read, with a provisional number
 * (`numberOf` gives the final one afterwards). Every problem is reported, each with its row, column and a message for
 * the accountant (the first `MAX_PROBLEMS` by row); when there is any, callers reject the whole file.
 */
export async function parseLedgerStream(
  source: ByteSource,
  filename: string,
  options: ParseOptions = {},
  sink?: VoucherSink,
): Promise<StreamedLedger> {
  checkOptions(options);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const out = fresh();
  if (source.size > maxBytes) {
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    out.problems.add(
      null,
      null,
      'FILE_TOO_LARGE',
      `文件有 ${mb(source.size)} MB，超过 ${mb(maxBytes)} MB 的上限，请按月分开导出`,
    );
    return result(out);
  }
  if (source.size === 0) {
    out.problems.add(null, null, 'FILE_EMPTY', '文件是空的，没有任何内容');
    return result(out);
  }
  const first = await head(source, DETECT_BYTES);
  if (isZip(first)) {
    out.encoding = 'xlsx';
    const opened = await openXlsx(await readAll(source), maxBytes * UNZIP_FACTOR);
    if (!opened.ok) {
      out.problems.add(null, null, opened.code, opened.message);
      return result(out);
    }
    try {
      await readRows(batched(opened.sheet.rows), () => true, out, options, sink);
    } catch (error) {
      if (!(error instanceof XlsxRefusal)) throw error;
      // A bound reached part-way: that refusal alone, as for a CSV that cannot be read.
      await sink?.reset();
      const bad = fresh();
      bad.encoding = 'xlsx';
      bad.problems.add(error.row, null, error.code, error.message);
      return result(bad);
    }
    return result(out);
  }
  if (looksLikeOldExcel(first)) {
    out.problems.add(
      null,
      null,
      'XLSX_INVALID',
      '这是旧版 Excel 文件（.xls），无法直接读取；请在 Excel 或 WPS 中“另存为” .xlsx 或 CSV 后再上传',
    );
    return result(out);
  }
  const undecodable = (message: string): StreamedLedger => {
    const bad = fresh();
    if (hasXlsxName(filename)) {
      bad.problems.add(
        null,
        null,
        'XLSX_INVALID',
        '文件名是 .xlsx，但内容不是 Excel 工作簿，文件可能已损坏，请重新导出',
      );
    } else {
      bad.problems.add(null, null, 'ENCODING_UNDECODABLE', message);
    }
    return result(bad);
  };
  const encodings = encodingsToTry(first);
  if (!Array.isArray(encodings)) return undecodable(encodings.message);
  for (let i = 0, fast = true; i < encodings.length;) {
    const encoding = encodings[i]!;
    const attempt = fresh();
    attempt.encoding = encoding;
    const text = csvRows(decodedText(source, encoding), fast);
    try {
      await readRows(text.rows, text.hadText, attempt, options, sink);
      return result(attempt);
    } catch (error) {
      if (error instanceof NotPlainCsv) {
        // Read it again, with csv-parse's own rules for what the splitter does not take.
        await sink?.reset();
        fast = false;
        continue;
      }
      if (error instanceof CsvFailure) {
        const bad = fresh();
        bad.encoding = encoding;
        const row = error.row;
        if (error.kind === 'too-long') {
          bad.problems.add(row, null, 'TEXT_TOO_LONG', `第${row}行：${TOO_LONG}`);
        } else {
          bad.problems.add(row, null, 'LAYOUT_UNKNOWN', row === null ? BAD_QUOTES : `第${row}行：${BAD_QUOTES}`);
        }
        await sink?.reset();
        return result(bad);
      }
      if (!(error instanceof DecodeFailure)) throw error;
      await sink?.reset();
      fast = true;
      if (++i === encodings.length) {
        return undecodable(
          encoding === 'utf-8-bom'
            ? '文件开头标明是 UTF-8 编码，但其中有不是 UTF-8 的字节，文件可能已损坏，请重新导出'
            : UNDECODABLE,
        );
      }
    }
  }
  return undecodable(UNDECODABLE);
}
