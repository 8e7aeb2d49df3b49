import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { cellText, type Cell, type TableRow } from './cells.ts';
import { declaredUnzippedBytes, unzipsAsDeclared } from './zip-size.ts';

/**
 * What an xlsx may unzip to, whatever the upload limit: exceljs holds the whole workbook as objects, many times the
 * size of its XML.
 */
export const MAX_UNZIPPED_BYTES = 200 * 1024 * 1024;
/** Columns read from a worksheet; a ledger has a few dozen. */
const MAX_COLUMNS = 1000;

export type TableResult =
  | { ok: true; rows: TableRow[] }
  | { ok: false; code: 'LAYOUT_UNKNOWN' | 'XLSX_INVALID' | 'FILE_TOO_LARGE'; row: number | null; message: string };

/** Comma or tab, whichever the first lines use more. The Chinese “，” is text, never a delimiter. */
export function detectDelimiter(text: string): ',' | '\t' {
  let commas = 0;
  let tabs = 0;
  let seen = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    for (const ch of line) {
      if (ch === ',') commas++;
      else if (ch === '\t') tabs++;
    }
    if (++seen === 10) break;
  }
  return tabs > commas ? '\t' : ',';
}

function withoutEmptyRows(rows: TableRow[]): TableRow[] {
  return rows.filter((r) => r.cells.some((c) => cellText(c) !== ''));
}

/**
 * CSV or tab-separated text → rows. Row numbers count records as Excel shows them: a quoted cell spanning two lines is
 * one row, an empty line is a row of its own. Fully empty rows are dropped but keep their numbers.
 */
export function csvTable(text: string): TableResult {
  const normalised = text.replace(/\r\n?/g, '\n');
  let records: string[][];
  try {
    records = parse(normalised, {
      delimiter: detectDelimiter(normalised),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
    }) as string[][];
  } catch (error) {
    const line = (error as { lines?: unknown }).lines;
    return {
      ok: false,
      code: 'LAYOUT_UNKNOWN',
      row: typeof line === 'number' ? line : null,
      message:
        '文件中的引号不成对（某个以英文双引号开头的单元格没有结束），读不出表格；请用 Excel 打开检查后重新另存为 CSV',
    };
  }
  return { ok: true, rows: withoutEmptyRows(records.map((cells, i) => ({ row: i + 1, cells }))) };
}

type ExcelValue = ExcelJS.CellValue;

/** A worksheet cell as text, number or date: formulas by their result, rich text joined, hyperlinks by their text. */
export function excelCell(value: ExcelValue): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return value;
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('formula' in value || 'sharedFormula' in value) return excelCell(value.result as ExcelValue);
  if ('error' in value) return value.error;
  if ('text' in value) return typeof value.text === 'string' ? value.text : excelCell(value.text as ExcelValue);
  return null;
}

/**
 * The first visible worksheet of an xlsx → rows, numbered as in Excel. A damaged file is reported, never thrown.
 * `maxUnzippedBytes` bounds what the file may expand to before it is unzipped.
 */
export async function xlsxTable(bytes: Uint8Array, maxUnzippedBytes: number): Promise<TableResult> {
  const unzipped = declaredUnzippedBytes(bytes);
  if (unzipped === undefined) {
    return {
      ok: false,
      code: 'XLSX_INVALID',
      row: null,
      message: 'xlsx 文件已损坏或不完整（可能没有上传完），请重新导出后再上传',
    };
  }
  const limit = Math.min(maxUnzippedBytes, MAX_UNZIPPED_BYTES);
  if (unzipped > limit) {
    return {
      ok: false,
      code: 'FILE_TOO_LARGE',
      row: null,
      message: `xlsx 文件解压后有 ${Math.round(unzipped / 1024 / 1024)} MB，超过上限，请分月导出`,
    };
  }
  // The declared sizes may lie: inflate each part, counting, and stop at the first byte beyond what it declared.
  if (!(await unzipsAsDeclared(bytes))) {
    return {
      ok: false,
      code: 'XLSX_INVALID',
      row: null,
      message: 'xlsx 文件已损坏：解压后的大小与文件里记录的不符，请重新导出后再上传',
    };
  }
  const workbook = new ExcelJS.Workbook();
  try {
    // A copy as a plain ArrayBuffer, which is what exceljs's typings ask for and JSZip reads.
    await workbook.xlsx.load(new Uint8Array(bytes).buffer);
  } catch {
    return {
      ok: false,
      code: 'XLSX_INVALID',
      row: null,
      message: '无法读取这个 xlsx 文件：文件已损坏或不是 Excel 工作簿，请重新导出后再上传',
    };
  }
  const sheet = workbook.worksheets.find((s) => s.state === 'visible') ?? workbook.worksheets[0];
  if (!sheet) return { ok: false, code: 'XLSX_INVALID', row: null, message: '这个 xlsx 文件里没有工作表' };
  const rows: TableRow[] = [];
  try {
    sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      // Only the cells that exist: a row with one cell in column XFD must not become 16,384 cells.
      const cells: Cell[] = [];
      row.eachCell({ includeEmpty: false }, (cell, c) => {
        if (c > MAX_COLUMNS) return;
        while (cells.length < c - 1) cells.push(null);
        cells[c - 1] = excelCell(cell.value);
      });
      rows.push({ row: rowNumber, cells });
    });
  } catch {
    return { ok: false, code: 'XLSX_INVALID', row: null, message: '工作表内容已损坏，读不出来，请重新导出后再上传' };
  }
  return { ok: true, rows: withoutEmptyRows(rows) };
}
