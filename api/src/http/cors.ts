// Cross-origin reads: the API is public, takes no cookies (only `Authorization: Bearer`), so any origin may read it.
import type { ServerResponse } from 'node:http';

/** Headers a browser script may read from a cross-origin answer: its validator and when it may ask again. */
const EXPOSED_HEADERS = 'etag, retry-after, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset';

export function allowAnyOrigin(res: ServerResponse): void {
  res.setHeader('access-control-allow-origin', '*');
}

export function exposeHeaders(res: ServerResponse): void {
  res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
}

/** The answer to a browser's preflight (OPTIONS) for /graphql. */
export function answerPreflight(res: ServerResponse): void {
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': 'content-type, authorization, apollo-require-preflight',
    'access-control-expose-headers': EXPOSED_HEADERS,
    'access-control-max-age': '86400',
  });
  res.end();
}
