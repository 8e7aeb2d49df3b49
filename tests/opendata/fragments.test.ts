// Cutting a batch's lines into per-village-month fragments: exact at any chunk boundary, whatever the cells hold.
import { describe, expect, it } from 'vitest';
import { copyCsvRow } from '../../api/src/opendata/csv.ts';
import { LineSplitter } from '../../api/src/opendata/fragments.ts';

const CODES = ['120111001001', '120111001002', '120111001003', '120111001004'];

/** Village 2 has no lines; a cell of village 1 holds a newline followed by village 3's code, as a line would start. */
const CSV_LINES: Record<number, string[][]> = {
  0: [
    [CODES[0]!, '1', '含"引号",逗号'],
    [CODES[0]!, '2', `换行\n${CODES[2]},假的一行`],
    [CODES[0]!, '3', ''],
  ],
  1: [[CODES[1]!, '1', '"整格引号"']],
  3: [
    [CODES[3]!, '1', `\n${CODES[3]},\n`],
    [CODES[3]!, '2', 'x'],
  ],
};

function expected(format: 'csv' | 'jsonl'): string[] {
  return CODES.map((code, i) =>
    (CSV_LINES[i] ?? [])
      .map((row) =>
        format === 'csv'
          ? copyCsvRow(row)
          : `${JSON.stringify({ village_code: code, voucher_number: row[1], summary: row[2] })}\n`,
      )
      .join(''),
  );
}

/** Feeds `text` to a splitter in the given pieces and gathers each village month's bytes. */
function splitInto(format: 'csv' | 'jsonl', chunks: Buffer[]): string[] {
  const splitter = new LineSplitter(CODES, format);
  const out = CODES.map(() => [] as Buffer[]);
  let last = -1;
  for (const chunk of chunks) {
    for (const [index, piece] of splitter.split(chunk)) {
      expect(index).toBeGreaterThanOrEqual(last);
      last = index;
      out[index]!.push(piece);
    }
  }
  splitter.end();
  return out.map((pieces) => Buffer.concat(pieces).toString('utf8'));
}

describe('cutting lines into village months', () => {
  for (const format of ['csv', 'jsonl'] as const) {
    it(`gives each village month exactly its ${format} lines, wherever the chunks break`, () => {
      const want = expected(format);
      const all = Buffer.from(want.join(''), 'utf8');
      expect(splitInto(format, [all])).toEqual(want);
      // Every single cut point, and one byte at a time: inside a code, a quoted cell, a UTF-8 character.
      for (let cut = 1; cut < all.length; cut++) {
        expect(splitInto(format, [all.subarray(0, cut), all.subarray(cut)])).toEqual(want);
      }
      expect(
        splitInto(
          format,
          [...all].map((b) => Buffer.from([b])),
        ),
      ).toEqual(want);
    });
  }

  it('refuses a line of a village month it was not given, and lines that end mid-line', () => {
    const stranger = new LineSplitter(CODES.slice(0, 2), 'csv');
    expect(() => stranger.split(Buffer.from(copyCsvRow([CODES[3]!, '1', 'x'])))).toThrow(/no selected village/);
    const cut = new LineSplitter(CODES, 'csv');
    cut.split(Buffer.from(`${CODES[0]},1,"未完`));
    expect(() => cut.end()).toThrow(/mid-line/);
  });
});
