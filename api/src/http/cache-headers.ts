// Who may keep a GraphQL answer: anonymous GETs of published data are public for a short while, with a strong ETag;
// anything signed in, private or failed is `private, no-store`.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** `{"errors":` leads every response that carries errors (Apollo writes errors before data). */
export function hasErrors(text: string): boolean {
  return text.includes('"errors":');
}

export function sendPrivate(res: ServerResponse, status: number, text: string): void {
  res.setHeader('cache-control', 'private, no-store');
  res.statusCode = status;
  res.end(text);
}

/**
 * A public, anonymous GET of published data: cacheable by browsers and CDNs for a short while (a correction can
 * publish a new revision at any time), with a strong ETag so a revalidation costs no body.
 */
export function sendCacheable(req: IncomingMessage, res: ServerResponse, text: string, maxAgeSeconds: number): void {
  const etag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 32)}"`;
  res.setHeader('cache-control', `public, max-age=${maxAgeSeconds}`);
  res.setHeader('etag', etag);
  res.setHeader('vary', 'accept, authorization');
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    res.statusCode = 304;
    res.removeHeader('content-type');
    res.end();
    return;
  }
  res.statusCode = 200;
  res.end(text);
}
