// The binary upload route (POST /attachments/{village}/{yyyy-mm}, api/src/http/upload-endpoint.ts): the raw bytes
// streamed to disk and handed to an image worker by path. It stores and publishes what attachFile does and answers its
// JSON; it refuses an oversized body with FILE_TOO_LARGE before reading it all; and it refuses the wrong media type,
// strangers, another village's committee and a cross-site request without a bearer token, storing nothing.
import { readdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { MAX_UPLOAD_BYTES } from '@mingbai/db/files/image';
import { currentFilesDir, hasFile, sha256Hex } from '@mingbai/db/files/store';
import { useTestApi } from '../support/api.ts';
import { reviewOverApi } from '../support/review.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';
import { aPhoto, aPng } from './images.ts';
import { anOpenMonth, ATTACH, ATTACHMENT, MO, Y, type Attached } from './month.ts';

const t = useTestApi();
const STARTED = Date.now();

interface Answer<T> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } & Record<string, unknown> }[];
  text: string;
}

const origin = () => new URL(t.api.url).origin;
const monthPath = (slug: string) => `/attachments/${slug}/${Y}-${String(MO).padStart(2, '0')}`;

async function upload(
  slug: string,
  body: Buffer,
  options: { token?: string; contentType?: string; query?: Record<string, string>; headers?: Record<string, string> },
): Promise<Answer<{ attachFile: Attached & Record<string, unknown> }>> {
  const url = new URL(monthPath(slug), origin());
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      ...(options.contentType ? { 'content-type': options.contentType } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body,
  });
  const text = await res.text();
  return { status: res.status, text, ...JSON.parse(text) };
}

async function attachmentCount(villageId: number): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    t.handle.db,
    sql`select count(*)::int as n from attachments where village_id = ${villageId}`,
  );
  return row!.n;
}

async function auditCount(villageId: number): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    t.handle.db,
    sql`select count(*)::int as n from audit_log where village_id = ${villageId} and action = 'attachment.attach'`,
  );
  return row!.n;
}

/**
 * The route's temporary files: none may outlive its request. The files folder is shared with test files running
 * beside this one, whose uploads come and go: every temporary file seen now must be gone within a few seconds.
 */
async function temporaryFiles(): Promise<string[]> {
  const dir = join(currentFilesDir(), 'uploads');
  // Only this run's: an API killed mid-upload in an earlier run leaves one for the sweep (sweep.test.ts).
  const list = () => {
    try {
      return readdirSync(dir).filter(
        (f) => (statSync(join(dir, f), { throwIfNoEntry: false })?.mtimeMs ?? 0) >= STARTED,
      );
    } catch {
      return [];
    }
  };
  const seen = list();
  for (let i = 0; i < 50 && seen.some((f) => list().includes(f)); i++) await new Promise((r) => setTimeout(r, 100));
  return seen.filter((f) => list().includes(f));
}

describe('the binary upload route', () => {
  it('stores and publishes like attachFile and answers the same JSON', async () => {
    const m = await anOpenMonth(t);
    const director = await aUser(t.handle.db, ['director', m.village.slug]);
    const token = await t.api.login(m.names.accountant, TEST_PASSWORD);
    const photo = await aPhoto(41);
    const rects = [{ x: 0.1, y: 0.1, w: 0.3, h: 0.2 }];

    const res = await upload(m.village.slug, photo, {
      token,
      contentType: 'image/jpeg',
      query: { filename: '收据 1.jpg', voucher: '2', redactions: JSON.stringify(rects) },
    });
    expect(res.errors).toBeUndefined();
    expect(res.status).toBe(200);
    const a = res.data!.attachFile;
    expect(a.originalSha256).toBe(sha256Hex(photo));
    expect(a.originalMediaType).toBe('image/jpeg');
    expect(a.filename).toBe('收据 1.jpg');
    expect(a.voucherNumber).toBe(2);
    expect(a.kind).toBe('receipt');
    expect(a.redactions).toEqual([{ ...rects[0], page: 0 }]);
    expect(a.previewUrl).toMatch(/\/data\/files\/preview\//);
    expect(hasFile(a.originalSha256)).toBe(true);
    expect(hasFile(a.sha256)).toBe(true);
    // The view is re-encoded without metadata, the redaction burned in (black at its centre).
    const view = await sharp(
      new Uint8Array(await (await fetch(origin() + new URL(a.previewUrl!).pathname)).arrayBuffer()),
    );
    expect((await view.metadata()).exif).toBeUndefined();
    const { data, info } = await view.removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const i = (Math.floor(0.2 * info.height) * info.width + Math.floor(0.25 * info.width)) * info.channels;
    expect(Math.max(data[i]!, data[i + 1]!, data[i + 2]!)).toBeLessThan(30);
    expect(await auditCount(m.village.id)).toBe(1);
    expect(await temporaryFiles()).toEqual([]);

    // The same JSON as attachFile: the same fields (a different photo through GraphQL, to compare shapes).
    const accountant = await m.as('accountant');
    const viaGraphQL = await accountant<{ attachFile: Record<string, unknown> }>(
      ATTACH,
      m.attachInput(await aPng(), 'minutes.png', { voucherNumber: null, kind: 'minutes' }),
    );
    expect(viaGraphQL.errors).toBeUndefined();
    const fields = ATTACHMENT.replace(/\{[^}]*\}/g, '')
      .split(/\s+/)
      .filter(Boolean);
    for (const f of fields) expect(a).toHaveProperty(f);
    expect(Object.keys(viaGraphQL.data!.attachFile).every((k) => k in a)).toBe(true);

    // Confirmed, reviewed, published: the public sees the route's view on voucher 2.
    const supervisor = await m.as('supervisor');
    const month = { v: m.village.slug, y: Y, m: MO };
    const CONFIRM = `mutation ($v: String!, $y: Int!, $m: Int!, $id: Int!) {
      confirmAttachment(villageSlug: $v, year: $y, month: $m, id: $id) { confirmed } }`;
    for (const id of [a.id, (viaGraphQL.data!.attachFile as { id: number }).id]) {
      expect((await supervisor(CONFIRM, { ...month, id })).errors).toBeUndefined();
    }
    const M = `($v: String!, $y: Int!, $m: Int!)`;
    const A = `villageSlug: $v, year: $y, month: $m`;
    expect((await accountant(`mutation ${M} { submitMonth(${A}) { status } }`, month)).errors).toBeUndefined();
    await reviewOverApi(t, { villageSlug: m.village.slug, year: Y, month: MO }, { supervisor: m.names.supervisor });
    const directorQuery = t.api.as(await t.api.login(director, TEST_PASSWORD));
    const published = await directorQuery(`mutation ${M} { publishMonth(${A}) { revision } }`, month);
    expect(published.errors).toBeUndefined();
    const pub = await t.api.query<{ village: { voucher: { attachments: { sha256: string }[] } } }>(
      `query ($v: String!, $y: Int!, $m: Int!) { village(slug: $v) {
         voucher(year: $y, month: $m, number: 2) { attachments { sha256 } } } }`,
      month,
    );
    expect(pub.data!.village.voucher.attachments.map((x) => x.sha256)).toEqual([a.sha256]);
    expect(pub.text).not.toContain(a.originalSha256);
  });

  it('refuses a body over 20 MB with FILE_TOO_LARGE before reading it all, and stores nothing', async () => {
    const m = await anOpenMonth(t);
    const token = await t.api.login(m.names.accountant, TEST_PASSWORD);
    const url = new URL(monthPath(m.village.slug), origin());
    url.searchParams.set('filename', 'huge.jpg');
    url.searchParams.set('voucher', '2');
    const total = MAX_UPLOAD_BYTES + 5 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 0xff);

    /**
     * Sends `first` bytes, then waits for the answer: a server that read the whole body before answering would never
     * answer, and the test would time out. Declared (Content-Length) or not (chunked, counted while streamed).
     */
    const oversized = (declare: boolean, first: number) =>
      new Promise<{ status: number; body: string; sent: number }>((resolve, reject) => {
        let sent = 0;
        const req = request(url, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'image/jpeg',
            ...(declare ? { 'content-length': String(total) } : {}),
          },
        });
        req.on('error', reject);
        req.on('response', (res) => {
          const parts: Buffer[] = [];
          res.on('data', (b: Buffer) => parts.push(b));
          res.on('end', () => {
            resolve({ status: res.statusCode!, body: Buffer.concat(parts).toString('utf8'), sent });
            req.destroy();
          });
        });
        while (sent < first) {
          req.write(chunk);
          sent += chunk.length;
        }
      });

    const declared = await oversized(true, 1024 * 1024);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).errors[0].extensions.code).toBe('FILE_TOO_LARGE');
    expect(declared.sent).toBeLessThan(total);

    // Chunked: no length said; refused once 20 MB have come, before the rest (5 MB more) is sent.
    const streamed = await oversized(false, MAX_UPLOAD_BYTES + 2 * 1024 * 1024);
    expect(streamed.status).toBe(413);
    const refusal = JSON.parse(streamed.body).errors[0];
    expect(refusal.extensions.code).toBe('FILE_TOO_LARGE');
    expect(refusal.extensions.maxBytes).toBe(MAX_UPLOAD_BYTES);
    expect(refusal.message).toContain('20 MB');
    expect(streamed.sent).toBeLessThan(total);

    expect(await attachmentCount(m.village.id)).toBe(0);
    expect(await temporaryFiles()).toEqual([]);
  });

  it('refuses the wrong media type, strangers, another village and a cross-site request without a bearer', async () => {
    const m = await anOpenMonth(t);
    const token = await t.api.login(m.names.accountant, TEST_PASSWORD);
    const photo = await aPhoto(42);
    const query = { filename: 'r.jpg', voucher: '2' };
    const slug = m.village.slug;

    // What a cross-site form can send (text/plain, a form, multipart) is not a file this route takes.
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await upload(slug, photo, { token, contentType, query });
      expect(res.status).toBe(415);
      expect(res.errors?.[0]?.extensions?.code).toBe('FILE_TYPE_UNSUPPORTED');
      expect(res.errors?.[0]?.message).toContain('Content-Type');
    }
    // Declared PNG, a JPEG inside.
    const mismatch = await upload(slug, photo, {
      token,
      contentType: 'image/png',
      query: { ...query, filename: 'r.png' },
    });
    expect(mismatch.errors?.[0]?.extensions?.code).toBe('FILE_TYPE_MISMATCH');
    // The pipeline's own checks, as attachFile: a name that lies.
    const named = await upload(slug, photo, {
      token,
      contentType: 'application/octet-stream',
      query: { filename: 'r.png' },
    });
    expect(named.errors?.[0]?.extensions?.code).toBe('FILE_TYPE_MISMATCH');

    const anonymous = await upload(slug, photo, { contentType: 'image/jpeg', query });
    expect(anonymous.status).toBe(401);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    // A browser on another site posting here: cookies and an Origin, no bearer. The API reads no cookies.
    const crossSite = await upload(slug, photo, {
      contentType: 'image/jpeg',
      query,
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', cookie: `mingbai_session=${token}` },
    });
    expect(crossSite.status).toBe(401);
    expect(crossSite.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const stranger = await upload(slug, photo, {
      token: await t.api.login(m.names.otherAccountant, TEST_PASSWORD),
      contentType: 'image/jpeg',
      query,
    });
    expect(stranger.status).toBe(403);
    expect(stranger.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // A supervisor may confirm but not attach.
    const supervisor = await upload(slug, photo, {
      token: await t.api.login(m.names.supervisor, TEST_PASSWORD),
      contentType: 'image/jpeg',
      query,
    });
    expect(supervisor.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const noVoucher = await upload(slug, photo, {
      token,
      contentType: 'image/jpeg',
      query: { ...query, voucher: '99' },
    });
    expect(noVoucher.errors?.[0]?.extensions?.code).toBe('VOUCHER_NOT_FOUND');
    const badRects = await upload(slug, photo, {
      token,
      contentType: 'image/jpeg',
      query: { ...query, redactions: '[{"x":"a"}]' },
    });
    expect(badRects.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    expect(await attachmentCount(m.village.id)).toBe(0);
    expect(await auditCount(m.village.id)).toBe(0);
    expect(hasFile(sha256Hex(photo))).toBe(false);
    expect(await temporaryFiles()).toEqual([]);
  });
});
