import type { DetectedEncoding } from './types.ts';

export type TextEncoding = Exclude<DetectedEncoding, 'xlsx'>;

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE2_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

/** An xlsx is a zip: any zip is read as xlsx, whatever its name. */
export function isZip(bytes: Uint8Array): boolean {
  return startsWith(bytes, ZIP_MAGIC);
}

export function hasXlsxName(filename: string): boolean {
  return /\.xlsx$/i.test(filename.trim());
}

/** The old binary Excel format (.xls, .et), which needs saving as .xlsx or CSV first. */
export function looksLikeOldExcel(bytes: Uint8Array): boolean {
  return startsWith(bytes, OLE2_MAGIC);
}

/** UTF-16 text (Excel's “Unicode 文本”) has a BOM, or a NUL in every other byte of ASCII text. */
function looksLikeUtf16(bytes: Uint8Array): boolean {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return true;
  const sample = bytes.subarray(0, 4096);
  let nul = 0;
  for (const b of sample) if (b === 0) nul++;
  return sample.length >= 4 && nul * 4 >= sample.length;
}

/** Symbols a Chinese ledger may hold in UTF-8 that sit among the two-byte code points: · × ÷ ° ± ¥ ² ³ and no-break space. */
const COMMON_TWO_BYTE = new Set([0xa0, 0xa5, 0xb0, 0xb1, 0xb2, 0xb3, 0xb7, 0xd7, 0xf7]);

/**
 * Short GBK text can be valid UTF-8 by accident: 摘要 (D5 AA D2 AA) reads as “ժҪ”. Such a reading is mostly Armenian,
 * Cyrillic, Greek or accented Latin (two-byte UTF-8) and hardly any Chinese; real UTF-8 Chinese is the other way round.
 */
function looksMisread(text: string): boolean {
  let foreign = 0;
  let chinese = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x80 && c < 0x800 && !COMMON_TWO_BYTE.has(c)) foreign++;
    else if ((c >= 0x3000 && c <= 0x9fff) || (c >= 0xff00 && c <= 0xffef)) chinese++;
  }
  return foreign > chinese;
}

/**
 * Works out the text encoding without asking, from the first 64 KB: UTF-8 with a BOM, UTF-8, else GB18030 (which
 * includes GBK and GB2312, what Excel writes on Chinese Windows), also when GBK bytes happen to be valid UTF-8 but read
 * as nonsense. The encodings to try, in order: a later byte that does not fit makes the reader start again with the
 * next, and one that fits none makes the file undecodable (strict decoding, never a “�”).
 */
export function encodingsToTry(first: Uint8Array): TextEncoding[] | { message: string } {
  if (looksLikeUtf16(first)) {
    return { message: '文件是 UTF-16 编码（Excel 的“Unicode 文本”），请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后再上传' };
  }
  if (startsWith(first, [0xef, 0xbb, 0xbf])) return ['utf-8-bom'];
  let text: string | undefined;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(first, { stream: true });
  } catch {
    return ['gb18030'];
  }
  return looksMisread(text) ? ['gb18030', 'utf-8'] : ['utf-8', 'gb18030'];
}
