// The portal as a browser meets it: security headers on every kind of page, cookies a script cannot read nor a
// foreign site send, HSTS and Secure cookies behind TLS, and cross-site posts refused without changing anything.
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { startTestPortal, useTestPortal } from '../support/portal.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestPortal();
let village: { id: number; slug: string };
let accountant: string;

beforeAll(async () => {
  village = await aVillage(t.handle.db, '安全村');
  await aMonth(t.handle.db, village.id, 2025, 5, [
    aVoucher(1, '2025-05-03', '电费', debit('513', 10_000), credit('102', 10_000)),
  ]);
  await aMonth(
    t.handle.db,
    village.id,
    2025,
    6,
    [aVoucher(1, '2025-06-03', '水费', debit('513', 5_000), credit('102', 5_000))],
    { publish: false },
  );
  accountant = await aUser(t.handle.db, ['accountant', village.slug]);
}, 60_000);

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${t.portal.url}${path}`, { redirect: 'manual', headers, signal: AbortSignal.timeout(60_000) });

/** Cookies as name → the raw Set-Cookie line. */
function setCookies(response: Response): Map<string, string> {
  return new Map(response.headers.getSetCookie().map((line) => [line.split('=')[0]!, line]));
}

/** A signed-in browser: its cookie jar as a Cookie header, and the page's CSRF token. */
async function signIn(username: string, extra: Record<string, string> = {}) {
  const page = await get('/login', extra);
  const csrfCookie = setCookies(page).get('mingbai_csrf')!.split(';')[0]!;
  const token = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const res = await fetch(`${t.portal.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: csrfCookie,
      origin: t.portal.url,
      ...extra,
    },
    body: new URLSearchParams({ csrf: token, username, password: TEST_PASSWORD }),
  });
  expect(res.status).toBe(303);
  const session = setCookies(res).get('mingbai_session')!;
  return {
    cookie: `${csrfCookie}; ${session.split(';')[0]}`,
    csrf: token,
    sessionLine: session,
    csrfLine: setCookies(page).get('mingbai_csrf')!,
  };
}

async function monthStatus(): Promise<string> {
  const [row] = await queryRows<{ status: string }>(
    t.handle.db,
    sql`select status from periods where village_id = ${village.id} and year = 2025 and month = 6 order by revision desc limit 1`,
  );
  return row!.status;
}

describe('security headers', () => {
  it('sends a strict policy and the other headers on every kind of page, signed in or not', async () => {
    const { cookie } = await signIn(accountant);
    const pages: [string, Record<string, string>][] = [
      ['/', {}],
      [`/v/${village.slug}`, {}],
      [`/v/${village.slug}/2025-05`, {}],
      [`/v/${village.slug}/2025-05/1`, {}],
      [`/v/${village.slug}/2025-05/print`, {}],
      [`/v/${village.slug}/verify`, {}],
      ['/r/jingwu', {}],
      ['/docs', {}],
      ['/docs/explorer', {}],
      ['/en/docs', {}],
      ['/data', {}],
      ['/login', {}],
      ['/committee', {}], // a redirect to the login page
      ['/committee', { cookie }],
      [`/committee/${village.slug}?month=2025-06`, { cookie }],
      ['/no-such-page', {}],
      [`/v/${village.slug}/1999-01`, {}],
    ];
    for (const [path, headers] of pages) {
      const res = await get(path, headers);
      await res.arrayBuffer();
      expect(res.status, path).toBeLessThan(500);
      const csp = res.headers.get('content-security-policy') ?? '';
      const directives = new Map(
        csp.split(';').map((d) => {
          const [name, ...values] = d.trim().split(/\s+/);
          return [name!, values.join(' ')] as const;
        }),
      );
      expect(directives.get('default-src'), path).toBe("'none'");
      expect(directives.get('script-src'), path).toBe("'none'");
      expect(directives.get('frame-ancestors'), path).toBe("'none'");
      expect(directives.get('base-uri'), path).toBe("'none'");
      expect(directives.get('form-action'), path).toBe("'self'");
      expect(directives.get('object-src'), path).toBe("'none'");
      expect(csp, path).not.toMatch(/unsafe-eval|\*/);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('same-origin');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      // Plain HTTP, not behind a TLS proxy: no HSTS (it would be ignored, and wrong for a LAN install).
      expect(res.headers.get('strict-transport-security'), path).toBeNull();
    }
  }, 180_000);

  it('sends HSTS and Secure cookies behind TLS, from a trusted proxy only', async () => {
    const tls = { 'x-forwarded-proto': 'https' };
    for (const path of ['/', `/v/${village.slug}/2025-05`, '/login']) {
      const res = await get(path, tls);
      await res.arrayBuffer();
      expect(res.headers.get('strict-transport-security'), path).toMatch(/^max-age=\d{8,}; includeSubDomains$/);
    }
    const signed = await signIn(accountant, tls);
    for (const line of [signed.sessionLine, signed.csrfLine]) {
      expect(line).toMatch(/;\s*Secure/i);
      expect(line).toMatch(/;\s*HttpOnly/i);
    }
    // A portal that trusts only another proxy ignores the header from this peer.
    const saved = process.env.MINGBAI_TRUSTED_PROXIES;
    process.env.MINGBAI_TRUSTED_PROXIES = '192.0.2.1';
    const strict = await startTestPortal(t.api.url).finally(() => {
      if (saved === undefined) delete process.env.MINGBAI_TRUSTED_PROXIES;
      else process.env.MINGBAI_TRUSTED_PROXIES = saved;
    });
    try {
      const spoofed = await fetch(`${strict.url}/`, { headers: tls });
      await spoofed.arrayBuffer();
      expect(spoofed.headers.get('content-security-policy')).toContain("script-src 'none'");
      expect(spoofed.headers.get('strict-transport-security')).toBeNull();
    } finally {
      await strict.close();
    }
  });
});

describe('cookies', () => {
  it('keeps the session and CSRF cookies HttpOnly and SameSite, and not Secure on plain HTTP', async () => {
    const { sessionLine, csrfLine } = await signIn(accountant);
    expect(sessionLine).toMatch(/;\s*HttpOnly/i);
    expect(sessionLine).toMatch(/;\s*SameSite=Lax/i);
    expect(sessionLine).toMatch(/;\s*Path=\//i);
    expect(sessionLine).toMatch(/;\s*Expires=/i);
    expect(sessionLine).not.toMatch(/;\s*Secure/i);
    expect(csrfLine).toMatch(/;\s*HttpOnly/i);
    expect(csrfLine).toMatch(/;\s*SameSite=Strict/i);
  });
});

describe('cross-site requests', () => {
  const form = (fields: Record<string, string>) => new URLSearchParams(fields);

  it('refuses a cross-site post to every committee action, and the month stays as it was', async () => {
    const { cookie, csrf } = await signIn(accountant);
    const before = await monthStatus();
    const path = `/committee/${village.slug}?month=2025-06`;
    const forged: [string, Record<string, string>, Record<string, string>][] = [
      ['foreign Origin, right token', { origin: 'https://evil.example' }, { csrf }],
      ['Origin null', { origin: 'null' }, { csrf }],
      ['browser marks it cross-site', { 'sec-fetch-site': 'cross-site' }, { csrf }],
      ['same origin, no token', { origin: t.portal.url }, {}],
      ['same origin, wrong token', { origin: t.portal.url }, { csrf: 'x'.repeat(csrf.length) }],
    ];
    const actions: Record<string, string>[] = [
      { action: 'submit' },
      { action: 'withdraw' },
      { action: 'publish' },
      { action: 'revise', reason: '伪造' },
      { action: 'comment', body: '伪造的意见' },
      { action: 'flag', number: '1', reason: '伪造' },
      { action: 'confirm', filename: 'x.csv', content: Buffer.from('凭证号\n').toString('base64') },
    ];
    let refusals = 0;
    for (const [what, headers, token] of forged) {
      for (const fields of actions) {
        const res = await fetch(`${t.portal.url}${path}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
          body: form({ ...token, ...fields }),
        });
        await res.arrayBuffer();
        expect(res.status, `${what}: ${fields.action}`).toBe(403);
        refusals++;
      }
    }
    expect(refusals).toBe(forged.length * actions.length);
    expect(await monthStatus()).toBe(before);
    const [counts] = await queryRows<{ comments: number; flags: number }>(
      t.handle.db,
      sql`select (select count(*) from period_comments where village_id = ${village.id})::int as comments,
                 (select count(*) from voucher_flags where village_id = ${village.id})::int as flags`,
    );
    expect(counts).toEqual({ comments: 0, flags: 0 });

    // The same post from our own page goes through: the refusals above were for the forgery, not the action.
    const genuine = await fetch(`${t.portal.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: t.portal.url },
      body: form({ csrf, action: 'submit' }),
    });
    expect(genuine.status).toBe(200);
    expect(await monthStatus()).toBe('submitted');
  }, 120_000);

  it('refuses a cross-site login (login CSRF) and a cross-site logout', async () => {
    const page = await get('/login');
    const csrfCookie = setCookies(page).get('mingbai_csrf')!.split(';')[0]!;
    const token = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    for (const headers of [{ origin: 'https://evil.example', cookie: csrfCookie }, { cookie: '' }] as Record<
      string,
      string
    >[]) {
      const res = await fetch(`${t.portal.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: form({ csrf: token, username: accountant, password: TEST_PASSWORD }),
      });
      await res.arrayBuffer();
      expect(res.status).toBe(403);
      expect(setCookies(res).has('mingbai_session')).toBe(false);
    }

    const { cookie, csrf } = await signIn(accountant);
    const logout = await fetch(`${t.portal.url}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: 'https://evil.example' },
      body: form({ csrf }),
    });
    expect(logout.status).toBe(403);
    const still = await get('/committee', { cookie });
    expect(still.status).toBe(200);
  });
});
