// The portal while the API cannot answer (stopped, restarting, overloaded): every page says "try again shortly" in
// Chinese with 503 and Retry-After, which browsers, proxies and monitors understand, never a 500 that blames the portal.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestPortal, type TestPortal } from '../support/portal.ts';

describe('the portal while the API is down or busy', () => {
  let down: TestPortal;
  let busy: TestPortal;
  let busyApi: Server;

  beforeAll(async () => {
    // Nothing listens on this port: the API is stopped.
    down = await startTestPortal(`http://127.0.0.1:${await freePort()}/graphql`);
    // An API that answers 503 DATABASE_UNAVAILABLE, as ours does while PostgreSQL restarts.
    busyApi = createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(
        JSON.stringify({
          errors: [{ message: '数据库暂时不可用，请稍后再试', extensions: { code: 'DATABASE_UNAVAILABLE' } }],
        }),
      );
    });
    await new Promise<void>((resolve) => busyApi.listen(0, '127.0.0.1', resolve));
    const { port } = busyApi.address() as { port: number };
    busy = await startTestPortal(`http://127.0.0.1:${port}/graphql`);
  }, 60_000);

  afterAll(async () => {
    await down?.close();
    await busy?.close();
    await new Promise((resolve) => busyApi?.close(resolve));
  });

  for (const path of ['/', '/v/fucun', '/v/fucun/2025-05', '/r/xiqing']) {
    it(`answers 503 with Retry-After on ${path}`, async () => {
      for (const portal of [down, busy]) {
        const res = await fetch(portal.url + path);
        const text = await res.text();
        expect(res.status, `${portal.url}${path}`).toBe(503);
        expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(res.headers.get('cache-control') ?? '').not.toMatch(/public/);
        expect(text).toMatch(/<html[^>]*\blang=["']?zh/i);
        expect(text).toMatch(/稍后再试/);
      }
    });
  }
});
