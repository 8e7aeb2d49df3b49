import { halfWidth, type Cell } from './cells.ts';

export type AccountCell =
  { kind: 'blank' } | { kind: 'account'; code: string; name?: string } | { kind: 'invalid'; reason: string };

/** 《农村集体经济组织会计制度》: a 3-digit first level, then 2 digits per level, up to four levels. */
export const ACCOUNT_CODE = /^[0-9]{3}(?:[0-9]{2}){0,3}$/;

const CODE_THEN_NAME = /^(\d+(?:[.\-_·/ ]\d+)*)(.*)$/;

function checked(digits: string, name: string, segments: string[] = [digits]): AccountCell {
  if (ACCOUNT_CODE.test(digits))
    return name ? { kind: 'account', code: digits, name } : { kind: 'account', code: digits };
  let reason = '不是有效的科目编码：一级科目3位，每下一级加2位（如 513、51301、5130101）';
  if (segments.length > 1) {
    reason += '；分段写时每段明细都是2位，如 513.01';
  } else if (/^\d{4}(?:\d{2})*$/.test(digits)) {
    reason += '；看起来是4位一级科目（企业会计科目，如 1002、5513），请先换成《农村集体经济组织会计制度》的科目再导入';
  }
  return { kind: 'invalid', reason };
}

/**
 * `51301`, `513.01`, `513-01`, `5130101`, `51301 办公费`, `51301-办公费`, full-width digits → digits only, with the name
 * that followed the code. Whether the account exists in the village's chart is checked later, not here.
 */
export function parseAccountText(raw: string): AccountCell {
  // A ledger uses a few hundred accounts over and over; an AccountCell is never changed once made.
  const known = accountCache.get(raw);
  if (known) return known;
  const cell = readAccountText(raw);
  if (accountCache.size >= ACCOUNT_CACHE_SIZE) accountCache.clear();
  accountCache.set(raw, cell);
  return cell;
}

const ACCOUNT_CACHE_SIZE = 4096;
const accountCache = new Map<string, AccountCell>();

function readAccountText(raw: string): AccountCell {
  const text = halfWidth(raw).replace(/\s+/g, ' ');
  if (text === '') return { kind: 'blank' };
  const m = CODE_THEN_NAME.exec(text.replace(/^\[(\d[^\]]*)\]/, '$1 '));
  if (!m) return { kind: 'invalid', reason: '不是科目编码：请填写科目编码，如 513 或 51301（名称可以写在编码后面）' };
  const segments = m[1]!.split(/\D/);
  const digits = segments.join('');
  const name = m[2]!
    .replace(/^[\s\-_—:/·]+/, '')
    .replace(/^\((.*)\)$/, '$1')
    .trim();
  return checked(digits, name, segments);
}

/**
 * A code typed into a number cell: Excel drops trailing zeros, so 513.10 arrives as 513.1. Every level after the first
 * has two digits, so the decimals are padded back to an even count.
 */
export function parseAccountNumber(value: number): AccountCell {
  if (!Number.isFinite(value) || value < 0) return { kind: 'invalid', reason: '不是科目编码' };
  const [whole = '', fraction = ''] = String(Number(value.toPrecision(15))).split('.');
  if (/e/i.test(whole)) return { kind: 'invalid', reason: '不是科目编码' };
  return checked(whole + (fraction.length % 2 ? `${fraction}0` : fraction), '');
}

export function parseAccountCell(cell: Cell): AccountCell {
  if (cell === null) return { kind: 'blank' };
  if (typeof cell === 'number') return parseAccountNumber(cell);
  if (cell instanceof Date) return { kind: 'invalid', reason: '是日期，不是科目编码' };
  return parseAccountText(cell);
}
