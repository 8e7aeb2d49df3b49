// Hostile use of the API over raw HTTP: every argument of every query and mutation gets injection strings, and the
// transport gets broken bodies. Each answer must come quickly, as a coded client error: never a 5xx, never a hang.
import { connect } from 'node:net';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isNonNullType,
  type IntrospectionQuery,
} from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { startApiServer } from '@mingbai/api/server';
import { useTestApi } from '../support/api.ts';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { aUser } from '../support/users.ts';

const t = useTestApi();

/** Strings that have broken servers: SQL, NUL, format strings, path traversal, huge, odd Unicode, JSON-looking. */
const PAYLOADS = [
  "' OR '1'='1' --",
  "'; DROP TABLE vouchers; --",
  'fucun\u0000',
  '\u0000',
  '%s%s%s%n',
  '${process.exit()}',
  '../../../../etc/passwd',
  '<script>alert(1)</script>',
  '\uD800',
  '\u202Efucun',
  '𠜎'.repeat(1000),
  'x'.repeat(100_000),
  '{"$ne": null}',
  '\\',
  ' ',
  '',
  '2025-13-45T99:99:99Z',
  '-1',
  '99999999999999999999',
];
const INT_PAYLOADS = [-1, 0, 2_147_483_647, -2_147_483_648, 100_000];

interface Reply {
  status: number;
  ms: number;
  text: string;
  body?: { errors?: { extensions?: { code?: string } }[] };
}

async function send(body: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  const started = Date.now();
  const res = await fetch(t.api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let parsed: Reply['body'];
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, ms: Date.now() - started, text, body: parsed };
}

/** Never a 5xx; every error carries a code that is not the catch-all; answered within the bound. */
function expectCleanRefusalOrAnswer(reply: Reply, what: string): void {
  expect(reply.status, `${what}: ${reply.text.slice(0, 300)}`).toBeLessThan(500);
  expect(reply.ms, what).toBeLessThan(10_000);
  for (const error of reply.body?.errors ?? []) {
    expect(error.extensions?.code, `${what}: ${reply.text.slice(0, 300)}`).toBeTruthy();
    expect(error.extensions?.code, `${what}: ${reply.text.slice(0, 300)}`).not.toBe('INTERNAL_SERVER_ERROR');
  }
}

let token: string;
let village: string;
let tried = 0;

beforeAll(async () => {
  const v = await aVillage(t.handle.db);
  village = v.slug;
  await aMonth(
    t.handle.db,
    v.id,
    2025,
    6,
    [aVoucher(1, '2025-06-03', '测试', debit('101', 100n), credit('503', 100n))],
    {
      publish: true,
    },
  );
  await aMonth(t.handle.db, v.id, 2025, 7, [
    aVoucher(1, '2025-07-03', '测试', debit('101', 100n), credit('503', 100n)),
  ]);
  const user = await aUser(t.handle.db, ['accountant', v.slug], ['supervisor', v.slug]);
  token = await t.api.login(user, 'test-password-1');
});

describe('injection strings in every argument', () => {
  it('every root field, query and mutation, answers each payload with a clean coded result', async () => {
    const introspection = await t.api.query<IntrospectionQuery>(getIntrospectionQuery());
    const schema = buildClientSchema(introspection.data!);
    const roots = [schema.getQueryType()!, schema.getMutationType()!];
    for (const root of roots) {
      for (const field of Object.values(root.getFields())) {
        const fillable = (a: (typeof field.args)[number]) =>
          !a.type.toString().replace(/!$/, '').startsWith('[') &&
          ['String', 'ID', 'Int', 'Boolean'].includes(getNamedType(a.type).name);
        // A required argument of an enum or input type is the type system's to check, not a string's.
        if (field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined && !fillable(a))) continue;
        const declared = field.args.filter(fillable);
        const stringArgs = declared.filter((a) => ['String', 'ID'].includes(getNamedType(a.type).name));
        const intArgs = declared.filter((a) => getNamedType(a.type).name === 'Int');
        const selection = selectionFor(getNamedType(field.type).name);
        const operation = `${root === schema.getMutationType() ? 'mutation' : 'query'} (${declared
          .map((a) => `$${a.name}: ${a.type.toString()}`)
          .join(', ')}) { ${field.name}(${declared.map((a) => `${a.name}: $${a.name}`).join(', ')}) ${selection} }`;
        const base: Record<string, unknown> = {};
        for (const a of declared) base[a.name] = sensible(a.name, getNamedType(a.type).name);
        const variants: Record<string, unknown>[] = [];
        for (const a of stringArgs) {
          for (const payload of PAYLOADS) variants.push({ ...base, [a.name]: payload });
        }
        for (const a of intArgs) {
          for (const payload of INT_PAYLOADS) variants.push({ ...base, [a.name]: payload });
        }
        for (const variables of variants) {
          for (const auth of [{}, { authorization: `Bearer ${token}` }] as Record<string, string>[]) {
            tried += 1;
            const reply = await send(JSON.stringify({ query: operation, variables }), auth);
            expectCleanRefusalOrAnswer(reply, `${field.name} ${JSON.stringify(variables).slice(0, 120)}`);
          }
        }
      }
    }
    console.log(`hostile arguments: ${tried} requests`);
    expect(tried).toBeGreaterThan(500);
  }, 600_000);
});

function selectionFor(type: string): string {
  const selections: Record<string, string> = {
    Village: '{ name }',
    Region: '{ name }',
    Node: '{ id }',
    Me: '{ username }',
    CommitteeMonth: '{ status }',
    ChainVerification: '{ ok }',
    ImportReportType: '{ status problems { code } }',
    PublishResult: '{ revision }',
    LoginResult: '{ token }',
    RateLimit: '{ remaining }',
    OpenDataLinks: '{ csv }',
  };
  if (['Boolean', 'String', 'Int', 'ID'].includes(type)) return '';
  return selections[type] ?? (type.endsWith('Connection') ? '{ totalCount }' : '{ __typename }');
}

function sensible(name: string, type: string): unknown {
  if (type === 'Int') return name === 'year' ? 2025 : name === 'month' ? 7 : 1;
  if (type === 'Boolean') return true;
  if (name === 'villageSlug' || name === 'slug') return village;
  if (name === 'contentBase64') return Buffer.from('a,b\n1,2\n').toString('base64');
  return 'x';
}

describe('broken transport', () => {
  const cases: [string, () => string | Buffer, Record<string, string>?][] = [
    [
      'invalid UTF-8',
      () =>
        Buffer.concat([
          Buffer.from('{"query":"{ village(slug: \\"'),
          Buffer.from([0xff, 0xfe, 0xc3]),
          Buffer.from('\\") { name } }"}'),
        ]),
    ],
    ['not JSON', () => '{"query": '],
    [
      'JSON nested 100,000 deep',
      () => `{"query":"{ __typename }","variables":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`,
    ],
    ['batched array of queries', () => JSON.stringify(Array.from({ length: 50 }, () => ({ query: '{ __typename }' })))],
    ['query is a number', () => JSON.stringify({ query: 42 })],
    ['variables is a string', () => JSON.stringify({ query: '{ __typename }', variables: 'x' })],
    [
      'huge variables object',
      () => JSON.stringify({ query: '{ __typename }', variables: { a: 'x'.repeat(2_000_000) } }),
    ],
    [
      '100,000 variables',
      () =>
        JSON.stringify({
          query: '{ __typename }',
          variables: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`v${i}`, i])),
        }),
    ],
    ['first: 100000', () => JSON.stringify({ query: '{ villages(first: 100000) { nodes { name } } }' })],
    ['last: -1', () => JSON.stringify({ query: '{ villages(last: -1) { nodes { name } } }' })],
    ['cursor garbage', () => JSON.stringify({ query: '{ villages(first: 5, after: "////") { nodes { name } } }' })],
    [
      'node with a forged ID',
      () =>
        JSON.stringify({ query: `{ node(id: "${Buffer.from('Village:1:2:3:4:5:6').toString('base64url')}") { id } }` }),
    ],
    ['10,000 fields wide', () => JSON.stringify({ query: `{ ${'__typename '.repeat(10_000)} }` })],
    ['wrong content type', () => '{ __typename }', { 'content-type': 'text/plain' }],
    ['empty body', () => ''],
  ];

  /** What each answer is: an HTTP status and the codes of its errors (none: answered, the data null or empty). */
  const TRANSPORT_OUTCOMES: Record<string, string> = {
    'invalid UTF-8': '200', // decoded with U+FFFD: a village nobody has
    'not JSON': '400 BAD_REQUEST',
    'JSON nested 100,000 deep': '200', // a variable the query does not declare
    'batched array of queries': '400 BAD_REQUEST',
    'query is a number': '400 BAD_REQUEST',
    'variables is a string': '400 BAD_REQUEST',
    'huge variables object': '413 PAYLOAD_TOO_LARGE',
    '100,000 variables': '413 PAYLOAD_TOO_LARGE',
    'first: 100000': '200 BAD_USER_INPUT',
    'last: -1': '200 BAD_USER_INPUT',
    'cursor garbage': '200 BAD_USER_INPUT',
    'node with a forged ID': '200', // no such node: null
    '10,000 fields wide': '400 TOO_MANY_TOKENS',
    'wrong content type': '400 BAD_REQUEST',
    'empty body': '400 BAD_REQUEST',
  };

  it.each(cases)('%s gets a clean coded refusal', async (name, body, headers) => {
    tried += 1;
    const reply = await send(body(), headers ?? {});
    expectCleanRefusalOrAnswer(reply, name);
    // Each is answered, or refused with its own code, never just "some error".
    const codes = (reply.body?.errors ?? []).map((e) => e.extensions?.code).join(',');
    expect(`${reply.status} ${codes}`.trim(), reply.text.slice(0, 300)).toBe(TRANSPORT_OUTCOMES[name]);
    if (reply.status >= 400) expect(reply.body?.errors?.[0]?.extensions?.code, reply.text.slice(0, 200)).toBeTruthy();
  });

  it('closes a client that sends headers byte by byte and never finishes (slow loris)', async () => {
    // A server of its own with a short headers deadline (66 s in production), so the close is seen within the test.
    const api = await startApiServer({ db: t.handle.db, port: 0, headersTimeoutMs: 1_000 });
    try {
      const url = new URL(api.url);
      const socket = connect(Number(url.port), url.hostname);
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      socket.on('error', () => {}); // a reset counts as closed too
      const closed = new Promise<'closed'>((resolve) => socket.once('close', () => resolve('closed')));
      socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\n');
      // Trickle a header byte now and then, never the blank line that ends them.
      const trickle = setInterval(() => socket.writable && socket.write('X'), 200);
      // The API still answers everyone else meanwhile.
      const reply = await send(JSON.stringify({ query: '{ __typename }' }));
      expect(reply.status).toBe(200);
      const hangGuard = new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), 20_000));
      const outcome = await Promise.race([closed, hangGuard]);
      clearInterval(trickle);
      socket.destroy();
      expect(outcome).toBe('closed');
      // Node answers 408 before it closes, when the socket can still take it.
      if (answer) expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await api.close();
    }
  });

  it('refuses a body that never ends once it passes the limit, without reading it all', async () => {
    const res = await fetch(t.api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        pull(controller) {
          controller.enqueue(new TextEncoder().encode('x'.repeat(64 * 1024)));
        },
      }),
      duplex: 'half',
      signal: AbortSignal.timeout(15_000),
    } as RequestInit).catch((error: Error) => error);
    if (res instanceof Error) {
      // The server may reset the upload as soon as it has answered 413; either way it did not hang.
      expect(res.name).not.toBe('TimeoutError');
    } else expect(res.status).toBe(413);
  });
});
