// Vouchers spooled to disk while a file is read, then COPY'd by copyVoucherSpool (post.ts) once the whole file is known
// good. Apart from post.ts so that a parse worker thread loads neither drizzle nor the schema.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { VoucherInput } from './voucher-input.ts';

const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A text value as a COPY text-format field. */
export function copyField(value: string | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  return COPY_SPECIAL.test(value) ? value.replace(/[\\\n\r\t]/g, (c) => COPY_ESCAPES[c]!) : value;
}

/**
 * Vouchers of one import, written to two temporary files as they are read (one line per voucher, one per line) with
 * what the ledger needs from the whole batch kept small: the accounts used and the persons paid.
 */
export class VoucherSpool {
  vouchers = 0;
  lines = 0;
  readonly accounts = new Map<string, string | undefined>();
  readonly persons = new Set<string>();
  private readonly files: SpoolFile[];

  constructor(readonly dir: string) {
    this.files = ['vouchers.tsv', 'lines.tsv'].map((name) => {
      const path = join(dir, name);
      return { path, fd: openSync(path, 'w'), buffer: Buffer.allocUnsafe(SPOOL_BUFFER_BYTES), bytes: 0 };
    });
  }

  add(v: VoucherInput, ordinal: number): void {
    const [vf, lf] = this.files as [(typeof this.files)[0], (typeof this.files)[0]];
    this.vouchers++;
    // Rows joined from arrays: a template literal of a dozen parts is a chain of a dozen joined strings, made and then
    // copied flat by the write, for every line of the file (a fifth of the parse's garbage).
    spoolWrite(
      vf,
      [
        ordinal,
        v.date,
        copyField(v.summary.trim()),
        v.attachments,
        copyField(v.preparer),
        copyField(v.reviewer),
        copyField(v.approver),
      ].join('\t'),
    );
    const lines = v.lines;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      this.lines++;
      if (!this.accounts.has(line.accountCode) || line.accountName) {
        this.accounts.set(line.accountCode, line.accountName ?? this.accounts.get(line.accountCode));
      }
      const cp = line.counterparty;
      if (cp?.isPerson) this.persons.add(cp.name.trim());
      spoolWrite(
        lf,
        [
          ordinal,
          i + 1,
          line.accountCode,
          line.side,
          line.amountFen,
          copyField(line.summary?.trim() || null),
          copyField(cp?.name.trim() || null),
          cp?.isPerson ? 't' : 'f',
          copyField(cp?.idNumber),
          copyField(cp?.phone),
          copyField(cp?.bankAccount),
          copyField(line.paymentMethod),
        ].join('\t'),
      );
    }
  }

  reset(): void {
    this.close();
    this.vouchers = 0;
    this.lines = 0;
    this.accounts.clear();
    this.persons.clear();
    for (const f of this.files) f.fd = openSync(f.path, 'w');
  }

  close(): void {
    for (const f of this.files) {
      if (f.fd < 0) continue;
      flushSpool(f);
      closeSync(f.fd);
      f.fd = -1;
    }
  }

  get paths(): { vouchers: string; lines: string } {
    return { vouchers: this.files[0]!.path, lines: this.files[1]!.path };
  }

  /** What copyVoucherSpool needs, as plain data (a spool written in a worker thread is COPY'd by the main one). */
  contents(): SpooledVouchers {
    return {
      vouchers: this.vouchers,
      lines: this.lines,
      accounts: new Map(this.accounts),
      persons: new Set(this.persons),
      paths: this.paths,
    };
  }
}

export type SpooledVouchers = Pick<VoucherSpool, 'vouchers' | 'lines' | 'accounts' | 'persons' | 'paths'>;

interface SpoolFile {
  path: string;
  fd: number;
  buffer: Buffer;
  bytes: number;
}

export const SPOOL_BUFFER_BYTES = 256 * 1024;

/**
 * Each row straight into a byte buffer: rows held as strings until a flush outlived the young generation, pulling the
 * cells they were cut from (and the 256 KB of text around them) into the old one, and garbage collection took a third
 * of the parse.
 */
function spoolWrite(f: SpoolFile, row: string): void {
  // A UTF-16 unit takes at most 3 bytes of UTF-8; the row's line break is written after it.
  if (f.bytes + row.length * 3 + 1 > f.buffer.length) {
    flushSpool(f);
    if (row.length * 3 + 1 > f.buffer.length) {
      writeSync(f.fd, row + '\n');
      return;
    }
  }
  f.bytes += f.buffer.write(row, f.bytes);
  f.buffer[f.bytes++] = 0x0a;
}

function flushSpool(f: SpoolFile): void {
  if (f.bytes === 0) return;
  writeSync(f.fd, f.buffer, 0, f.bytes);
  f.bytes = 0;
}
