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

/**
 * Whether a UTF-16 unit may be one that cleanText replaces or removes (BREAKS, INVISIBLE; any surrogate, for the tag
 * characters). Generous on purpose: a false yes only costs the regular expressions; a false no would keep a character.
 */
function mayNeedCleaning(c: number): boolean {
  if (c < 0x7f) return c < 0x20;
  if (c < 0xa0) return true;
  if (c < 0x2010) return c === 0xad || c >= 0x34f;
  if (c < 0x3000) return (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f);
  if (c < 0xd800) return c === 0x3164;
  return c < 0xe000 || (c >= 0xfe00 && c <= 0xfe0f) || c === 0xfeff || c >= 0xffa0;
}

/** Text as a person meant it: trimmed, without control or invisible characters. Nothing else changes. */
export function cleanText(text: string): string {
  // Most cells (amounts, codes, dates, names, 摘要) have nothing to remove: a scan is far cheaper than two regexps.
  for (let i = 0; i < text.length; i++) {
    if (mayNeedCleaning(text.charCodeAt(i))) return text.replace(BREAKS, ' ').replace(INVISIBLE, '').trim();
  }
  return text.trim();
}

/**
 * Whether NFKC leaves a UTF-16 unit as it is, alone and beside any other such unit: printable ASCII, CJK unified
 * ideographs and a few CJK punctuation marks (cells.test.ts checks every one against String.prototype.normalize).
 */
export function nfkcStable(c: number): boolean {
  return (c >= 0x20 && c < 0x7f) || (c >= 0x4e00 && c <= 0x9fff) || c === 0x3001 || c === 0x3002;
}

/** Full-width digits, letters and punctuation as ASCII (NFKC), for reading numbers, codes and dates. */
export function halfWidth(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (!nfkcStable(text.charCodeAt(i))) return cleanText(text).normalize('NFKC').trim();
  }
  return text.trim();
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
