// PDFs: each page rendered by poppler's pdftoppm and published like a photo (no metadata, the redaction burned in on
// its own page); too many pages, encryption and a missing pdftoppm refused with codes, nothing stored. And the
// committee's preview: a short-lived signed URL of the redacted view before the month is public, for the village's
// committee and supervisors only, `private, no-store`, never an original.
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { configureImagePool, DEFAULT_IMAGE_POOL, startImagePool } from '@mingbai/api/attachments/process-in-worker';
import { previewPath } from '@mingbai/api/attachments/preview';
import { queryRows } from '@mingbai/db/client';
import { hasFile, readStoredFile, sha256Hex } from '@mingbai/db/files/store';
import { publishedAttachments } from '@mingbai/db/ledger/attachments';
import { useTestApi } from '../support/api.ts';
import { aPng } from './images.ts';
import { ATTACH, anOpenMonth, MO, Y, type Attached } from './month.ts';
import { aPdf } from './pdfs.ts';

const t = useTestApi();

async function pixel(bytes: Uint8Array, fx: number, fy: number): Promise<number> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (Math.floor(fy * info.height) * info.width + Math.floor(fx * info.width)) * info.channels;
  return Math.max(data[i]!, data[i + 1]!, data[i + 2]!);
}

describe('PDF attachments', () => {
  it('publishes every page as a redacted, metadata-free view, the rectangle on its own page only', async () => {
    const { as, attachInput } = await anOpenMonth(t);
    const accountant = await as('accountant');
    const pdf = aPdf(2);
    // Black out the bottom band (the ID number) of the second page only.
    const res = await accountant<{ attachFile: Attached }>(
      ATTACH,
      attachInput(pdf, '发票.pdf', { redactions: [{ x: 0, y: 0.8, w: 1, h: 0.1, page: 1 }] }),
    );
    expect(res.errors).toBeUndefined();
    const a = res.data!.attachFile;
    expect(a.pages).toBe(2);
    expect(a.originalMediaType).toBe('application/pdf');
    expect(a.originalSha256).toBe(sha256Hex(pdf));
    expect(a.pageUrls).toHaveLength(2);
    expect(a.pageUrls[0]).toBe(a.url);
    expect(a.redactions).toEqual([{ x: 0, y: 0.8, w: 1, h: 0.1, page: 1 }]);
    expect(a.height).toBeGreaterThan(a.width); // A4 upright
    const hashes = a.pageUrls.map((u) => /([0-9a-f]{64})\.webp$/.exec(u)![1]!);
    const [first, second] = hashes.map((h) => readStoredFile(h)!);
    for (const view of [first!, second!]) {
      const meta = await sharp(view).metadata();
      expect(meta.format).toBe('webp');
      expect(meta.exif ?? meta.xmp ?? meta.icc).toBeUndefined();
      expect(view.includes('110101199003071234')).toBe(false);
    }
    // White at the right end of the ID band on page 1, black on page 2; the grey band at the top on both.
    expect(await pixel(first!, 0.9, 0.85)).toBeGreaterThan(230);
    expect(await pixel(second!, 0.9, 0.85)).toBeLessThan(20);
    expect(await pixel(second!, 0.1, 0.5)).toBeGreaterThan(230);
    for (const view of [first!, second!]) {
      const grey = await pixel(view, 0.9, 0.15);
      expect(grey).toBeGreaterThan(100);
      expect(grey).toBeLessThan(160);
    }
    // The v3 digest covers every page: the first as the view, the later ones in page order.
    const [at] = await queryRows<{ village_id: number; year: number; month: number; revision: number }>(
      t.handle.db,
      sql`select village_id, year, month, revision from attachments where derivative_sha256 = ${hashes[0]!}`,
    );
    const covered = await publishedAttachments(t.handle.db, {
      villageId: at!.village_id,
      year: at!.year,
      month: at!.month,
      revision: at!.revision,
    });
    expect(covered.find((c) => c.sha256 === hashes[0])!.pageSha256s).toEqual([hashes[1]]);
  });

  it('refuses too many pages, an encrypted or broken PDF and a rectangle on a missing page, storing nothing', async () => {
    const { as, attachInput } = await anOpenMonth(t);
    const accountant = await as('accountant');
    const cases: [string, Buffer, string, Record<string, unknown>, string][] = [
      ['25 pages', aPdf(25), 'long.pdf', {}, 'PDF_TOO_MANY_PAGES'],
      ['encrypted', aPdf(1, { encrypted: true }), 'secret.pdf', {}, 'PDF_ENCRYPTED'],
      ['broken', Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n'), 'broken.pdf', {}, 'FILE_UNREADABLE'],
      ['a PDF named .jpg', aPdf(1, { label: 'mismatch' }), 'scan.jpg', {}, 'FILE_TYPE_MISMATCH'],
      [
        'a rectangle on page 3 of 2',
        aPdf(2, { label: `refused ${Date.now()}` }),
        'two.pdf',
        { redactions: [{ x: 0, y: 0, w: 1, h: 1, page: 2 }] },
        'REDACTION_INVALID',
      ],
    ];
    for (const [what, bytes, filename, extra, code] of cases) {
      const res = await accountant(ATTACH, attachInput(bytes, filename, extra));
      expect(res.errors?.[0]?.extensions?.code, what).toBe(code);
      expect(res.errors?.[0]?.message, what).toMatch(/[\u4e00-\u9fff]/);
      expect(hasFile(sha256Hex(bytes)), what).toBe(false);
    }
    const long = await accountant(ATTACH, attachInput(aPdf(25), 'long.pdf'));
    expect(long.errors?.[0]?.extensions).toMatchObject({ pages: 25, maxPages: 20 });
  });

  it('refuses PDFs with a clear message when pdftoppm cannot be found, and the API goes on', async () => {
    const { as, attachInput } = await anOpenMonth(t);
    const accountant = await as('accountant');
    const path = process.env.PATH;
    try {
      // Workers take their environment when they start: these see no poppler-utils.
      process.env.PATH = '/nonexistent';
      await configureImagePool(DEFAULT_IMAGE_POOL);
      startImagePool();
    } finally {
      process.env.PATH = path;
    }
    try {
      const pdf = aPdf(1);
      const res = await accountant(ATTACH, attachInput(pdf, 'invoice.pdf'));
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'FILE_TYPE_UNSUPPORTED', reason: 'pdftoppm missing' });
      expect(res.errors?.[0]?.message).toContain('poppler-utils');
      expect(hasFile(sha256Hex(pdf))).toBe(false);
      const png = await accountant(ATTACH, attachInput(await aPng(), 'still.png'));
      expect(png.errors).toBeUndefined();
    } finally {
      await configureImagePool(DEFAULT_IMAGE_POOL);
    }
  });
});

describe('the committee’s preview of an unpublished attachment', () => {
  const MONTH = `query ($v: String!, $y: Int!, $m: Int!) { committeeMonth(villageSlug: $v, year: $y, month: $m) {
    attachments { id sha256 previewUrl previewThumbnailUrl previewPageUrls } } }`;
  type Month = {
    committeeMonth: {
      attachments: {
        id: number;
        sha256: string;
        previewUrl: string | null;
        previewThumbnailUrl: string | null;
        previewPageUrls: string[] | null;
      }[];
    };
  };

  it('gives the committee and the village’s supervisors a short-lived private URL of the redacted view only', async () => {
    const { as, attachInput, village } = await anOpenMonth(t);
    const accountant = await as('accountant');
    const attached = await accountant<{ attachFile: Attached }>(ATTACH, attachInput(aPdf(2), 'contract.pdf'));
    expect(attached.errors).toBeUndefined();
    const a = attached.data!.attachFile;
    expect(a.previewPageUrls).toHaveLength(2);
    const vars = { v: village.slug, y: Y, m: MO };
    const origin = new URL(t.api.url).origin;
    const local = (url: string) => origin + new URL(url).pathname;

    for (const who of ['accountant', 'supervisor'] as const) {
      const res = await (await as(who))<Month>(MONTH, vars);
      expect(res.errors, who).toBeUndefined();
      const [seen] = res.data!.committeeMonth.attachments;
      expect(seen!.previewUrl, who).toMatch(/\/data\/files\/preview\/\d+\/[\w-]+\/[0-9a-f]{64}\.webp$/);
      const view = await fetch(local(seen!.previewUrl!));
      expect(view.status, who).toBe(200);
      expect(view.headers.get('cache-control')).toBe('private, no-store');
      expect(sha256Hex(new Uint8Array(await view.arrayBuffer()))).toBe(seen!.sha256);
      expect((await fetch(local(seen!.previewThumbnailUrl!))).status).toBe(200);
      expect((await fetch(local(seen!.previewPageUrls![1]!))).status).toBe(200);
    }
    // A township admin reads the month, but sees attachments only once they are public.
    const admin = await (await as('townshipAdmin'))<Month>(MONTH, vars);
    expect(admin.errors).toBeUndefined();
    expect(admin.data!.committeeMonth.attachments[0]!.previewUrl).toBeNull();
    expect(admin.data!.committeeMonth.attachments[0]!.previewPageUrls).toBeNull();
    const stranger = await (await as('otherAccountant'))<Month>(MONTH, vars);
    expect(stranger.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // The public URL of the unpublished view answers nothing; a forged, an expired or an original's preview neither.
    expect((await fetch(`${origin}/data/files/${a.sha256}.webp`)).status).toBe(404);
    const good = new URL(a.previewUrl!).pathname;
    const forged = good.replace(/\/([\w-]{43})\//, (_, s: string) => `/${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}/`);
    expect((await fetch(origin + forged)).status).toBe(404);
    expect((await fetch(origin + previewPath(a.sha256, Date.now() - 20 * 60_000))).status).toBe(404);
    expect(hasFile(a.originalSha256)).toBe(true);
    expect((await fetch(origin + previewPath(a.originalSha256))).status).toBe(404);
    // Another hash of the view, signed for it, cannot be reused for a different file.
    const other = a.previewPageUrls![1]!;
    const swapped = new URL(a.previewUrl!).pathname.replace(/[0-9a-f]{64}/, /([0-9a-f]{64})\.webp$/.exec(other)![1]!);
    expect((await fetch(origin + swapped)).status).toBe(404);
  });
});
