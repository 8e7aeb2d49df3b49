// The API docs (/docs, /en/docs) are a contract third parties write clients from: their numbers, codes, schema and
// examples are checked here against the API itself, and the explorer is driven as a form with no JavaScript.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_ERROR_CODES } from '@mingbai/api/errors';
import { LIMITS } from '@mingbai/api/limits/limits';
import { ERROR_GROUPS, IMPORT_PROBLEM_CODES } from '../../portal/src/lib/docs/errors.ts';
import { EXAMPLES } from '../../portal/src/lib/docs/examples.ts';
import { MAX_EXPLORER_BODY_BYTES } from '../../portal/src/lib/docs/explorer.ts';
import { DOCS_LIMITS, grouped } from '../../portal/src/lib/docs/limits.ts';
import { APQ_QUERY } from '../../portal/src/lib/docs/reference.ts';
import { useTestPortal } from '../support/portal.ts';

const t = useTestPortal();
const root = new URL('../..', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const SCHEMA = read('api/schema.graphql');

async function page(path: string): Promise<{ status: number; html: string; type: string | null }> {
  const res = await fetch(`${t.portal.url}${path}`);
  return { status: res.status, html: await res.text(), type: res.headers.get('content-type') };
}

function postForm(path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${t.portal.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Literal members of a TypeScript union type `name` in a source file. */
function unionMembers(source: string, name: string): string[] {
  // Comments go first: a `;` in a member's doc comment would end the type early.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
  const body = new RegExp(`type ${name} =([^;]*);`).exec(code)?.[1];
  if (!body) throw new Error(`type ${name} not found`);
  return [...body.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]!);
}

describe('/docs and /en/docs', () => {
  it('state the limits the server enforces', async () => {
    expect(DOCS_LIMITS).toEqual(LIMITS);
    for (const path of ['/docs', '/en/docs']) {
      const { status, html } = await page(path);
      expect(status, path).toBe(200);
      for (const [name, value] of Object.entries(LIMITS))
        expect(html, `${path} states ${name} = ${value}`).toContain(grouped(value));
    }
  });

  it('link to each other, the explorer and the schema', async () => {
    const zh = (await page('/docs')).html;
    const en = (await page('/en/docs')).html;
    expect(zh).toContain('lang="zh-CN"');
    expect(zh).toContain('href="/en/docs"');
    expect(en).toContain('href="/docs"');
    expect(en).toContain('lang="en"');
    for (const html of [zh, en]) {
      expect(html).toContain('href="/docs/schema.graphql"');
      for (const e of EXAMPLES) expect(html).toContain(`explorer?example=${e.id}`);
      for (const id of ['data', 'endpoint', 'auth', 'pagination', 'limits', 'errors', 'examples', 'bulk', 'changes'])
        expect(html).toContain(`id="${id}"`);
    }
    // Same structure in both languages: the same sections, codes and schema anchors in the same order.
    const ids = (html: string) => [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids(en)).toEqual(ids(zh));
  });

  it('list every error code the API, the ledger rules and the import pipeline can give', () => {
    const documented = new Set(ERROR_GROUPS.flatMap((g) => g.codes.map((c) => c.code)));
    const codes = [
      ...API_ERROR_CODES,
      ...unionMembers(read('db/src/ledger/errors.ts'), 'LedgerErrorCode'),
      'PAYLOAD_TOO_LARGE',
      'BAD_REQUEST',
      'NOT_FOUND',
      'PERSISTED_QUERY_NOT_FOUND',
      'GRAPHQL_VALIDATION_FAILED',
    ];
    expect(codes.filter((c) => !documented.has(c))).toEqual([]);
    const importDocumented = new Set(IMPORT_PROBLEM_CODES.map((c) => c.code));
    const importCodes = [
      ...unionMembers(read('api/src/imports/parse/types.ts'), 'ParseErrorCode'),
      ...unionMembers(read('api/src/imports/parse/types.ts'), 'ImportErrorCode'),
    ];
    expect(importCodes.filter((c) => !importDocumented.has(c))).toEqual([]);
  });

  it('serve the committed schema as text and render every type', async () => {
    const res = await page('/docs/schema.graphql');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/plain; charset=utf-8');
    expect(res.html).toBe(SCHEMA);
    // Every type on the types page (its own page, so /docs stays small), which /docs links.
    expect((await page('/docs')).html).toContain('href="/docs/types"');
    expect((await page('/en/docs')).html).toContain('href="/en/docs/types"');
    for (const path of ['/docs/types', '/en/docs/types']) {
      const html = (await page(path)).html;
      for (const [, name] of SCHEMA.matchAll(/^(?:type|enum|input|interface|scalar|union) (\w+)/gm))
        expect(html, `${path} #schema-${name}`).toContain(`id="schema-${name}"`);
    }
  });
});

describe('worked examples', () => {
  for (const example of EXAMPLES) {
    it(`${example.id} runs against the API without errors`, async () => {
      const res = await t.api.query(example.query, example.variables);
      expect(res.errors, res.text.slice(0, 2000)).toBeUndefined();
      expect(res.status).toBe(200);
      expect(res.data).toBeTruthy();
    });
  }

  it('the curl example works: GET, then APQ hash only, with the query once, hash only again', async () => {
    const get = (params: Record<string, string>) =>
      fetch(`${t.api.url}?${new URLSearchParams(params)}`, {
        headers: { accept: 'application/graphql-response+json' },
      });
    const plain = await get({ query: APQ_QUERY });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toContain('application/graphql-response+json');
    expect(((await plain.json()) as { data: { village: { name: string } } }).data.village.name).toBe('付村');

    // A query text of its own, so that no other test has registered its hash already.
    const query = `${APQ_QUERY} # docs ${Date.now()}`;
    const extensions = JSON.stringify({
      persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') },
    });
    const unknown = await get({ extensions });
    expect(unknown.status).toBe(200);
    expect(((await unknown.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(
      'PERSISTED_QUERY_NOT_FOUND',
    );
    expect((await get({ query, extensions })).status).toBe(200);
    const hashOnly = await get({ extensions });
    expect(((await hashOnly.json()) as { data: { village: { name: string } } }).data.village.name).toBe('付村');
  });

  it('a mutation sent by GET is refused with 405, as the docs say', async () => {
    const res = await fetch(`${t.api.url}?${new URLSearchParams({ query: 'mutation { logout(token: "x") }' })}`);
    expect(res.status).toBe(405);
  });
});

describe('the explorer without JavaScript', () => {
  it('prefills the form from an example link', async () => {
    for (const base of ['/docs', '/en/docs']) {
      const { status, html } = await page(`${base}/explorer?example=village-month`);
      expect(status).toBe(200);
      expect(html).toContain('query VillageMonth($slug: String!');
      expect(html).toContain('&quot;slug&quot;: &quot;fucun&quot;');
      expect(html).toContain(`action="${base}/explorer"`);
    }
  });

  it('sends the submitted form to the API and shows status, cost and the pretty-printed answer', async () => {
    const res = await postForm('/docs/explorer', {
      query: 'query V($slug: String!) { village(slug: $slug) { name slug } }',
      variables: '{"slug": "fucun"}',
      operationName: 'V',
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<dd id="result-status">200<\/dd>/);
    expect(html).toContain('id="result-cost"');
    expect(html).toContain('&quot;name&quot;: &quot;付村&quot;');
    expect(html).toContain('&quot;data&quot;: {\n');
  });

  it('shows the API’s errors as they came', async () => {
    const html = await (await postForm('/en/docs/explorer', { query: '{ nope }', variables: '' })).text();
    expect(html).toContain('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses bad variables and bodies over the limit without calling the API', async () => {
    const bad = await postForm('/docs/explorer', { query: '{ villages { totalCount } }', variables: '{slug:' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('变量不是有效的 JSON');
    const big = await postForm('/docs/explorer', {
      query: `{ villages { totalCount } } #${'x'.repeat(MAX_EXPLORER_BODY_BYTES)}`,
    });
    expect(big.status).toBe(413);
    expect(await big.text()).toContain('请求太大');
  });
});
