// The public API's protections, attacked over HTTP: cost before execution, shape limits, rate limits by IP and by
// key, API keys, caching of public GETs, persisted queries, timeouts.
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '@mingbai/db/client';
import { apiKeys } from '@mingbai/db/schema/api-keys';
import { createApiKey, revokeApiKey } from '@mingbai/api/auth/api-keys.service';
import { queryCost } from '@mingbai/api/limits/cost';
import { LIMITS } from '@mingbai/api/limits/limits';
import { buildApiSchema } from '@mingbai/api/graphql/schema';
import { startApiServer, type ApiServerOptions, type RunningApi } from '@mingbai/api/server';
import { openTestDb } from '../support/db.ts';

let handle: DbHandle;
const servers: RunningApi[] = [];

beforeAll(async () => {
  handle = await openTestDb();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await handle?.close();
});

async function serve(options: Partial<ApiServerOptions> = {}): Promise<string> {
  const api = await startApiServer({ db: handle.db, port: 0, exposeSqlStats: true, ...options });
  servers.push(api);
  return api.url;
}

interface Reply {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions: Record<string, unknown> & { code: string } }[];
    extensions?: { cost?: { requested: number; limit: number }; sql?: { statements: number } };
  };
}

async function post(url: string, query: string, variables = {}, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {} };
}

async function get(url: string, params: Record<string, unknown>, headers: Record<string, string> = {}) {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) search.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  const res = await fetch(`${url}?${search}`, { headers: { accept: 'application/json', ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : {} } as Reply & {
    text: string;
  };
}

describe('query cost', () => {
  it('multiplies nested connection sizes, counts objects and assumes 10 items for plain lists', async () => {
    const schema = await buildApiSchema();
    const cost = (query: string, variables = {}) => queryCost(schema, parse(query), variables, undefined);
    expect(cost('{ village(slug: "fucun") { name } }')).toBe(1);
    // statement 1 + money objects 2
    expect(
      cost('{ village(slug: "fucun") { statement(year: 2025, month: 6) { income { yuan } spending { yuan } } } }'),
    ).toBe(1 + 1 + 2);
    // connection: 2 + n × (node 1 + account 1)
    expect(
      cost(
        '{ village(slug: "a") { statement(year: 2025, month: 6) { lines(first: 50) { nodes { account { code } } } } } }',
      ),
    ).toBe(1 + 1 + 2 + 50 * 2);
    // nested: villages(10) × periods(5) × statement × lines(20)
    const nested = `{ villages(first: 10) { nodes { periods(first: 5) { nodes { statement { lines(first: 20) { nodes { summary } } } } } } } }`;
    expect(cost(nested)).toBe(2 + 10 * (1 + 2 + 5 * (1 + 1 + 2 + 20 * 1)));
    // variables are read; no first/last means 20; plain lists count 10 items
    expect(cost('query ($n: Int) { villages(first: $n) { nodes { name } } }', { n: 7 })).toBe(2 + 7);
    expect(cost('{ villages { totalCount } }')).toBe(2);
    expect(cost('{ regions { name } }')).toBe(10);
    expect(cost('{ regions { children { name } } }')).toBe(10 * (1 + 10));
    // a mutation costs 10 more
    expect(cost('mutation { logout(token: "x") }')).toBe(10);
  });

  it('is reported in extensions.cost and refused above the maximum before anything runs', async () => {
    const url = await serve();
    const ok = await post(url, '{ villages(first: 3) { nodes { name } } }');
    expect(ok.body.extensions?.cost).toEqual({ requested: 5, limit: LIMITS.maxQueryCost });

    const expensive = `{ villages(first: 100) { nodes { periods(first: 100) { nodes { statement { lines(first: 100) { nodes { summary } } } } } } } }`;
    const started = Date.now();
    const refused = await post(url, expensive);
    expect(refused.status).toBe(400);
    expect(refused.body.data).toBeUndefined();
    const error = refused.body.errors![0]!;
    expect(error.extensions.code).toBe('QUERY_TOO_COSTLY');
    expect(error.extensions.limit).toBe(LIMITS.maxQueryCost);
    expect(error.extensions.cost).toBeGreaterThan(LIMITS.maxQueryCost);
    expect(error.message).toContain(String(LIMITS.maxQueryCost));
    expect(refused.body.extensions?.sql?.statements ?? 0).toBe(0);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('shape limits', () => {
  const cases: [string, () => string, string][] = [
    [
      'too deep',
      () => `{ node(id: "x") { ... on Voucher { statement { previousStatement { previousStatement { previousStatement {
        previousStatement { previousStatement { previousStatement { previousStatement { previousStatement {
        previousStatement { previousStatement { year } } } } } } } } } } } } } }`,
      'QUERY_TOO_DEEP',
    ],
    [
      'alias bomb',
      () => `{ ${Array.from({ length: LIMITS.maxAliases + 1 }, (_, i) => `a${i}: regions { name }`).join(' ')} }`,
      'TOO_MANY_ALIASES',
    ],
    [
      'fragment fan-out',
      () =>
        `query { ...F1 } fragment F1 on Query { ${'...F2 '.repeat(30)} } fragment F2 on Query { ${'__typename '.repeat(30)} }`,
      'TOO_MANY_FIELDS',
    ],
    [
      'directive flood',
      () => `{ __typename ${'@include(if: true) '.repeat(LIMITS.maxDirectives + 1)} }`,
      'TOO_MANY_DIRECTIVES',
    ],
    ['token flood', () => `{ ${'__typename '.repeat(LIMITS.maxTokens + 10)} }`, 'TOO_MANY_TOKENS'],
    [
      'same field repeated',
      () => `{ ${'village(slug: "fucun") { name } '.repeat(LIMITS.maxFields)} }`,
      'TOO_MANY_FIELDS',
    ],
  ];

  it.each(cases)('%s is refused with its code, fast, and runs nothing', async (_name, build, code) => {
    const url = await serve();
    const started = Date.now();
    const res = await post(url, build());
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions.code).toBe(code);
    expect(res.body.errors?.[0]?.message).toMatch(/[\u4e00-\u9fa5]/);
    expect(res.body.extensions?.sql?.statements ?? 0).toBe(0);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('lets the portal-sized month page and introspection through', async () => {
    const url = await serve();
    const res = await post(
      url,
      `{ __schema { types { name fields { name args { name type { name kind ofType { name kind ofType { name } } } } } } } }`,
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  });

  it('waits for a mutation past the timeout, since its transaction may still commit', async () => {
    const url = await serve({ executionTimeoutMs: 1 });
    const res = await post(url, `mutation { login(username: "fucun-kuaiji", password: "mingbai-demo") { token } }`);
    expect(res.status).toBe(200);
    expect((res.body.data?.login as { token: string }).token).toMatch(/^mb_/);
  });

  it('refuses a body over the limit with 413', async () => {
    const url = await serve();
    const res = await post(url, `{ __typename }`, { pad: 'x'.repeat(LIMITS.maxBodyBytes) });
    expect(res.status).toBe(413);
    expect(res.body.errors?.[0]?.extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers QUERY_TIMEOUT when a query runs too long', async (ctx) => {
    // PGlite runs inside this process's own thread: no timer fires until its work is done, so only a server can be
    // slow in a way a timeout interrupts.
    if (handle.engine === 'pglite') ctx.skip();
    const url = await serve({ executionTimeoutMs: 1 });
    const res = await post(url, `{ verifyChain(villageSlug: "fucun") { ok checked } }`);
    expect(res.status).toBe(503);
    expect(res.body.errors?.[0]?.extensions.code).toBe('QUERY_TIMEOUT');
  });
});

describe('rate limits', () => {
  it('count down per IP with the cost of each query and refuse with 429 once spent', async () => {
    const url = await serve({ rateLimits: { anonymousPointsPerHour: 30 } });
    const asIp = (ip: string) => ({ 'x-forwarded-for': ip });
    const first = await post(url, '{ villages(first: 3) { nodes { name } } }', {}, asIp('203.0.113.1'));
    expect(first.headers.get('x-ratelimit-limit')).toBe('30');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('25');
    const reset = Number(first.headers.get('x-ratelimit-reset'));
    expect(reset * 1000).toBeGreaterThan(Date.now() + 3_500_000);
    expect(reset * 1000).toBeLessThanOrEqual(Date.now() + 3_601_000);

    const second = await post(url, '{ rateLimit { limit remaining used cost resetAt } }', {}, asIp('203.0.113.1'));
    expect(second.body.data?.rateLimit).toMatchObject({ limit: 30, remaining: 24, used: 6, cost: 1 });
    expect(second.headers.get('x-ratelimit-remaining')).toBe('24');

    // another address has its own budget
    const other = await post(url, '{ __typename }', {}, asIp('203.0.113.2'));
    expect(other.headers.get('x-ratelimit-remaining')).toBe('29');

    // a query costing more than what is left is refused and spends only its arrival point
    const big = await post(url, '{ villages(first: 30) { nodes { name } } }', {}, asIp('203.0.113.1'));
    expect(big.status).toBe(429);
    expect(big.body.errors?.[0]?.extensions.code).toBe('RATE_LIMITED');
    expect(big.headers.get('x-ratelimit-remaining')).toBe('23');
    const statuses: number[] = [];
    for (let i = 0; i < 24; i++) statuses.push((await post(url, '{ __typename }', {}, asIp('203.0.113.1'))).status);
    expect(statuses.slice(0, 23).every((s) => s === 200)).toBe(true);
    const spent = await post(url, '{ __typename }', {}, asIp('203.0.113.1'));
    expect(spent.status).toBe(429);
    expect(spent.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(spent.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('resets the budget when the window ends', async () => {
    const url = await serve({ rateLimits: { anonymousPointsPerHour: 5, windowSeconds: 1 } });
    for (let i = 0; i < 6; i++) await post(url, '{ __typename }', {}, { 'x-forwarded-for': '203.0.113.9' });
    const spent = await post(url, '{ __typename }', {}, { 'x-forwarded-for': '203.0.113.9' });
    expect(spent.status).toBe(429);
    const reset = Number(spent.headers.get('x-ratelimit-reset')) * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, reset - Date.now()) + 300));
    const after = await post(url, '{ __typename }', {}, { 'x-forwarded-for': '203.0.113.9' });
    expect(after.status).toBe(200);
    expect(after.headers.get('x-ratelimit-remaining')).toBe('4');
  });

  it('believes X-Forwarded-For only from a trusted proxy', async () => {
    const url = await serve({ rateLimits: { anonymousPointsPerHour: 10 }, trustedProxies: [] });
    await post(url, '{ __typename }', {}, { 'x-forwarded-for': '198.51.100.1' });
    const res = await post(url, '{ __typename }', {}, { 'x-forwarded-for': '198.51.100.2' });
    expect(res.headers.get('x-ratelimit-remaining')).toBe('8');
  });

  it('gives an API key its own, larger budget; a revoked or unknown key is refused', async () => {
    const url = await serve({ rateLimits: { anonymousPointsPerHour: 10, apiKeyPointsPerHour: 1_000 } });
    const issued = await createApiKey(handle.db, { name: '测试', contact: 't@example.org', createdBy: 'test' });
    const [row] = await handle.db.select().from(apiKeys).where(eq(apiKeys.id, issued.id));
    expect(row!.keyHash).toBe(createHash('sha256').update(issued.key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(issued.key);

    const auth = { authorization: `Bearer ${issued.key}` };
    const keyed = await post(url, '{ rateLimit { limit remaining } }', {}, auth);
    expect(keyed.body.data?.rateLimit).toEqual({ limit: 1_000, remaining: 999 });
    const again = await post(url, '{ __typename }', {}, auth);
    expect(again.headers.get('x-ratelimit-remaining')).toBe('998');
    const anonymous = await post(url, '{ __typename }');
    expect(anonymous.headers.get('x-ratelimit-limit')).toBe('10');

    const custom = await createApiKey(handle.db, {
      name: '大户',
      contact: 'x',
      pointsPerHour: 5_000,
      createdBy: 'test',
    });
    const big = await post(url, '{ __typename }', {}, { authorization: `Bearer ${custom.key}` });
    expect(big.headers.get('x-ratelimit-limit')).toBe('5000');

    await revokeApiKey(handle.db, issued.id);
    const revoked = await post(url, '{ __typename }', {}, auth);
    expect(revoked.status).toBe(401);
    expect(revoked.body.errors?.[0]?.extensions.code).toBe('INVALID_API_KEY');
    const unknown = await post(url, '{ __typename }', {}, { authorization: 'Bearer mbk_not-a-key' });
    expect(unknown.status).toBe(401);
  });
});

describe('GraphQL over HTTP', () => {
  const MONTH = `query Month($slug: String!) { village(slug: $slug) { name statement(year: 2025, month: 6) { digest income { yuan } } } }`;

  it('caches public GETs of published data with an ETag, and answers 304 when it matches', async () => {
    const url = await serve();
    const res = await get(url, { query: MONTH, variables: { slug: 'fucun' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe(`public, max-age=${LIMITS.publicMaxAgeSeconds}`);
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await fetch(`${url}?${new URLSearchParams({ query: MONTH, variables: '{"slug":"fucun"}' })}`, {
      headers: { 'if-none-match': etag! },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('never marks anything private or failed as cacheable', async () => {
    const url = await serve();
    const token = await post(url, `mutation { login(username: "fucun-kuaiji", password: "mingbai-demo") { token } }`);
    const session = (token.body.data?.login as { token: string }).token;
    const privateCases: [Record<string, unknown>, Record<string, string>][] = [
      [{ query: '{ me { username } }' }, {}],
      [{ query: '{ rateLimit { remaining } }' }, {}],
      [
        { query: '{ committeeMonth(villageSlug: "fucun", year: 2026, month: 11) { status } }' },
        { authorization: `Bearer ${session}` },
      ],
      [{ query: MONTH, variables: { slug: 'fucun' } }, { authorization: `Bearer ${session}` }],
      [{ query: '{ village(slug: 1) { name } }' }, {}],
      [{ query: '{ nonsense }' }, {}],
    ];
    for (const [params, headers] of privateCases) {
      const res = await get(url, params, headers);
      expect(res.headers.get('cache-control'), JSON.stringify(params)).toBe('private, no-store');
      expect(res.headers.get('etag')).toBeNull();
    }
    const posted = await post(url, MONTH, { slug: 'fucun' });
    expect(posted.headers.get('cache-control')).toBe('private, no-store');
  });

  it('refuses a mutation sent by GET with 405', async () => {
    const url = await serve();
    const res = await get(url, { query: 'mutation { logout(token: "x") }' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('POST');
  });

  it('answers in application/graphql-response+json when asked', async () => {
    const url = await serve();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.headers.get('content-type')).toContain('application/graphql-response+json');
  });

  it('serves automatic persisted queries: a miss asks for the query, then the hash alone works by GET', async () => {
    const url = await serve();
    const query = `{ village(slug: "fucun") { name code } }`;
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const miss = await get(url, { extensions });
    expect(miss.body.errors?.[0]?.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(miss.headers.get('cache-control')).toBe('private, no-store');
    const register = await get(url, { query, extensions });
    expect(register.body.data).toEqual({ village: { name: '付村', code: expect.any(String) } });
    const hit = await get(url, { extensions });
    expect(hit.status).toBe(200);
    expect(hit.body.data).toEqual(register.body.data);
    expect(hit.headers.get('cache-control')).toContain('public');
    const wrong = await get(url, { query: '{ __typename }', extensions });
    expect(wrong.status).toBe(400);
  });
});
