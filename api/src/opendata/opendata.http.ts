import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { QueryScope, withQueryScope, type Db } from '@mingbai/db/client';
import { serveCheckpoints } from '../checkpoints/checkpoints.http.ts';
import type { ApiErrorCode } from '../errors.ts';
import { dataPackage, MEDIA_TYPES, OPEN_DATA_LICENSE } from './datapackage.ts';
import { CATALOG_PATH, fileLinks, nationalMonthPath, regionMonthPath, villageMonthPath, yearMonth } from './links.ts';
import {
  cachedMeta,
  catalogMonths,
  catalogRegions,
  ensureCached,
  fileKey,
  OPEN_DATA_FILES,
  resolveScope,
  streamFile,
  type OpenDataFile,
  type Scope,
} from './opendata.service.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The current revision, a region's or the whole country's month: they change when a village publishes. */
const CHANGING = 'public, max-age=300';

type Route = { scope: Scope; file: OpenDataFile | 'datapackage.json' } | { catalog: true } | undefined;

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const YEAR_MONTH = /^(\d{4})-(\d{2})$/;
const MAX_REVISION = 32_767;

function parseYearMonth(s: string | undefined): { year: number; month: number } | undefined {
  const m = s ? YEAR_MONTH.exec(s) : null;
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  return month >= 1 && month <= 12 && year >= 2000 && year <= 2100 ? { year, month } : undefined;
}

function parseFile(s: string | undefined): OpenDataFile | 'datapackage.json' | undefined {
  return s === 'datapackage.json' || OPEN_DATA_FILES.includes(s as OpenDataFile)
    ? (s as OpenDataFile | 'datapackage.json')
    : undefined;
}

function route(pathname: string): Route {
  const parts = pathname.split('/').slice(2); // '', 'data', …
  if (parts.length === 1 && (parts[0] === 'catalog.json' || parts[0] === '')) return { catalog: true };
  const [kind, a, b, c, d] = parts;
  if (kind === 'v' && a && SLUG.test(a)) {
    const when = parseYearMonth(b);
    if (!when) return undefined;
    if (parts.length === 4) {
      const file = parseFile(c);
      return file ? { scope: { kind: 'village', slug: a, ...when }, file } : undefined;
    }
    const revision = /^r([1-9]\d{0,4})$/.exec(c ?? '');
    const file = parseFile(d);
    // Revisions are a smallint: a larger number names no revision, and must not reach the database as one.
    if (parts.length !== 5 || !revision || Number(revision[1]) > MAX_REVISION || !file) return undefined;
    return { scope: { kind: 'village', slug: a, ...when, revision: Number(revision[1]) }, file };
  }
  if (kind === 'months' && parts.length === 3) {
    const when = parseYearMonth(a);
    const file = parseFile(b);
    return when && file ? { scope: { kind: 'national', ...when }, file } : undefined;
  }
  if (kind === 'r' && parts.length === 4 && a && SLUG.test(a)) {
    const when = parseYearMonth(b);
    const file = parseFile(c);
    return when && file ? { scope: { kind: 'region', slug: a, ...when }, file } : undefined;
  }
  return undefined;
}

/**
 * The API's error shape (api/src/http/transport-errors.ts), its headers in this module's order. Kept here rather than
 * imported: http/ imports this folder, and the folders must not need each other.
 */
function sendError(res: ServerResponse, status: number, code: ApiErrorCode, message: string): void {
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

function notModified(req: IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match'];
  return header !== undefined && header.split(',').some((t) => t.trim() === etag || t.trim() === '*');
}

function sendJson(req: IncomingMessage, res: ServerResponse, body: unknown, cacheControl: string, name?: string) {
  const text = JSON.stringify(body, null, 1);
  const etag = `"${createHash('sha256').update(text).digest('hex').slice(0, 40)}"`;
  const headers: Record<string, string> = { etag, 'cache-control': cacheControl };
  if (notModified(req, etag)) {
    res.writeHead(304, headers).end();
    return;
  }
  res.writeHead(200, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...(name ? { 'content-disposition': `inline; filename="${name}"` } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}

function scopeBase(scope: Scope): string {
  if (scope.kind === 'village') return villageMonthPath(scope.slug, scope.year, scope.month, scope.revision);
  if (scope.kind === 'region') return regionMonthPath(scope.slug, scope.year, scope.month);
  return nationalMonthPath(scope.year, scope.month);
}

/** How long a /data response may take, and how long it may send nothing, before it is cut off. */
export interface OpenDataDeadlines {
  /** From the request to the last byte: a national file of 188 MB to a phone on 1 Mbit/s takes ~25 minutes. */
  totalMs: number;
  /** No byte leaves for this long: the database or the client is stuck. */
  stallMs: number;
}
export const OPEN_DATA_DEADLINES: OpenDataDeadlines = { totalMs: 60 * 60_000, stallMs: 60_000 };

/**
 * /data/…: bulk open data as plain files. CSV and JSON Lines stream from the database (or from the file cache once
 * made) with flat memory; datapackage.json describes them with sizes and SHA-256. Only published revisions.
 *
 * Every response has a deadline: one whose bytes stand still for `stallMs` (a statement that never answers, a client
 * that stopped reading) or that runs past `totalMs` is answered 503 QUERY_TIMEOUT if nothing was sent yet, else cut
 * off, and its SQL is cancelled, so no download holds a pool connection for good (the issue's statements.csv held
 * one for 20 minutes).
 */
export async function handleOpenData(
  req: IncomingMessage,
  res: ServerResponse,
  db: Db,
  url: URL,
  /** The configured public origin (MINGBAI_PUBLIC_URL) absolute links are built on; never the request's Host. */
  publicUrl = 'http://localhost:4321',
  deadlines: OpenDataDeadlines = OPEN_DATA_DEADLINES,
): Promise<void> {
  const queries = new QueryScope();
  const started = Date.now();
  let progressAt = started;
  let sent = res.socket?.bytesWritten ?? 0;
  let expired = false;
  const timer = setInterval(
    () => {
      const now = Date.now();
      const written = res.socket?.bytesWritten ?? sent;
      if (written !== sent) {
        sent = written;
        progressAt = now;
      }
      const stalled = now - progressAt >= deadlines.stallMs;
      if (!stalled && now - started < deadlines.totalMs) return;
      clearInterval(timer);
      expired = true;
      queries.cancel();
      if (!res.headersSent) {
        res.setHeader('retry-after', '60');
        sendError(
          res,
          503,
          'QUERY_TIMEOUT',
          stalled ? '数据文件长时间没有进展，已中止，请稍后重试' : '下载超过时限，已中止',
        );
      } else {
        res.destroy();
      }
    },
    Math.max(10, Math.min(deadlines.stallMs, deadlines.totalMs) / 4),
  );
  timer.unref();
  try {
    await withQueryScope(queries, () => serveOpenData(req, res, db, url, publicUrl));
  } catch (error) {
    // Its SQL cancelled by the deadline, the answer already given.
    if (!expired) throw error;
  } finally {
    clearInterval(timer);
  }
}

async function serveOpenData(
  req: IncomingMessage,
  res: ServerResponse,
  db: Db,
  url: URL,
  publicUrl: string,
): Promise<void> {
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { 'access-control-allow-methods': 'GET, HEAD, OPTIONS', 'access-control-max-age': '86400' });
    res.end();
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD, OPTIONS');
    sendError(res, 405, 'METHOD_NOT_ALLOWED', '公开数据只能用 GET 下载');
    return;
  }
  if (url.pathname.startsWith('/data/checkpoints/')) {
    await serveCheckpoints(req, res, db, url.pathname.slice('/data/checkpoints/'.length));
    return;
  }
  const target = route(url.pathname);
  if (!target) {
    sendError(res, 404, 'NOT_FOUND', `没有这个数据文件；可下载的文件见 ${CATALOG_PATH}`);
    return;
  }
  if ('catalog' in target) {
    await sendCatalog(req, res, db);
    return;
  }
  const { scope, file } = target;
  const resolved = await resolveScope(db, scope);
  if (!resolved) {
    const what =
      scope.kind === 'village'
        ? `村 ${scope.slug} ${scope.year}年${scope.month}月${'revision' in scope && scope.revision ? `第${scope.revision}版` : ''}`
        : scope.kind === 'region'
          ? `地区 ${scope.slug} ${scope.year}年${scope.month}月`
          : `${scope.year}年${scope.month}月`;
    sendError(res, 404, 'NOT_FOUND', `${what}没有已公开的账目`);
    return;
  }
  // A named revision never changes; the current one, a region's and the country's month change as villages publish.
  const immutable = scope.kind === 'village' && scope.revision !== undefined;
  const cacheControl = immutable ? IMMUTABLE : CHANGING;

  if (file === 'datapackage.json') {
    // Relative paths; for the current revision they name the revision itself, so the hashes always match.
    const prefix = scope.kind === 'village' && !immutable ? `r${resolved.village!.revision}/` : '';
    const files = [];
    for (const f of OPEN_DATA_FILES) {
      files.push({ file: f, path: `${prefix}${f}`, meta: await ensureCached(db, resolved.selection, f) });
    }
    const { year, month } = resolved.selection;
    const sources = [
      {
        title: '明白账 Mingbai：各村委会公开的记账凭证 / ledgers published by the village committees',
        path:
          scope.kind === 'village'
            ? `${publicUrl}/v/${scope.slug}/${yearMonth(year, month)}`
            : scope.kind === 'region'
              ? `${publicUrl}/r/${scope.slug}`
              : `${publicUrl}/`,
      },
    ];
    sendJson(req, res, dataPackage(resolved, files, sources), cacheControl, `${resolved.name}-datapackage.json`);
    return;
  }

  const key = fileKey(resolved.selection, file);
  // The key names the exact published content, so it is a strong validator even before the bytes exist.
  const etag = `"${key.slice(0, 40)}"`;
  const headers: Record<string, string> = { etag, 'cache-control': cacheControl };
  if (notModified(req, etag)) {
    res.writeHead(304, headers).end();
    return;
  }
  const meta = cachedMeta(key, file);
  res.writeHead(200, {
    ...headers,
    'content-type': `${MEDIA_TYPES[file]}; charset=utf-8${file.endsWith('.csv') ? '; header=present' : ''}`,
    'content-disposition': `attachment; filename="${resolved.name}-${file}"`,
    'x-content-type-options': 'nosniff',
    link: `<${scopeBase(scope)}/datapackage.json>; rel="describedby"; type="application/json", <${OPEN_DATA_LICENSE.path}>; rel="license"`,
    ...(meta
      ? {
          'content-length': String(meta.bytes),
          digest: `sha-256=${Buffer.from(meta.sha256, 'hex').toString('base64')}`,
        }
      : {}),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  try {
    await streamFile(db, resolved.selection, file, res);
  } catch (error) {
    // Headers are gone: a client that hung up needs nothing; anything else is logged and the connection cut short,
    // so the client sees an incomplete download rather than a file that looks whole.
    if (!res.destroyed && (error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      console.error('open data stream failed', error);
    }
    res.destroy();
  }
}

async function sendCatalog(req: IncomingMessage, res: ServerResponse, db: Db): Promise<void> {
  const [months, regions] = await Promise.all([catalogMonths(db), catalogRegions(db)]);
  sendJson(
    req,
    res,
    {
      name: 'mingbai-open-data',
      title: '明白账 村级财务公开数据目录 / catalogue of bulk open data',
      licenses: [OPEN_DATA_LICENSE],
      files: {
        'lines.csv': '每笔分录一行（UTF-8 带 BOM）/ one row per voucher line, UTF-8 with BOM',
        'lines.jsonl': '同上，JSON Lines / the same as JSON Lines',
        'statements.csv':
          '每村每月一行：版本、摘要链、余额与收支、审核通过与红旗数 / one row per village month: digest chain, totals, approval, red flags',
        'flags.csv':
          '每个红旗一行，附村委会答复（姓名遮盖）/ one row per red flag with the committee’s answer, names masked',
        'digests.jsonl':
          '每村每月一行：摘要的其余输入（格式、签字人、审核、红旗与答复，均为公开形式）/ one line per village month: every other input of its digest, in public form',
        'attachments.csv':
          '每个公开附件一行：图片与缩略图的 SHA-256 和地址 / one row per published attachment: SHA-256 and path of its view and thumbnail',
        'datapackage.json': 'Frictionless Data Package：表结构、字节数、SHA-256 / table schema, bytes, sha256',
      },
      urlTemplates: {
        villageMonth: '/data/v/{villageSlug}/{YYYY-MM}/{file}',
        villageRevision: '/data/v/{villageSlug}/{YYYY-MM}/r{revision}/{file}',
        month: '/data/months/{YYYY-MM}/{file}',
        regionMonth: '/data/r/{regionSlug}/{YYYY-MM}/{file}',
      },
      months: months.map((m) => ({ ...m, ...fileLinks(nationalMonthPath(m.year, m.month)) })),
      regions,
    },
    CHANGING,
  );
}
