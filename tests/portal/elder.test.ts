// The pieces of 大字 (elder mode) and the phone work that need no browser: the cookie, the way back, the page cache's
// key and ETags per size, gzip of pages the cache does not keep, the error sentence, amounts in 万 and 亿.
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { errorSentence } from '../../portal/src/lib/error-page.ts';
import { wan, wanFigure } from '../../portal/src/lib/format.ts';
import { gzipped, PageCache, pageCacheKey, textSizeVariant } from '../../portal/src/lib/page-cache.ts';
import { safeBack, switchHref, textSizeOfCookieHeader } from '../../portal/src/lib/text-size.ts';

describe('the text size', () => {
  it('is large only when the cookie says exactly that', () => {
    expect(textSizeOfCookieHeader('mingbai_text=large')).toBe('large');
    expect(textSizeOfCookieHeader('a=1; mingbai_text=large; b=2')).toBe('large');
    expect(textSizeOfCookieHeader(null)).toBe('standard');
    expect(textSizeOfCookieHeader('mingbai_text=LARGE')).toBe('standard');
    expect(textSizeOfCookieHeader('xmingbai_text=large')).toBe('standard');
  });

  it('goes back only to a path of this site', () => {
    expect(safeBack('/v/fucun/2025-06?category=514')).toBe('/v/fucun/2025-06?category=514');
    for (const away of [null, '', 'https://evil.example/', '//evil.example', '/\\evil.example', 'evil', '/a\nb'])
      expect(safeBack(away), String(away)).toBe('/');
    expect(safeBack('/settings/text?size=large'), 'not to the switch itself').toBe('/');
    expect(switchHref('large', '/v/fucun?x=1&y=2')).toBe('/settings/text?size=large&back=%2Fv%2Ffucun%3Fx%3D1%26y%3D2');
  });
});

describe('the page cache and the text size', () => {
  const headers = () =>
    new Headers({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=60', etag: '"m1"' });

  it('keys each size apart, and a purge drops both', () => {
    const url = new URL('http://x/v/fucun/2025-06?category=514');
    const cache = new PageCache();
    cache.put(pageCacheKey(url, 'standard'), 200, headers(), Buffer.from('standard'));
    cache.put(pageCacheKey(url, 'large'), 200, headers(), Buffer.from('large'));
    expect(cache.get(pageCacheKey(url, 'standard'))!.body.toString()).toBe('standard');
    expect(cache.get(pageCacheKey(url, 'large'))!.body.toString()).toBe('large');
    expect(cache.purge('/v/fucun/')).toBe(2);
  });

  it('gives a 大字 page its own ETag, and its page sees only its own tags', async () => {
    const seen: (string | null)[] = [];
    const page = (request: Request) => async () => {
      seen.push(request.headers.get('if-none-match'));
      return new Response('<p>', { headers: headers() });
    };
    const ask = (tag?: string) =>
      new Request('http://x/v/fucun/2025-06', { headers: tag ? { 'if-none-match': tag } : {} });
    let request = ask('"m1"');
    const large = await textSizeVariant(request, 'large', page(request));
    expect(large.headers.get('etag')).toBe('"m1-large"');
    expect(large.headers.get('vary')).toMatch(/cookie/);
    request = ask('"m1-large", "other"');
    await textSizeVariant(request, 'large', page(request));
    request = ask('"m1"');
    const standard = await textSizeVariant(request, 'standard', page(request));
    expect(standard.headers.get('etag')).toBe('"m1"');
    expect(standard.headers.get('vary')).toMatch(/cookie/);
    expect(seen).toEqual([null, '"m1"', '"m1"']);
  });

  it('gzips an uncached page when the client takes gzip, and only pages', async () => {
    const html = '<p>文档</p>'.repeat(500);
    const page = () => new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8' } });
    const zipped = await gzipped(new Request('http://x/docs', { headers: { 'accept-encoding': 'gzip' } }), page());
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString()).toBe(html);
    const plain = await gzipped(new Request('http://x/docs'), page());
    expect(plain.headers.get('content-encoding')).toBeNull();
    const csv = await gzipped(
      new Request('http://x/data/x.csv', { headers: { 'accept-encoding': 'gzip' } }),
      new Response('a,b\n'.repeat(1000), { headers: { 'content-type': 'text/csv' } }),
    );
    expect(csv.headers.get('content-encoding')).toBeNull();
  });
});

describe('words on the page', () => {
  it('the error page says 请稍后再试 once', () => {
    expect(errorSentence('数据接口暂时连不上，请稍后再试')).toBe('数据接口暂时连不上，请稍后再试。');
    expect(errorSentence('数据库暂时无法连接，请稍后再试。')).toBe('数据库暂时无法连接，请稍后再试。');
    expect(errorSentence('服务器出了点问题。')).toBe('服务器出了点问题。请稍后再试。');
    expect(errorSentence('')).toBe('请稍后再试。');
  });

  it('large amounts in 万 and, from 1亿 up, in 亿, rounded half up', () => {
    expect(wan('9999.99')).toBeUndefined();
    expect(wan('1234567.89')).toBe('123.46万');
    expect(wan('99999999.99')).toBe('1.00亿');
    expect(wan('1234567890.00')).toBe('12.35亿');
    expect(wan('-50000.50')).toBe('-5.00万');
  });

  it('a column in 万元: two decimals, and a small amount never reads as nothing', () => {
    expect(wanFigure('218400.00')).toBe('21.84');
    expect(wanFigure('5752.95')).toBe('0.58');
    expect(wanFigure('123456789012.34')).toBe('12,345,678.90');
    expect(wanFigure('6.00')).toBe('<0.01');
    expect(wanFigure('0.00')).toBe('0.00');
  });
});
