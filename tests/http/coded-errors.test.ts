// Every refusal is a coded 4xx with a Chinese message (the English original in extensions.englishMessage), never a
// 500 or a dropped connection: bad open-data paths, APQ misuse, oversized bodies, rate limits, broken queries, and
// portal addresses with control characters in them.
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startApiServer, type RunningApi } from '@mingbai/api/server';
import { LIMITS } from '@mingbai/api/limits/limits';
import { useTestPortal } from '../support/portal.ts';

const t = useTestPortal();
const extra: RunningApi[] = [];
afterAll(async () => {
  await Promise.all(extra.map((api) => api.close()));
});

const HAN = /\p{Script=Han}/u;

interface Coded {
  status: number;
  headers: Headers;
  text: string;
  errors: { message: string; extensions: { code: string; englishMessage?: string } & Record<string, unknown> }[];
}

async function coded(res: Response): Promise<Coded> {
  const text = await res.text();
  let errors: Coded['errors'] = [];
  try {
    errors = (JSON.parse(text) as { errors?: Coded['errors'] }).errors ?? [];
  } catch {
    // not JSON: the assertions below say so
  }
  return { status: res.status, headers: res.headers, text, errors };
}

function post(body: unknown, headers: Record<string, string> = {}, url = t.api.url): Promise<Coded> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }).then(coded);
}

/** One error, with the code, a Chinese message and the English original beside it. */
function expectCoded(reply: Coded, status: number, code: string): Coded['errors'][number] {
  expect(reply.status, reply.text.slice(0, 300)).toBe(status);
  expect(reply.errors.length, reply.text.slice(0, 300)).toBeGreaterThan(0);
  const error = reply.errors[0]!;
  expect(error.extensions.code, reply.text.slice(0, 300)).toBe(code);
  expect(error.message, reply.text.slice(0, 300)).toMatch(HAN);
  return error;
}

describe('open data addresses', () => {
  it('answers a revision number that no month has with a coded 404, not a 500', async () => {
    for (const path of [
      '/data/v/fucun/2026-10/r99999/lines.csv',
      '/data/v/fucun/2025-06/r99999/lines.csv',
      '/data/v/fucun/2025-06/r99999/datapackage.json',
      '/data/v/fucun/2025-06/r32768/statements.csv',
    ]) {
      const reply = await fetch(new URL(path, t.api.url)).then(coded);
      expect(reply.status, `${path}: ${reply.text}`).toBe(404);
      expect(reply.errors[0]?.extensions.code, path).toBe('NOT_FOUND');
      expect(reply.errors[0]?.message, path).toMatch(HAN);
    }
  });
});

describe('automatic persisted queries', () => {
  const query = `{ village(slug: "fucun") { name } } # apq ${Date.now()}`;
  const hash = createHash('sha256').update(query).digest('hex');

  it('keeps PERSISTED_QUERY_NOT_FOUND for a hash it does not know, so clients send the query', async () => {
    const reply = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(reply.status).toBe(200);
    expect(reply.errors[0]?.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('refuses a hash that does not match its query with PERSISTED_QUERY_HASH_MISMATCH', async () => {
    const reply = await post({ query, extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } });
    const error = expectCoded(reply, 400, 'PERSISTED_QUERY_HASH_MISMATCH');
    expect(error.extensions.englishMessage).toBe('provided sha does not match query');
  });

  it('refuses a protocol version it does not speak with PERSISTED_QUERY_UNSUPPORTED_VERSION', async () => {
    const reply = await post({ query, extensions: { persistedQuery: { version: 2, sha256Hash: hash } } });
    const error = expectCoded(reply, 400, 'PERSISTED_QUERY_UNSUPPORTED_VERSION');
    expect(error.extensions.englishMessage).toBe('Unsupported persisted query version');
  });
});

describe('oversized bodies', () => {
  /**
   * A client on a slow uplink: it sends the headers and the first 2 MB of an 8 MB body, reads the answer that comes
   * early, then sends the rest. Closing the connection while its bytes are still arriving would reset it (RST), and on
   * a real network the reset often destroys the answer before the client reads it.
   */
  function slowUpload(url: string, body: Buffer): Promise<{ head: string; bodyText: string; socketError?: string }> {
    const { hostname, port, pathname } = new URL(url);
    return new Promise((resolve) => {
      const socket = connect(Number(port), hostname);
      let received = '';
      let socketError: string | undefined;
      let rest: Buffer | undefined = body.subarray(2_000_000);
      const finish = () => {
        const [head = '', bodyText = ''] = received.split('\r\n\r\n');
        // The JSON document, without any chunked-encoding frame around it.
        resolve({ head, bodyText: bodyText.slice(bodyText.indexOf('{'), bodyText.lastIndexOf('}') + 1), socketError });
      };
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('utf8');
        if (rest && received.includes('\r\n\r\n')) {
          // The answer came early: now the rest of the upload, as a client that cannot stop mid-body would.
          const remaining = rest;
          rest = undefined;
          socket.write(remaining, () => socket.end());
        }
      });
      socket.on('error', (error: NodeJS.ErrnoException) => (socketError = error.code ?? error.message));
      socket.on('close', finish);
      socket.setTimeout(15_000, () => socket.destroy(new Error('timeout')));
      socket.write(
        `POST ${pathname} HTTP/1.1\r\nHost: ${hostname}\r\ncontent-type: application/json\r\n` +
          `content-length: ${body.length}\r\n\r\n`,
      );
      socket.write(body.subarray(0, 2_000_000));
    });
  }

  const body = Buffer.from(JSON.stringify({ query: '{ __typename }', variables: { a: 'x'.repeat(8_000_000) } }));

  it('answers an 8 MB variables body with a coded 413', async () => {
    const reply = await fetch(t.api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    }).then(coded);
    const error = expectCoded(reply, 413, 'PAYLOAD_TOO_LARGE');
    expect(error.extensions.limit).toBe(LIMITS.maxBodyBytes);
  });

  it('reads the rest of an oversized upload before closing, so the client is never reset', async () => {
    const reply = await slowUpload(t.api.url, body);
    expect(reply.head).toMatch(/^HTTP\/1\.1 413 /);
    expect(JSON.parse(reply.bodyText)).toMatchObject({ errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
    expect(reply.socketError).toBeUndefined();
    // And the server is fine afterwards.
    expect((await post({ query: '{ __typename }' })).status).toBe(200);
  });
});

describe('rate limits', () => {
  it('carries Retry-After on every 429 and lets browsers read it and x-ratelimit-* through CORS', async () => {
    const api = await startApiServer({ db: t.handle.db, port: 0, rateLimits: { anonymousPointsPerHour: 8 } });
    extra.push(api);
    const origin = { origin: 'https://example.org' };
    // A query priced above what is left: refused by the price check, after arrival.
    const costly = await post({ query: '{ villages(first: 20) { nodes { name } } }' }, origin, api.url);
    expectCoded(costly, 429, 'RATE_LIMITED');
    expect(Number(costly.headers.get('retry-after'))).toBeGreaterThan(0);
    // Then nothing left at all: refused on arrival.
    let arrival: Coded;
    do arrival = await post({ query: '{ __typename }' }, origin, api.url);
    while (arrival.status === 200);
    expectCoded(arrival, 429, 'RATE_LIMITED');
    for (const reply of [costly, arrival]) {
      expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(reply.headers.get('x-ratelimit-remaining')).not.toBeNull();
      const exposed = (reply.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/\s*,\s*/);
      for (const name of ['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'])
        expect(exposed, name).toContain(name);
    }
    const preflight = await fetch(api.url, { method: 'OPTIONS', headers: origin });
    expect(preflight.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('retry-after');
  });
});

describe('request errors', () => {
  it('answers parse and validation errors with 400 for application/json clients too, as the docs table says', async () => {
    for (const accept of ['application/json', 'application/graphql-response+json', '*/*']) {
      const parse = await post({ query: '{ village(slug: ' }, { accept });
      expectCoded(parse, 400, 'GRAPHQL_PARSE_FAILED');
      const validation = await post({ query: '{ village(slug: "fucun") { noSuchField } }' }, { accept });
      expectCoded(validation, 400, 'GRAPHQL_VALIDATION_FAILED');
    }
  });

  it('speaks Chinese in every message a person reads, with the English original beside it', async () => {
    const cases: [string, Promise<Coded>, number, string][] = [
      ['parse', post({ query: '{ village(slug: ' }), 400, 'GRAPHQL_PARSE_FAILED'],
      [
        'unknown field',
        post({ query: '{ village(slug: "fucun") { noSuchField } }' }),
        400,
        'GRAPHQL_VALIDATION_FAILED',
      ],
      [
        'unknown argument',
        post({ query: '{ village(slug: "fucun", nope: 1) { name } }' }),
        400,
        'GRAPHQL_VALIDATION_FAILED',
      ],
      ['missing argument', post({ query: '{ village { name } }' }), 400, 'GRAPHQL_VALIDATION_FAILED'],
      [
        'missing variable',
        post({ query: 'query ($s: String!) { village(slug: $s) { name } }', variables: {} }),
        400,
        'BAD_USER_INPUT',
      ],
      [
        'wrong variable type',
        post({ query: 'query ($s: String!) { village(slug: $s) { name } }', variables: { s: 1 } }),
        400,
        'BAD_USER_INPUT',
      ],
      ['empty query', post({ query: '' }), 400, 'BAD_REQUEST'],
      ['no query', post({}), 400, 'BAD_REQUEST'],
      [
        'two operations, no name',
        post({ query: 'query A { __typename } query B { __typename }' }),
        400,
        'OPERATION_RESOLUTION_FAILURE',
      ],
      ['method', fetch(t.api.url, { method: 'PUT' }).then(coded), 405, 'METHOD_NOT_ALLOWED'],
      [
        'mutation by GET',
        fetch(`${t.api.url}?${new URLSearchParams({ query: 'mutation { logout(token: "x") }' })}`).then(coded),
        405,
        'BAD_REQUEST',
      ],
      ['accept', post({ query: '{ __typename }' }, { accept: 'text/html' }), 406, 'BAD_REQUEST'],
      ['not JSON', post('{"query": '), 400, 'BAD_REQUEST'],
      ['wrong path', fetch(new URL('/nope', t.api.url)).then(coded), 404, 'NOT_FOUND'],
    ];
    for (const [what, pending, status, code] of cases) {
      const reply = await pending;
      const error = expectCoded({ ...reply, text: `${what}: ${reply.text}` }, status, code);
      expect(error.message, what).not.toMatch(/^[\x20-\x7e]*$/);
      expect(error.extensions.englishMessage, `${what}: ${reply.text}`).toMatch(/^[\x20-\x7e]+$/);
    }
  });
});

describe('portal addresses', () => {
  it('answers CR, LF and other control characters in a slug with a 404 page, not a 500', async () => {
    const answers: string[] = [];
    const paths = [
      '/v/fu%0D%0Acun',
      '/v/fucun%0D%0ASet-Cookie:%20x=1',
      '/v/%0A',
      '/v/fucun%0A/2025-06',
      '/v/fu%0Dcun/2025-06/print',
      '/v/fucun%00/2025-06.csv',
      '/v/fucun%0D/2025-06.json',
      '/v/fucun%0A/verify',
      '/r/xiqing%0D%0A',
      '/v/fucun/2025-06%0A',
      '/v/fucun/2025-06/1%0A',
      '/v/fucun/questions%0D',
      '/v/fucun%00',
      '/v/fucun%00/2025-06',
      '/v/fucun%00/2025-06/1',
      '/r/xiqing%00',
      '/v/fucun%7F',
      '/v/%E2%80%AEfucun',
    ];
    for (const path of paths) {
      const res = await fetch(`${t.portal.url}${path}`, { redirect: 'manual' });
      const body = await res.text();
      answers.push(
        `${path} ${res.status} ${res.headers.get('set-cookie') ?? ''} ${HAN.test(body)}${res.status === 500 ? body.slice(0, 3000) : ''}`,
      );
    }
    expect(answers).toEqual(paths.map((path) => `${path} 404  true`));
  });
});
