import type { Fen } from '@mingbai/db/ledger/money';

/** Floor division of bigints (BigInt's `/` truncates toward zero, which rounds negatives the wrong way). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/**
 * The median of amounts in fen, exact: the middle amount of an odd count; of an even count, the mean of the two
 * middle amounts, and when that mean falls on half a fen it is rounded half up to the next whole fen (toward +∞:
 * 100 and 101 fen give 101 fen). Undefined for no amounts.
 */
export function medianFen(amounts: readonly Fen[]): Fen | undefined {
  if (amounts.length === 0) return undefined;
  const sorted = [...amounts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[mid]!;
  return floorDiv(sorted[mid - 1]! + sorted[mid]! + 1n, 2n);
}
