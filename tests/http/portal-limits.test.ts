// The portal's edges: bodies capped before they are read (413), one rule for the visitor's address on every path
// (X-Forwarded-For from a client resets no budget), the portal's own page reads charged to no visitor, a generous
// per-visitor request limit (429), and /data downloads counted in bytes (429 with Retry-After), on the API and the
// portal alike.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '@mingbai/db/client';
import { MAX_IMPORT_BYTES as API_MAX_IMPORT_BYTES } from '@mingbai/api/imports/import.service';
import { startApiServer, type RunningApi } from '@mingbai/api/server';
import { MAX_IMPORT_BYTES } from '../../portal/src/lib/config.ts';
import { FORM_BODY_BYTES, UPLOAD_BODY_BYTES } from '../../portal/src/lib/request-body.ts';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { openTestDb } from '../support/db.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { aUser } from '../support/users.ts';

const SECRET = 'portal-secret-for-tests-0123456789';
/** Low budgets, so a few requests show what hundreds would. */
const POINTS_PER_HOUR = 600;
const DATA_BYTES_PER_HOUR = 3_000;

let handle: DbHandle;
let api: RunningApi;
/** Not behind a proxy: a client's X-Forwarded-For is not believed. */
let portal: TestPortal;
/** Behind a (pretend) proxy: the last X-Forwarded-For value is the visitor, so tests can be several visitors. */
let proxied: TestPortal;
let village: { id: number; slug: string };

beforeAll(async () => {
  handle = await openTestDb();
  api = await startApiServer({
    db: handle.db,
    port: 0,
    rateLimits: { anonymousPointsPerHour: POINTS_PER_HOUR, anonymousDataBytesPerHour: DATA_BYTES_PER_HOUR },
    portalSecret: SECRET,
  });
  [portal, proxied] = await Promise.all([
    startTestPortal(api.url, { MINGBAI_PORTAL_SECRET: SECRET }),
    startTestPortal(api.url, { MINGBAI_PORTAL_SECRET: SECRET, MINGBAI_PORTAL_BEHIND_PROXY: 'true' }),
  ]);
  village = await aVillage(handle.db, '边界村');
  await aMonth(handle.db, village.id, 2025, 5, [
    aVoucher(1, '2025-05-03', '电费', debit('513', 10_000), credit('102', 10_000)),
    aVoucher(2, '2025-05-09', '修路', debit('514', 250_000), credit('102', 250_000)),
  ]);
}, 90_000);

afterAll(async () => {
  await portal?.close();
  await proxied?.close();
  await api?.close();
  await handle?.close();
});

/** Straight to the API, as the given address (the API believes X-Forwarded-For from loopback, as from the portal). */
async function apiQuery(query: string, address: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/**
 * A POST whose body is made as it is sent (never held whole): `declared` bytes announced in Content-Length, or none
 * (chunked). Resolves with the answer as soon as it comes, and how much had been sent by then.
 */
function streamingPost(
  url: string,
  totalBytes: number,
  declared: boolean,
): Promise<{ status: number; body: string; sentBytes: number }> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const body = new Readable({
      read() {
        if (sent >= totalBytes) return this.push(null);
        const piece = chunk.subarray(0, Math.min(chunk.length, totalBytes - sent));
        sent += piece.length;
        this.push(piece);
      },
    });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (declared) headers['content-length'] = String(totalBytes);
    const req = request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: text, sentBytes: sent });
        body.destroy();
        req.destroy();
      });
    });
    // Once answered, the server closes the connection under the rest of the upload: that error is expected.
    req.on('error', (error) => (sent >= totalBytes ? reject(error) : undefined));
    body.pipe(req);
  });
}

describe('request bodies are capped before they are read', () => {
  it('answers a 200 MB anonymous POST to /login with 413 long before it has all arrived', async () => {
    const total = 200 * 1024 * 1024;
    const res = await streamingPost(`${portal.url}/login`, total, true);
    expect(res.status).toBe(413);
    expect(res.body).toContain('请求太大');
    expect(res.sentBytes).toBeLessThan(total);
  });

  it('counts a chunked body (no Content-Length) as it arrives and refuses it past the limit', async () => {
    const res = await streamingPost(`${portal.url}/login`, 50 * 1024 * 1024, false);
    expect(res.status).toBe(413);
    expect(res.body).toContain('请求太大');
  });

  it('lets the committee upload form send up to the API import limit, and no further', async () => {
    expect(MAX_IMPORT_BYTES).toBe(API_MAX_IMPORT_BYTES);
    expect(UPLOAD_BODY_BYTES).toBeGreaterThan((MAX_IMPORT_BYTES * 4) / 3);
    // Over the small-form limit but within the upload limit: read, then refused for want of a session (not 413).
    const within = await fetch(`${portal.url}/committee/${village.slug}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'x'.repeat(FORM_BODY_BYTES * 4),
    });
    await within.arrayBuffer();
    expect(within.status).not.toBe(413);
    const over = await streamingPost(`${portal.url}/committee/${village.slug}`, UPLOAD_BODY_BYTES + 1, true);
    expect(over.status).toBe(413);
  });
});

describe('the visitor address has one rule on every path', () => {
  it('does not reset the query explorer budget when X-Forwarded-For changes', async () => {
    const query = '{ villages(first: 100) { nodes { name } } }';
    const statuses: string[] = [];
    for (let i = 1; i <= 12; i++) {
      const res = await fetch(`${portal.url}/docs/explorer`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `198.51.100.${i}` },
        body: new URLSearchParams({ query, variables: '', operationName: '' }),
      });
      const html = await res.text();
      statuses.push(/id="result-status">(\d+)</.exec(html)?.[1] ?? `page ${res.status}`);
    }
    // 600 points and about 100 a query: the shared budget runs out however the header is written.
    expect(statuses[0]).toBe('200');
    expect(statuses).toContain('429');
  });

  it('does not reset the login throttle when X-Forwarded-For changes', async () => {
    const username = await aUser(handle.db, ['accountant', village.slug]);
    const messages: string[] = [];
    for (let i = 1; i <= 8; i++) {
      const page = await fetch(`${portal.url}/login`);
      const cookie = page.headers
        .getSetCookie()
        .find((c) => c.startsWith('mingbai_csrf='))!
        .split(';')[0]!;
      const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
      const res = await fetch(`${portal.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie,
          origin: portal.url,
          'x-forwarded-for': `203.0.113.${i}`,
        },
        body: new URLSearchParams({ csrf, username, password: `wrong-${i}` }),
      });
      messages.push(/role="alert"[^>]*>([^<]*)</.exec(await res.text())?.[1] ?? '');
    }
    // The first failures are plain wrong passwords; then the throttle, counted against one address, answers.
    expect(messages[0]).not.toMatch(/后再试/);
    expect(messages.at(-1)).toMatch(/后再试/);
  });

  /** Portal source files, other than those `allowed`, whose text contains `needle`. */
  function portalFilesWith(needle: string, allowed: (path: string) => boolean): string[] {
    const root = fileURLToPath(new URL('../../portal/src', import.meta.url));
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(astro|ts|mjs|js)$/.test(name) && !allowed(path) && readFileSync(path, 'utf8').includes(needle)) {
          offenders.push(path);
        }
      }
    };
    walk(root);
    return offenders;
  }

  it('is the only place that reads Astro.clientAddress', () => {
    expect(portalFilesWith('clientAddress', (p) => p.endsWith('middleware.ts'))).toEqual([]);
  });

  it('is the only place that reads a request body: pages take the capped one (formOf)', () => {
    // The middleware has read the body within its cap; a page reading the request again finds it consumed.
    for (const needle of ['.formData()', '.arrayBuffer()', '.text()', '.json()']) {
      const readers = portalFilesWith(`request${needle}`, (p) => /middleware\.ts$|request-body\.ts$/.test(p));
      expect(readers, needle).toEqual([]);
    }
  });
});

describe('page views', () => {
  it('spend none of the visitor’s API points, however many pages one address opens', async () => {
    const visitor = '192.0.2.77';
    const before = await apiQuery('{ rateLimit { used } }', visitor);
    expect(before.status).toBe(200);
    // Each render is a fresh month page for the API (the query string passes the page cache); 40 of them cost
    // 40 × several hundred points, far beyond this budget of 600, if they were charged to the visitor.
    for (let i = 0; i < 40; i++) {
      const res = await fetch(`${proxied.url}/v/${village.slug}/2025-05?n=${i}`, {
        headers: { 'x-forwarded-for': visitor },
      });
      await res.arrayBuffer();
      expect(res.status, `page ${i}`).toBe(200);
    }
    const after = await apiQuery('{ rateLimit { used } }', visitor);
    const used = (b: Record<string, unknown>) => (b.data as { rateLimit: { used: number } }).rateLimit.used;
    // Only the two rateLimit queries themselves were charged.
    expect(used(after.body) - used(before.body)).toBeLessThanOrEqual(2);
  });

  it('are limited per visitor in the portal itself, with 429 and Retry-After', async () => {
    const strict = await startTestPortal(api.url, {
      MINGBAI_PORTAL_SECRET: SECRET,
      MINGBAI_PORTAL_REQUESTS_PER_HOUR: '3',
    });
    try {
      // (Its start-up probe was one request already.)
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 4; i++) {
        last = await fetch(`${strict.url}/v/${village.slug}`);
        statuses.push(last.status);
        if (i < 3) await last.arrayBuffer();
      }
      expect(statuses).toEqual([200, 200, 429, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await last!.text()).toContain('访问太频繁');
    } finally {
      await strict.close();
    }
  });
});

describe('/data downloads are counted in bytes', () => {
  async function downloadUntilRefused(url: string, headers: Record<string, string>) {
    const seen: { status: number; bytes: number; limit: string | null; retryAfter: string | null }[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await fetch(url, { headers });
      const bytes = (await res.arrayBuffer()).byteLength;
      seen.push({
        status: res.status,
        bytes,
        limit: res.headers.get('x-ratelimit-limit'),
        retryAfter: res.headers.get('retry-after'),
      });
      if (res.status !== 200) break;
    }
    return seen;
  }

  it('from the API: 429 with Retry-After once an address has downloaded its bytes for the hour', async () => {
    const base = api.url.replace(/\/graphql$/, '');
    const seen = await downloadUntilRefused(`${base}/data/v/${village.slug}/2025-05/lines.csv`, {
      'x-forwarded-for': '203.0.113.200',
    });
    const refused = seen.at(-1)!;
    expect(seen[0]!.status).toBe(200);
    expect(seen[0]!.limit).toBe(String(DATA_BYTES_PER_HOUR));
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    const downloaded = seen.filter((s) => s.status === 200).reduce((sum, s) => sum + s.bytes, 0);
    expect(downloaded).toBeGreaterThanOrEqual(DATA_BYTES_PER_HOUR / 2);
    expect(downloaded).toBeLessThan(DATA_BYTES_PER_HOUR + seen[0]!.bytes + 1_000);
    // Another address still downloads.
    const other = await fetch(`${base}/data/v/${village.slug}/2025-05/lines.csv`, {
      headers: { 'x-forwarded-for': '203.0.113.201' },
    });
    await other.arrayBuffer();
    expect(other.status).toBe(200);
  });

  it('through the portal: the same budget per visitor, its headers passed on', async () => {
    const seen = await downloadUntilRefused(`${proxied.url}/data/v/${village.slug}/2025-05/lines.csv`, {
      'x-forwarded-for': '203.0.113.210',
    });
    expect(seen[0]!.status).toBe(200);
    expect(seen[0]!.limit).toBe(String(DATA_BYTES_PER_HOUR));
    expect(seen.at(-1)!.status).toBe(429);
    expect(Number(seen.at(-1)!.retryAfter)).toBeGreaterThan(0);
  });
});

describe('?rev= as typed by anyone', () => {
  it('never fails the month, voucher, print or download pages: a revision that cannot exist is the current one', async () => {
    const base = `${portal.url}/v/${village.slug}/2025-05`;
    // Downloads are charged to the visitor and this file's byte budget is small: each one as a new visitor (behind the
    // pretend proxy), by HEAD; the ETag names the file's content.
    const download = (suffix: string, visitor: number) =>
      fetch(`${proxied.url}/v/${village.slug}/2025-05.csv${suffix}`, {
        method: 'HEAD',
        redirect: 'manual',
        headers: { 'x-forwarded-for': `198.51.100.${visitor}` },
      });
    const current = await download('', 1);
    expect(current.status).toBe(200);
    const etag = current.headers.get('etag');
    expect(etag).toBeTruthy();
    for (const [i, rev] of ['1.5', '99999999999', '1e3', '-1', 'abc', '０', '40000'].entries()) {
      const q = `?rev=${encodeURIComponent(rev)}`;
      for (const path of ['', '/1', '/print']) {
        const res = await fetch(`${base}${path}${q}`);
        expect(res.status, `${path}${q}`).toBe(200);
        expect(await res.text(), `${path}${q}`).toContain('边界村');
      }
      // The download is the month's lines at this address (no redirect): the current revision's.
      const csv = await download(q, 2 + i);
      expect(csv.status, `.csv${q}`).toBe(200);
      expect(csv.headers.get('etag'), `.csv${q}`).toBe(etag);
    }
    // A real revision number is kept; one that was never published is a 404, not an error page.
    expect((await fetch(`${base}/1?rev=1`)).status).toBe(200);
    expect((await fetch(`${base}/1?rev=7`)).status).toBe(404);
  });
});
