/** Money is integer fen (分) as bigint, end to end. These are the only conversions to and from text. */

export type Fen = bigint;

export function yuan(whole: number | bigint, fen: number | bigint = 0): Fen {
  return BigInt(whole) * 100n + BigInt(fen);
}

/** 123456n → "1234.56"; -5n → "-0.05". */
export function formatYuan(amount: Fen): string {
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const text = `${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
  return negative ? `-${text}` : text;
}

const DECIMAL_YUAN = /^(-)?(\d{1,17})(?:\.(\d{1,2}))?$/;

/** "1234.5" → 123450n. Exact: refuses more than two decimals instead of rounding. Returns undefined if not a number. */
export function parseYuan(text: string): Fen | undefined {
  const match = DECIMAL_YUAN.exec(text.trim());
  if (!match) return undefined;
  const [, sign, whole, decimals = ''] = match;
  const fen = BigInt(whole!) * 100n + BigInt(decimals.padEnd(2, '0'));
  return sign ? -fen : fen;
}

export function sumFen(values: Iterable<Fen>): Fen {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}
