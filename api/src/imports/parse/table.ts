import type ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { cellText, type Cell, type TableRow } from './cells.ts';
import { openXlsx, XlsxRefusal, type XlsxRefusalCode } from './xlsx-stream.ts';

export type TableResult =
  | { ok: true; rows: TableRow[] }
  | { ok: false; code: 'LAYOUT_UNKNOWN' | XlsxRefusalCode; row: number | null; message: string };

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

/**
 * An exceljs cell value as text, number or date: formulas by their result, rich text joined, hyperlinks by their text
 * (what xlsx-stream.ts gives for the same cells).
 */
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
 * `maxUnzippedBytes` bounds what the file may expand to before it is unzipped; see xlsx-stream.ts for the other bounds.
 */
export async function xlsxTable(bytes: Uint8Array, maxUnzippedBytes: number): Promise<TableResult> {
  const opened = await openXlsx(bytes, maxUnzippedBytes);
  if (!opened.ok) return { ok: false, code: opened.code, row: null, message: opened.message };
  const rows: TableRow[] = [];
  try {
    for await (const row of opened.sheet.rows) rows.push(row);
  } catch (error) {
    if (!(error instanceof XlsxRefusal)) throw error;
    return { ok: false, code: error.code, row: error.row, message: error.message };
  }
  return { ok: true, rows };
}
