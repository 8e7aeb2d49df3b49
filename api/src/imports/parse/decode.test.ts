import { describe, expect, it } from 'vitest';
import { decodeText, isZip, looksLikeOldExcel } from './decode.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('encoding detection', () => {
  it('reads UTF-8, with or without a BOM', () => {
    expect(decodeText(utf8('摘要,借方'))).toEqual({ kind: 'text', encoding: 'utf-8', text: '摘要,借方' });
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('摘要')]))).toEqual({
      kind: 'text',
      encoding: 'utf-8-bom',
      text: '摘要',
    });
  });

  it('falls back to GB18030 for what Excel saves on Chinese Windows', () => {
    // 摘要 in GBK: D5 AA D2 AA, which is also valid UTF-8 (“ժҪ”), but nonsense.
    expect(decodeText(new Uint8Array([0xd5, 0xaa, 0xd2, 0xaa, 0x2c, 0x31]))).toEqual({
      kind: 'text',
      encoding: 'gb18030',
      text: '摘要,1',
    });
  });

  it('refuses bytes that are neither, and UTF-16', () => {
    expect(decodeText(new Uint8Array([0x61, 0xff, 0xff, 0x62])).kind).toBe('undecodable');
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0xff])).kind).toBe('undecodable');
    const utf16 = decodeText(new Uint8Array([0xff, 0xfe, 0x58, 0x64, 0x81, 0x89]));
    expect(utf16).toMatchObject({ kind: 'undecodable', message: expect.stringContaining('UTF-16') });
    expect(decodeText(new Uint8Array([0x61, 0, 0x62, 0, 0x63, 0, 0x64, 0])).kind).toBe('undecodable');
  });

  it('recognises zip (xlsx) and old binary Excel by their first bytes', () => {
    expect(isZip(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0]))).toBe(true);
    expect(isZip(utf8('PK,1'))).toBe(false);
    expect(looksLikeOldExcel(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))).toBe(true);
  });
});

describe('GBK that happens to be valid UTF-8', () => {
  it('keeps UTF-8 that is mostly Chinese', () => {
    // Real UTF-8 with a middle dot and a multiplication sign stays UTF-8.
    expect(decodeText(utf8('买买提·艾力 2×3'))).toMatchObject({ encoding: 'utf-8', text: '买买提·艾力 2×3' });
  });
});
