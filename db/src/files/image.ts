// An uploaded receipt, from untrusted bytes to what may be published: the checks that refuse a hostile file before
// anything decodes it, then one decode with sharp (libvips) that applies the EXIF orientation, burns the redaction
// rectangles in black, and re-encodes without any metadata: a full view and a thumbnail. Pure: nothing is stored
// here (store.ts keeps the results), so a refusal stores nothing. See README.md.
import sharp, { type Metadata, type OverlayOptions } from 'sharp';
import { LedgerError } from '../ledger/errors.ts';
import { MAX_PDF_PAGES, renderPdfPages } from './pdf.ts';
import { sha256Hex } from './store.ts';

/** Over this many bytes a file is refused before it is read at all. */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
/** Over this many pixels (a 12-megapixel phone photo is well under) an image is a decompression bomb. */
export const MAX_PIXELS = 40_000_000;
/** The published full view and thumbnail stay within these sizes. */
export const VIEW_MAX_BYTES = 300 * 1024;
export const THUMB_MAX_BYTES = 20 * 1024;
const VIEW_LONG_SIDE = 1600;
const THUMB_LONG_SIDE = 320;
export const MAX_REDACTIONS = 50;

export type ImageType = 'jpeg' | 'png' | 'webp';
/** What an upload may be: an image, or a PDF whose pages are rendered to images (pdf.ts). */
export type UploadType = ImageType | 'pdf';
const MEDIA_TYPES: Record<UploadType, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  pdf: 'application/pdf',
};
const EXTENSIONS: Record<string, UploadType> = { jpg: 'jpeg', jpeg: 'jpeg', png: 'png', webp: 'webp', pdf: 'pdf' };
const ACCEPTED = `JPEG（.jpg/.jpeg）、PNG（.png）、WebP（.webp）图片或 PDF（.pdf，≤ ${MAX_PDF_PAGES} 页）`;

/**
 * A rectangle to black out, in fractions of the upright image's width and height (0–1), top left first; on a PDF,
 * of page `page` (0 the first, the default; absent on an image).
 */
export interface Redaction {
  x: number;
  y: number;
  w: number;
  h: number;
  page?: number;
}

export interface Derived {
  bytes: Uint8Array;
  sha256: string;
  mediaType: 'image/webp';
  width: number;
  height: number;
}

export interface ProcessedUpload {
  original: { sha256: string; mediaType: string; sizeBytes: number };
  /** The first page's view (an image's only one) and its thumbnail. */
  view: Derived;
  thumbnail: Derived;
  pages: number;
  /** The views of pages 2 … `pages` of a PDF, in order; empty for an image. */
  pageViews: Derived[];
}

type Sniffed = ImageType | 'pdf' | 'heic' | 'avif' | 'gif' | 'tiff' | 'svg' | 'bmp' | null;

const ascii = (b: Uint8Array, from: number, to: number) => Buffer.from(b.subarray(from, to)).toString('latin1');

/** What the first bytes say the file is, whatever its name says. */
export function sniff(b: Uint8Array): Sniffed {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && ascii(b, 0, 8) === '\x89PNG\r\n\x1a\n') return 'png';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'webp';
  if (b.length >= 5 && ascii(b, 0, 5) === '%PDF-') return 'pdf';
  if (b.length >= 12 && ascii(b, 4, 8) === 'ftyp') {
    const brand = ascii(b, 8, 12);
    return brand.startsWith('avi') ? 'avif' : 'heic';
  }
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return 'gif';
  if (b.length >= 4 && (ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*')) return 'tiff';
  if (b.length >= 2 && ascii(b, 0, 2) === 'BM') return 'bmp';
  // SVG is text: XML or an <svg> element after optional whitespace, a BOM or comments.
  const head = ascii(b, 0, Math.min(b.length, 1024))
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart()
    .toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg')) || head.includes('<svg'))
    return 'svg';
  return null;
}

function refuse(code: 'FILE_TYPE_UNSUPPORTED' | 'FILE_TYPE_MISMATCH', message: string, details = {}): never {
  throw new LedgerError(code, message, details);
}

/** Where the image's own data ends: after PNG's IEND chunk, WebP's RIFF size, JPEG's EOI marker (undefined: unknown). */
export function imageEnd(b: Uint8Array, type: ImageType): number | undefined {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (type === 'png') {
    let at = 8;
    while (at + 12 <= b.length) {
      const length = view.getUint32(at);
      const name = ascii(b, at + 4, at + 8);
      at += 12 + length;
      if (name === 'IEND') return at;
    }
    return undefined;
  }
  if (type === 'webp') return 8 + view.getUint32(4, true);
  // JPEG: marker segments up to each start of scan, then the entropy-coded data up to the next real marker.
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return undefined;
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xd9) return at + 2;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    at += 2 + view.getUint16(at + 2);
    if (marker === 0xda) {
      while (at + 1 < b.length && !(b[at] === 0xff && b[at + 1] !== 0 && !(b[at + 1]! >= 0xd0 && b[at + 1]! <= 0xd7)))
        at++;
    }
  }
  return undefined;
}

const MARKUP = /<(script|html|body|iframe|object|embed|svg|\?php)[\s>/]|<!doctype\s+html|javascript:/i;
const ZIP_LOCAL = 'PK\x03\x04';
const ZIP_END = 'PK\x05\x06';

/**
 * A polyglot is an image that is also another file: a ZIP or web page appended after the image's end, or markup
 * hidden in it. Phones append data of their own after a JPEG's end (Samsung trailers, MPF depth maps), so a JPEG's
 * trailer is refused only when it is an archive or markup; PNG and WebP end where their structure says, nothing after.
 */
function assertNotPolyglot(b: Uint8Array, type: ImageType): void {
  const end = imageEnd(b, type) ?? b.length;
  const trailer = end < b.length ? ascii(b, end, b.length) : '';
  const tail = ascii(b, Math.max(0, b.length - 65_557), b.length);
  const text = ascii(b, 0, b.length);
  const why =
    trailer.includes(ZIP_LOCAL) || tail.includes(ZIP_END)
      ? 'ZIP 压缩包'
      : MARKUP.test(text)
        ? '网页或脚本'
        : type !== 'jpeg' && trailer.length > 0
          ? '图片结束后的其他数据'
          : undefined;
  if (why) {
    throw new LedgerError('FILE_POLYGLOT', `文件除了图片还夹带了${why}，不能接受；请重新拍照或另存为普通图片后上传`, {
      trailingBytes: b.length - end,
    });
  }
}

/**
 * The checks that need no decoding: size, what the bytes are (magic numbers, never the name alone), that the name
 * agrees, and no second file hidden inside. Returns the type.
 */
export function checkUpload(bytes: Uint8Array, filename: string): UploadType {
  if (bytes.length > MAX_UPLOAD_BYTES) {
    throw new LedgerError('FILE_TOO_LARGE', `文件有 ${(bytes.length / 1024 / 1024).toFixed(1)} MB，超过 20 MB 的上限`, {
      sizeBytes: bytes.length,
      maxBytes: MAX_UPLOAD_BYTES,
    });
  }
  if (bytes.length === 0) refuse('FILE_TYPE_UNSUPPORTED', `文件是空的；只接受${ACCEPTED}`);
  const found = sniff(bytes);
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(filename)?.[1]?.toLowerCase() ?? '';
  if (found === 'svg' || ext === 'svg' || ext === 'svgz') {
    refuse('FILE_TYPE_UNSUPPORTED', `不接受 SVG 文件（其中可以含有脚本）；只接受${ACCEPTED}`, { found: 'svg' });
  }
  if (found === 'heic') {
    refuse(
      'FILE_TYPE_UNSUPPORTED',
      `暂不接受 HEIC 照片（苹果手机的默认格式），请在手机设置“相机 → 格式”选“兼容性最佳”，或导出为 JPEG 后上传；只接受${ACCEPTED}`,
      { found },
    );
  }
  if (found === null || !['jpeg', 'png', 'webp', 'pdf'].includes(found)) {
    refuse(
      'FILE_TYPE_UNSUPPORTED',
      `文件不是可接受的图片${found ? `（是 ${found.toUpperCase()}）` : ''}；只接受${ACCEPTED}`,
      {
        found,
      },
    );
  }
  const named = EXTENSIONS[ext];
  if (!named) {
    refuse('FILE_TYPE_UNSUPPORTED', `文件名“${filename}”的扩展名不对；只接受${ACCEPTED}`, { found });
  }
  const type = found as UploadType;
  if (named !== type) {
    refuse('FILE_TYPE_MISMATCH', `文件名说是 ${named.toUpperCase()}，内容却是 ${type.toUpperCase()}；请上传原文件`, {
      named,
      found: type,
    });
  }
  // A PDF is never published nor served: only its rendered pages are, so what else it carries goes nowhere.
  if (type !== 'pdf') assertNotPolyglot(bytes, type);
  return type;
}

/** Redaction rectangles as given (fractions of the upright image), checked: inside the image, not empty, few. */
export function checkRedactions(rects: readonly Redaction[]): Redaction[] {
  if (rects.length > MAX_REDACTIONS) {
    throw new LedgerError('REDACTION_INVALID', `遮盖区域最多 ${MAX_REDACTIONS} 个`, { count: rects.length });
  }
  const eps = 1e-9;
  return rects.map((r, i) => {
    const ok =
      [r.x, r.y, r.w, r.h].every((v) => typeof v === 'number' && Number.isFinite(v)) &&
      r.x >= 0 &&
      r.y >= 0 &&
      r.w > 0 &&
      r.h > 0 &&
      r.x + r.w <= 1 + eps &&
      r.y + r.h <= 1 + eps &&
      (r.page === undefined || (Number.isInteger(r.page) && r.page >= 0 && r.page < MAX_PDF_PAGES));
    if (!ok) {
      throw new LedgerError(
        'REDACTION_INVALID',
        `第 ${i + 1} 个遮盖区域不对：x、y、宽、高都是占图片宽高的比例（0 到 1），区域须在图片之内且不为空；` +
          `page 是 PDF 的页序号（0 为第一页）`,
        { index: i },
      );
    }
    const round = (v: number) => Math.round(v * 1e6) / 1e6;
    const rect: Redaction = {
      x: round(r.x),
      y: round(r.y),
      w: round(Math.min(r.w, 1 - r.x)),
      h: round(Math.min(r.h, 1 - r.y)),
    };
    // The first page is the default and is not written, so an image's rectangles keep the shape they always had.
    if (r.page) rect.page = r.page;
    return rect;
  });
}

/** Rectangles on pages the file does not have are refused before anything is stored. */
function assertPagesExist(rects: readonly Redaction[], pages: number): void {
  const i = rects.findIndex((r) => (r.page ?? 0) >= pages);
  if (i >= 0) {
    throw new LedgerError(
      'REDACTION_INVALID',
      `第 ${i + 1} 个遮盖区域在第 ${rects[i]!.page! + 1} 页，文件只有 ${pages} 页`,
      { index: i, pages },
    );
  }
}

function fit(width: number, height: number, longSide: number): { width: number; height: number } {
  const scale = Math.min(1, longSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Black boxes covering each rectangle fully at this size (rounded outward). */
function boxes(rects: readonly Redaction[], width: number, height: number): OverlayOptions[] {
  return rects.map((r) => {
    const left = Math.max(0, Math.floor(r.x * width));
    const top = Math.max(0, Math.floor(r.y * height));
    const right = Math.min(width, Math.ceil((r.x + r.w) * width));
    const bottom = Math.min(height, Math.ceil((r.y + r.h) * height));
    return {
      input: {
        create: {
          width: Math.max(1, right - left),
          height: Math.max(1, bottom - top),
          channels: 3,
          background: '#000000',
        },
      },
      left,
      top,
    };
  });
}

interface Pixels {
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
}

/** WebP at the first quality, then lower ones, then smaller, until it fits in maxBytes: decoded pixels in, no metadata out. */
async function encodeWithin(
  pixels: Pixels,
  size: { width: number; height: number },
  maxBytes: number,
): Promise<Derived> {
  let { width, height } = size;
  const raw = { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels } };
  for (let attempt = 0; attempt < 12; attempt++) {
    const quality = [80, 68, 56, 45][attempt % 4]!;
    let image = sharp(pixels.data, raw);
    if (width !== pixels.width || height !== pixels.height) image = image.resize(width, height, { fit: 'fill' });
    const { data, info } = await image.webp({ quality, effort: 2 }).toBuffer({ resolveWithObject: true });
    if (data.length <= maxBytes) {
      return { bytes: data, sha256: sha256Hex(data), mediaType: 'image/webp', width: info.width, height: info.height };
    }
    if (attempt % 4 === 3) ({ width, height } = fit(width, height, Math.floor(Math.max(width, height) * 0.75)));
  }
  throw new Error(`could not encode within ${maxBytes} bytes`);
}

const unreadable = () => new LedgerError('FILE_UNREADABLE', '图片已损坏或不完整，读不出来；请重新拍照或另存后上传');

/**
 * One picture (a photo, or a page rendered from a PDF) to its view and thumbnail: the pixel count from the header,
 * then one decode (orientation applied, first frame only, transparent areas on white), the redaction burned in at
 * the view's size, both re-encoded as WebP with no metadata.
 */
async function derive(
  bytes: Uint8Array,
  rects: readonly Redaction[],
  withThumbnail: boolean,
): Promise<{ view: Derived; thumbnail: Derived | undefined }> {
  const input = { limitInputPixels: MAX_PIXELS, failOn: 'error' as const, pages: 1 };
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { ...input, limitInputPixels: false }).metadata();
  } catch {
    throw unreadable();
  }
  const pixelCount = (meta.width ?? 0) * (meta.pageHeight ?? meta.height ?? 0);
  if (!meta.width || !meta.height || pixelCount > MAX_PIXELS) {
    throw new LedgerError(
      'IMAGE_TOO_MANY_PIXELS',
      `图片有 ${meta.width ?? '?'} × ${meta.height ?? '?'} 像素，超过 ${MAX_PIXELS / 1_000_000} 百万像素的上限（可能是“解压炸弹”）`,
      { width: meta.width ?? null, height: meta.height ?? null, maxPixels: MAX_PIXELS },
    );
  }
  const upright = (meta.orientation ?? 1) >= 5 ? { width: meta.height, height: meta.width } : meta;
  const size = fit(upright.width!, upright.height!, VIEW_LONG_SIDE);
  // One decode (JPEG shrinks on load to the view's size), upright, on white, the boxes burned in at the view's size:
  // every encoding after reads these pixels, so the thumbnail can never show what the view hides.
  let pixels: Pixels;
  try {
    const { data, info } = await sharp(bytes, input)
      .autoOrient()
      .resize(size.width, size.height, { fit: 'fill' })
      .flatten({ background: '#ffffff' })
      .composite(boxes(rects, size.width, size.height))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    pixels = { data, width: info.width, height: info.height, channels: 3 };
  } catch {
    throw unreadable();
  }
  const view = await encodeWithin(pixels, size, VIEW_MAX_BYTES);
  const thumbnail = withThumbnail
    ? await encodeWithin(pixels, fit(size.width, size.height, THUMB_LONG_SIDE), THUMB_MAX_BYTES)
    : undefined;
  return { view, thumbnail };
}

/**
 * The whole pipeline for one upload: the checks, then each picture (an image, or each page of a PDF rendered by
 * pdf.ts) decoded, redacted and re-encoded as WebP with no metadata: the first page's view and thumbnail, the other
 * pages' views.
 */
export async function processUpload(
  bytes: Uint8Array,
  filename: string,
  redactions: readonly Redaction[],
): Promise<ProcessedUpload> {
  const type = checkUpload(bytes, filename);
  const rects = checkRedactions(redactions);
  const original = { sha256: sha256Hex(bytes), mediaType: MEDIA_TYPES[type], sizeBytes: bytes.length };
  if (type !== 'pdf') {
    assertPagesExist(rects, 1);
    const { view, thumbnail } = await derive(bytes, rects, true);
    return { original, view, thumbnail: thumbnail!, pages: 1, pageViews: [] };
  }
  const pngs = await renderPdfPages(bytes);
  assertPagesExist(rects, pngs.length);
  const views: Derived[] = [];
  let thumbnail: Derived | undefined;
  for (const [page, png] of pngs.entries()) {
    const out = await derive(
      png,
      rects.filter((r) => (r.page ?? 0) === page),
      page === 0,
    );
    views.push(out.view);
    thumbnail ??= out.thumbnail;
  }
  return { original, view: views[0]!, thumbnail: thumbnail!, pages: pngs.length, pageViews: views.slice(1) };
}
