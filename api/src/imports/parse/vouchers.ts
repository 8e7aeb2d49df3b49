import type { LineInput, VoucherInput } from '@mingbai/db/ledger/voucher-input';
import type { DateCell } from './dates.ts';
import { at, shown, yuanText, type Problems } from './problems.ts';
import type { VoucherRef } from './voucher-numbers.ts';

/** One data row as a layout read it; what was wrong in its cells is already reported. */
export interface RowLine {
  row: number;
  ref: VoucherRef;
  date: DateCell;
  summary: string;
  /** The voucher lines of this row (one, or two for a cashbook row); null when a cell of the row had a problem. */
  lines: LineInput[] | null;
  attachments?: number | undefined;
  preparer?: string | undefined;
  reviewer?: string | undefined;
  approver?: string | undefined;
}

/** Headers of the columns that voucher-level messages point at. */
export interface VoucherColumns {
  number: string | null;
  date: string | null;
  summary: string | null;
}

export interface AssembleOptions {
  year?: number | undefined;
  month?: number | undefined;
  /** A row with a blank 凭证号 (and a blank or equal date) continues the voucher above it. */
  blankNumberContinues: boolean;
}

export interface Assembled {
  vouchers: VoucherInput[];
  /** Final voucher number → the row where the voucher starts. */
  firstRows: Map<number, number>;
  year: number | null;
  month: number | null;
}

export interface Group {
  key: string;
  ref: VoucherRef;
  rows: RowLine[];
  date: DateCell;
  /** No problem found in the voucher: it goes into the result. */
  ok: boolean;
  /** Repeats the number of an earlier voucher. */
  duplicate: boolean;
}

export function keyOf(line: RowLine): string {
  const ref = line.ref;
  if (ref.kind === 'number') return `${ref.word}#${ref.number}`;
  if (ref.kind === 'invalid') return `?${ref.raw}`;
  return `blank@${line.row}`;
}

/** A row's date fits a voucher unless both are valid dates and differ (a bad date is reported on its own). */
export function sameDay(voucher: DateCell, row: DateCell): boolean {
  return voucher.kind !== 'date' || row.kind !== 'date' || voucher.iso === row.iso;
}

/** Consecutive rows of one voucher number and date form a voucher. */
function groupRows(rows: readonly RowLine[], blankNumberContinues: boolean): Group[] {
  const groups: Group[] = [];
  let current: Group | undefined;
  for (const line of rows) {
    const key = keyOf(line);
    const continues =
      current !== undefined &&
      (line.ref.kind === 'blank' ? blankNumberContinues : current.key === key) &&
      sameDay(current.date, line.date);
    if (continues) {
      current!.rows.push(line);
      if (current!.date.kind === 'blank') current!.date = line.date;
    } else {
      current = { key, ref: line.ref, rows: [line], date: line.date, ok: true, duplicate: false };
      groups.push(current);
    }
  }
  return groups;
}

/** 第12号凭证, 记字第12号凭证, 凭证“abc”. */
export function voucherLabel(ref: VoucherRef): string {
  if (ref.kind === 'number') return `${ref.word ? `${ref.word}字` : ''}第${ref.number}号凭证`;
  if (ref.kind === 'invalid') return `凭证${shown(ref.raw)}`;
  return '凭证';
}

function checkNumbers(groups: Group[], columns: VoucherColumns, problems: Problems): void {
  const seen = new Map<string, Group>();
  for (const g of groups) {
    const row = g.rows[0]!.row;
    if (g.ref.kind === 'blank') {
      problems.add(row, columns.number, 'VOUCHER_NUMBER_INVALID', `${at(row, columns.number)}缺少凭证号`);
      g.ok = false;
    } else if (g.ref.kind === 'invalid') {
      problems.add(
        row,
        columns.number,
        'VOUCHER_NUMBER_INVALID',
        `${at(row, columns.number)}${shown(g.ref.raw)}不是有效的凭证号：应为正整数，如 12 或 记-12`,
      );
      g.ok = false;
    } else {
      const first = seen.get(g.key);
      if (first) {
        problems.add(
          row,
          columns.number,
          'VOUCHER_DUPLICATE',
          `${at(row, columns.number)}${voucherLabel(g.ref)}重复：第${first.rows[0]!.row}行已有同号凭证` +
            '（同一张凭证的各行要连在一起、日期相同）',
        );
        g.ok = false;
        g.duplicate = true;
      } else {
        seen.set(g.key, g);
      }
    }
  }
}

function checkDates(groups: Group[], columns: VoucherColumns, problems: Problems): void {
  for (const g of groups) {
    if (g.date.kind === 'blank') {
      const row = g.rows[0]!.row;
      problems.add(row, columns.date, 'DATE_INVALID', `${at(row, columns.date)}${voucherLabel(g.ref)}缺少日期`);
    }
    if (g.date.kind !== 'date') g.ok = false;
  }
}

function monthOf(iso: string): { year: number; month: number } {
  return { year: Number(iso.slice(0, 4)), month: Number(iso.slice(5, 7)) };
}

/** The month the file is for: as given, or the one month all its dates fall in. */
function settleMonth(
  groups: Group[],
  options: AssembleOptions,
  columns: VoucherColumns,
  problems: Problems,
): { year: number | null; month: number | null } {
  if (options.year !== undefined && options.month !== undefined) {
    const prefix = `${options.year}-${String(options.month).padStart(2, '0')}-`;
    for (const g of groups) {
      if (g.date.kind !== 'date' || g.date.iso.startsWith(prefix)) continue;
      const row = g.rows[0]!.row;
      problems.add(
        row,
        columns.date,
        'DATE_OUTSIDE_MONTH',
        `${at(row, columns.date)}${voucherLabel(g.ref)}的日期${g.date.iso}不在${options.year}年${options.month}月内`,
      );
      g.ok = false;
    }
    return { year: options.year, month: options.month };
  }
  const counts = new Map<string, number>();
  for (const g of groups) {
    if (g.date.kind === 'date') counts.set(g.date.iso.slice(0, 7), (counts.get(g.date.iso.slice(0, 7)) ?? 0) + 1);
  }
  if (counts.size === 1) return monthOf(`${[...counts.keys()][0]!}-01`);
  if (counts.size > 1) {
    const months = [...counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([ym, n]) => `${Number(ym.slice(0, 4))}年${Number(ym.slice(5, 7))}月（${n}张凭证）`)
      .join('、');
    problems.add(
      null,
      null,
      'MONTH_AMBIGUOUS',
      `文件里的凭证日期跨了${counts.size}个月：${months}。每次只能导入一个月，请选择要导入的月份，或把文件按月分开`,
    );
  }
  return { year: null, month: null };
}

export function checkLines(g: Group, problems: Problems, columns: VoucherColumns): void {
  const row = g.rows[0]!.row;
  if (!g.rows.some((r) => r.summary !== '')) {
    problems.add(row, columns.summary, 'SUMMARY_MISSING', `${at(row, columns.summary)}${voucherLabel(g.ref)}缺少摘要`);
    g.ok = false;
  }
  if (g.rows.some((r) => r.lines === null)) {
    g.ok = false;
    return;
  }
  const lines = g.rows.flatMap((r) => r.lines!);
  if (lines.length < 2) {
    problems.add(
      row,
      null,
      'VOUCHER_TOO_FEW_LINES',
      `${at(row, null)}${voucherLabel(g.ref)}只有${lines.length}条分录，至少要有两条（有借有贷）`,
    );
    g.ok = false;
    return;
  }
  let debit = 0n;
  let credit = 0n;
  for (const l of lines) {
    if (l.side === 'debit') debit += l.amountFen;
    else credit += l.amountFen;
  }
  if (debit !== credit) {
    const diff = debit > credit ? debit - credit : credit - debit;
    problems.add(
      row,
      null,
      'VOUCHER_UNBALANCED',
      `${at(row, null)}${voucherLabel(g.ref)}借贷不平：借方合计${yuanText(debit)}，贷方合计${yuanText(credit)}，相差${yuanText(diff)}`,
    );
    g.ok = false;
  }
}

/**
 * Voucher numbers kept as written, unless the file numbers each word (收/付/转) from 1 and the numbers collide: then all
 * vouchers are numbered 1..n, words in the order they first appear, each word's vouchers by their number.
 */
function finalNumbers(groups: readonly Group[]): Map<Group, number> {
  const numbered = groups.filter(
    (g): g is Group & { ref: { kind: 'number'; word: string; number: number } } =>
      g.ref.kind === 'number' && !g.duplicate,
  );
  const words = [...new Set(numbered.map((g) => g.ref.word))];
  const numbers = new Set(numbered.map((g) => g.ref.number));
  const kept = new Map(numbered.map((g) => [g as Group, g.ref.number]));
  if (words.length <= 1 || numbers.size === kept.size) return kept;
  const ordered = [...numbered].sort(
    (a, b) => words.indexOf(a.ref.word) - words.indexOf(b.ref.word) || a.ref.number - b.ref.number,
  );
  return new Map(ordered.map((g, i) => [g as Group, i + 1]));
}

function firstOf<K extends 'attachments' | 'preparer' | 'reviewer' | 'approver'>(
  rows: readonly RowLine[],
  key: K,
): RowLine[K] {
  for (const r of rows) if (r[key] !== undefined && r[key] !== '') return r[key];
  return undefined;
}

export function toVoucher(g: Group, number: number): VoucherInput {
  const summary = g.rows.find((r) => r.summary !== '')!.summary;
  const voucher: VoucherInput = {
    number,
    date: (g.date as { iso: string }).iso,
    summary,
    attachments: firstOf(g.rows, 'attachments') ?? 0,
    lines: [],
  };
  for (const key of ['preparer', 'reviewer', 'approver'] as const) {
    const value = firstOf(g.rows, key);
    if (value) voucher[key] = value;
  }
  for (const r of g.rows) {
    for (const source of r.lines!) {
      const line: LineInput = { ...source };
      if (line.summary === undefined && r.summary !== '' && r.summary !== summary) line.summary = r.summary;
      voucher.lines.push(line);
    }
  }
  return voucher;
}

/**
 * Rows → vouchers: groups the rows, then checks numbers (valid, not repeated), dates (present, one month), 摘要, at
 * least two lines and balance, reporting every problem. Vouchers with a problem are left out of the result.
 */
export function assembleVouchers(
  rows: readonly RowLine[],
  columns: VoucherColumns,
  options: AssembleOptions,
  problems: Problems,
): Assembled {
  const groups = groupRows(rows, options.blankNumberContinues);
  checkNumbers(groups, columns, problems);
  checkDates(groups, columns, problems);
  for (const g of groups) checkLines(g, problems, columns);
  const period = settleMonth(groups, options, columns, problems);
  const numbers = finalNumbers(groups);
  const vouchers = groups.filter((g) => g.ok).map((g) => toVoucher(g, numbers.get(g)!));
  const firstRows = new Map([...numbers].map(([g, n]) => [n, g.rows[0]!.row]));
  return { vouchers, firstRows, ...period };
}
