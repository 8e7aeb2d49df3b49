// POST /attachments/{villageSlug}/{yyyy-mm}: a file attached as raw bytes, streamed to a temporary file and handed
// to an image worker by its path, so the API never holds it in memory (GraphQL's `attachFile` carries it as Base64
// inside a JSON body, which the API holds several times over). Same checks, permissions, ledger call, errors and audit
// as `attachFile`; the answer is the same JSON: `{"data":{"attachFile":{…}}}` or `{"errors":[…]}`.
//
// Why not the GraphQL multipart request spec: it is a multipart/form-data POST, which a browser sends cross-site
// without a preflight, and it would need its own parser in front of Apollo. This route takes only the four media
// types of the files it accepts (or application/octet-stream), none of which a cross-site form can send, and only
// `Authorization: Bearer` (the API reads no cookies), so a forged request carries no one's credentials.
import { createWriteStream, openSync, readSync, closeSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '@mingbai/db/client';
import { isDatabaseUnavailable } from '@mingbai/db/client';
import { MAX_UPLOAD_BYTES, sniff, type Redaction } from '@mingbai/db/files/image';
import { uploadTemporaryPath } from '@mingbai/db/files/store';
import { LedgerError } from '@mingbai/db/ledger/errors';
import { mayPreview, toCommitteeAttachment } from '../attachments/attachment.answer.ts';
import { attachFile, checkAttach, tooLarge } from '../attachments/attachment.service.ts';
import { admitUpload } from '../attachments/process-in-worker.ts';
import { actorOf } from '../auth/village-access.ts';
import { apiError, badInput, toGraphQLError, type ApiErrorCode } from '../errors.ts';
import { createContext, type RequestSettings } from '../graphql/context.ts';
import type { RateLimiter } from '../limits/rate-limit.ts';
import type { RequestLimits } from '../limits/request-limits.ts';
import { discardRest } from './body.ts';
import { INVALID_KEY, type Caller } from './caller.ts';
import { answerPreflight, exposeHeaders } from './cors.ts';
import { setRateLimitHeaders, setRetryAfter } from './rate-limit-headers.ts';
import { sendError } from './transport-errors.ts';

export const UPLOAD_PATH = /^\/attachments\/([^/]+)\/(\d{4})-(\d{2})$/;

/** The media types taken, by what the bytes must be; octet-stream leaves it to the bytes (checked as attachFile does). */
const MEDIA_TYPES: Record<string, ReturnType<typeof sniff> | 'any'> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'application/octet-stream': 'any',
};

/** The HTTP status of a refusal, by its code; a file's own faults (type, pixels, pages) are 400. */
const STATUS: Partial<Record<string, number>> = {
  UNAUTHENTICATED: 401,
  INVALID_API_KEY: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PERIOD_NOT_OPEN: 409,
  FILE_TOO_LARGE: 413,
  FILE_TYPE_UNSUPPORTED: 415,
  RATE_LIMITED: 429,
  INTERNAL_SERVER_ERROR: 500,
  ATTACHMENT_BUSY: 503,
};

export interface UploadEndpointSettings {
  db: Db;
  identify: (req: IncomingMessage) => Promise<Caller | typeof INVALID_KEY>;
  rateLimiter: RateLimiter;
  settings: RequestSettings;
}

/** The query's fields: `filename` (required), `voucher`, `kind`, `redactions` (JSON `[{"x","y","w","h","page"?}]`). */
function fieldsOf(url: URL) {
  const filename = url.searchParams.get('filename') ?? '';
  const voucher = url.searchParams.get('voucher');
  let voucherNumber: number | null = null;
  if (voucher !== null && voucher !== '') {
    if (!/^\d{1,9}$/.test(voucher)) throw badInput('凭证号应为正整数', 'voucher');
    voucherNumber = Number(voucher);
  }
  const kind = url.searchParams.get('kind') ?? 'receipt';
  let redactions: Redaction[] = [];
  const text = url.searchParams.get('redactions');
  if (text) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw badInput('redactions 应为 JSON 数组：[{"x":0.1,"y":0.2,"w":0.3,"h":0.1}]', 'redactions');
    }
    const numbers = (r: Record<string, unknown>) =>
      ['x', 'y', 'w', 'h'].every((k) => typeof r[k] === 'number') &&
      (r.page === undefined || r.page === null || typeof r.page === 'number');
    if (!Array.isArray(parsed) || !parsed.every((r) => r !== null && typeof r === 'object' && numbers(r))) {
      throw badInput('redactions 应为 JSON 数组：[{"x":0.1,"y":0.2,"w":0.3,"h":0.1}]', 'redactions');
    }
    redactions = (parsed as Redaction[]).map(({ x, y, w, h, page }) => ({ x, y, w, h, ...(page ? { page } : {}) }));
  }
  return { filename, voucherNumber, kind, redactions };
}

/**
 * The body into `path`, at most MAX_UPLOAD_BYTES of it: past that, FILE_TOO_LARGE and the rest is not kept. The
 * request is never destroyed here (a reset could destroy the answer on its way): the caller drops what still comes.
 */
function receive(req: IncomingMessage, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(path, { mode: 0o640 });
    let size = 0;
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      req.off('data', onData);
      req.off('end', onEnd);
      out.destroy();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_UPLOAD_BYTES) return fail(tooLarge(size));
      // The disk is slower than the network at times: the socket waits, the API does not buffer.
      if (!out.write(chunk)) {
        req.pause();
        out.once('drain', () => req.resume());
      }
    };
    const onEnd = () => out.end();
    out.once('finish', () => {
      if (!failed) resolve(size);
    });
    out.once('error', fail);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', fail);
    req.once('close', () => {
      if (!req.complete) fail(new Error('the client went away during its upload'));
    });
  });
}

function firstBytes(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(64);
    const read = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

function refuse(res: ServerResponse, error: unknown): void {
  // A client that hung up mid-upload reads no answer, and is no failure of ours.
  if (res.destroyed) return;
  const coded = toGraphQLError(error);
  const code = String(coded.extensions.code ?? 'INTERNAL_SERVER_ERROR');
  if (code === 'INTERNAL_SERVER_ERROR') console.error('upload failed', error);
  if (code === 'ATTACHMENT_BUSY') res.setHeader('retry-after', '5');
  sendError(res, STATUS[code] ?? 400, code as ApiErrorCode, coded.message, { ...coded.extensions });
}

export function uploadEndpoint(
  settings: UploadEndpointSettings,
): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> {
  const { db, identify, rateLimiter, settings: requestSettings } = settings;
  return async (req, res, url) => {
    if (req.method === 'OPTIONS') {
      answerPreflight(res);
      return;
    }
    exposeHeaders(res);
    const match = UPLOAD_PATH.exec(url.pathname);
    if (!match) {
      sendError(res, 404, 'NOT_FOUND', '上传地址应为 /attachments/{村}/{年-月}', {
        englishMessage: 'Upload to /attachments/{village}/{yyyy-mm}',
      });
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST, OPTIONS');
      sendError(res, 405, 'METHOD_NOT_ALLOWED', '上传附件只接受 POST', {
        englishMessage: 'Uploads accept POST only',
      });
      return;
    }
    // Nothing of a refused request's body is read: it is dropped (discardRest) while the answer goes out.
    const refuseUnread = (error: unknown) => {
      discardRest(req);
      refuse(res, error);
    };
    const caller = await identify(req);
    if (caller === INVALID_KEY) return refuseUnread(apiError('INVALID_API_KEY', 'API 密钥无效或已被吊销'));
    const { viewer, client, address } = caller;
    const arrival = await rateLimiter.spend(client, 1);
    setRateLimitHeaders(res, arrival.state);
    if (!arrival.allowed) {
      setRetryAfter(res, arrival.state);
      return refuseUnread(
        apiError('RATE_LIMITED', `本小时的查询点数已用完，${arrival.state.resetAt.toISOString()} 重置`),
      );
    }
    const limits: RequestLimits = { client, cost: null, rate: arrival.state, readsPrivateData: true, isMutation: true };
    const ctx = createContext(db, viewer, limits, { settings: requestSettings, address });
    const actor = actorOf(ctx);
    const [, villageSlug, yyyy, mm] = match;
    let path: string | undefined;
    let release: (() => void) | undefined;
    try {
      const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const expected = MEDIA_TYPES[mediaType];
      let slug: string;
      try {
        slug = decodeURIComponent(villageSlug!);
      } catch {
        throw badInput('上传地址里村的网址名不对', 'villageSlug');
      }
      const fields = { villageSlug: slug, year: Number(yyyy), month: Number(mm) };
      const input = { ...fields, ...fieldsOf(url) };
      // Who may, the month, the voucher, the name: all before a byte of the file is read.
      await checkAttach(db, actor, input);
      if (!expected) {
        throw new LedgerError(
          'FILE_TYPE_UNSUPPORTED',
          `Content-Type 应为 image/jpeg、image/png、image/webp 或 application/pdf，收到“${mediaType || '（无）'}”`,
          { contentType: mediaType },
        );
      }
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (declared > MAX_UPLOAD_BYTES) throw tooLarge(declared);
      release = await admitUpload();
      if (!release) throw apiError('ATTACHMENT_BUSY', '正在上传的附件太多，请过一会儿再上传');
      path = uploadTemporaryPath();
      await receive(req, path);
      const found = sniff(firstBytes(path));
      if (expected !== 'any' && found !== null && found !== expected) {
        throw new LedgerError('FILE_TYPE_MISMATCH', `Content-Type 说是 ${mediaType}，内容却是 ${found.toUpperCase()}`, {
          contentType: mediaType,
          found,
        });
      }
      const row = await attachFile(db, actor, { ...input, file: { path, temporary: true } });
      const answer = toCommitteeAttachment(row, requestSettings.publicUrl, await mayPreview(ctx, row.villageId));
      res.setHeader('cache-control', 'no-store');
      res
        .writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
        .end(JSON.stringify({ data: { attachFile: answer } }));
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw error;
      if (!req.complete) discardRest(req);
      refuse(res, error);
    } finally {
      release?.();
      // Moved into the store when attached; otherwise (refused, failed) it goes now.
      if (path) rmSync(path, { force: true });
    }
  };
}
