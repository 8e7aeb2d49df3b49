/** A cell as read from a CSV (always text) or an xlsx worksheet (text, number or date). */
export type Cell = string | number | Date | null;

export interface TableRow {
  /** The row number a person sees in Excel. */
  row: number;
  cells: Cell[];
}

// Line breaks and tabs become spaces; other C0/C1 controls, zero-width characters and bidirectional overrides go.
const BREAKS = /\r\n|[\r\n\t\u2028\u2029]/g;
// Also the other characters that show nothing (soft hyphen, fillers, variation selectors, tags): a name with one
// inside would no longer match itself when it is masked in a 摘要. Combining marks are listed on purpose.
const INVISIBLE =
  // eslint-disable-next-line no-control-regex, no-misleading-character-class
  /[\u0000-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\u{e0000}-\u{e007f}]/gu;

/** Text as a person meant it: trimmed, without control or invisible characters. Nothing else changes. */
export function cleanText(text: string): string {
  return text.replace(BREAKS, ' ').replace(INVISIBLE, '').trim();
}

/** Full-width digits, letters and punctuation as ASCII (NFKC), for reading numbers, codes and dates. */
export function halfWidth(text: string): string {
  return cleanText(text).normalize('NFKC').trim();
}

/** The text of any cell, for messages and for fields that are text. Dates as YYYY-MM-DD (UTC parts). */
export function cellText(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'string') return cleanText(cell);
  if (typeof cell === 'number') return String(cell);
  if (Number.isNaN(cell.getTime())) return '';
  return cell.toISOString().slice(0, 10);
}

export function isBlank(cell: Cell): boolean {
  return cellText(cell) === '';
}
