// Receipts in the portal (issue 16), rendered against the real API, no browser: the committee's multipart upload of
// several photos with drawn rectangles, the no-JavaScript grid, the supervisor's confirmation, a forged post refused with
// nothing stored; then what the public sees: thumbnails (lazy, sized, ≤ 20 KB) linking to the full view, a paperclip
// count per payment equal to the API's, the month's own documents, the print sheet's counts, and nothing unconfirmed.
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { useTestPortal } from '../support/portal.ts';
import { ATTACHMENT_BODY_BYTES, bodyLimit, UPLOAD_BODY_BYTES } from '../../portal/src/lib/request-body.ts';
import { reviewOverApi } from '../support/review.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestPortal();

/** The month before this one in Beijing: ended, so it can be published. */
const [Y, MO] = (() => {
  const now = new Date(Date.now() + 8 * 60 * 60 * 1000);
  return now.getUTCMonth() === 0 ? [now.getUTCFullYear() - 1, 12] : [now.getUTCFullYear(), now.getUTCMonth()];
})();
const YM = `${Y}-${String(MO).padStart(2, '0')}`;
const day = (d: number) => `${YM}-${String(d).padStart(2, '0')}`;
const CSRF = 'k'.repeat(40);
const ARGS = 'villageSlug: $v, year: $y, month: $m';
const MONTH = '($v: String!, $y: Int!, $m: Int!)';

/** A receipt-like picture made here: white paper, a dark band where an ID number would be, a colour per seed. */
async function aReceipt(seed: number, format: 'jpeg' | 'png' = 'jpeg'): Promise<Buffer> {
  const width = 600 + seed * 10;
  const height = 800;
  const img = sharp({
    create: { width, height, channels: 3, background: { r: 250, g: 248 - seed * 5, b: 240 } },
  }).composite([
    {
      input: await sharp({ create: { width: 400, height: 60, channels: 3, background: '#333' } })
        .png()
        .toBuffer(),
      left: 100,
      top: 120,
    },
  ]);
  return format === 'png' ? img.png().toBuffer() : img.jpeg({ quality: 80 }).toBuffer();
}

/** The portal as a signed-in user: the session cookie holds the API's token; forms carry the double-submit token. */
async function portalAs(username: string) {
  const token = await t.api.login(username, TEST_PASSWORD);
  const cookie = `mingbai_session=${token}; mingbai_csrf=${CSRF}`;
  return {
    token,
    api: t.api.as(token),
    async get(path: string) {
      const res = await fetch(`${t.portal.url}${path}`, { headers: { cookie }, redirect: 'manual' });
      return { status: res.status, html: await res.text(), headers: res.headers };
    },
    async post(path: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}) {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries({ csrf: CSRF, ...fields })) for (const one of [v].flat()) body.append(k, one);
      const res = await fetch(`${t.portal.url}${path}`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body,
        redirect: 'manual',
      });
      return { status: res.status, html: await res.text() };
    },
    /** The upload form as a browser sends it: multipart, several files under one name. */
    async upload(
      path: string,
      files: { name: string; bytes: Buffer; type: string }[],
      fields: Record<string, string>,
      headers: Record<string, string> = {},
    ) {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      for (const f of files) form.append('file', new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.name);
      const res = await fetch(`${t.portal.url}${path}`, {
        method: 'POST',
        headers: { cookie, ...headers },
        body: form,
        redirect: 'manual',
      });
      return { status: res.status, html: await res.text() };
    },
  };
}

async function page(path: string) {
  const res = await fetch(`${t.portal.url}${path}`, { redirect: 'manual' });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

const text = (html: string) =>
  html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ');

interface CommitteeAttachment {
  id: number;
  sha256: string;
  originalSha256: string;
  filename: string;
  voucherNumber: number | null;
  kind: string;
  confirmed: boolean;
  redactions: { x: number; y: number; w: number; h: number }[];
}

/** An open month with three payments, and its accountant, director and supervisor signed in to the portal. */
async function anOpenMonth() {
  const village = await aVillage(t.handle.db, '附件村');
  await aMonth(
    t.handle.db,
    village.id,
    Y,
    MO,
    [
      aVoucher(1, day(3), '购买办公用品', debit('51301', 32_000, { accountName: '办公费' }), credit('102', 32_000)),
      aVoucher(2, day(9), '修路材料费', debit('514', 880_000), credit('102', 880_000)),
      aVoucher(3, day(15), '支付电费', debit('513', 30_000), credit('102', 30_000)),
    ],
    {
      publish: false,
      opening: [
        { accountCode: '102', balanceFen: 5_000_000n },
        { accountCode: '301', balanceFen: -5_000_000n },
      ],
    },
  );
  const names = {
    accountant: await aUser(t.handle.db, ['accountant', village.slug]),
    director: await aUser(t.handle.db, ['director', village.slug]),
    supervisor: await aUser(t.handle.db, ['supervisor', village.slug]),
  };
  const [accountant, director, supervisor] = await Promise.all([
    portalAs(names.accountant),
    portalAs(names.director),
    portalAs(names.supervisor),
  ]);
  const vars = { v: village.slug, y: Y, m: MO };
  const url = `/committee/${village.slug}/attachments?month=${YM}`;
  const attachments = async () => {
    const res = await accountant.api<{ committeeMonth: { attachments: CommitteeAttachment[] } }>(
      `query ${MONTH} { committeeMonth(${ARGS}) { attachments { id sha256 originalSha256 filename voucherNumber kind confirmed redactions { x y w h } } } }`,
      vars,
    );
    expect(res.errors).toBeUndefined();
    return res.data!.committeeMonth.attachments;
  };
  const publish = async () => {
    expect(
      (await accountant.api(`mutation ${MONTH} { submitMonth(${ARGS}) { status } }`, vars)).errors,
    ).toBeUndefined();
    await reviewOverApi(t, { villageSlug: village.slug, year: Y, month: MO }, { supervisor: names.supervisor });
    const res = await director.api(`mutation ${MONTH} { publishMonth(${ARGS}) { revision } }`, vars);
    expect(res.errors).toBeUndefined();
  };
  return { village, names, accountant, director, supervisor, vars, url, attachments, publish };
}

async function attachmentCount(villageId: number): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    t.handle.db,
    sql`select count(*)::int as n from attachments where village_id = ${villageId}`,
  );
  return row!.n;
}

describe('the committee’s attachments page', () => {
  it('uploads two photos to a voucher at once, with the rectangles drawn on the first', async () => {
    // Setup
    const m = await anOpenMonth();
    const form = await m.accountant.get(m.url);
    expect(form.status).toBe(200);
    expect(form.html).toMatch(/<input type="file" name="file" multiple accept="image\/\*" capture="environment"/);
    // The one page with a script: its own file, allowed by this page's policy only.
    expect(form.html).toContain('src="/committee-redact.js"');
    const csp = form.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    for (const kept of ["default-src 'none'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"])
      expect(csp).toContain(kept);
    expect(csp).not.toMatch(/unsafe-inline'[^;]*;?\s*script|unsafe-eval/);
    // Every other page keeps script-src 'none'.
    expect(
      (await m.accountant.get(`/committee/${m.village.slug}?month=${YM}`)).headers.get('content-security-policy'),
    ).toContain("script-src 'none'");
    // Action
    const res = await m.accountant.upload(
      m.url,
      [
        { name: 'IMG_0001.jpg', bytes: await aReceipt(1), type: 'image/jpeg' },
        { name: 'IMG_0002.png', bytes: await aReceipt(2, 'png'), type: 'image/png' },
      ],
      { csrf: CSRF, action: 'upload', target: '2', kind: 'receipt', 'rects-0': '0.1,0.1,0.5,0.1;0.2,0.6,0.3,0.2' },
    );
    // Assertions
    expect(res.status).toBe(200);
    expect(text(res.html)).toContain('上传了 2 个文件');
    const list = await m.attachments();
    expect(list).toHaveLength(2);
    expect(list.map((a) => a.voucherNumber)).toEqual([2, 2]);
    expect(list[0]!.redactions).toEqual([
      { x: 0.1, y: 0.1, w: 0.5, h: 0.1 },
      { x: 0.2, y: 0.6, w: 0.3, h: 0.2 },
    ]);
    expect(list[1]!.redactions).toEqual([]);
    const after = text((await m.accountant.get(m.url)).html);
    expect(after).toContain('2 个待确认');
    // The month page links here and counts what waits for the supervisor.
    const monthPage = text((await m.accountant.get(`/committee/${m.village.slug}?month=${YM}`)).html);
    expect(monthPage).toContain('附件与遮盖（2 个，2 个待确认）');
  });

  it('turns ticked grid cells into rectangles (no JavaScript), keeping or dropping the earlier ones', async () => {
    const m = await anOpenMonth();
    await m.accountant.upload(m.url, [{ name: 'r.jpg', bytes: await aReceipt(3), type: 'image/jpeg' }], {
      csrf: CSRF,
      action: 'upload',
      target: '1',
      'rects-0': '0.5,0.5,0.25,0.25',
    });
    const [a] = await m.attachments();
    // Cells 1, 2, 9, 10: the top-left quarter of the top-left quarter, one rectangle; cell 64 the bottom-right corner.
    const res = await m.accountant.post(m.url, {
      action: 'redact',
      id: String(a!.id),
      old: '0.5,0.5,0.25,0.25',
      keep: [],
      cell: ['1', '2', '9', '10', '64'],
      rects: '',
    });
    expect(res.status).toBe(200);
    expect(text(res.html)).toContain('遮盖已保存（2 处）');
    const [b] = await m.attachments();
    expect(b!.redactions).toEqual([
      { x: 0, y: 0, w: 0.25, h: 0.25 },
      { x: 0.875, y: 0.875, w: 0.125, h: 0.125 },
    ]);
    expect(b!.sha256).not.toBe(a!.sha256);
    const page = await m.accountant.get(m.url);
    expect(page.html.match(/name="cell"/g)).toHaveLength(64);
  });

  it('refuses a post from another site or without the form’s token, and stores nothing', async () => {
    const m = await anOpenMonth();
    const files = [{ name: 'x.jpg', bytes: await aReceipt(4), type: 'image/jpeg' }];
    const fields = { action: 'upload', target: '1' };
    const foreign = await m.accountant.upload(
      m.url,
      files,
      { csrf: CSRF, ...fields },
      { origin: 'https://evil.example' },
    );
    expect(foreign.status).toBe(403);
    expect(text(foreign.html)).toContain('页面已过期或来源不明');
    const crossSite = await m.accountant.upload(
      m.url,
      files,
      { csrf: CSRF, ...fields },
      { 'sec-fetch-site': 'cross-site' },
    );
    expect(crossSite.status).toBe(403);
    const noToken = await m.accountant.upload(m.url, files, fields);
    expect(noToken.status).toBe(403);
    const wrongToken = await m.accountant.upload(m.url, files, { csrf: 'x'.repeat(40), ...fields });
    expect(wrongToken.status).toBe(403);
    expect(await attachmentCount(m.village.id)).toBe(0);
    // Nor a confirmation or a removal.
    expect(
      (await m.supervisor.post(m.url, { action: 'confirm', id: '1' }, { origin: 'https://evil.example' })).status,
    ).toBe(403);
  });

  it('says in Chinese with its code why a file was refused, and uploads the others', async () => {
    const m = await anOpenMonth();
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const res = await m.accountant.upload(
      m.url,
      [
        { name: 'evil.svg', bytes: svg, type: 'image/svg+xml' },
        { name: 'ok.jpg', bytes: await aReceipt(5), type: 'image/jpeg' },
      ],
      { csrf: CSRF, action: 'upload', target: 'month', kind: 'minutes' },
    );
    expect(res.status).toBe(200);
    const seen = text(res.html);
    expect(seen).toContain('上传了 1 个文件，1 个没有上传');
    expect(seen).toMatch(/evil\.svg：.*（FILE_[A-Z_]+）/);
    const list = await m.attachments();
    expect(list.map((a) => [a.voucherNumber, a.kind])).toEqual([[null, 'minutes']]);
  });

  it('shows the supervisor each attachment as 待确认 with a button that confirms the view they saw', async () => {
    const m = await anOpenMonth();
    await m.accountant.upload(m.url, [{ name: 'r.jpg', bytes: await aReceipt(6), type: 'image/jpeg' }], {
      csrf: CSRF,
      action: 'upload',
      target: '2',
    });
    const [a] = await m.attachments();
    const review = await m.supervisor.get(m.url);
    expect(text(review.html)).toContain('待确认');
    expect(review.html).toContain(`name="sha256" value="${a!.sha256}"`);
    expect(text(review.html)).toContain('确认遮盖无误');
    // The supervisor has no upload form or grid.
    expect(review.html).not.toContain('name="cell"');
    expect(review.html).not.toContain('type="file"');
    // Submitted for review, the month page lists it too, with its redaction and the same button.
    expect(
      (await m.accountant.api(`mutation ${MONTH} { submitMonth(${ARGS}) { status } }`, m.vars)).errors,
    ).toBeUndefined();
    const monthPage = await m.supervisor.get(`/committee/${m.village.slug}?month=${YM}`);
    expect(monthPage.html).toContain('id="attachment-review"');
    expect(text(monthPage.html)).toContain(`附件 ${a!.id} · 第2号凭证 · 遮盖 0 处 · 待确认`);
    expect(monthPage.html).toContain(`name="sha256" value="${a!.sha256}"`);
    expect(monthPage.html).not.toMatch(/<script/i);
    // A view the supervisor did not see (changed since) is refused.
    const stale = await m.supervisor.post(m.url, { action: 'confirm', id: String(a!.id), sha256: 'f'.repeat(64) });
    expect(stale.status).toBe(400);
    expect(text(stale.html)).toMatch(/（[A-Z_]+）/);
    const ok = await m.supervisor.post(m.url, { action: 'confirm', id: String(a!.id), sha256: a!.sha256 });
    expect(ok.status).toBe(200);
    expect(text(ok.html)).toContain('已确认');
    expect((await m.attachments())[0]!.confirmed).toBe(true);
  });

  it('shows the committee the redacted view before publication over the API’s signed preview, never the original', async () => {
    const m = await anOpenMonth();
    await m.accountant.upload(m.url, [{ name: 'r.jpg', bytes: await aReceipt(7), type: 'image/jpeg' }], {
      csrf: CSRF,
      action: 'upload',
      target: '1',
    });
    const [a] = await m.attachments();
    for (const who of [m.accountant, m.supervisor]) {
      const html = (await who.get(m.url)).html;
      expect(html).not.toContain(a!.originalSha256);
      const src = new RegExp(`<img src="(/data/files/preview/[^"]+/${a!.sha256}\\.webp)"`).exec(html)?.[1];
      expect(src).toBeDefined();
      // Through the portal's /data, as the browser fetches it: the view, private.
      const view = await fetch(`${t.portal.url}${src}`);
      expect(view.status).toBe(200);
      expect(view.headers.get('content-type')).toBe('image/webp');
      expect(view.headers.get('cache-control')).toContain('no-store');
    }
    // The public address of a view not yet published, and the original's, are 404.
    expect((await fetch(`${t.portal.url}/data/files/${a!.sha256}.webp`)).status).toBe(404);
    expect((await fetch(`${t.portal.url}/data/files/${a!.originalSha256}.webp`)).status).toBe(404);
  });
});

describe('what the public sees', () => {
  it('shows thumbnails, paperclips per payment, the month’s documents and the print counts: only confirmed, published ones', async () => {
    // Setup: two receipts on voucher 2, one on voucher 3, minutes of the month; all confirmed, then published.
    const m = await anOpenMonth();
    const up = async (target: string, seeds: number[], kind = 'receipt') =>
      m.accountant.upload(
        m.url,
        await Promise.all(
          seeds.map(async (s) => ({ name: `p${s}.jpg`, bytes: await aReceipt(s), type: 'image/jpeg' })),
        ),
        { csrf: CSRF, action: 'upload', target, kind, 'rects-0': '0.15,0.14,0.7,0.1' },
      );
    await up('2', [8, 9]);
    await up('3', [10]);
    await up('month', [11], 'minutes');
    const list = await m.attachments();
    expect(list).toHaveLength(4);
    for (const a of list) {
      const res = await m.supervisor.post(m.url, { action: 'confirm', id: String(a.id), sha256: a.sha256 });
      expect(res.status).toBe(200);
    }
    await m.publish();

    // The API's own counts, to compare the pages with.
    const pub = await t.api.query<{
      village: {
        statement: {
          attachments: { sha256: string }[];
          lines: {
            nodes: {
              voucher: { number: number; attachments: { sha256: string; thumbnailUrl: string; url: string }[] };
            }[];
          };
        };
      };
    }>(
      `query ($v: String!, $y: Int!, $m: Int!) { village(slug: $v) { statement(year: $y, month: $m) {
        attachments { sha256 } lines(first: 100) { nodes { voucher { number attachments { sha256 thumbnailUrl url } } } } } } }`,
      m.vars,
    );
    expect(pub.errors).toBeUndefined();
    const byVoucher = new Map(
      pub.data!.village.statement.lines.nodes.map((l) => [l.voucher.number, l.voucher.attachments]),
    );
    expect([1, 2, 3].map((n) => byVoucher.get(n)?.length)).toEqual([0, 2, 1]);

    // The voucher page: thumbnails, lazy, sized, alt in Chinese, each linking to its full view.
    const voucher = await page(`/v/${m.village.slug}/${YM}/2`);
    expect(voucher.status).toBe(200);
    expect(voucher.html).not.toMatch(/<script/i);
    const imgs = [...voucher.html.matchAll(/<a href="([^"]+)" class="thumb"[^>]*>\s*<img([^>]*)>/g)];
    expect(imgs).toHaveLength(2);
    for (const [, href, attrs] of imgs) {
      expect(attrs).toContain('loading="lazy"');
      expect(attrs).toMatch(/width="\d+"/);
      expect(attrs).toMatch(/height="\d+"/);
      expect(attrs).toMatch(/alt="第2号凭证的单据[^"]*个人信息已遮盖"/);
      const src = /src="([^"]+)"/.exec(attrs!)![1]!;
      expect(src).toMatch(/^\/data\/files\/[0-9a-f]{64}\.webp$/);
      const thumb = await fetch(`${t.portal.url}${src}`);
      expect(thumb.status).toBe(200);
      expect(thumb.headers.get('content-type')).toBe('image/webp');
      expect((await thumb.arrayBuffer()).byteLength).toBeLessThanOrEqual(20 * 1024);
      const full = await fetch(`${t.portal.url}${href}`);
      expect(full.status).toBe(200);
      expect((await full.arrayBuffer()).byteLength).toBeLessThanOrEqual(300 * 1024);
    }
    const shown = byVoucher.get(2)!.map((a) => new URL(a.thumbnailUrl).pathname);
    expect(imgs.map(([, , attrs]) => /src="([^"]+)"/.exec(attrs!)![1])).toEqual(shown);

    // The month page: a paperclip with the API's count beside each payment that has attachments, none elsewhere.
    const month = await page(`/v/${m.village.slug}/${YM}`);
    expect(month.status).toBe(200);
    const rows = [...month.html.matchAll(/第(\d+)号凭证<\/a>([\s\S]*?)<\/td>/g)];
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const [, n, rest] of rows) {
      const count = byVoucher.get(Number(n))?.length ?? 0;
      if (count > 0) {
        expect(rest).toContain(`data-count="${count}"`);
        expect(text(rest!)).toContain(`${count} 附件 ${count} 张`);
      } else expect(rest).not.toContain('class="clip"');
    }
    // The month's own documents.
    expect(text(month.html)).toContain('本月文件（1 份）');
    expect(month.html).toMatch(/alt="本月的会议记录，个人信息已遮盖"/);

    // The print sheet: the count per payment and for the month.
    const printed = (await page(`/v/${m.village.slug}/${YM}/print`)).html;
    expect(printed).toMatch(/<span class="clip"[^>]*data-count="2"/);
    expect(printed).toMatch(/<span class="clip"[^>]*data-count="1"/);
    const print = text(printed);
    expect(print).toContain('网上公开的附件：单据照片 3 张，本月文件 1 份（会议记录）');

    // Nothing of the originals on any public page.
    for (const html of [voucher.html, month.html]) {
      for (const a of list) expect(html).not.toContain(a.originalSha256);
    }
  });

  it('never shows an unconfirmed attachment of a correction being prepared', async () => {
    const m = await anOpenMonth();
    await m.accountant.upload(m.url, [{ name: 'a.jpg', bytes: await aReceipt(12), type: 'image/jpeg' }], {
      csrf: CSRF,
      action: 'upload',
      target: '1',
    });
    const [first] = await m.attachments();
    await m.supervisor.post(m.url, { action: 'confirm', id: String(first!.id), sha256: first!.sha256 });
    await m.publish();
    // A correction: a new revision, open, with a second receipt nobody has confirmed.
    const revised = await m.director.api(
      `mutation ${MONTH} { reviseMonth(${ARGS}, reason: "补充单据") { revision } }`,
      m.vars,
    );
    expect(revised.errors).toBeUndefined();
    const res = await m.accountant.upload(m.url, [{ name: 'b.jpg', bytes: await aReceipt(13), type: 'image/jpeg' }], {
      csrf: CSRF,
      action: 'upload',
      target: '1',
    });
    expect(text(res.html)).toContain('上传了 1 个文件');
    const now = await m.attachments();
    const unconfirmed = now.find((a) => a.filename === 'b.jpg')!;
    expect(unconfirmed.confirmed).toBe(false);
    const voucher = await page(`/v/${m.village.slug}/${YM}/1`);
    expect(voucher.html.match(/class="thumb"/g)).toHaveLength(1);
    expect(voucher.html).toContain(`data-sha256="${first!.sha256}"`);
    expect(voucher.html).not.toContain(unconfirmed.sha256);
    const month = await page(`/v/${m.village.slug}/${YM}`);
    expect(month.html).not.toContain(unconfirmed.sha256);
    expect(month.html).toMatch(/class="clip"[^>]*data-count="1"/);
    expect((await fetch(`${t.portal.url}/data/files/${unconfirmed.sha256}.webp`)).status).toBe(404);
  });
});

/** A POST whose body is made as it is sent, `totalBytes` declared in Content-Length: the status, as soon as it comes. */
function streamingPost(url: string, totalBytes: number): Promise<number> {
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
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(totalBytes) };
    const req = request(url, { method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve(res.statusCode ?? 0);
        body.destroy();
        req.destroy();
      });
    });
    // Once answered, the server closes the connection under the rest of the upload: that error is expected.
    req.on('error', (error) => (sent >= totalBytes ? reject(error) : undefined));
    body.pipe(req);
  });
}

describe('the upload’s size limit', () => {
  it('lets the attachments page alone take several photos, more than the other committee forms', async () => {
    expect(bodyLimit('/committee/fucun/attachments')).toBe(ATTACHMENT_BODY_BYTES);
    expect(ATTACHMENT_BODY_BYTES).toBeGreaterThan(UPLOAD_BODY_BYTES);
    expect(bodyLimit('/committee/fucun')).toBe(UPLOAD_BODY_BYTES);
    expect(bodyLimit('/committee/fucun/questions')).toBe(UPLOAD_BODY_BYTES);
    // Over the other committee forms' limit, within this one's: read (then sent to sign in), not 413.
    const within = await streamingPost(
      `${t.portal.url}/committee/fucun/attachments?month=${YM}`,
      UPLOAD_BODY_BYTES + 1,
    );
    expect(within).not.toBe(413);
    expect(await streamingPost(`${t.portal.url}/committee/fucun/attachments`, ATTACHMENT_BODY_BYTES + 1)).toBe(413);
  }, 60_000);
});
