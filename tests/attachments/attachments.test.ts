// Receipts behind payments, over HTTP as the committee and the public use them: the published view is re-encoded
// without metadata and with the redaction burned in, hostile files are refused with their code and nothing stored,
// only the village's committee attaches and only its supervisors confirm, publication waits for every confirmation,
// and the original's hash never reaches the public.
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { hasFile, sha256Hex } from '@mingbai/db/files/store';
import { THUMB_MAX_BYTES, VIEW_MAX_BYTES } from '@mingbai/db/files/image';
import { useTestApi } from '../support/api.ts';
import { reviewOverApi } from '../support/review.ts';
import { anOpenMonth, MO, Y } from './month.ts';
import { aJpegHtmlPolyglot, aJpegZipPolyglot, anSvg, aPhoto, aPng, aPngBomb } from './images.ts';

const t = useTestApi();

const ATTACHMENT = `id sha256 mediaType width height url thumbnailUrl thumbnailWidth thumbnailHeight pages kind
  voucherNumber filename originalSha256 originalMediaType originalBytes redactions { x y w h } confirmed confirmedBy`;
const ATTACH = `mutation ($input: AttachFileInput!) { attachFile(input: $input) { ${ATTACHMENT} } }`;

interface Attached {
  id: number;
  sha256: string;
  width: number;
  height: number;
  url: string;
  thumbnailUrl: string;
  originalSha256: string;
  confirmed: boolean;
  redactions: { x: number; y: number; w: number; h: number }[];
}

/** An open month with two vouchers, and the people around it (month.ts). */
const setUp = () => anOpenMonth(t);

async function attachmentRows(villageId: number) {
  return queryRows<{ id: number; revision: number; original_sha256: string; confirmed_by: string | null }>(
    t.handle.db,
    sql`select id::int, revision, original_sha256, confirmed_by from attachments where village_id = ${villageId}
         order by id`,
  );
}

async function pixels(bytes: Uint8Array, upright = false) {
  const { data, info } = await (upright ? sharp(bytes).autoOrient() : sharp(bytes))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return (fx: number, fy: number) => {
    const i = (Math.floor(fy * info.height) * info.width + Math.floor(fx * info.width)) * info.channels;
    return [data[i]!, data[i + 1]!, data[i + 2]!];
  };
}

describe('attaching a receipt', () => {
  it('publishes a re-encoded view without EXIF or GPS, upright, within its sizes, with the redaction burned in', async () => {
    const { as, attachInput, village } = await setUp();
    const accountant = await as('accountant');
    const photo = await aPhoto();
    const original = await sharp(photo).metadata();
    expect(original.exif).toBeDefined();
    expect(original.orientation).toBe(6);

    const res = await accountant<{ attachFile: Attached }>(
      ATTACH,
      attachInput(photo, 'IMG_0001.JPG', { redactions: [{ x: 0.1, y: 0.1, w: 0.3, h: 0.2 }] }),
    );
    expect(res.errors).toBeUndefined();
    const a = res.data!.attachFile;
    expect(a.originalSha256).toBe(sha256Hex(photo));
    expect(a.sha256).not.toBe(a.originalSha256);
    // Upright: the 1200 × 900 sensor image turned by its orientation tag.
    expect(a.width).toBeLessThan(a.height);
    expect(a.confirmed).toBe(false);
    expect(hasFile(a.originalSha256)).toBe(true);

    const [row] = await queryRows<{ derivative_sha256: string; thumbnail_sha256: string }>(
      t.handle.db,
      sql`select derivative_sha256, thumbnail_sha256 from attachments where village_id = ${village.id}`,
    );
    const { readStoredFile } = await import('@mingbai/db/files/store');
    const view = readStoredFile(row!.derivative_sha256)!;
    const thumb = readStoredFile(row!.thumbnail_sha256)!;
    expect(view.length).toBeLessThanOrEqual(VIEW_MAX_BYTES);
    expect(thumb.length).toBeLessThanOrEqual(THUMB_MAX_BYTES);
    for (const bytes of [view, thumb]) {
      const meta = await sharp(bytes).metadata();
      expect(meta.format).toBe('webp');
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(meta.iptc).toBeUndefined();
      expect(meta.icc).toBeUndefined();
      expect(meta.orientation).toBeUndefined();
      expect(Buffer.from(bytes).includes('TestPhone')).toBe(false);
      expect(Buffer.from(bytes).includes('110101199003071234')).toBe(false);
    }
    // Black inside the rectangle in the view and the thumbnail; white there in the original, and outside in the view.
    const inView = await pixels(view);
    const inThumb = await pixels(thumb);
    const inOriginal = await pixels(photo, true);
    for (const [fx, fy] of [
      // The grey band of the sensor image stands upright at x 0.22–0.33: these points miss it.
      [0.12, 0.12],
      [0.18, 0.25],
      [0.38, 0.28],
    ] as const) {
      expect(Math.max(...inView(fx, fy))).toBeLessThan(20);
      expect(Math.max(...inThumb(fx, fy))).toBeLessThan(40);
      expect(Math.min(...inOriginal(fx, fy))).toBeGreaterThan(230);
    }
    expect(Math.min(...inView(0.7, 0.05))).toBeGreaterThan(230);
  });

  it('stores the same file once: attached twice to a voucher it is one attachment', async () => {
    const { as, attachInput, village } = await setUp();
    const accountant = await as('accountant');
    const png = await aPng();
    const first = await accountant<{ attachFile: Attached }>(ATTACH, attachInput(png, 'scan.png'));
    const again = await accountant<{ attachFile: Attached }>(ATTACH, attachInput(png, 'scan.png'));
    expect(again.data!.attachFile.id).toBe(first.data!.attachFile.id);
    expect(await attachmentRows(village.id)).toHaveLength(1);
  });

  it('refuses each hostile file with its code, storing nothing', async () => {
    const { as, attachInput, village } = await setUp();
    const accountant = await as('accountant');
    const tooLarge = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(21 * 1024 * 1024, 7)]);
    const cases: [string, Buffer, string, string][] = [
      ['a 50,000 × 50,000 PNG bomb', aPngBomb(), 'bomb.png', 'IMAGE_TOO_MANY_PIXELS'],
      ['JPEG + ZIP', await aJpegZipPolyglot(), 'receipt.jpg', 'FILE_POLYGLOT'],
      ['JPEG + HTML', await aJpegHtmlPolyglot(), 'receipt.jpg', 'FILE_POLYGLOT'],
      ['SVG with a script', anSvg, 'receipt.svg', 'FILE_TYPE_UNSUPPORTED'],
      ['SVG named .png', anSvg, 'receipt.png', 'FILE_TYPE_UNSUPPORTED'],
      ['a PNG named .jpg', await aPng(), 'receipt.jpg', 'FILE_TYPE_MISMATCH'],
      // PDFs are accepted (pdf-preview.test.ts); one that poppler cannot read is not.
      ['a broken PDF', Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n'), 'invoice.pdf', 'FILE_UNREADABLE'],
      [
        'an executable named .jpg',
        Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'),
        'a.jpg',
        'FILE_TYPE_UNSUPPORTED',
      ],
      ['over 20 MB', tooLarge, 'huge.jpg', 'FILE_TOO_LARGE'],
    ];
    expect(aPngBomb().length).toBeLessThan(10_000);
    for (const [what, bytes, filename, code] of cases) {
      const res = await accountant(ATTACH, attachInput(bytes, filename));
      expect(res.errors?.[0]?.extensions?.code, what).toBe(code);
      expect(res.errors?.[0]?.message, what).toMatch(/[\u4e00-\u9fff]/);
      expect(hasFile(sha256Hex(bytes)), what).toBe(false);
    }
    expect(await attachmentRows(village.id)).toEqual([]);
    const audit = await queryRows<{ n: number }>(
      t.handle.db,
      sql`select count(*)::int as n from audit_log where village_id = ${village.id} and action like 'attachment.%'`,
    );
    expect(audit[0]!.n).toBe(0);
  });

  it('refuses bad redaction rectangles and unknown vouchers, changing nothing', async () => {
    const { as, attachInput, village } = await setUp();
    const accountant = await as('accountant');
    const png = await aPng();
    const outside = await accountant(
      ATTACH,
      attachInput(png, 'a.png', { redactions: [{ x: 0.8, y: 0, w: 0.5, h: 1 }] }),
    );
    expect(outside.errors?.[0]?.extensions?.code).toBe('REDACTION_INVALID');
    const empty = await accountant(ATTACH, attachInput(png, 'a.png', { redactions: [{ x: 0.1, y: 0.1, w: 0, h: 1 }] }));
    expect(empty.errors?.[0]?.extensions?.code).toBe('REDACTION_INVALID');
    const noVoucher = await accountant(ATTACH, attachInput(png, 'a.png', { voucherNumber: 99 }));
    expect(noVoucher.errors?.[0]?.extensions?.code).toBe('VOUCHER_NOT_FOUND');
    expect(await attachmentRows(village.id)).toEqual([]);
  });
});

describe('who may attach and confirm', () => {
  it('only the village’s committee attaches; only a supervisor of the village confirms', async () => {
    const { as, attachInput, village } = await setUp();
    const png = await aPng();
    const anonymous = await t.api.query(ATTACH, attachInput(png, 'a.png'));
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const stranger = await (await as('otherAccountant'))(ATTACH, attachInput(png, 'a.png'));
    expect(stranger.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await attachmentRows(village.id)).toEqual([]);

    const attached = await (await as('accountant'))<{ attachFile: Attached }>(ATTACH, attachInput(png, 'a.png'));
    const id = attached.data!.attachFile.id;
    const CONFIRM = `mutation ($v: String!, $y: Int!, $m: Int!, $id: Int!) {
      confirmAttachment(villageSlug: $v, year: $y, month: $m, id: $id) { confirmed confirmedBy } }`;
    const vars = { v: village.slug, y: Y, m: MO, id };
    for (const who of ['accountant', 'director', 'otherSupervisor'] as const) {
      const refused = await (await as(who))(CONFIRM, vars);
      expect(refused.errors?.[0]?.extensions?.code, who).toBe('FORBIDDEN');
    }
    expect((await attachmentRows(village.id))[0]!.confirmed_by).toBeNull();
    const confirmed = await (await as('supervisor'))<{ confirmAttachment: { confirmed: boolean } }>(CONFIRM, vars);
    expect(confirmed.data?.confirmAttachment.confirmed).toBe(true);
  });
});

describe('publishing a month with attachments', () => {
  it('waits for every confirmation, goes stale on a new redaction, then shows only the published views', async () => {
    const { as, attachInput, village, names } = await setUp();
    const accountant = await as('accountant');
    const director = await as('director');
    const supervisor = await as('supervisor');
    const photo = await aPhoto(3);
    const attached = await accountant<{ attachFile: Attached }>(
      ATTACH,
      attachInput(photo, 'receipt.jpg', { redactions: [{ x: 0, y: 0, w: 0.5, h: 0.1 }] }),
    );
    const a = attached.data!.attachFile;
    const minutes = await accountant<{ attachFile: Attached }>(
      ATTACH,
      attachInput(await aPng(), 'minutes.png', { voucherNumber: null, kind: 'minutes' }),
    );
    expect(minutes.errors).toBeUndefined();
    const month = { v: village.slug, y: Y, m: MO };
    const M = `($v: String!, $y: Int!, $m: Int!)`;
    const A = `villageSlug: $v, year: $y, month: $m`;
    expect((await accountant(`mutation ${M} { submitMonth(${A}) { status } }`, month)).errors).toBeUndefined();
    await reviewOverApi(t, { villageSlug: village.slug, year: Y, month: MO }, { supervisor: names.supervisor });

    const PUBLISH = `mutation ${M} { publishMonth(${A}) { revision digest } }`;
    const refused = await director(PUBLISH, month);
    expect(refused.errors?.[0]?.extensions?.code).toBe('REVIEW_REQUIRED');
    expect(refused.errors?.[0]?.message).toContain('2 个附件的遮盖还没有监督员确认');
    expect(refused.errors?.[0]?.extensions?.unconfirmedAttachments).toHaveLength(2);

    // A new redaction is a new view: the approval saw the old one and is stale.
    const REDACT = `mutation ($v: String!, $y: Int!, $m: Int!, $id: Int!, $r: [RedactionInput!]!) {
      setRedactions(villageSlug: $v, year: $y, month: $m, id: $id, redactions: $r) { sha256 redactions { x } } }`;
    const redacted = await accountant<{ setRedactions: { sha256: string } }>(REDACT, {
      ...month,
      id: a.id,
      r: [{ x: 0, y: 0, w: 1, h: 0.2 }],
    });
    expect(redacted.errors).toBeUndefined();
    expect(redacted.data!.setRedactions.sha256).not.toBe(a.sha256);
    const CONFIRM = `mutation ($v: String!, $y: Int!, $m: Int!, $id: Int!, $sha: String) {
      confirmAttachment(villageSlug: $v, year: $y, month: $m, id: $id, sha256: $sha) { confirmed } }`;
    // Confirming the view one saw before the change is refused.
    const outdated = await supervisor(CONFIRM, { ...month, id: a.id, sha: a.sha256 });
    expect(outdated.errors?.[0]?.extensions?.code).toBe('ATTACHMENT_NOT_FOUND');
    for (const id of [a.id, minutes.data!.attachFile.id]) {
      expect((await supervisor(CONFIRM, { ...month, id, sha: null })).errors).toBeUndefined();
    }
    const stale = await director(PUBLISH, month);
    expect(stale.errors?.[0]?.extensions?.code).toBe('REVIEW_REQUIRED');
    expect(stale.errors?.[0]?.message).toContain('须重新审核');
    await reviewOverApi(t, { villageSlug: village.slug, year: Y, month: MO }, { supervisor: names.supervisor });
    const published = await director<{ publishMonth: { revision: number } }>(PUBLISH, month);
    expect(published.errors).toBeUndefined();

    // The public sees the derivatives of the published month, never the original.
    const PUBLIC = `query ($v: String!, $y: Int!, $m: Int!) { village(slug: $v) {
      voucher(year: $y, month: $m, number: 2) { attachments { sha256 mediaType width height url thumbnailUrl pages kind } }
      statement(year: $y, month: $m) { attachments { sha256 kind url } } } }`;
    const pub = await t.api.query<{
      village: {
        voucher: { attachments: { sha256: string; url: string; thumbnailUrl: string; kind: string }[] };
        statement: { attachments: { kind: string }[] };
      };
    }>(PUBLIC, month);
    expect(pub.errors).toBeUndefined();
    const [shown] = pub.data!.village.voucher.attachments;
    expect(shown!.sha256).toBe(redacted.data!.setRedactions.sha256);
    expect(shown!.kind).toBe('receipt');
    expect(pub.data!.village.statement.attachments.map((d) => d.kind)).toEqual(['minutes']);
    expect(pub.text).not.toContain(a.originalSha256);
    expect(pub.text).not.toContain('receipt.jpg');

    const origin = new URL(t.api.url).origin;
    const path = (url: string) => new URL(url).pathname;
    const view = await fetch(origin + path(shown!.url));
    expect(view.status).toBe(200);
    expect(view.headers.get('content-type')).toBe('image/webp');
    expect(view.headers.get('cache-control')).toContain('immutable');
    expect(sha256Hex(new Uint8Array(await view.arrayBuffer()))).toBe(shown!.sha256);
    expect((await fetch(origin + path(shown!.thumbnailUrl))).status).toBe(200);
    // The original is stored, but no URL serves it; nor the superseded view, which was never published.
    expect(hasFile(a.originalSha256)).toBe(true);
    expect((await fetch(`${origin}/data/files/${a.originalSha256}.webp`)).status).toBe(404);
    expect((await fetch(`${origin}/data/files/${a.originalSha256}.jpg`)).status).toBe(404);
    expect((await fetch(`${origin}/data/files/${a.sha256}.webp`)).status).toBe(404);

    // Published: sealed, in the ledger and in the database.
    const sealed = await accountant(REDACT, { ...month, id: a.id, r: [] });
    expect(sealed.errors?.[0]?.extensions?.code).toBe('PERIOD_NOT_OPEN');
    await expect(
      t.handle.db.execute(sql`update attachments set redactions = '[]' where village_id = ${village.id}`),
    ).rejects.toThrow();
    await expect(t.handle.db.execute(sql`delete from attachments where village_id = ${village.id}`)).rejects.toThrow();

    // A correction carries the attachments forward, confirmed as published; the old revision keeps its own.
    const revised = await director(`mutation ${M} { reviseMonth(${A}, reason: "补充一张收据") { revision } }`, month);
    expect(revised.errors).toBeUndefined();
    const rows = await attachmentRows(village.id);
    expect(rows.map((r) => r.revision)).toEqual([1, 1, 2, 2]);
    expect(rows.every((r) => r.confirmed_by === names.supervisor)).toBe(true);
  });
});
