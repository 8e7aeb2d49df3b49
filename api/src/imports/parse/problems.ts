import { formatYuan, type Fen } from '@mingbai/db/ledger/money';
import type { ImportProblem, ParseErrorCode } from './types.ts';

/** Collects every problem of a file; parsing goes on after each one. */
export class Problems {
  readonly list: ImportProblem[] = [];
  private found = 0;

  /** `cap`: how many problems to keep, the first by row; a file of a million bad rows must not hold a million. */
  constructor(private readonly cap: number) {}

  add(row: number | null, column: string | null, code: ParseErrorCode, message: string): void {
    this.list.push({ row, column, code, message });
    this.found++;
    if (this.list.length >= 2 * this.cap) {
      const kept = this.sorted();
      this.list.length = 0;
      this.list.push(...kept);
    }
  }

  /** Problems ordered by row (file-wide ones first), keeping the order of discovery within a row; at most `cap`. */
  sorted(): ImportProblem[] {
    const sorted = this.list
      .map((p, i) => ({ p, i }))
      .sort((a, b) => (a.p.row ?? 0) - (b.p.row ?? 0) || a.i - b.i)
      .map(({ p }) => p);
    return sorted.length > this.cap ? sorted.slice(0, this.cap) : sorted;
  }

  /** Found but not kept. */
  get omitted(): number {
    return Math.max(0, this.found - this.cap);
  }
}

/** `第12行“借方金额”：` — the start of every message about a cell. */
export function at(row: number | null, column: string | null): string {
  if (row === null) return column ? `“${column}”列：` : '';
  return column ? `第${row}行“${column}”：` : `第${row}行：`;
}

/** A cell's text as quoted in a message, shortened so that a message stays one line. */
export function shown(text: string): string {
  const chars = [...text];
  return `“${chars.length > 30 ? `${chars.slice(0, 30).join('')}…` : text}”`;
}

/** 123456n → "1,234.56元". */
export function yuanText(fen: Fen): string {
  const [whole = '0', decimals = '00'] = formatYuan(fen).split('.');
  const negative = whole.startsWith('-');
  const digits = negative ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}.${decimals}元`;
}
