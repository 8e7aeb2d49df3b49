import type { VoucherInput } from '@mingbai/db/ledger/voucher-input';
import type { SpooledVouchers, VoucherSpool } from '@mingbai/db/ledger/spool';
import { IntList } from './parse/int-list.ts';
import { isCashAccount } from '@mingbai/db/ledger/flows';

export interface CodeUse {
  /** Line ordinal and voucher row of the first line with this account, and of the first without a name. */
  first: number;
  firstRow: number;
  unnamed: number;
  unnamedRow: number;
}

/** What the import needs to know of the vouchers read, as plain data that can cross to another thread. */
export interface TallySnapshot {
  vouchers: number;
  lines: number;
  debitTotal: bigint;
  cashMovement: bigint;
  /** First-level account → [debit, credit]. */
  byTop: Map<string, [bigint, bigint]>;
  codes: Map<string, CodeUse>;
  /** Per voucher ordinal: the row where it starts. */
  rows: Int32Array;
  /** Ordinals of the vouchers whose every line appears at least twice (an export pasted in twice, then sorted). */
  repeated: Int32Array;
  /** Pairs (ordinal, ordinal of the earlier voucher) of vouchers identical but for their number. */
  twins: Int32Array;
  spool: SpooledVouchers | undefined;
}

/** A line as the ledger would store it, for comparing lines of one voucher. */
function lineKey(l: VoucherInput['lines'][number]): string {
  const cp = l.counterparty;
  return [
    l.accountCode,
    l.side,
    l.amountFen,
    l.summary ?? '',
    cp?.name ?? '',
    cp?.idNumber ?? '',
    cp?.phone ?? '',
    cp?.bankAccount ?? '',
    l.paymentMethod ?? '',
  ].join('\u0000');
}

/**
 * Two 32-bit FNV-1a hashes of a voucher's date, 摘要 and lines (each line as `lineKey` gives it, lines apart by U+0001),
 * and of the text's length, as one 52-bit number. Fed field by field: building the text first cost a string per line
 * and one per voucher, the garbage of a million lines. `voucherHashOfText` is the same hash of the text built whole.
 */
export function voucherHash(v: VoucherInput): number {
  const h = new Fnv();
  h.feed(v.date);
  h.char(1);
  h.feed(v.summary);
  h.char(1);
  const lines = v.lines;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (i > 0) h.char(1);
    const cp = l.counterparty;
    h.feed(l.accountCode);
    h.char(0);
    h.feed(l.side);
    h.char(0);
    h.feed(String(l.amountFen));
    h.char(0);
    h.feed(l.summary ?? '');
    h.char(0);
    h.feed(cp?.name ?? '');
    h.char(0);
    h.feed(cp?.idNumber ?? '');
    h.char(0);
    h.feed(cp?.phone ?? '');
    h.char(0);
    h.feed(cp?.bankAccount ?? '');
    h.char(0);
    h.feed(l.paymentMethod ?? '');
  }
  return h.value();
}

class Fnv {
  private a = 0x811c9dc5;
  private b = 0x01000193;
  private length = 0;
  char(c: number): void {
    this.a = Math.imul(this.a ^ c, 0x01000193);
    this.b = Math.imul(this.b ^ c, 0x5bd1e995);
    this.length++;
  }
  feed(text: string): void {
    let a = this.a;
    let b = this.b;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
    this.a = a;
    this.b = b;
    this.length += text.length;
  }
  value(): number {
    const b = Math.imul(this.b ^ this.length, 0x5bd1e995);
    return (this.a >>> 0) * 0x100000 + ((b >>> 0) & 0xfffff);
  }
}

/** `voucherHash` of the voucher's text built whole, for the tests. */
export function voucherHashOfText(v: VoucherInput): number {
  const h = new Fnv();
  h.feed(`${v.date}\u0001${v.summary}\u0001${v.lines.map(lineKey).join('\u0001')}`);
  return h.value();
}

/** Vouchers remembered for finding twins: a village's month has a few thousand; the memory stays a few MB. */
const MAX_REMEMBERED_VOUCHERS = 200_000;

/**
 * Whether each line of the voucher has an identical twin in it: 4 or more lines that pair off. A voucher of two equal
 * payments and their one credit is not (the credit has no twin); the same two lines pasted in twice is.
 */
export function linesRepeated(v: VoucherInput): boolean {
  if (v.lines.length < 4) return false;
  const counts = new Map<string, number>();
  for (const l of v.lines) {
    const key = lineKey(l);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const n of counts.values()) if (n < 2) return false;
  return true;
}

/**
 * Counts, sums by first-level account, cash movement, the accounts used and where, voucher rows; the vouchers
 * themselves go to the spool when they will be written (not for a preview).
 */
export class Tally {
  vouchers = 0;
  lines = 0;
  debitTotal = 0n;
  cashMovement = 0n;
  readonly byTop = new Map<string, [bigint, bigint]>();
  readonly codes = new Map<string, CodeUse>();
  readonly rows = new IntList();
  readonly repeated = new IntList();
  readonly twins = new IntList();
  private readonly remembered = new Map<number, number>();

  constructor(readonly spool: VoucherSpool | undefined) {}

  voucher(v: VoucherInput, ordinal: number, row: number): void {
    this.vouchers++;
    this.rows.push(row);
    if (linesRepeated(v)) this.repeated.push(ordinal);
    const hash = voucherHash(v);
    const earlier = this.remembered.get(hash);
    if (earlier !== undefined) {
      this.twins.push(ordinal);
      this.twins.push(earlier);
    } else if (this.remembered.size < MAX_REMEMBERED_VOUCHERS) this.remembered.set(hash, ordinal);
    for (const l of v.lines) {
      const at = this.lines++;
      const top = l.accountCode.slice(0, 3);
      let sums = this.byTop.get(top);
      if (!sums) this.byTop.set(top, (sums = [0n, 0n]));
      if (l.side === 'debit') {
        this.debitTotal += l.amountFen;
        sums[0] += l.amountFen;
      } else sums[1] += l.amountFen;
      if (isCashAccount(top)) this.cashMovement += l.side === 'debit' ? l.amountFen : -l.amountFen;
      let use = this.codes.get(l.accountCode);
      if (!use) this.codes.set(l.accountCode, (use = { first: at, firstRow: row, unnamed: -1, unnamedRow: 0 }));
      if (use.unnamed < 0 && !l.accountName?.trim()) {
        use.unnamed = at;
        use.unnamedRow = row;
      }
    }
    this.spool?.add(v, ordinal);
  }

  reset(): void {
    this.vouchers = 0;
    this.lines = 0;
    this.debitTotal = 0n;
    this.cashMovement = 0n;
    this.byTop.clear();
    this.codes.clear();
    this.rows.clear();
    this.repeated.clear();
    this.twins.clear();
    this.remembered.clear();
    this.spool?.reset();
  }

  snapshot(): TallySnapshot {
    this.spool?.close();
    return {
      vouchers: this.vouchers,
      lines: this.lines,
      debitTotal: this.debitTotal,
      cashMovement: this.cashMovement,
      byTop: this.byTop,
      codes: this.codes,
      rows: this.rows.view().slice(),
      repeated: this.repeated.view().slice(),
      twins: this.twins.view().slice(),
      spool: this.spool?.contents(),
    };
  }
}
