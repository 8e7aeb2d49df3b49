// One public origin: every absolute URL the system prints (the notice sheet's QR code and 网址, the open-data packages'
// sources) comes from MINGBAI_PUBLIC_URL, never from the request's Host or X-Forwarded-* headers, and no header can
// change what the portal's page cache then serves to everyone else.
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '@mingbai/api/config';
import { startApiServer, type RunningApi } from '@mingbai/api/server';
import { publicOrigin, PortalConfigError, readPortalConfig } from '../../portal/src/lib/config.ts';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { startTestPortal, useTestPortal, type TestPortal } from '../support/portal.ts';

const QRCode = createRequire(new URL('../../portal/package.json', import.meta.url))('qrcode') as {
  toString(text: string, options: object): Promise<string>;
};

const t = useTestPortal();
let village: { id: number; slug: string };

const HOSTILE = {
  host: 'evil.example',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'javascript:alert(1)//',
};

beforeAll(async () => {
  village = await aVillage(t.handle.db, '网址村');
  await aMonth(t.handle.db, village.id, 2025, 5, [
    aVoucher(1, '2025-05-03', '电费', debit('513', 10_000), credit('102', 10_000)),
  ]);
}, 60_000);

/** A GET with exactly these headers (fetch would not send our Host). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The QR code's SVG, and every absolute http(s)/javascript URL written in the rest of the page. */
function sheetLinks(html: string): { urls: string[]; qr: string } {
  const qr = /<svg[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
  const urls = [...html.replace(qr, '').matchAll(/(?:https?|javascript):[^\s"'<>·]+/gi)].map((m) => m[0]);
  return { urls, qr };
}

async function expectSheetFor(portal: TestPortal, origin: string, headers: Record<string, string>[]): Promise<void> {
  const path = `/v/${village.slug}/2025-05/print`;
  const monthUrl = `${origin}/v/${village.slug}/2025-05`;
  // The code leads to the month page's ask form.
  const expectedQr = await QRCode.toString(`${monthUrl}#ask`, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  for (const h of headers) {
    const sheet = await rawGet(`${portal.url}${path}`, h);
    expect(sheet.status, JSON.stringify(h)).toBe(200);
    const { urls, qr } = sheetLinks(sheet.body);
    expect(sheet.body, JSON.stringify(h)).toContain(`网址：${monthUrl}`);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url.startsWith(`${origin}/`) || url === origin, url).toBe(true);
    expect(sheet.body).not.toContain('evil.example');
    expect(sheet.body).not.toMatch(/javascript:/i);
    // The QR code encodes exactly the configured address (the same SVG the library draws for it).
    expect(qr).toBe(/<svg[\s\S]*?<\/svg>/.exec(expectedQr)![0]);
  }
}

describe('the printed notice sheet', () => {
  it('links only to the configured origin, whatever Host and X-Forwarded-* a visitor sends first', async () => {
    // Default origin: the portal's own localhost address on its port.
    const origin = `http://localhost:${new URL(t.portal.url).port}`;
    await expectSheetFor(t.portal, origin, [HOSTILE, {}, { 'x-forwarded-host': 'evil.example:8443' }, {}]);
  });

  describe('with MINGBAI_PUBLIC_URL=https://cun.example.org', () => {
    let portal: TestPortal;
    beforeAll(async () => {
      portal = await startTestPortal(t.api.url, { MINGBAI_PUBLIC_URL: 'https://cun.example.org/' });
    }, 40_000);
    afterAll(async () => {
      await portal?.close();
    });

    it('shows that origin, before and after a hostile request', async () => {
      await expectSheetFor(portal, 'https://cun.example.org', [{}, HOSTILE, {}]);
    });
  });
});

describe('MINGBAI_PUBLIC_URL is checked once, at start', () => {
  it('takes an http(s) origin and refuses anything else', () => {
    expect(publicOrigin('https://cun.example.org/')).toBe('https://cun.example.org');
    expect(publicOrigin('http://localhost:4321')).toBe('http://localhost:4321');
    for (const bad of [
      'javascript:alert(1)//',
      'evil.example',
      'https://cun.example.org/v/',
      'https://a@b.org',
      'ftp://x.org',
    ])
      expect(() => publicOrigin(bad), bad).toThrow(PortalConfigError);
    expect(readPortalConfig({ PORT: '5000' }).publicUrl).toBe('http://localhost:5000');
    expect(readPortalConfig({ PORTAL_PORT: '4999' }).publicUrl).toBe('http://localhost:4999');
    expect(readConfig({}).publicUrl).toBe('http://localhost:4321');
    expect(readConfig({ MINGBAI_PUBLIC_URL: 'https://cun.example.org' }).publicUrl).toBe('https://cun.example.org');
    expect(() => readConfig({ MINGBAI_PUBLIC_URL: 'javascript:alert(1)//' })).toThrow(ConfigError);
  });
});

describe('open-data packages', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApiServer({ db: t.handle.db, port: 0, publicUrl: 'https://cun.example.org' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('name their source on the configured origin, never on the request Host', async () => {
    const base = api.url.replace(/\/graphql$/, '');
    for (const headers of [HOSTILE, {}]) {
      const res = await rawGet(`${base}/data/v/${village.slug}/2025-05/datapackage.json`, headers);
      expect(res.status).toBe(200);
      const pkg = JSON.parse(res.body) as { sources: { path: string }[]; resources: { path: string }[] };
      expect(pkg.sources.map((s) => s.path)).toEqual([`https://cun.example.org/v/${village.slug}/2025-05`]);
      // Files are named relative to the package, so a mirror's copy stays whole.
      for (const r of pkg.resources) expect(r.path).not.toMatch(/^[a-z]+:/i);
      expect(res.body).not.toContain('evil.example');
    }
  });
});
