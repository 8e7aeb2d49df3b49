// Two real API processes sharing one Redis (MINGBAI_REDIS_URL): one rate budget, one login throttle, one persisted
// query store, one response cache keyed by the publication mark; a publication made beside them (as the CLI would)
// is seen through both within a second, and no answer cached before it is served after. Then what happens when Redis
// is not there: the API answers, its limits still hold (per process), nothing is served from the cache.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDb, queryRows, type DbHandle } from '@mingbai/db/client';
import { startApiServer } from '@mingbai/api/server';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { freePort } from '../support/portal.ts';
import { REDIS_URL, redisAnswers, redisPrefixFor, startApiProcess, type ApiProcess } from './processes.ts';

const databaseUrl = inject('databaseUrl');
// Points per hour per visitor: six sign-ins (11 points each) fit; the budget test spends it with 1-point queries.
const BUDGET = 100;

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown>; errors?: { extensions?: { code?: string } }[] };
}

async function post(url: string, body: unknown, address: string, accept = 'application/json'): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address, accept },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
}

// Two real processes need PostgreSQL (PGlite is one process's); the PostgreSQL pass runs this file.
describe.skipIf(!databaseUrl)('state shared by two API processes through Redis', () => {
  const redisKeys = redisPrefixFor('shared-state');
  let handle: DbHandle;
  let a: ApiProcess;
  let b: ApiProcess;

  beforeAll(async () => {
    if (!(await redisAnswers())) throw new Error(`no Redis at ${REDIS_URL}: start redis-server (see .ci/run)`);
    handle = await openDb({ databaseUrl: databaseUrl!, poolSize: 2 });
    const env = {
      DATABASE_URL: databaseUrl!,
      MINGBAI_REDIS_URL: REDIS_URL,
      MINGBAI_REDIS_PREFIX: redisKeys.prefix,
      MINGBAI_RATE_LIMIT_ANONYMOUS: String(BUDGET),
      MINGBAI_RESPONSE_CACHE: 'true',
    };
    [a, b] = await Promise.all([startApiProcess(env), startApiProcess(env)]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await handle?.close();
    await redisKeys.clean();
  });

  it('spends one hourly budget through both processes', async () => {
    const visitor = '198.51.100.41';
    const statuses: number[] = [];
    for (let i = 0; i < BUDGET + 6; i++) {
      const answer = await post((i % 2 === 0 ? a : b).url, { query: '{ __typename }' }, visitor);
      statuses.push(answer.status);
    }
    // Each process alone would have allowed the whole budget: every answer 200.
    expect(statuses.filter((s) => s === 200)).toHaveLength(BUDGET);
    expect(statuses.slice(BUDGET)).toEqual(Array(6).fill(429));
    // Another visitor has a budget of their own.
    expect((await post(b.url, { query: '{ __typename }' }, '198.51.100.42')).status).toBe(200);
  });

  it('knows a persisted query registered through the other process', async () => {
    const query = `{ __typename regions: __type(name: "Region") { name } }`;
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const unknown = await post(b.url, { extensions }, '198.51.100.43');
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await post(a.url, { query, extensions }, '198.51.100.43');
    expect(registered.body.data).toMatchObject({ regions: { name: 'Region' } });
    // Another media type asked: another response-cache key, so B answers from the persisted query, not from A's answer.
    const byHash = await post(b.url, { extensions }, '198.51.100.44', 'application/graphql-response+json');
    expect(byHash.body.errors).toBeUndefined();
    expect(byHash.body.data).toMatchObject({ regions: { name: 'Region' } });
  });

  it('throttles sign-in failures counted through the other process', async () => {
    const login = (url: string) =>
      post(
        url,
        { query: 'mutation { login(username: "nobody-shared", password: "wrong-password-1") { token } }' },
        '198.51.100.45',
      );
    // Five free tries, spent through A; the sixth, through B, must wait.
    for (let i = 0; i < 5; i++) {
      const answer = await login(a.url);
      expect(answer.body.errors?.[0]?.extensions?.code).not.toBe('LOGIN_THROTTLED');
    }
    expect((await login(b.url)).body.errors?.[0]?.extensions?.code).toBe('LOGIN_THROTTLED');
  });

  it('serves cached answers to both processes until a publication, then the new month within a second', async () => {
    const village = await aVillage(handle.db, '缓存村');
    const january = [aVoucher(1, '2025-01-05', '收到镇拨运转经费', debit('101', 300_000), credit('503', 300_000))];
    await aMonth(handle.db, village.id, 2025, 1, january);
    const query = {
      query: 'query ($slug: String!) { village(slug: $slug) { name latestStatement { year month } } }',
      variables: { slug: village.slug },
    };
    // A new visitor each time (192.0.x.x, no other test here uses it): the small hourly budget is another test's subject.
    let visitors = 0;
    const ask = async (api: ApiProcess) => {
      const answer = await post(
        api.url,
        query,
        `192.0.${2 + (Math.floor(visitors / 250) % 100)}.${1 + (visitors++ % 250)}`,
      );
      const village = answer.body.data?.village as { latestStatement: { month: number } } | undefined;
      return { month: village?.latestStatement.month, cache: answer.headers.get('x-mingbai-cache') };
    };
    // Others publish into the same database at any time (a new mark, new keys): ask until a hit is seen.
    const hitThrough = async (api: ApiProcess) => {
      for (let i = 0; i < 20; i++) {
        const answer = await ask(api);
        expect(answer.month).toBe(1);
        if (answer.cache === 'hit') return true;
      }
      return false;
    };
    expect(await hitThrough(a)).toBe(true);
    expect(await hitThrough(b)).toBe(true);

    const february = [aVoucher(1, '2025-02-03', '支付保洁费', debit('513', 80_000), credit('101', 80_000))];
    await aMonth(handle.db, village.id, 2025, 2, february);
    const published = Date.now();
    // "Within a second" is about when a request starts, not how long a loaded machine takes to answer it: every
    // request started a second or more after the commit must show February, through both processes, and once a
    // process has shown February it never shows January again.
    const showedFebruary = { a: false, b: false };
    const lateAnswers = { a: 0, b: 0 };
    while (Date.now() - published < 3_000 || !lateAnswers.a || !lateAnswers.b) {
      if (Date.now() - published > 20_000) break;
      for (const [name, api] of [
        ['a', a],
        ['b', b],
      ] as const) {
        const startedAfter = Date.now() - published;
        const answer = await ask(api);
        if (showedFebruary[name] || startedAfter >= 1_000)
          expect(answer.month, `${name} at ${startedAfter} ms`).toBe(2);
        if (answer.month === 2) showedFebruary[name] = true;
        if (startedAfter >= 1_000) lateAnswers[name]++;
      }
    }
    expect(lateAnswers.a, 'answers from A started a second after the commit').toBeGreaterThan(0);
    expect(lateAnswers.b, 'answers from B started a second after the commit').toBeGreaterThan(0);
  });

  it('changes the publication mark at the commit of a publication', async () => {
    const mark = async () =>
      (await queryRows<{ mark: string }>(handle.db, sql`select n || '.' || token as mark from public_mark`))[0]!.mark;
    const village = await aVillage(handle.db, '标记村');
    const before = await mark();
    await aMonth(handle.db, village.id, 2025, 3, [
      aVoucher(1, '2025-03-03', '收到镇拨运转经费', debit('101', 10_000), credit('503', 10_000)),
    ]);
    expect(await mark()).not.toBe(before);
  });
});

describe.skipIf(!databaseUrl)('an API whose Redis is not there', () => {
  it('answers, limits and throttles each visitor in its own memory, and serves nothing from the cache', async () => {
    const handle = await openDb({ databaseUrl: databaseUrl!, poolSize: 2 });
    const nowhere = `redis://127.0.0.1:${await freePort()}`;
    const api = await startApiServer({
      db: handle.db,
      port: 0,
      rateLimits: { anonymousPointsPerHour: 5 },
      shared: { redisUrl: nowhere, redisPrefix: 'mingbai-test:nowhere:', responseCache: true },
    });
    try {
      const statuses: number[] = [];
      const caches: (string | null)[] = [];
      for (let i = 0; i < 7; i++) {
        const answer = await post(api.url, { query: '{ __typename }' }, '198.51.100.47');
        statuses.push(answer.status);
        caches.push(answer.headers.get('x-mingbai-cache'));
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      expect(caches.slice(0, 5)).toEqual(Array(5).fill('miss'));
      expect(api.responseCache?.hits).toBe(0);
      // The sign-in throttle this server uses (its own) counts in memory meanwhile: still five free tries.
      for (let i = 0; i < 5; i++) await api.loginThrottle.failed('nobody-nowhere', 'ip:198.51.100.48');
      await expect(api.loginThrottle.check('nobody-nowhere', 'ip:198.51.100.48')).rejects.toMatchObject({
        extensions: { code: 'LOGIN_THROTTLED' },
      });
    } finally {
      await api.close();
      await handle.close();
    }
  }, 20_000);
});
