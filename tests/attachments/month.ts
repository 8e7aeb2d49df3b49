// An open month with two vouchers and the people around it, for the attachment tests over HTTP.
import { openPeriod } from '@mingbai/db/ledger/periods';
import { postVouchers } from '@mingbai/db/ledger/post';
import type { useTestApi } from '../support/api.ts';
import { aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

/** The month before this one in Beijing: ended, so it can be opened and published. */
export const [Y, MO] = (() => {
  const now = new Date(Date.now() + 8 * 60 * 60 * 1000);
  return now.getUTCMonth() === 0 ? [now.getUTCFullYear() - 1, 12] : [now.getUTCFullYear(), now.getUTCMonth()];
})();
const day = (d: number) => `${Y}-${String(MO).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

export const ATTACHMENT = `id sha256 mediaType width height url thumbnailUrl pages pageUrls kind voucherNumber
  filename originalSha256 originalMediaType redactions { x y w h page } confirmed previewUrl previewThumbnailUrl
  previewPageUrls`;
export const ATTACH = `mutation ($input: AttachFileInput!) { attachFile(input: $input) { ${ATTACHMENT} } }`;

export interface Attached {
  id: number;
  sha256: string;
  width: number;
  height: number;
  url: string;
  pages: number;
  pageUrls: string[];
  originalSha256: string;
  originalMediaType: string;
  redactions: { x: number; y: number; w: number; h: number; page: number }[];
  previewUrl: string | null;
  previewThumbnailUrl: string | null;
  previewPageUrls: string[] | null;
}

export async function anOpenMonth(t: ReturnType<typeof useTestApi>) {
  const village = await aVillage(t.handle.db);
  const other = await aVillage(t.handle.db);
  const names = {
    accountant: await aUser(t.handle.db, ['accountant', village.slug]),
    director: await aUser(t.handle.db, ['director', village.slug]),
    // 交叉监督: a supervisor of another village, assigned here as well.
    supervisor: await aUser(t.handle.db, ['supervisor', other.slug], ['supervisor', village.slug]),
    otherAccountant: await aUser(t.handle.db, ['accountant', other.slug]),
    otherSupervisor: await aUser(t.handle.db, ['supervisor', other.slug]),
    townshipAdmin: await aUser(t.handle.db, ['township_admin', 'tianjin']),
  };
  const as = async (name: keyof typeof names) => t.api.as(await t.api.login(names[name], TEST_PASSWORD));
  const key = { villageId: village.id, year: Y, month: MO };
  await t.handle.db.transaction(async (tx) => {
    const { revision } = await openPeriod(tx, { ...key, actor: 'test' });
    await postVouchers(tx, {
      ...key,
      revision,
      actor: 'test',
      vouchers: [
        aVoucher(1, day(2), '收到镇拨运转经费', debit('102', 500_000), credit('503', 500_000)),
        aVoucher(2, day(8), '购买办公用品', debit('51301', 32_000, { accountName: '办公费' }), credit('102', 32_000)),
      ],
    });
  });
  const attachInput = (bytes: Buffer, filename: string, extra: Record<string, unknown> = {}) => ({
    input: {
      villageSlug: village.slug,
      year: Y,
      month: MO,
      voucherNumber: 2,
      filename,
      contentBase64: bytes.toString('base64'),
      ...extra,
    },
  });
  return { village, names, as, key, attachInput };
}
