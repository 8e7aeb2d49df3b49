import { cellText, type TableRow } from './cells.ts';
import type { Problems } from './problems.ts';
import type { ImportFormat } from './types.ts';
import type { RowLine } from './vouchers.ts';

/** What a column means, whatever the layout calls it. */
export type Field =
  | 'voucherWord'
  | 'voucherNo'
  | 'lineNo'
  | 'period'
  | 'date'
  | 'summary'
  | 'account'
  | 'accountName'
  | 'debit'
  | 'credit'
  | 'amount'
  | 'direction'
  | 'income'
  | 'expense'
  | 'counterparty'
  | 'isPerson'
  | 'idNumber'
  | 'phone'
  | 'bankAccount'
  | 'settlement'
  | 'attachments'
  | 'preparer'
  | 'reviewer'
  | 'approver';

export interface Column {
  index: number;
  /** As written in the file, for messages. */
  header: string;
}

export type ColumnMap = ReadonlyMap<Field, Column>;

/** A layout: how to recognise its header, and how to read its rows into voucher lines. */
export interface Layout {
  format: ImportFormat;
  /** Accepted header names per field, compared after `headerKey`; the first is the name used in messages. */
  fields: Partial<Record<Field, readonly string[]>>;
  /** Header names only this layout uses: at least one must be present for the layout to be considered. */
  signature: readonly string[];
  /** Names of the required columns that are absent. */
  missing(found: ReadonlySet<Field>): string[];
  /** Reads the data rows, reporting what is wrong in each cell. */
  read(rows: readonly TableRow[], columns: ColumnMap, problems: Problems): RowLine[];
  /** Whether a row with a blank 凭证号 continues the voucher above it. */
  blankNumberContinues: boolean;
}

/** Counterparty columns, shared by the layouts that have them. */
export const PERSON_FIELDS = {
  counterparty: ['收付款人', '收款人', '付款人', '收(付)款人', '对方单位', '往来单位', '对方户名'],
  isPerson: ['是否个人', '个人'],
  idNumber: ['身份证号', '身份证号码', '身份证'],
  phone: ['手机号', '手机号码', '手机', '联系电话', '电话'],
  bankAccount: ['银行账号', '银行卡号', '收款账号', '账号', '卡号'],
} as const;

/** The display names of the fields among `required` that were not found. */
export function missingFields(
  fields: Partial<Record<Field, readonly string[]>>,
  required: readonly Field[],
  found: ReadonlySet<Field>,
): string[] {
  return required.filter((f) => !found.has(f)).map((f) => fields[f]?.[0] ?? f);
}

/**
 * A header as compared: full-width as half-width, no spaces, lower case, without a unit or note in brackets
 * (“借方金额（元）”) and without the asterisk that marks a required column.
 */
export function headerKey(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/\((?:元|人民币|¥|rmb|必填|选填|可选)\)$/i, '')
    .replace(/^\*+|\*+$/g, '')
    .toLowerCase();
}

export interface Header {
  layout: Layout;
  /** Row number of the header. */
  row: number;
  /** Position of the header row among the table's rows. */
  position: number;
  columns: ColumnMap;
}

function columnsFor(layout: Layout, row: TableRow): Map<Field, Column> {
  const columns = new Map<Field, Column>();
  row.cells.forEach((cell, index) => {
    const header = cellText(cell);
    const key = headerKey(header);
    if (!key) return;
    for (const [field, names] of Object.entries(layout.fields)) {
      if (names!.some((n) => headerKey(n) === key) && !columns.has(field as Field)) {
        columns.set(field as Field, { index, header });
        break;
      }
    }
  });
  return columns;
}

/** How many rows from the top may hold a title before the header. */
export const HEADER_SEARCH_ROWS = 10;

/**
 * Finds the header among the first rows: the first row where some layout recognises at least three columns including
 * one of its own; the layout recognising the most columns of that row wins, the earlier in `layouts` on a tie.
 */
export function findHeader(rows: readonly TableRow[], layouts: readonly Layout[]): Header | undefined {
  const candidates = rows.slice(0, HEADER_SEARCH_ROWS);
  for (const [position, row] of candidates.entries()) {
    const keys = new Set(row.cells.map((c) => headerKey(cellText(c))));
    let best: Header | undefined;
    for (const layout of layouts) {
      if (!layout.signature.some((s) => keys.has(headerKey(s)))) continue;
      const columns = columnsFor(layout, row);
      if (columns.size < 3) continue;
      if (!best || columns.size > best.columns.size) best = { layout, row: row.row, position, columns };
    }
    if (best) return best;
  }
  return undefined;
}

/**
 * Header names of the layout that the header row has more than once (two 借方金额 columns): which one counts would be a
 * guess, and a hostile file could hide a different amount in the other.
 */
export function duplicateHeaders(header: Header, row: TableRow): string[] {
  const known = new Set(
    Object.values(header.layout.fields)
      .flat()
      .map((n) => headerKey(n!)),
  );
  const seen = new Map<string, number>();
  const names = new Map<string, string>();
  for (const cell of row.cells) {
    const text = cellText(cell);
    const key = headerKey(text);
    if (!key || !known.has(key)) continue;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    if (!names.has(key)) names.set(key, text);
  }
  return [...seen].filter(([, n]) => n > 1).map(([key]) => names.get(key)!);
}
