import { constants, crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { FreshValue } from '@mingbai/common/fresh-value';
import type { TextSize } from './text-size.ts';

/**
 * A small in-memory cache of rendered public pages, the way a CDN in front of the portal would keep them: only
 * anonymous GETs whose page declared itself `Cache-Control: public`, for at most a minute (a correction must show
 * soon), bounded in bytes. A notice-board crowd reading the same month then costs one render a minute, not one each.
 * Pages are stored gzipped too, since cheap phones on slow links benefit most from fewer bytes.
 */
export interface CachedPage {
  status: number;
  headers: [string, string][];
  body: Buffer;
  gzipped: Buffer;
  expiresAt: number;
  /** The API's publication mark read before the page was rendered (see PublicationMarkWatch); '' when it has none. */
  mark: string;
}

/** What an API without a response cache reports as its mark (no x-mingbai-mark header): pages keep their minute. */
export const NO_MARK = '';

const MAX_TTL_MS = 60_000;

/** This process's page-cache lookups since it started, for GET /metrics (pages/metrics.ts). */
export const pageCacheCounts = { hits: 0, misses: 0 };
const MAX_ENTRY_BYTES = 2_000_000;

export class PageCache {
  private readonly entries = new Map<string, CachedPage>();
  private bytes = 0;

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  /** The page, unless it expired or was rendered under another publication mark than `mark`, the current one. */
  get(key: string, now = Date.now(), mark = NO_MARK): CachedPage | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= now || entry.mark !== mark) {
      if (entry) this.delete(key, entry);
      pageCacheCounts.misses += 1;
      return undefined;
    }
    pageCacheCounts.hits += 1;
    // Map order is insertion order: re-inserting marks the entry most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  /** Keeps the page if it may be shared; returns what was stored, or undefined. */
  put(
    key: string,
    status: number,
    headers: Headers,
    body: Buffer,
    now = Date.now(),
    mark = NO_MARK,
  ): CachedPage | undefined {
    const maxAge = publicMaxAge(headers.get('cache-control'));
    if (status !== 200 || maxAge === undefined || headers.has('set-cookie') || body.length > MAX_ENTRY_BYTES) {
      return undefined;
    }
    const entry: CachedPage = {
      status,
      headers: [...headers.entries()].filter(([name]) => name !== 'content-length' && name !== 'content-encoding'),
      body,
      gzipped: gzipPage(body),
      expiresAt: now + Math.min(maxAge * 1000, MAX_TTL_MS),
      mark,
    };
    const previous = this.entries.get(key);
    if (previous) this.delete(key, previous);
    this.entries.set(key, entry);
    this.bytes += size(entry);
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(oldest, old);
    }
    return entry;
  }

  /**
   * Drops every page whose path starts with `prefix`: after a question is asked, answered or hidden, this process's
   * copies of the village's pages go, so the asker (and the committee) see it at once rather than within the minute.
   */
  purge(prefix: string): number {
    let dropped = 0;
    for (const [key, entry] of this.entries) {
      if (!key.startsWith(prefix)) continue;
      this.delete(key, entry);
      dropped += 1;
    }
    return dropped;
  }

  private delete(key: string, entry: CachedPage): void {
    this.entries.delete(key);
    this.bytes -= size(entry);
  }
}

/** How old the mark the portal knows may be; the API's own is at most as old again, so pages change within 1 s. */
export const MARK_MAX_AGE_MS = 250;

/**
 * The API's publication mark (its `x-mingbai-mark` header, api/src/shared/publication-mark.ts), which changes with every
 * publication, question, checkpoint or other change to what the public reads. Read before a page is looked up or
 * rendered, at most every 250 ms (one request to the API, shared by every page asking meanwhile), so a page rendered
 * before a change is never served once the change is known, in any portal process. An API without a response cache
 * sends no mark (NO_MARK: pages keep their minute, as before); an API that cannot be reached gives undefined, and then
 * no page is served from the cache (it could be older than a publication made meanwhile). The rule (at most every
 * 250 ms, one read in flight, unknown after a failure) is the API's own: both are @mingbai/common's FreshValue.
 */
export class PublicationMarkWatch extends FreshValue<string> {
  constructor(read: () => Promise<string>, maxAgeMs = MARK_MAX_AGE_MS, now?: () => number) {
    super(read, maxAgeMs, now);
  }
}

/** Reads the mark from the API: the cheapest query there is, as the portal (its secret: no visitor's points). */
export function apiMarkReader(apiUrl: string, portalSecret: string | undefined): () => Promise<string> {
  const url = new URL(apiUrl);
  url.searchParams.set('query', '{__typename}');
  const headers: Record<string, string> = portalSecret ? { 'x-mingbai-portal': portalSecret } : {};
  return async () => {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    if (response.status >= 500) throw new Error(`API answered ${response.status}`);
    return response.headers.get('x-mingbai-mark') ?? NO_MARK;
  };
}

function size(entry: CachedPage): number {
  return entry.body.length + entry.gzipped.length;
}

/** Seconds of `public, max-age=N`, or undefined when the response is not meant for shared caches. */
function publicMaxAge(cacheControl: string | null): number | undefined {
  if (!cacheControl) return undefined;
  const directives = cacheControl
    .toLowerCase()
    .split(',')
    .map((d) => d.trim());
  if (!directives.includes('public') || directives.some((d) => d === 'private' || d === 'no-store')) return undefined;
  const maxAge = directives.find((d) => d.startsWith('max-age='));
  const seconds = maxAge ? Number(maxAge.slice('max-age='.length)) : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/** The response for a cached page: 304 when the client has it, gzip when the client takes it. */
export function respondFromCache(entry: CachedPage, request: Request): Response {
  const headers = new Headers(entry.headers);
  headers.set('x-cache', 'HIT');
  headers.append('vary', 'accept-encoding');
  const etag = headers.get('etag');
  const ifNoneMatch = request.headers.get('if-none-match');
  if (etag && ifNoneMatch?.split(',').some((tag) => tag.trim() === etag)) {
    return new Response(null, { status: 304, headers });
  }
  if (/\bgzip\b/.test(request.headers.get('accept-encoding') ?? '')) {
    headers.set('content-encoding', 'gzip');
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(entry.gzipped), {
      status: entry.status,
      headers,
    });
  }
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(entry.body), { status: entry.status, headers });
}

/**
 * The cache key of a page: its path and query, and the text size it was rendered in (大字 pages are other pages).
 * The size goes last, after a `#` no path or query can hold, so `purge(prefix)` drops both sizes of a page.
 */
export function pageCacheKey(url: URL, size: TextSize): string {
  return url.pathname + url.search + (size === 'large' ? '#large' : '');
}

const LARGE_TAG = /-large"$/;

/**
 * Renders a page in its text size with ETags of its own: a 大字 page's ETag ends in `-large`, so a browser (or a
 * cache) holding the standard page never hears "304: what you have is still right" for the large one, nor the other
 * way round. The page itself sees only its own tags in If-None-Match (the suffix taken off; a standard page's tag
 * dropped), and every HTML answer says `Vary: Cookie`, since the cookie chooses the size.
 */
export async function textSizeVariant(
  request: Request,
  size: TextSize,
  render: () => Promise<Response>,
): Promise<Response> {
  const asked = request.headers.get('if-none-match');
  if (size === 'large' && asked !== null) {
    const own = asked
      .split(',')
      .map((tag) => tag.trim())
      .filter((tag) => LARGE_TAG.test(tag))
      .map((tag) => tag.replace(LARGE_TAG, '"'));
    // The Node adapter's request headers can be changed (tests/browser/elder.test.ts asks a fresh 大字 page with a
    // standard ETag); were they not, this throws rather than let a standard 304 answer a 大字 request.
    if (own.length > 0) request.headers.set('if-none-match', own.join(', '));
    else request.headers.delete('if-none-match');
  }
  let response = await render();
  const etag = response.headers.get('etag');
  const html = /^text\/html\b/.test(response.headers.get('content-type') ?? '');
  if (!html && !(size === 'large' && etag)) return response;
  response = mutable(response);
  if (html) response.headers.append('vary', 'cookie');
  if (size === 'large' && etag && /"$/.test(etag)) response.headers.set('etag', etag.replace(/"$/, '-large"'));
  return response;
}

/** A response whose headers may be changed (a redirect's are immutable). */
function mutable(response: Response): Response {
  try {
    response.headers.set('x-content-type-options', 'nosniff');
    return response;
  } catch {
    return new Response(response.body, response);
  }
}

/** Pages only: the bulk files under /data stream (and are sent gzipped by the API where they are big). */
const COMPRESSIBLE = /^text\/html\b/;

/**
 * A page that is not cached (a 404, an uncacheable page such as the docs before they are cached) is still sent
 * gzipped when the client takes it, like the cached ones: a 90 KB page is 20 KB on the wire.
 */
export async function gzipped(request: Request, response: Response): Promise<Response> {
  if (!/\bgzip\b/.test(request.headers.get('accept-encoding') ?? '')) return response;
  if (response.body === null || request.method === 'HEAD' || response.headers.has('content-encoding')) return response;
  if (!COMPRESSIBLE.test(response.headers.get('content-type') ?? '')) return response;
  const body = Buffer.from(await response.arrayBuffer());
  const headers = new Headers(response.headers);
  headers.append('vary', 'accept-encoding');
  if (body.length < 1024) return new Response(new Uint8Array(body), { status: response.status, headers });
  headers.set('content-encoding', 'gzip');
  headers.delete('content-length');
  return new Response(new Uint8Array(gzipPage(body)), { status: response.status, headers });
}

/** A page's inline stylesheet is this long at least before it is worth compressing apart (Base.astro's is ~9 KB). */
const MIN_STYLE_BYTES = 2048;
const STYLE_OPEN = Buffer.from('<style');
const STYLE_CLOSE = Buffer.from('</style>');
/** The stylesheets compressed so far, by their text: one per page type (its components' scoped styles), a few dozen. */
const deflatedStyles = new Map<string, Buffer>();
const MAX_STYLES = 64;
/** What gzipSync writes before the deflate stream: magic, deflate, no flags, no time, no extra flags, Unix. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);

/**
 * gzip of an HTML page, the same bytes gunzipped, with the page's inline stylesheet compressed once per process instead
 * of once per page: every page carries the same ~9 KB sheet, a fifth of a month page, and gzip was a sixth of the
 * portal's CPU for a new page (issue 19's profile). One gzip member whose deflate stream is three runs of blocks: the
 * part before the sheet and the sheet each end on a sync flush (non-final blocks, byte-aligned, as permessage-deflate
 * does), the rest ends the stream; the trailer's CRC-32 and length are of the whole page. The parts do not refer back to
 * one another, so the page is a few bytes larger than one gzip of it. A page without such a sheet is gzipped whole.
 */
export function gzipPage(body: Buffer): Buffer {
  const open = body.indexOf(STYLE_OPEN);
  const close = open < 0 ? -1 : body.indexOf(STYLE_CLOSE, open);
  if (close < 0 || close - open < MIN_STYLE_BYTES) return gzipSync(body);
  const end = close + STYLE_CLOSE.length;
  const style = body.subarray(open, end);
  const key = style.toString('latin1');
  let deflatedStyle = deflatedStyles.get(key);
  if (!deflatedStyle) {
    deflatedStyle = deflateRawSync(style, { finishFlush: constants.Z_SYNC_FLUSH });
    if (deflatedStyles.size >= MAX_STYLES) deflatedStyles.clear();
    deflatedStyles.set(key, deflatedStyle);
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(body), 0);
  trailer.writeUInt32LE(body.length % 2 ** 32, 4);
  return Buffer.concat([
    GZIP_HEADER,
    deflateRawSync(body.subarray(0, open), { finishFlush: constants.Z_SYNC_FLUSH }),
    deflatedStyle,
    deflateRawSync(body.subarray(end)),
    trailer,
  ]);
}

/**
 * Only what any visitor would see alike: anonymous reads, never the committee's pages or the query explorer. The
 * cache key is the path, the query and the text size (pageCacheKey), so a cacheable page may depend on nothing else a
 * request carries: no Host, X-Forwarded-*, Accept-Language or other cookie (absolute URLs come from MINGBAI_PUBLIC_URL; a page that answers
 * If-None-Match with 304, or fails, is not a 200 and is never stored).
 */
export function isCacheableRequest(request: Request, url: URL): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (request.headers.has('authorization') || /(^|;\s*)mingbai_session=/.test(request.headers.get('cookie') ?? ''))
    return false;
  // A month's CSV or JSON Lines streams through from /data, whatever its size: never held in memory here.
  if (/^\/v\/[^/]+\/[^/]+\.(csv|json)$/.test(url.pathname)) return false;
  return !/^\/(committee|login|logout|data|metrics|docs\/explorer|en\/docs\/explorer)(\/|$)/.test(url.pathname);
}
