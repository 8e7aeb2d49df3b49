import { describe, expect, it } from 'vitest';
import { isZip, looksLikeOldExcel } from './decode.ts';
import { parseForTest, utf8, type ParsedForTest } from './test-support.ts';

/** Bytes that are no ledger: the parser names the encoding it read them in and quotes their first row. */
const read = (bytes: Uint8Array) => parseForTest(bytes, 'ledger.csv');
/** The decoded first row, as the LAYOUT_UNKNOWN message quotes it (cells joined by 、). */
const firstRow = (r: ParsedForTest) => /第1行是“(.*)”/.exec(r.problems[0]!.message)?.[1];

describe('encoding detection', () => {
  it('reads UTF-8, with or without a BOM', async () => {
    const plain = await read(utf8('摘要,借方'));
    expect([plain.encoding, firstRow(plain)]).toEqual(['utf-8', '摘要、借方']);
    const bom = await read(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('摘要')]));
    expect([bom.encoding, firstRow(bom)]).toEqual(['utf-8-bom', '摘要']);
  });

  it('falls back to GB18030 for what Excel saves on Chinese Windows', async () => {
    // 摘要 in GBK: D5 AA D2 AA, which is also valid UTF-8 (“ժҪ”), but nonsense.
    const r = await read(new Uint8Array([0xd5, 0xaa, 0xd2, 0xaa, 0x2c, 0x31]));
    expect([r.encoding, firstRow(r)]).toEqual(['gb18030', '摘要、1']);
  });

  it('refuses bytes that are neither, and UTF-16', async () => {
    const codes = async (bytes: number[]) => (await read(new Uint8Array(bytes))).problems.map((p) => p.code);
    expect(await codes([0x61, 0xff, 0xff, 0x62])).toEqual(['ENCODING_UNDECODABLE']);
    expect(await codes([0xef, 0xbb, 0xbf, 0xff])).toEqual(['ENCODING_UNDECODABLE']);
    const utf16 = await read(new Uint8Array([0xff, 0xfe, 0x58, 0x64, 0x81, 0x89]));
    expect(utf16.problems).toMatchObject([
      { code: 'ENCODING_UNDECODABLE', message: expect.stringContaining('UTF-16') },
    ]);
    expect(await codes([0x61, 0, 0x62, 0, 0x63, 0, 0x64, 0])).toEqual(['ENCODING_UNDECODABLE']);
  });

  it('recognises zip (xlsx) and old binary Excel by their first bytes', () => {
    expect(isZip(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0]))).toBe(true);
    expect(isZip(utf8('PK,1'))).toBe(false);
    expect(looksLikeOldExcel(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))).toBe(true);
  });
});

describe('GBK that happens to be valid UTF-8', () => {
  it('keeps UTF-8 that is mostly Chinese', async () => {
    // Real UTF-8 with a middle dot and a multiplication sign stays UTF-8.
    const r = await read(utf8('买买提·艾力 2×3'));
    expect([r.encoding, firstRow(r)]).toEqual(['utf-8', '买买提·艾力 2×3']);
  });
});
