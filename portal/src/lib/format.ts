/**
 * Display formats for villagers: ¥1,234.56, 12.35万, 2026年6月3日. Money arrives from the API as exact decimal
 * strings and is formatted as text, never through a float.
 */

/** "1234567.8" → "¥1,234,567.80"; "-5.00" → "-¥5.00". */
export function yuan(decimal: string): string {
  const negative = decimal.startsWith('-');
  const [whole = '0', frac = ''] = (negative ? decimal.slice(1) : decimal).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}¥${grouped}.${frac.padEnd(2, '0').slice(0, 2)}`;
}

/**
 * Large amounts also in 万 (10,000 yuan) or, from 1亿 (100,000,000 yuan) up, in 亿, rounded half up to two decimals:
 * "1234567.89" → "123.46万", "1234567890" → "12.35亿"; under 1万 undefined (the yuan figure is short enough).
 */
export function wan(decimal: string): string | undefined {
  const negative = decimal.startsWith('-');
  const [whole = '0', frac = ''] = (negative ? decimal.slice(1) : decimal).split('.');
  const digits = whole.replace(/^0+(?=\d)/, '');
  if (digits.length < 5) return undefined;
  const fen = BigInt(digits + frac.padEnd(2, '0').slice(0, 2));
  // 1万 = 1,000,000 fen, 1亿 = 10,000,000,000 fen; two decimals of the unit, rounded half up.
  const inUnit = (unit: bigint) => (fen + unit / 200n) / (unit / 100n);
  // 99,999,999.99 rounds to 10000.00万: that is 1.00亿.
  const [hundredths, name] =
    inUnit(1_000_000n) >= 1_000_000n ? [inUnit(10_000_000_000n), '亿'] : [inUnit(1_000_000n), '万'];
  const text = `${hundredths / 100n}.${(hundredths % 100n).toString().padStart(2, '0')}${name}`;
  return negative ? `-${text}` : text;
}

/**
 * An amount as a figure of 万 for a column headed 万元, two decimals rounded half up: "2184000.00" → "218.40",
 * "5752.95" → "0.58"; an amount that is not zero never shows as 0.00 ("6.00" → "<0.01").
 */
export function wanFigure(decimal: string): string {
  const negative = decimal.startsWith('-');
  const [whole = '0', frac = ''] = (negative ? decimal.slice(1) : decimal).split('.');
  const fen = BigInt(whole + frac.padEnd(2, '0').slice(0, 2));
  const hundredths = (fen + 5_000n) / 10_000n;
  if (hundredths === 0n && fen > 0n) return negative ? '-<0.01' : '<0.01';
  const grouped = (hundredths / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative && hundredths > 0n ? '-' : ''}${grouped}.${(hundredths % 100n).toString().padStart(2, '0')}`;
}

/** "2026-06-03" → "2026年6月3日". */
export function date(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${Number(y)}年${Number(m)}月${Number(d)}日`;
}

export function monthLabel(year: number, month: number): string {
  return `${year}年${month}月`;
}

/** "2026-06" for URLs. */
export function monthSlug(year: number, month: number): string {
  return `${year}-${String(month).padStart(2, '0')}`;
}

export function parseMonthSlug(text: string | undefined): { year: number; month: number } | undefined {
  const match = /^(\d{4})-(\d{2})$/.exec(text ?? '');
  if (!match) return undefined;
  const [year, month] = [Number(match[1]), Number(match[2])];
  return month >= 1 && month <= 12 && year >= 2000 && year <= 2100 ? { year, month } : undefined;
}

/** `?rev=` as typed: a revision number the API can be asked for (1–32767), else undefined (the current one). */
export function parseRevision(text: string | null | undefined): number | undefined {
  if (!/^\d{1,5}$/.test(text?.trim() ?? '')) return undefined;
  const revision = Number(text!.trim());
  return revision >= 1 && revision <= 32767 ? revision : undefined;
}

export const PAYMENT_METHOD: Record<string, string> = { CASH: '现金', BANK: '银行', TRANSFER: '转账' };
export const FLOW_KIND: Record<string, string> = {
  INCOME: '收入',
  SPENDING: '支出',
  OTHER_RECEIPT: '其他收款',
  OTHER_PAYMENT: '其他付款',
};
