import type { APIRoute } from 'astro';
import { API_URL, forwardedFor } from '../../lib/api';

/** Response headers of the API's open-data files that a browser or mirror needs, passed on unchanged. */
const PASSED_ON = [
  'content-type',
  'content-length',
  'content-disposition',
  'cache-control',
  'etag',
  'link',
  'digest',
  'x-content-type-options',
  // The API counts downloads in bytes per visitor address (forwarded below): its budget and when to come back.
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'retry-after',
];

/**
 * /data/* on the portal is the API's /data/*: the body streams through, so a national file costs the portal no
 * memory, and every address works on either host. The download is the visitor's, charged to the visitor's address
 * (the middleware's rule) like a download from the API itself.
 */
const proxy: APIRoute = async ({ params, request }) => {
  const target = new URL(`/data/${params.path ?? ''}`, API_URL);
  const headers: Record<string, string> = { ...forwardedFor() };
  const ifNoneMatch = request.headers.get('if-none-match');
  if (ifNoneMatch) headers['if-none-match'] = ifNoneMatch;
  let upstream: Response;
  try {
    upstream = await fetch(target, { method: request.method, headers, signal: request.signal });
  } catch {
    return Response.json(
      { errors: [{ message: '数据接口暂时连不上，请稍后再试', extensions: { code: 'SERVICE_UNAVAILABLE' } }] },
      { status: 503, headers: { 'cache-control': 'no-store' } },
    );
  }
  const passed = new Headers();
  for (const name of PASSED_ON) {
    const value = upstream.headers.get(name);
    if (value !== null) passed.set(name, value);
  }
  return new Response(upstream.body, { status: upstream.status, headers: passed });
};

export const GET = proxy;
export const HEAD = proxy;
