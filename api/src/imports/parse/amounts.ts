import type { Fen } from '@mingbai/db/ledger/money';
import { halfWidth, type Cell } from './cells.ts';

export type AmountCell = { kind: 'empty' } | { kind: 'amount'; fen: Fen } | { kind: 'invalid'; reason: string };

/** 10^13 yuan: far beyond any village, well inside bigint and PostgreSQL bigint. */
export const MAX_AMOUNT_FEN = 10n ** 15n;

const EMPTY = new Set(['', '-', '--', '—', '——', '–', '/', '无']);
const PLAIN = /^\d+(?:\.\d+)?$/;
const GROUPED = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;

/** Decimal text (digits, optional fraction) → fen; fractions beyond 2 places must be zeros. */
function decimalToFen(text: string): AmountCell {
  const [whole = '0', fraction = ''] = text.split('.');
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > 2) return { kind: 'invalid', reason: '不是有效金额：最多只能有两位小数（到分）' };
  return { kind: 'amount', fen: BigInt(whole) * 100n + BigInt(significant.padEnd(2, '0')) };
}

/** Digits of the whole part read as a float-free Number: 10^13 yuan in fen stays below 2^53. */
const FAST_WHOLE_DIGITS = 13;

/**
 * `1234`, `1234.5`, `1,234.56`: how nearly every amount is written, read character by character; undefined for
 * anything else (signs, brackets, spaces, currency, longer fractions), which the general reader below takes.
 */
function plainAmount(text: string): AmountCell | undefined {
  const n = text.length;
  let whole = 0;
  let digits = 0;
  // Digits since the last comma; -1 before the first.
  let group = -1;
  let i = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      whole = whole * 10 + (c - 48);
      digits++;
      if (group >= 0) group++;
    } else if (c === 44) {
      if (digits === 0 || (group < 0 ? digits > 3 : group !== 3)) return undefined;
      group = 0;
    } else break;
  }
  if (digits === 0 || digits > FAST_WHOLE_DIGITS || (group >= 0 && group !== 3)) return undefined;
  let cents = 0;
  if (i < n) {
    const decimals = n - i - 1;
    if (text.charCodeAt(i) !== 46 || decimals < 1 || decimals > 2) return undefined;
    for (let j = i + 1; j < n; j++) {
      const c = text.charCodeAt(j);
      if (c < 48 || c > 57) return undefined;
      cents = cents * 10 + (c - 48);
    }
    if (decimals === 1) cents *= 10;
  }
  return { kind: 'amount', fen: BigInt(whole * 100 + cents) };
}

/**
 * An amount as accountants write it: `1,234.50`, `1，234.5`, `¥1234`, `￥1234`, `1234元`, `(1000)` and `（1000）` as
 * negatives, `-` `—` or blank for nothing. Never through a float: the text is read digit by digit.
 */
export function parseAmountText(raw: string): AmountCell {
  const plain = plainAmount(raw);
  if (plain) return plain;
  let text = halfWidth(raw)
    .replace(/\s+/g, '')
    .replace(/\u2212/g, '-');
  if (EMPTY.has(text)) return { kind: 'empty' };
  let negative = false;
  const bracketed = /^\((.*)\)$/.exec(text);
  if (bracketed) {
    negative = true;
    text = bracketed[1]!;
  }
  text = text.replace(/^(?:¥|rmb|cny)/i, '').replace(/元$/, '');
  if (text.startsWith('-') || text.startsWith('+')) {
    negative = negative !== text.startsWith('-');
    text = text.slice(1);
  }
  text = text.replace(/^(?:¥|rmb|cny)/i, '');
  if (/^\d+(?:\.\d+)?e[+-]?\d+$/i.test(text)) {
    return { kind: 'invalid', reason: '是科学计数法，数字可能已被截断；请把单元格设为“数值”格式后重新导出' };
  }
  if (!PLAIN.test(text) && !GROUPED.test(text)) return { kind: 'invalid', reason: '不是金额' };
  const result = decimalToFen(text.replace(/,/g, ''));
  if (result.kind === 'amount' && negative) return { kind: 'amount', fen: -result.fen };
  return result;
}

/**
 * A number from an xlsx cell, read as Excel shows it: Excel keeps 15 significant digits, so a formula result stored as
 * 1234.5600000000002 is the 1234.56 the accountant sees. The digits are then read as text, never multiplied as a float.
 */
export function parseAmountNumber(value: number): AmountCell {
  if (!Number.isFinite(value)) return { kind: 'invalid', reason: '不是金额' };
  // Far too large either way; its whole part is exact enough to say so.
  if (Math.abs(value) >= 1e15) return { kind: 'amount', fen: BigInt(Math.trunc(value)) * 100n };
  const text = String(Number(value.toPrecision(15)));
  if (/e/i.test(text)) return { kind: 'invalid', reason: '不是有效金额：最多只能有两位小数（到分）' };
  return parseAmountText(text);
}

export function parseAmountCell(cell: Cell): AmountCell {
  if (cell === null) return { kind: 'empty' };
  if (typeof cell === 'number') return parseAmountNumber(cell);
  if (cell instanceof Date) return { kind: 'invalid', reason: '是日期，不是金额' };
  return parseAmountText(cell);
}
