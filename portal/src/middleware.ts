import { defineMiddleware } from 'astro:middleware';
import { withVisitor } from './lib/api.ts';
import { config } from './lib/config.ts';
import { behindTls, withTls } from './lib/session.ts';
import {
  apiMarkReader,
  gzipped,
  isCacheableRequest,
  PageCache,
  pageCacheKey,
  PublicationMarkWatch,
  respondFromCache,
  textSizeVariant,
} from './lib/page-cache.ts';
import { bodyLimit, isAskPath, isAttachmentUploadPath, readBodyWithin, tooLarge } from './lib/request-body.ts';
import { tooManyRequests, VisitorBudget } from './lib/visitor-budget.ts';
import { textSize, type TextSize } from './lib/text-size.ts';

/**
 * Security headers on every page. The portal ships no script at all, so the policy forbids every script; styles
 * are inline in each page (one small sheet, no extra request on a weak connection).
 */
const POLICY = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "script-src 'none'",
  "object-src 'none'",
  "connect-src 'none'",
  "manifest-src 'self'",
].join('; ');

/**
 * The committee's attachments page is the one page with a script: drawing redaction rectangles over a photo (the page
 * works without it, by a grid of cells). The script is a file of our own (public/committee-redact.js), never inline,
 * and it previews a chosen photo from a blob: URL before upload.
 */
const ATTACHMENTS_POLICY = POLICY.replace("script-src 'none'", "script-src 'self'").replace(
  "img-src 'self' data:",
  "img-src 'self' data: blob:",
);

/** Two years, the HSTS preload list's minimum; sent only when the request came over TLS (see behindTls). */
const HSTS = 'max-age=63072000; includeSubDomains';

const pages = new PageCache();
const marks = new PublicationMarkWatch(apiMarkReader(config.apiUrl, config.portalSecret));
const visitors = new VisitorBudget(config.requestsPerHour);

/** Methods whose requests carry no body worth reading. */
const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const onRequest = defineMiddleware(async (context, next) => {
  // A control character (CR, LF, NUL…) in the address names no page. Refused here, before a page puts it in a header
  // (a redirect's Location) or the API refuses it (NUL), either of which made a 500. The rewrite runs this again.
  // The raw address: context.url is re-parsed after decoding, which silently drops CR, LF and tab.
  if (hasControlCharacter(new URL(context.request.url).pathname)) return context.rewrite('/404');
  // /v/{slug}/{yyyy}/print is the yearly summary, a path [month]/print.astro would claim: the page lives at years/.
  const yearPrint = /^\/v\/([a-z0-9-]+)\/(\d+)\/print\/?$/.exec(context.url.pathname);
  if (yearPrint) return context.rewrite(`/v/${yearPrint[1]}/years/${yearPrint[2]}/print${context.url.search}`);
  // The API limits queries per visitor's address; every query made while rendering this request carries it.
  // Cookies set while rendering are Secure when the visitor came over TLS.
  const tls = behindTls(context.request, context.url, adapterClientAddress(context));
  const visitor = visitorAddress(context);
  const budget = visitors.take(visitor ?? 'unattributed');
  if (!budget.allowed) return secured(tooManyRequests(budget.retryAfterSeconds), tls);
  // A body is read here, counted as it arrives and refused past its path's limit, before any page touches it.
  if (!BODYLESS.has(context.request.method)) {
    const limit = bodyLimit(context.url.pathname);
    const body = await readBodyWithin(context.request, limit);
    // The ask form answers a body over its limit itself: the form again with a message in Chinese (status 413).
    if (body === undefined && isAskPath(context.url.pathname)) context.locals.bodyTooLarge = true;
    else if (body === undefined) return secured(tooLarge(limit), tls);
    else context.locals.body = body;
  }
  // A page in 大字 is another page: its own cache entry, its own ETag (see textSizeVariant).
  const size = textSize(context.request);
  const render = () => withTls(tls, () => withVisitor(visitor, () => textSizeVariant(context.request, size, next)));
  let response = isCacheableRequest(context.request, context.url)
    ? await fromPageCache(context.request, context.url, size, render)
    : await gzipped(context.request, await render());
  // A page that changed what the public sees of a village (a question asked, answered, hidden) names its pages.
  if (context.locals.purgePages) pages.purge(context.locals.purgePages);
  // Redirects come with immutable headers: copy them into a response we may add to.
  if (!canSetHeaders(response)) response = new Response(response.body, response);
  // Astro answers every error page with 500; ours marks a temporary one (the API down, slow or restarting its
  // database) with Retry-After, and that is a 503: try again shortly, nothing is broken here.
  if (response.status === 500 && response.headers.has('retry-after'))
    response = new Response(response.body, { status: 503, headers: response.headers });
  return secured(response, tls, isAttachmentUploadPath(context.url.pathname) ? ATTACHMENTS_POLICY : POLICY);
});

function secured(response: Response, tls: boolean, policy: string = POLICY): Response {
  response.headers.set('content-security-policy', policy);
  response.headers.set('x-content-type-options', 'nosniff');
  response.headers.set('referrer-policy', 'same-origin');
  response.headers.set('x-frame-options', 'DENY');
  response.headers.set('cross-origin-opener-policy', 'same-origin');
  response.headers.set('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
  if (tls) response.headers.set('strict-transport-security', HSTS);
  return response;
}

/**
 * The visitor's address, for every per-address limit (the API's points and /data bytes, the login throttle, the query
 * explorer, this portal's requests per hour): the one rule, applied here and handed to pages only through withVisitor.
 * Astro's Node adapter takes `clientAddress` from the first X-Forwarded-For value, which any client can write. So a
 * forwarded address is believed only when the operator says a proxy in front sets the header
 * (MINGBAI_PORTAL_BEHIND_PROXY=true: its last value, the one the proxy appended); otherwise a request that carries the
 * header gets no address of its own and shares one budget with every other such request, whatever it wrote there.
 */
function visitorAddress(context: { request: Request; clientAddress: string }): string | undefined {
  const forwarded = context.request.headers.get('x-forwarded-for');
  if (!forwarded) return adapterClientAddress(context);
  if (!config.behindProxy) return undefined;
  return forwarded
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean)
    .at(-1);
}

function adapterClientAddress(context: { clientAddress: string }): string | undefined {
  try {
    // eslint-disable-next-line no-restricted-properties -- the one place the adapter's address is read
    return context.clientAddress;
  } catch {
    return undefined; // prerendered pages have none
  }
}

/** A public page from the cache, or rendered now and kept for the next visitors. */
async function fromPageCache(
  request: Request,
  url: URL,
  size: TextSize,
  render: () => Promise<Response>,
): Promise<Response> {
  // Read before rendering: the page is then at least as new as the mark it is kept under.
  const mark = await marks.current();
  if (mark === undefined) return gzipped(request, await render());
  const key = pageCacheKey(url, size);
  const cached = pages.get(key, Date.now(), mark);
  if (cached) return respondFromCache(cached, request);
  const rendered = await render();
  const body = Buffer.from(await rendered.arrayBuffer());
  const stored = pages.put(key, rendered.status, rendered.headers, body, Date.now(), mark);
  if (!stored)
    return gzipped(
      request,
      new Response(rendered.status === 304 ? null : body, { status: rendered.status, headers: rendered.headers }),
    );
  const response = respondFromCache(stored, request);
  response.headers.set('x-cache', 'MISS');
  return response;
}

function canSetHeaders(response: Response): boolean {
  try {
    response.headers.set('x-content-type-options', 'nosniff');
    return true;
  } catch {
    return false;
  }
}

function hasControlCharacter(pathname: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return false; // a malformed %-escape: the server has already answered 400
  }
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  return /[\u0000-\u001f\u007f-\u009f]/.test(decoded);
}
