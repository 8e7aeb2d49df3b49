// The publication mark as the API and the portal keep it: read at most every 250 ms and only when asked, one read
// for every asker meanwhile; unknown when it cannot be read; and a page kept under one mark is not served under another.
import { describe, expect, it } from 'vitest';
import { PublicationMark } from '@mingbai/api/shared/publication-mark';
import { MemoryAnswerStore, ResponseCache } from '@mingbai/api/shared/response-cache';
import { NO_MARK, PageCache, PublicationMarkWatch } from '../../portal/src/lib/page-cache.ts';

function aSource(values: (string | Error)[]) {
  let reads = 0;
  const read = async () => {
    const value = values[Math.min(reads++, values.length - 1)]!;
    if (value instanceof Error) throw value;
    return value;
  };
  return { read, reads: () => reads };
}

for (const [name, Kind] of [
  ['the API (PublicationMark)', PublicationMark],
  ['the portal (PublicationMarkWatch)', PublicationMarkWatch],
] as const) {
  describe(`the publication mark in ${name}`, () => {
    it('is read at most once per 250 ms, once for all who ask meanwhile', async () => {
      let now = 0;
      const source = aSource(['1.a', '2.b']);
      const mark = new Kind(source.read, 250, () => now);
      expect(await Promise.all([mark.current(), mark.current(), mark.current()])).toEqual(['1.a', '1.a', '1.a']);
      now = 249;
      expect(await mark.current()).toBe('1.a');
      expect(source.reads()).toBe(1);
      now = 250;
      expect(await mark.current()).toBe('2.b');
      expect(source.reads()).toBe(2);
    });

    it('is unknown while it cannot be read', async () => {
      let now = 0;
      const mark = new Kind(aSource(['1.a', new Error('database away'), '3.c']).read, 250, () => now);
      expect(await mark.current()).toBe('1.a');
      now = 300;
      expect(await mark.current()).toBeUndefined();
      now = 600;
      expect(await mark.current()).toBe('3.c');
    });
  });
}

describe('the API response cache', () => {
  it('finds an answer only under the mark it was kept under', async () => {
    const source = aSource(['1.a']);
    const cache = new ResponseCache(new PublicationMark(source.read), new MemoryAnswerStore(), 60);
    const request = {
      query: '{ regions { name } }',
      persistedHash: undefined,
      operationName: undefined,
      variables: null,
      accept: undefined,
    };
    const before = (await cache.keyOf(request, '1.a'))!;
    await cache.put(before, { status: 200, contentType: 'application/json', cost: 1, body: '{"data":{}}' });
    expect(await cache.get(before)).toMatchObject({ body: '{"data":{}}' });
    const after = (await cache.keyOf(request, '2.b'))!;
    expect(after).not.toBe(before);
    expect(await cache.get(after)).toBeUndefined();
    expect([cache.hits, cache.misses, cache.hitRate()]).toEqual([1, 1, 0.5]);
    // No mark known: no key, so nothing is looked up or kept.
    expect(await cache.keyOf(request, undefined)).toBeUndefined();
    // A persisted-query hash that is not its text's is never answered from the cache.
    expect(await cache.keyOf({ ...request, persistedHash: '0'.repeat(64) }, '1.a')).toBeUndefined();
  });
});

describe('the portal page cache', () => {
  it('serves a page only under the mark it was rendered under', () => {
    const cache = new PageCache();
    const headers = new Headers({ 'content-type': 'text/html', 'cache-control': 'public, max-age=60' });
    const body = Buffer.from('<p>付村</p>');
    cache.put('/v/fucun', 200, headers, body, 0, '7.x');
    expect(cache.get('/v/fucun', 1, '7.x')).toBeDefined();
    expect(cache.get('/v/fucun', 2, '8.y')).toBeUndefined();
    // Dropped, not kept for a mark that comes back.
    expect(cache.get('/v/fucun', 3, '7.x')).toBeUndefined();
    cache.put('/v/fucun', 200, headers, body, 0);
    expect(cache.get('/v/fucun', 1, NO_MARK)).toBeDefined();
  });
});
