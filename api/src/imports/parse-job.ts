/**
 * One file read into what the import needs (its problems, its totals, its vouchers spooled), as plain data:
 * run here (the CLI, its own process) or in a worker thread with a memory cap (uploads to the API; parse.worker.ts).
 */
import { VoucherSpool } from '@mingbai/db/ledger/spool';
import { parseLedgerStream, type ByteSource, type StreamedLedger } from './parse/stream.ts';
import type { ParseOptions } from './parse/types.ts';
import type { VoucherSink } from './parse/vouchers.ts';
import { Tally, type TallySnapshot } from './tally.ts';

export interface ParseJob {
  filename: string;
  options: ParseOptions;
  /** Spool the vouchers into this folder, for the ledger's COPY; none for a preview, which keeps no voucher. */
  spoolDir?: string | undefined;
}

export type LedgerSnapshot = Omit<StreamedLedger, 'numberOf'> & {
  /** Per voucher ordinal: its final number in the ledger. */
  numbers: Int32Array;
};

export interface ParseOutcome {
  ledger: LedgerSnapshot;
  tally: TallySnapshot;
}

/**
 * `onVoucher` hears of each voucher read, with the row it starts on (for a progress line at a terminal: the CLI reads
 * here, in its own process).
 */
export async function runParse(
  source: ByteSource,
  job: ParseJob,
  onVoucher?: (row: number) => void,
): Promise<ParseOutcome> {
  const tally = new Tally(job.spoolDir ? new VoucherSpool(job.spoolDir) : undefined);
  const sink: VoucherSink = onVoucher
    ? {
        voucher(v, ordinal, row) {
          onVoucher(row);
          return tally.voucher(v, ordinal, row);
        },
        reset: () => tally.reset(),
      }
    : tally;
  const parsed = await parseLedgerStream(source, job.filename, job.options, sink);
  const numbers = new Int32Array(parsed.vouchers);
  for (let i = 0; i < numbers.length; i++) numbers[i] = parsed.numberOf(i);
  const { numberOf: _, ...ledger } = parsed;
  return { ledger: { ...ledger, numbers }, tally: tally.snapshot() };
}
