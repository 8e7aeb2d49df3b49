/**
 * For the tests beside it: the parser run on bytes held in memory, its vouchers collected with their final numbers.
 * Production never imports this file (an import runs parseLedgerStream in a worker, parse-job.ts).
 */
import type { VoucherInput } from '@mingbai/db/ledger/voucher-input';
import { parseLedgerStream, type ByteSource, type StreamedLedger } from './stream.ts';
import type { ParseOptions } from './types.ts';

export interface ParsedForTest extends Omit<StreamedLedger, 'vouchers' | 'numberOf'> {
  /** Every voucher without a problem, in file order, with its final number. */
  vouchers: VoucherInput[];
  /** Voucher number → the row where that voucher starts. */
  firstRowOf: Map<number, number>;
}

/** `bytes` as a source that hands them over `chunkBytes` at a time (all at once by default). */
export function bytesSource(bytes: Uint8Array, chunkBytes = bytes.byteLength || 1): ByteSource {
  return {
    size: bytes.byteLength,
    async *chunks() {
      for (let i = 0; i < bytes.byteLength; i += chunkBytes) yield bytes.subarray(i, i + chunkBytes);
    },
  };
}

export async function parseForTest(
  bytes: Uint8Array,
  filename: string,
  options: ParseOptions = {},
  chunkBytes?: number,
): Promise<ParsedForTest> {
  const vouchers: VoucherInput[] = [];
  const rows: number[] = [];
  const r = await parseLedgerStream(bytesSource(bytes, chunkBytes), filename, options, {
    voucher: (v, _ordinal, row) => void (vouchers.push(v), rows.push(row)),
    reset: () => void ((vouchers.length = 0), (rows.length = 0)),
  });
  vouchers.forEach((v, i) => (v.number = r.numberOf(i)));
  const { vouchers: _count, numberOf: _numberOf, ...rest } = r;
  return { ...rest, vouchers, firstRowOf: new Map(vouchers.map((v, i) => [v.number, rows[i]!])) };
}

/** UTF-8 text as a file's bytes. */
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
