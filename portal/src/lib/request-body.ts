import { MAX_EXPLORER_BODY_BYTES } from './docs/explorer';
import { MAX_IMPORT_BYTES } from './config';
import { MAX_FILE_BYTES, MAX_FILES_PER_UPLOAD } from './attachments';

/** Sign-in, sign-out and the committee's small forms: a few fields and a CSRF token. */
export const FORM_BODY_BYTES = 8 * 1024;

/**
 * The committee's upload form carries the file (multipart), and its confirmation sends the file back base64-encoded in
 * an ordinary form (a third larger, and URL-encoding adds some %2B/%2F): room for the API's largest import.
 */
export const UPLOAD_BODY_BYTES = Math.ceil(((MAX_IMPORT_BYTES * 4) / 3) * 1.25) + 64 * 1024;

/**
 * The committee's attachments page: several photos from a phone in one multipart post (each file ≤ 20 MB, sent to
 * the API one at a time). Not every file can be at the maximum: phone photos are 2–6 MB, and the whole post is held in
 * memory while it is handed on, so the cap is half of MAX_FILES_PER_UPLOAD × 20 MB, plus the form's fields.
 */
export const ATTACHMENT_BODY_BYTES = (MAX_FILES_PER_UPLOAD / 2) * MAX_FILE_BYTES + 256 * 1024;

/** The committee's attachments page (`/committee/{village}/attachments`), the one route with the larger cap. */
export function isAttachmentUploadPath(pathname: string): boolean {
  return /^\/committee\/[^/]+\/attachments\/?$/.test(pathname);
}

/**
 * The villagers' ask form: a question of at most 500 characters (4.5 KB once a browser has %-encoded Chinese), a
 * contact and a token; room for a pasted text a little longer, so the page can say what is too long and keep it.
 */
export const ASK_BODY_BYTES = 32 * 1024;

/** The ask form's address (`/v/{slug}/ask`): a body over its limit still gets the form back, with a message. */
export function isAskPath(pathname: string): boolean {
  return /^\/v\/[^/]+\/ask\/?$/.test(pathname);
}

/** The most a request to this path may send; larger bodies are refused with 413 before they are read. */
export function bodyLimit(pathname: string): number {
  if (isAttachmentUploadPath(pathname)) return ATTACHMENT_BODY_BYTES;
  if (/^\/committee(\/|$)/.test(pathname)) return UPLOAD_BODY_BYTES;
  if (isAskPath(pathname)) return ASK_BODY_BYTES;
  if (/^\/(en\/)?docs\/explorer\/?$/.test(pathname)) return MAX_EXPLORER_BODY_BYTES;
  return FORM_BODY_BYTES;
}

/**
 * The body, read chunk by chunk and counted as it comes (a chunked upload declares no length), or undefined as soon
 * as it passes `limit` bytes: nothing beyond the limit is ever held.
 */
export async function readBodyWithin(request: Request, limit: number): Promise<Uint8Array | undefined> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  const tooLong = !Number.isFinite(declared) || declared > limit;
  if (!request.body) return tooLong ? undefined : new Uint8Array();
  const reader = request.body.getReader();
  if (tooLong) {
    // Refused on its declared length, before a byte is kept.
    void discard(reader);
    return undefined;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      void discard(reader);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Bytes of a refused body still read, and thrown away, after the 413 has gone out. */
const DISCARD_BYTES = 16 * 1024 * 1024;

/**
 * Reads on past a refused body, keeping nothing, so the client has received the 413 before the connection ends: closing
 * a socket with unread data makes the kernel reset it, and the answer may be lost. A client that goes on sending past
 * DISCARD_BYTES is cut off.
 */
async function discard(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.byteLength;
      if (size > DISCARD_BYTES) break;
    }
    await reader.cancel();
  } catch {
    // The client hung up: nothing to do.
  }
}

/** The form a page received, parsed from the body the middleware read (see readBodyWithin). */
export async function formOf(request: Request, body: Uint8Array | undefined): Promise<FormData> {
  const contentType = request.headers.get('content-type') ?? 'application/x-www-form-urlencoded';
  const bytes = (body ?? new Uint8Array()) as Uint8Array<ArrayBuffer>; // read into plain ArrayBuffers above
  return new Response(bytes, { headers: { 'content-type': contentType } }).formData();
}

/** The answer to a body over its limit: a short page in Chinese (and English). */
export function tooLarge(limit: number): Response {
  const kb = Math.floor(limit / 1024).toLocaleString('en-US');
  const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>请求太大</title></head><body><h1>请求太大</h1><p>提交的内容超过了 ${kb} KB 的上限，没有被处理。请返回上一页，减少内容后再试；上传账目文件时请确认文件不超过 ${Math.floor(MAX_IMPORT_BYTES / 1024 / 1024)} MB。</p><p lang="en">Request too large: at most ${kb} KB.</p><p><a href="/">返回首页</a></p></body></html>`;
  return new Response(html, {
    status: 413,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
  });
}
