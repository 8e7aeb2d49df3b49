// Receipts and documents (issue 16) as the portal shows and sends them: kinds in words, the file addresses on our own
// origin, and the redaction rectangles a form posts (grid cells without JavaScript, drawn rectangles with it).

/** The API's attachment kinds, in the words the pages use. */
export const ATTACHMENT_KIND: Record<string, string> = {
  receipt: '单据',
  minutes: '会议记录',
  contract: '合同',
  tender: '招标结果',
  other: '其他文件',
};

export const ATTACHMENT_KINDS = Object.keys(ATTACHMENT_KIND);

/** Files in one upload: several phone photos at once, each sent to the API on its own. */
export const MAX_FILES_PER_UPLOAD = 8;

/** The API's limit for one file (db/src/files/image.ts MAX_UPLOAD_BYTES): refused here before it is sent. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

/** The no-JavaScript redaction grid: GRID × GRID numbered cells over the image. */
export const GRID = 8;

/** The API refuses more rectangles than this (db/src/files/image.ts). */
export const MAX_RECTS = 50;

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
  /** A PDF's page, 0 the first (an image has only page 0). */
  page?: number;
}

/**
 * An attachment's address on this portal's own origin: the API prints absolute URLs from its configured public
 * address, but the page's images must come from where the visitor is (the policy allows images from 'self' only), and
 * /data/* on the portal is the API's /data/*.
 */
export function sameOriginPath(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

/**
 * The chosen grid cells (numbered 1 to GRID², row by row) as rectangles: each row's runs of neighbouring cells, and a
 * run joined with the same run in the rows below it, so a marked block is one rectangle.
 */
export function cellsToRects(cells: readonly number[]): Rect[] {
  const on = new Set(cells.filter((c) => Number.isInteger(c) && c >= 1 && c <= GRID * GRID).map((c) => c - 1));
  const runs: { row: number; from: number; to: number }[] = [];
  for (let row = 0; row < GRID; row++) {
    let col = 0;
    while (col < GRID) {
      if (!on.has(row * GRID + col)) {
        col++;
        continue;
      }
      const from = col;
      while (col < GRID && on.has(row * GRID + col)) col++;
      runs.push({ row, from, to: col });
    }
  }
  const blocks: { row: number; rows: number; from: number; to: number }[] = [];
  for (const run of runs) {
    const above = blocks.find((b) => b.from === run.from && b.to === run.to && b.row + b.rows === run.row);
    if (above) above.rows++;
    else blocks.push({ row: run.row, rows: 1, from: run.from, to: run.to });
  }
  return blocks.map((b) => ({
    x: b.from / GRID,
    y: b.row / GRID,
    w: (b.to - b.from) / GRID,
    h: b.rows / GRID,
  }));
}

/**
 * The grid's ticked cells as posted: `c` for the first page, `p:c` for page p of a PDF; rectangles page by page.
 */
export function gridRects(values: readonly string[]): Rect[] {
  const byPage = new Map<number, number[]>();
  for (const value of values) {
    const m = /^(?:(\d{1,2}):)?(\d{1,2})$/.exec(value.trim());
    if (!m) continue;
    const page = Number(m[1] ?? 0);
    byPage.set(page, [...(byPage.get(page) ?? []), Number(m[2])]);
  }
  return [...byPage].flatMap(([page, cells]) => cellsToRects(cells).map((r) => (page === 0 ? r : { ...r, page })));
}

/**
 * Rectangles drawn in the browser, posted as `x,y,w,h` fractions (and `,p` for page p of a PDF) separated by `;`.
 * Anything malformed is dropped and each rectangle is clipped to the image; the API checks them again
 * (REDACTION_INVALID).
 */
export function parseDrawnRects(text: string): Rect[] {
  const rects: Rect[] = [];
  for (const part of text.split(';').slice(0, MAX_RECTS + 1)) {
    const n = part.split(',').map((v) => Number(v.trim()));
    if ((n.length !== 4 && n.length !== 5) || n.some((v) => !Number.isFinite(v))) continue;
    const [x, y, w, h, page = 0] = n as [number, number, number, number, number?];
    if (!Number.isInteger(page) || page < 0 || page > 99) continue;
    const x0 = clamp(x);
    const y0 = clamp(y);
    const x1 = clamp(x + w);
    const y1 = clamp(y + h);
    if (x1 - x0 < 0.002 || y1 - y0 < 0.002) continue;
    const rect = { x: round(x0), y: round(y0), w: round(x1 - x0), h: round(y1 - y0) };
    rects.push(page === 0 ? rect : { ...rect, page });
  }
  return rects;
}

function clamp(v: number): number {
  return Math.min(1, Math.max(0, v));
}

function round(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}

/** Rectangles as posted back in the form (`x,y,w,h[,page]`), the inverse of parseDrawnRects. */
export function rectsText(rects: readonly Rect[]): string {
  return rects.map((r) => [r.x, r.y, r.w, r.h, ...(r.page ? [r.page] : [])].join(',')).join(';');
}

/** A rectangle as CSS percentages over its image. */
export function rectStyle(r: Rect): string {
  const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
  return `left:${pct(r.x)};top:${pct(r.y)};width:${pct(r.w)};height:${pct(r.h)}`;
}

/** The alt text of a published attachment: what it is, of which voucher or month, and that it was redacted. */
export function attachmentAlt(a: { kind: string; voucherNumber: number | null }, index: number, of: number): string {
  const what = ATTACHMENT_KIND[a.kind] ?? '附件';
  const where = a.voucherNumber === null ? '本月' : `第${a.voucherNumber}号凭证`;
  return `${where}的${what}${of > 1 ? `（第${index + 1}张，共${of}张）` : ''}，个人信息已遮盖`;
}

/** How many attachments in words, beside a payment's paperclip and for screen readers: "附件 2 张". */
export function countInWords(n: number): string {
  return `附件 ${n} 张`;
}
