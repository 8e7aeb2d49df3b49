import { halfWidth, type Cell } from './cells.ts';

/** A voucher's identity in the file: its word (记/收/付/转, may be empty) and its number within that word. */
export type VoucherRef =
  { kind: 'number'; word: string; number: number; raw: string } | { kind: 'invalid'; raw: string } | { kind: 'blank' };

const MAX_NUMBER = 2_147_483_647;
const PLAIN = /^\d+$/;
/** 记-12, 记12, 记字第12号, 收-3, 银付 7 … */
const WITH_WORD = /^(\p{L}+?)字?\s*[-_—–·.#:]?\s*第?\s*(\d+)\s*号?$/u;

function numbered(word: string, digits: string, raw: string): VoucherRef {
  const number = Number(digits);
  if (!Number.isSafeInteger(number) || number < 1 || number > MAX_NUMBER) return { kind: 'invalid', raw };
  return { kind: 'number', word, number, raw };
}

function isDigits(text: string): boolean {
  if (text.length === 0 || text.length > 15) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** 凭证号 as written: `12`, `0012`, `记-12`, `记字第12号` (→ word 记, number 12); must be a positive whole number. */
export function parseVoucherNumber(cell: Cell, word = ''): VoucherRef {
  if (cell === null) return { kind: 'blank' };
  if (typeof cell === 'number') {
    const raw = String(cell);
    return Number.isInteger(cell) ? numbered(word, raw, raw) : { kind: 'invalid', raw };
  }
  if (cell instanceof Date) return { kind: 'invalid', raw: cell.toISOString().slice(0, 10) };
  if (isDigits(cell)) return numbered(word, cell, cell);
  const raw = halfWidth(cell);
  if (raw === '') return { kind: 'blank' };
  const text = raw.replace(/\s+/g, ' ');
  if (PLAIN.test(text)) return numbered(word, text, raw);
  const m = WITH_WORD.exec(text);
  if (m) return numbered(word || m[1]!, m[2]!, raw);
  return { kind: 'invalid', raw };
}
