import type { LineInput, VoucherInput } from '@mingbai/db/ledger/voucher-input';
import type { DateCell } from './dates.ts';
import { IntIndex, IntList } from './int-list.ts';
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

export interface VoucherOptions {
  /** The month the user chose; without it the month is the one all dates fall in. */
  year?: number | undefined;
  month?: number | undefined;
  /** A row with a blank 凭证号 (and a blank or equal date) continues the voucher above it. */
  blankNumberContinues: boolean;
}

/** Where every voucher without a problem goes, as soon as it is complete. */
export interface VoucherSink {
  /** `ordinal` counts the vouchers handed over, from 0; `row` is where the voucher starts. */
  voucher(voucher: VoucherInput, ordinal: number, row: number): void | Promise<void>;
  /** Forget every voucher handed over: the file is being read again from the start. */
  reset(): void | Promise<void>;
}

interface Group {
  key: string;
  ref: VoucherRef;
  rows: RowLine[];
  date: DateCell;
  /** No problem found in the voucher: it goes to the sink. */
  ok: boolean;
  /** Repeats the number of an earlier voucher. */
  duplicate: boolean;
}

function keyOf(line: RowLine): string {
  const ref = line.ref;
  if (ref.kind === 'number') return `${ref.word}#${ref.number}`;
  if (ref.kind === 'invalid') return `?${ref.raw}`;
  return `blank@${line.row}`;
}

/** A row's date fits a voucher unless both are valid dates and differ (a bad date is reported on its own). */
function sameDay(voucher: DateCell, row: DateCell): boolean {
  return voucher.kind !== 'date' || row.kind !== 'date' || voucher.iso === row.iso;
}

/** 第12号凭证, 记字第12号凭证, 凭证“abc”. */
function voucherLabel(ref: VoucherRef): string {
  if (ref.kind === 'number') return `${ref.word ? `${ref.word}字` : ''}第${ref.number}号凭证`;
  if (ref.kind === 'invalid') return `凭证${shown(ref.raw)}`;
  return '凭证';
}

function checkLines(g: Group, problems: Problems, columns: VoucherColumns): void {
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

function firstOf<K extends 'attachments' | 'preparer' | 'reviewer' | 'approver'>(
  rows: readonly RowLine[],
  key: K,
): RowLine[K] {
  for (const r of rows) if (r[key] !== undefined && r[key] !== '') return r[key];
  return undefined;
}

function toVoucher(g: Group, number: number): VoucherInput {
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
  // The rows' lines themselves, not copies: a row belongs to one voucher and is dropped with it.
  for (const r of g.rows) {
    for (const line of r.lines!) {
      if (line.summary === undefined && r.summary !== '' && r.summary !== summary) line.summary = r.summary;
      voucher.lines.push(line);
    }
  }
  return voucher;
}

/**
 * Rows → vouchers, one row at a time: consecutive rows of one number and date form a voucher, checked as soon as the
 * next one starts (number valid and not repeated, date present and in the month, 摘要, at least two lines, balance);
 * every problem is reported and a voucher with any is left out. Numbers already used are remembered as a key per
 * voucher; the month and the final numbering as a few integers per voucher.
 */
export class VoucherStream {
  private current: Group | undefined;
  /** Per word, each voucher number used → the row it starts on (a million vouchers stay small). */
  private readonly seen = new Map<string, IntIndex>();
  private readonly months = new Map<string, number>();
  private readonly words = new Map<string, number>();
  /** Per voucher with a valid, unrepeated number: its word (index), its number, its ordinal or -1. */
  private readonly numberedWord = new IntList();
  private readonly numberedNumber = new IntList();
  /** Per ordinal: index into the numbered arrays. */
  private readonly ordinalNumbered = new IntList();
  private final: Int32Array | undefined;
  private readonly prefix: string | undefined;

  constructor(
    private readonly columns: VoucherColumns,
    private readonly options: VoucherOptions,
    private readonly problems: Problems,
    private readonly sink: VoucherSink | undefined,
  ) {
    if (options.year !== undefined && options.month !== undefined) {
      this.prefix = `${options.year}-${String(options.month).padStart(2, '0')}-`;
    }
  }

  get vouchers(): number {
    return this.ordinalNumbered.length;
  }

  /** Synchronous unless the sink is: a promise per row cost more than the row. */
  push(line: RowLine): void | Promise<void> {
    const key = keyOf(line);
    const current = this.current;
    if (
      current !== undefined &&
      (line.ref.kind === 'blank' ? this.options.blankNumberContinues : current.key === key) &&
      sameDay(current.date, line.date)
    ) {
      current.rows.push(line);
      if (current.date.kind === 'blank') current.date = line.date;
      return;
    }
    this.current = { key, ref: line.ref, rows: [line], date: line.date, ok: true, duplicate: false };
    if (current) return this.close(current);
  }

  private close(g: Group): void | Promise<void> {
    const { columns, problems } = this;
    const row = g.rows[0]!.row;
    // Numbers, then the date, then lines, then the month: the order of the problems within the voucher's first row.
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
      let numbers = this.seen.get(g.ref.word);
      if (!numbers) this.seen.set(g.ref.word, (numbers = new IntIndex()));
      const first = numbers.get(g.ref.number);
      if (first !== undefined) {
        problems.add(
          row,
          columns.number,
          'VOUCHER_DUPLICATE',
          `${at(row, columns.number)}${voucherLabel(g.ref)}重复：第${first}行已有同号凭证` +
            '（同一张凭证的各行要连在一起、日期相同）',
        );
        g.ok = false;
        g.duplicate = true;
      } else {
        numbers.set(g.ref.number, row);
      }
    }
    if (g.date.kind === 'blank') {
      problems.add(row, columns.date, 'DATE_INVALID', `${at(row, columns.date)}${voucherLabel(g.ref)}缺少日期`);
    }
    if (g.date.kind !== 'date') g.ok = false;
    checkLines(g, problems, columns);
    if (g.date.kind === 'date') {
      if (this.prefix !== undefined) {
        if (!g.date.iso.startsWith(this.prefix)) {
          problems.add(
            row,
            columns.date,
            'DATE_OUTSIDE_MONTH',
            `${at(row, columns.date)}${voucherLabel(g.ref)}的日期${g.date.iso}不在${this.options.year}年${this.options.month}月内`,
          );
          g.ok = false;
        }
      } else {
        const ym = g.date.iso.slice(0, 7);
        this.months.set(ym, (this.months.get(ym) ?? 0) + 1);
      }
    }
    let numbered = -1;
    if (g.ref.kind === 'number' && !g.duplicate) {
      let word = this.words.get(g.ref.word);
      if (word === undefined) this.words.set(g.ref.word, (word = this.words.size));
      numbered = this.numberedWord.length;
      this.numberedWord.push(word);
      this.numberedNumber.push(g.ref.number);
    }
    if (g.ok) {
      const ordinal = this.ordinalNumbered.length;
      this.ordinalNumbered.push(numbered);
      return this.sink?.voucher(toVoucher(g, (g.ref as { number: number }).number), ordinal, row);
    }
  }

  /** Closes the last voucher; settles the month and the numbers. */
  async end(): Promise<{ year: number | null; month: number | null }> {
    if (this.current) await this.close(this.current);
    this.current = undefined;
    this.final = this.finalNumbers();
    if (this.prefix !== undefined) return { year: this.options.year!, month: this.options.month! };
    if (this.months.size === 1) {
      const ym = [...this.months.keys()][0]!;
      return { year: Number(ym.slice(0, 4)), month: Number(ym.slice(5, 7)) };
    }
    if (this.months.size > 1) {
      const months = [...this.months.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([ym, n]) => `${Number(ym.slice(0, 4))}年${Number(ym.slice(5, 7))}月（${n}张凭证）`)
        .join('、');
      this.problems.add(
        null,
        null,
        'MONTH_AMBIGUOUS',
        `文件里的凭证日期跨了${this.months.size}个月：${months}。每次只能导入一个月，请选择要导入的月份，或把文件按月分开`,
      );
    }
    return { year: null, month: null };
  }

  /**
   * Voucher numbers kept as written, unless the file numbers each word (收/付/转) from 1 and the numbers collide: then
   * all vouchers are numbered 1..n, words in the order they first appear, each word's vouchers by their number.
   */
  private finalNumbers(): Int32Array {
    const n = this.numberedNumber.length;
    const words = this.numberedWord.view();
    const numbers = this.numberedNumber.view();
    const final = numbers.slice();
    if (this.words.size <= 1) return final;
    const distinct = new Set(numbers).size;
    if (distinct === n) return final;
    const order = Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => words[a]! - words[b]! || numbers[a]! - numbers[b]!,
    );
    order.forEach((index, rank) => (final[index] = rank + 1));
    return final;
  }

  numberOf(ordinal: number): number {
    return this.final![this.ordinalNumbered.get(ordinal)!]!;
  }
}
