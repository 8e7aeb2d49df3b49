import { cellText, halfWidth, type TableRow } from './cells.ts';
import { decodeText, hasXlsxName, isZip, looksLikeOldExcel } from './decode.ts';
import { duplicateHeaders, findHeader, HEADER_SEARCH_ROWS, type ColumnMap } from './headers.ts';
import { LAYOUTS } from './layouts/index.ts';
import { Problems, shown } from './problems.ts';
import { csvTable, xlsxTable, type TableResult } from './table.ts';
import type { ParsedLedger, ParseOptions } from './types.ts';
import { assembleVouchers } from './vouchers.ts';

export type {
  DetectedEncoding,
  ImportErrorCode,
  ImportFormat,
  ImportProblem,
  ParsedLedger,
  ParseErrorCode,
  ParseOptions,
} from './types.ts';

export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
/** How far an xlsx may expand when unzipped, as a multiple of the upload limit. */
const UNZIP_FACTOR = 10;

function checkOptions(options: ParseOptions): void {
  const { year, month, maxBytes } = options;
  if ((year === undefined) !== (month === undefined)) {
    throw new TypeError('parseLedgerFile: year and month go together');
  }
  if (year !== undefined && (!Number.isInteger(year) || year < 1900 || year > 2200)) {
    throw new RangeError(`parseLedgerFile: year ${year}`);
  }
  if (month !== undefined && (!Number.isInteger(month) || month < 1 || month > 12)) {
    throw new RangeError(`parseLedgerFile: month ${month}`);
  }
  if (maxBytes !== undefined && !(maxBytes > 0)) throw new RangeError(`parseLedgerFile: maxBytes ${maxBytes}`);
}

const TOTALS = /^(?:合计|总计|小计|本月合计|本期合计|本月累计|本年累计|累计|本页合计)$/;

/** The 合计 row that Excel reports end with: a totals word and no account. */
function isTotalsRow(row: TableRow, columns: ColumnMap): boolean {
  const account = columns.get('account');
  if (account && cellText(row.cells[account.index] ?? null) !== '') return false;
  return row.cells.some((c) => TOTALS.test(halfWidth(cellText(c)).replace(/\s/g, '')));
}

async function readTable(
  bytes: Uint8Array,
  filename: string,
  maxBytes: number,
  result: ParsedLedger,
  problems: Problems,
): Promise<TableRow[] | undefined> {
  let table: TableResult;
  if (isZip(bytes)) {
    result.encoding = 'xlsx';
    table = await xlsxTable(bytes, maxBytes * UNZIP_FACTOR);
  } else if (looksLikeOldExcel(bytes)) {
    problems.add(
      null,
      null,
      'XLSX_INVALID',
      '这是旧版 Excel 文件（.xls），无法直接读取；请在 Excel 或 WPS 中“另存为” .xlsx 或 CSV 后再上传',
    );
    return undefined;
  } else {
    const decoded = decodeText(bytes);
    if (decoded.kind !== 'text') {
      if (hasXlsxName(filename)) {
        problems.add(null, null, 'XLSX_INVALID', '文件名是 .xlsx，但内容不是 Excel 工作簿，文件可能已损坏，请重新导出');
      } else {
        problems.add(null, null, 'ENCODING_UNDECODABLE', decoded.message);
      }
      return undefined;
    }
    result.encoding = decoded.encoding;
    if (decoded.text.trim() === '') {
      problems.add(null, null, 'FILE_EMPTY', '文件是空的，没有任何内容');
      return undefined;
    }
    table = csvTable(decoded.text);
  }
  if (!table.ok) {
    problems.add(
      table.row,
      null,
      table.code,
      table.row === null ? table.message : `第${table.row}行：${table.message}`,
    );
    return undefined;
  }
  if (table.rows.length === 0) {
    problems.add(null, null, 'FILE_EMPTY', '文件里没有任何数据');
    return undefined;
  }
  return table.rows;
}

function unknownLayoutMessage(rows: readonly TableRow[]): string {
  const first = rows[0]!;
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

/**
 * Reads a ledger file exported from accounting software (or kept in Excel) into vouchers, without touching the
 * database. Every problem is reported at once, each with its row, column and a message for the accountant; when there
 * is any, callers reject the whole file. Vouchers without a problem are returned regardless.
 */
export async function parseLedgerFile(
  bytes: Uint8Array,
  filename: string,
  options: ParseOptions = {},
): Promise<ParsedLedger> {
  checkOptions(options);
  const problems = new Problems();
  const result: ParsedLedger = {
    format: null,
    encoding: null,
    year: null,
    month: null,
    rows: 0,
    vouchers: [],
    problems: [],
    firstRowOf: new Map(),
  };
  const done = (): ParsedLedger => ({ ...result, problems: problems.sorted() });

  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length > maxBytes) {
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    problems.add(
      null,
      null,
      'FILE_TOO_LARGE',
      `文件有 ${mb(bytes.length)} MB，超过 ${mb(maxBytes)} MB 的上限，请按月分开导出`,
    );
    return done();
  }
  if (bytes.length === 0) {
    problems.add(null, null, 'FILE_EMPTY', '文件是空的，没有任何内容');
    return done();
  }

  const rows = await readTable(bytes, filename, maxBytes, result, problems);
  if (!rows) return done();

  const header = findHeader(rows, LAYOUTS);
  if (!header) {
    problems.add(null, null, 'LAYOUT_UNKNOWN', unknownLayoutMessage(rows));
    return done();
  }
  const { layout, columns } = header;
  result.format = layout.format;
  const missing = layout.missing(new Set(columns.keys()));
  for (const name of missing) {
    problems.add(header.row, name, 'COLUMN_MISSING', `第${header.row}行（表头）：缺少“${name}”列`);
  }
  const twice = duplicateHeaders(header, rows[header.position]!);
  for (const name of twice) {
    problems.add(
      header.row,
      name,
      'COLUMN_DUPLICATE',
      `第${header.row}行（表头）：“${name}”列出现了不止一次，请删去多余的列`,
    );
  }
  if (missing.length > 0 || twice.length > 0) return done();

  const dataRows = rows.slice(header.position + 1).filter((row) => !isTotalsRow(row, columns));
  result.rows = dataRows.length;
  if (dataRows.length === 0) {
    problems.add(null, null, 'FILE_EMPTY', '文件只有表头，没有凭证数据');
    return done();
  }

  const lines = layout.read(dataRows, columns, problems);
  const assembled = assembleVouchers(
    lines,
    {
      number: columns.get('voucherNo')?.header ?? null,
      date: columns.get('date')?.header ?? null,
      summary: columns.get('summary')?.header ?? null,
    },
    { year: options.year, month: options.month, blankNumberContinues: layout.blankNumberContinues },
    problems,
  );
  result.vouchers = assembled.vouchers;
  result.year = assembled.year;
  result.month = assembled.month;
  result.firstRowOf = assembled.firstRows;
  return done();
}
