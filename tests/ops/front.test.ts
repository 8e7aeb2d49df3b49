// The front of docs/SCALING.md (scripts/cluster/front.ts) on stand-in upstreams: round robin, a request that cannot
// reach one upstream is sent to the next, health checks take a dead upstream out, paths go to their pool.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/cluster/pg.ts';
import { startFront, type RunningFront } from '../../scripts/cluster/front.ts';

/** An upstream that names itself and echoes what it was sent. */
function upstream(name: string): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ name, path: req.url, body, forwardedFor: req.headers['x-forwarded-for'] ?? null }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
const origin = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

describe('the front', () => {
  let apis: Server[];
  let portal: Server;
  let front: RunningFront;
  let deadPort: number;

  beforeAll(async () => {
    apis = [await upstream('api1'), await upstream('api2')];
    portal = await upstream('portal1');
    deadPort = await freePort();
    front = await startFront({
      port: 0,
      api: [...apis.map(origin), `http://127.0.0.1:${deadPort}`],
      portal: [`http://127.0.0.1:${deadPort}`, origin(portal)],
      // Health checks only at the start: the retry path, not the checker, must carry the dead upstream's share.
      healthIntervalMs: 3_600_000,
    });
  });
  afterAll(async () => {
    await front.close();
    for (const s of [...apis, portal]) await new Promise((r) => s.close(r));
  });

  it('spreads /graphql over every API that answers and sends a POST body on when the first choice is down', async () => {
    const names: string[] = [];
    for (let i = 0; i < 9; i++) {
      // As if its health check had just passed: round robin tries the dead one first on every third request.
      for (const u of front.pools.api) u.healthy = true;
      const res = await fetch(`${front.url}/graphql`, { method: 'POST', body: `{"n":${i}}` });
      expect(res.status).toBe(200);
      const answer = (await res.json()) as { name: string; body: string; path: string; forwardedFor: string };
      expect(answer.body).toBe(`{"n":${i}}`);
      expect(answer.path).toBe('/graphql');
      expect(answer.forwardedFor).toMatch(/127\.0\.0\.1$/);
      names.push(answer.name);
    }
    expect(new Set(names)).toEqual(new Set(['api1', 'api2']));
    expect(front.pools.api[2]!.healthy).toBe(false);
    // Three tries that could not connect (and the health check at start).
    expect(front.pools.api[2]!.failures).toBeGreaterThanOrEqual(3);
    expect(front.pools.api[2]!.served).toBe(0);
  });

  it('sends the other paths to the portals, past a dead one', async () => {
    for (const u of front.pools.portal) u.healthy = true;
    const res = await fetch(`${front.url}/v/fucun?x=1`);
    const answer = (await res.json()) as { name: string; path: string };
    expect(answer).toMatchObject({ name: 'portal1', path: '/v/fucun?x=1' });
    expect(front.pools.portal[0]!.failures).toBeGreaterThan(0);
  });

  it('answers 502 when no upstream of the pool can be reached', async () => {
    const alone = await startFront({
      port: 0,
      api: [`http://127.0.0.1:${deadPort}`],
      portal: [`http://127.0.0.1:${deadPort}`],
    });
    try {
      expect((await fetch(`${alone.url}/graphql`, { method: 'POST', body: '{}' })).status).toBe(502);
    } finally {
      await alone.close();
    }
  });
});
