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

/**
 * An amount as accountants write it: `1,234.50`, `1，234.5`, `¥1234`, `￥1234`, `1234元`, `(1000)` and `（1000）` as
 * negatives, `-` `—` or blank for nothing. Never through a float: the text is read digit by digit.
 */
export function parseAmountText(raw: string): AmountCell {
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
