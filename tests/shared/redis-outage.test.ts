// Redis stopped in the middle of a run, not only a port nobody listens on (shared-state.test.ts): two API processes
// share a redis-server of this file's own (a free port, nothing saved to disk; the machine's Redis on 6379 is never
// touched). While it is away both keep answering, each counts a visitor's budget on its own, and a publication still
// shows (never an answer cached before it); once it is back on the same port, both use it again.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDb, type DbHandle } from '@mingbai/db/client';
import { exited, freePort, waitUntil } from '../../scripts/lib/processes.ts';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { startApiProcess, type ApiProcess } from './processes.ts';

const databaseUrl = inject('databaseUrl');
const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
/** Points per hour per visitor; each `{ __typename }` costs one. */
const BUDGET = 20;

async function post(url: string, query: unknown, address: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address, accept: 'application/json' },
    body: JSON.stringify(query),
  });
  const body = (await res.json()) as { data?: Record<string, unknown> };
  return { status: res.status, cache: res.headers.get('x-mingbai-cache'), data: body.data };
}

/** A redis-server of this test's own on `port`, in the foreground as our child, saving nothing. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: 'ignore' },
  );
  const ping = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  ping.on('error', () => {});
  try {
    await waitUntil(`redis-server on ${port}`, Date.now() + 10_000, async () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      if (ping.status !== 'ready') await ping.connect();
      return (await ping.ping()) === 'PONG' ? true : undefined;
    });
  } finally {
    ping.disconnect();
  }
  return child;
}

describe.skipIf(!databaseUrl || !hasRedisServer)('two API processes whose Redis stops and comes back', () => {
  let handle: DbHandle;
  let redisPort = 0;
  let redis: ChildProcess | undefined;
  let a: ApiProcess;
  let b: ApiProcess;
  let visitors = 0;
  /** A visitor nobody else here has been (198.18.0.0/15, the benchmarking range): a budget of its own. */
  const newVisitor = () => `198.18.${Math.floor(visitors / 250)}.${1 + (visitors++ % 250)}`;

  /** `{ __typename }` BUDGET + 4 times for one new visitor, through `apis` in turn: how many were answered 200. */
  async function spendBudget(apis: ApiProcess[]): Promise<number[]> {
    const visitor = newVisitor();
    const statuses: number[] = [];
    for (let i = 0; i < BUDGET + 4; i++)
      statuses.push((await post(apis[i % apis.length]!.url, { query: '{ __typename }' }, visitor)).status);
    return statuses;
  }

  beforeAll(async () => {
    handle = await openDb({ databaseUrl: databaseUrl!, poolSize: 2 });
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    const env = {
      DATABASE_URL: databaseUrl!,
      MINGBAI_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      MINGBAI_REDIS_PREFIX: 'mingbai-test:outage:',
      MINGBAI_RATE_LIMIT_ANONYMOUS: String(BUDGET),
      MINGBAI_RESPONSE_CACHE: 'true',
    };
    [a, b] = await Promise.all([startApiProcess(env), startApiProcess(env)]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    if (redis) {
      redis.kill('SIGKILL');
      await exited(redis);
    }
    await handle?.close();
  });

  it('answers, limits per process and never serves an answer older than a publication while Redis is away; then shares again', async () => {
    // Redis up: one budget through both processes.
    const shared = await spendBudget([a, b]);
    expect(shared.filter((s) => s === 200)).toHaveLength(BUDGET);

    const village = await aVillage(handle.db, '停缓存村');
    await aMonth(handle.db, village.id, 2025, 1, [
      aVoucher(1, '2025-01-05', '收到镇拨运转经费', debit('101', 300_000), credit('503', 300_000)),
    ]);
    const query = {
      query: 'query ($slug: String!) { village(slug: $slug) { latestStatement { month } } }',
      variables: { slug: village.slug },
    };
    const monthThrough = async (api: ApiProcess) => {
      const answer = await post(api.url, query, newVisitor());
      expect(answer.status).toBe(200);
      const statement = (answer.data?.village as { latestStatement: { month: number } | null } | undefined)
        ?.latestStatement;
      return { month: statement?.month, cache: answer.cache };
    };
    // Cached in Redis through A, found through B (others publish meanwhile: ask until one hit).
    await waitUntil('a hit through B of an answer kept through A', Date.now() + 20_000, async () => {
      await monthThrough(a);
      const answer = await monthThrough(b);
      expect(answer.month).toBe(1);
      return answer.cache === 'hit' ? true : undefined;
    });

    // Redis dies (SIGKILL: no goodbye to its clients).
    redis!.kill('SIGKILL');
    await exited(redis!);
    redis = undefined;

    // Both answer; each process now counts a visitor's budget alone, and still refuses past it.
    const throughA = await spendBudget([a]);
    expect(throughA.slice(0, BUDGET)).toEqual(Array(BUDGET).fill(200));
    expect(throughA.slice(BUDGET)).toEqual(Array(4).fill(429));
    const throughB = await spendBudget([b]);
    expect(throughB.filter((s) => s === 200)).toHaveLength(BUDGET);

    // Nothing is answered from a cache now, and a publication shows through both within a second, for good.
    await aMonth(handle.db, village.id, 2025, 2, [
      aVoucher(1, '2025-02-03', '支付保洁费', debit('513', 80_000), credit('101', 80_000)),
    ]);
    const published = Date.now();
    const showed = { a: false, b: false };
    while (Date.now() - published < 2_500) {
      for (const [name, api] of [
        ['a', a],
        ['b', b],
      ] as const) {
        const startedAfter = Date.now() - published;
        const answer = await monthThrough(api);
        expect(answer.cache, `${name} without Redis`).not.toBe('hit');
        if (showed[name] || startedAfter >= 1_000) expect(answer.month, `${name} at ${startedAfter} ms`).toBe(2);
        if (answer.month === 2) showed[name] = true;
      }
    }
    expect(showed).toEqual({ a: true, b: true });

    // Redis back on the same port (empty: nothing was saved). ioredis reconnects (every 2 s at most) and both use it
    // again: an answer kept through A is found through B, and a visitor has one budget through both.
    redis = await startRedis(redisPort);
    await waitUntil('a hit through B of an answer kept through A, Redis back', Date.now() + 20_000, async () => {
      await monthThrough(a);
      const answer = await monthThrough(b);
      expect(answer.month).toBe(2);
      return answer.cache === 'hit' ? true : undefined;
    });
    const sharedAgain = await spendBudget([a, b]);
    expect(sharedAgain.filter((s) => s === 200)).toHaveLength(BUDGET);
  }, 120_000);
});
