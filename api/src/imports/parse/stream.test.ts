import { readdirSync, readFileSync } from 'node:fs';
import type { VoucherInput } from '@mingbai/db/ledger/voucher-input';
import { describe, expect, it } from 'vitest';
import { parseLedgerFile } from './parse-ledger.ts';
import { bufferSource, parseLedgerStream } from './stream.ts';

const DIR = new URL('../../../../tests/fixtures/imports/', import.meta.url);
const FILES = ['good', 'bad'].flatMap((d) => readdirSync(new URL(`${d}/`, DIR)).map((f) => `${d}/${f}`));

/** The streaming reader, collected into what parseLedgerFile returns. */
async function streamed(bytes: Uint8Array, name: string, options = {}) {
  const vouchers: VoucherInput[] = [];
  const rows: number[] = [];
  const r = await parseLedgerStream(bufferSource(bytes), name, options, {
    voucher: (v, _, row) => void (vouchers.push(v), rows.push(row)),
    reset: () => void ((vouchers.length = 0), (rows.length = 0)),
  });
  vouchers.forEach((v, i) => (v.number = r.numberOf(i)));
  return {
    format: r.format,
    encoding: r.encoding,
    year: r.year,
    month: r.month,
    rows: r.rows,
    vouchers,
    problems: r.problems,
    firstRowOf: new Map(vouchers.map((v, i) => [v.number, rows[i]!])),
  };
}

describe('the streaming reader reads every fixture as parseLedgerFile does', () => {
  it.each(FILES)('%s', async (file) => {
    const bytes = new Uint8Array(readFileSync(new URL(file, DIR)));
    for (const options of [{}, { year: 2025, month: 6 }, { year: 2025, month: 7 }]) {
      const before = await parseLedgerFile(bytes, file, options);
      const after = await streamed(bytes, file, options);
      const okRows = new Map([...before.firstRowOf].filter(([n]) => before.vouchers.some((v) => v.number === n)));
      expect({ ...after }).toEqual({ ...before, firstRowOf: okRows });
    }
  });

  it('reads files with several voucher words, renumbered, and text split anywhere', async () => {
    const text =
      '凭证字,凭证号,日期,摘要,科目编码,借方金额,贷方金额\r\n' +
      ['收,1,2025-06-02,收租金,102,10.00,', '收,1,2025-06-02,收租金,50101,,10.00', '付,1,2025-06-03,电费,513,5.00,']
        .concat([
          '付,1,2025-06-03,电费,102,,5.00',
          '收,2,2025-06-04,收租金,102,3.00,',
          '收,2,2025-06-04,收租金,501,,3.00',
        ])
        .join('\r\n');
    const csv = 'csign,ino_id,dbill_date,cdigest,ccode,md,mc\r\n' + text.split('\r\n').slice(1).join('\r\n');
    for (const bytes of [Buffer.from(csv), Buffer.from(text)]) {
      const before = await parseLedgerFile(bytes, 'x.csv');
      const after = await streamed(bytes, 'x.csv');
      expect(after.vouchers).toEqual(before.vouchers);
      expect(after.problems).toEqual(before.problems);
    }
  });
});
