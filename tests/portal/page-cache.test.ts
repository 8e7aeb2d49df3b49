// The portal's cache of rendered public pages: what it keeps, for how long, and what it never keeps.
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isCacheableRequest, PageCache, respondFromCache } from '../../portal/src/lib/page-cache.ts';

const html = Buffer.from('<!doctype html><p>付村 2025年6月</p>'.repeat(50));
const publicHeaders = () =>
  new Headers({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=600', etag: '"m1"' });

describe('page cache', () => {
  it('keeps a public page for at most a minute and serves it gzipped or as a 304', async () => {
    const cache = new PageCache();
    const now = 1_000_000;
    expect(cache.put('/v/fucun/2025-06', 200, publicHeaders(), html, now)).toBeDefined();
    const hit = cache.get('/v/fucun/2025-06', now + 59_000)!;
    const gz = respondFromCache(
      hit,
      new Request('http://x/v/fucun/2025-06', { headers: { 'accept-encoding': 'gzip, br' } }),
    );
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gz.headers.get('x-cache')).toBe('HIT');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).equals(html)).toBe(true);
    const plain = respondFromCache(hit, new Request('http://x/v/fucun/2025-06'));
    expect(Buffer.from(await plain.arrayBuffer()).equals(html)).toBe(true);
    const notModified = respondFromCache(hit, new Request('http://x/', { headers: { 'if-none-match': '"m1"' } }));
    expect(notModified.status).toBe(304);
    expect(cache.get('/v/fucun/2025-06', now + 60_001)).toBeUndefined();
  });

  it('never keeps private, uncacheable, failed or cookie-setting responses', () => {
    const cache = new PageCache();
    const cases: [number, Record<string, string>][] = [
      [200, { 'cache-control': 'no-store' }],
      [200, { 'cache-control': 'private, max-age=60' }],
      [200, {}],
      [404, { 'cache-control': 'public, max-age=60' }],
      [200, { 'cache-control': 'public, max-age=60', 'set-cookie': 'a=b' }],
    ];
    for (const [status, headers] of cases) expect(cache.put('/k', status, new Headers(headers), html)).toBeUndefined();
    expect(cache.get('/k')).toBeUndefined();
  });

  it('evicts the least recently used pages beyond its size', () => {
    const cache = new PageCache(html.length * 3);
    cache.put('/a', 200, publicHeaders(), html);
    cache.put('/b', 200, publicHeaders(), html);
    cache.get('/a');
    cache.put('/c', 200, publicHeaders(), html);
    expect(cache.get('/b')).toBeUndefined();
    expect(cache.get('/a')).toBeDefined();
    expect(cache.get('/c')).toBeDefined();
  });

  it('serves from cache only anonymous reads of public pages', () => {
    const req = (path: string, init: RequestInit = {}) =>
      [new Request(`http://x${path}`, init), new URL(`http://x${path}`)] as const;
    expect(isCacheableRequest(...req('/v/fucun/2025-06'))).toBe(true);
    expect(isCacheableRequest(...req('/v/fucun/2025-06', { method: 'POST' }))).toBe(false);
    expect(isCacheableRequest(...req('/v/fucun/2025-06', { headers: { cookie: 'mingbai_session=abc' } }))).toBe(false);
    expect(isCacheableRequest(...req('/committee/fucun'))).toBe(false);
    expect(isCacheableRequest(...req('/login'))).toBe(false);
    expect(isCacheableRequest(...req('/docs/explorer?query=x'))).toBe(false);
    expect(isCacheableRequest(...req('/data/months/2025-06/lines.csv'))).toBe(false);
  });
});
