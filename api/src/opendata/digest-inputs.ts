/**
 * The two files that make every digest recomputable from public downloads alone (issue 17), written in JS on both
 * engines because their values are the digest's public forms (db/src/ledger/digest.ts `publicVoucher`,
 * `publicReview`), which SQL cannot make:
 * - `digests.jsonl`: one JSON object per village revision with every input of its digest besides the lines
 *   (`lines.jsonl`) and the attachments (`attachments.csv`): format, header, voucher signatures, the review.
 * - `attachments.csv`: one row per published attachment, with the SHA-256 and path of its view and thumbnail.
 * Reviews are read per revision through the same function publishing and the database check use (digestReviewOf),
 * so the file and the digest cannot disagree; v1 months (the scale data) have none and cost one query per page.
 */
import { and, eq, sql } from 'drizzle-orm';
import { queryRows, type Db } from '@mingbai/db/client';
import { digestReviewOf } from '@mingbai/db/ledger/approvals';
import { periods as periodsTable } from '@mingbai/db/schema/ledger';
import { DIGEST_FORMAT, legacyFormat, maskOfficial, publicReview, type DigestFormat } from '@mingbai/db/ledger/digest';
import { copyCsvRow } from './csv.ts';
import type { Selection } from './export-sql.ts';

/** Village revisions per query, and lines: a page's voucher signatures are in memory at once. */
const PAGE = 1_000;
const PAGE_LINES = 200_000;

/** The selection in pages of at most PAGE revisions and (but for one big month alone) PAGE_LINES lines. */
function* pages(periods: Selection['periods']): Generator<Selection['periods']> {
  let page: Selection['periods'] = [];
  let lines = 0;
  for (const p of periods) {
    if (page.length > 0 && (page.length === PAGE || lines + p.lineCount > PAGE_LINES)) {
      yield page;
      page = [];
      lines = 0;
    }
    page.push(p);
    lines += p.lineCount;
  }
  if (page.length > 0) yield page;
}

function selectionValues(periods: Selection['periods']): string {
  return periods
    .map((p) => {
      if (!Number.isSafeInteger(p.villageId) || !Number.isSafeInteger(p.revision)) throw new TypeError('not an id');
      return `(${p.villageId}, ${p.revision})`;
    })
    .join(', ');
}

interface PeriodRow {
  village_id: number;
  village_code: string;
  village_slug: string;
  revision: number;
  digest_format: DigestFormat | null;
  standard: string;
  reason: string | null;
  previous_digest: string | null;
  digest: string;
  chain_seq: number;
  approved: boolean;
}

interface SignatureRow {
  village_id: number;
  revision: number;
  number: number;
  preparer: string | null;
  reviewer: string | null;
  approver: string | null;
}

/** The fields of digests.jsonl, in order; docs/DIGEST.md and the data package describe them. */
export const DIGEST_INPUT_FIELDS = [
  ['village_code', 'string', '12-digit statistical division code of the village'],
  ['village_slug', 'string', 'URL name of the village on the portal'],
  ['year', 'integer', 'Year'],
  ['month', 'integer', 'Month, 1–12'],
  ['revision', 'integer', 'Published revision (1 = first publication)'],
  ['digest_format', 'string', 'mingbai-period-v1, -v2 or -v3: the canonical text (docs/DIGEST.md)'],
  ['account_standard', 'string', 'Chart of accounts of the month (2004 or 2023)'],
  ['reason', 'string', 'Why this revision corrects the one before; null for revision 1 (in the v3 text)'],
  ['previous_digest', 'string', "Digest of the village's previous publication; null for the first"],
  ['digest', 'string', 'SHA-256 of the canonical text, hex'],
  ['chain_seq', 'integer', "Position in the village's digest chain, in publishing order"],
  [
    'vouchers',
    'array',
    '[voucher_number, preparer, reviewer, approver] per voucher, signatures masked as the digest has them (张*静)',
  ],
  [
    'review',
    'object',
    'v2/v3: {approved_by, approved_at, approval_note, red_flag_rules, flags}, each flag [key, rule_code, ' +
      'voucher_number, amount_fen, detail, raised_by, [answer, answered_by, answered_at] | null], masked; null in v1',
  ],
] as const;

/** digests.jsonl for the selection, in village-code order. */
export async function* digestInputRows(db: Db, selection: Selection): AsyncGenerator<Buffer> {
  const { year, month } = selection;
  for (const page of pages(selection.periods)) {
    const values = selectionValues(page);
    const periods = await queryRows<PeriodRow>(
      db,
      sql.raw(`with sel(village_id, revision) as (values ${values})
        select p.village_id, vi.code as village_code, vi.slug as village_slug, p.revision, p.digest_format,
               p.standard, p.reason, p.previous_digest, p.digest, p.chain_seq, p.approved_by is not null as approved
          from sel
          join periods p on p.village_id = sel.village_id and p.year = ${year} and p.month = ${month}
                        and p.revision = sel.revision and p.status = 'published'
          join villages vi on vi.id = p.village_id
         order by vi.code`),
    );
    const signatures = await queryRows<SignatureRow>(
      db,
      sql.raw(`with sel(village_id, revision) as (values ${values})
        select v.village_id, v.revision, v.number, v.preparer, v.reviewer, v.approver
          from sel
          join vouchers v on v.village_id = sel.village_id and v.year = ${year} and v.month = ${month}
                         and v.revision = sel.revision
         order by v.village_id, v.number`),
    );
    const byPeriod = new Map<string, [number, string | null, string | null, string | null][]>();
    for (const s of signatures) {
      const k = `${s.village_id}:${s.revision}`;
      const list = byPeriod.get(k) ?? [];
      list.push([s.number, maskOfficial(s.preparer), maskOfficial(s.reviewer), maskOfficial(s.approver)]);
      byPeriod.set(k, list);
    }
    const out: string[] = [];
    for (const p of periods) {
      const format = p.digest_format ?? legacyFormat(p.approved);
      const key = { villageId: p.village_id, year, month, revision: p.revision };
      const review = format === DIGEST_FORMAT ? null : publicReview(await storedReview(db, key));
      out.push(
        JSON.stringify({
          village_code: p.village_code,
          village_slug: p.village_slug,
          year,
          month,
          revision: p.revision,
          digest_format: format,
          account_standard: p.standard,
          reason: p.reason,
          previous_digest: p.previous_digest,
          digest: p.digest,
          chain_seq: p.chain_seq,
          vouchers: byPeriod.get(`${p.village_id}:${p.revision}`) ?? [],
          review: review && {
            approved_by: review.approvedBy,
            approved_at: review.approvedAt,
            approval_note: review.approvalNote,
            red_flag_rules: review.rules,
            flags: review.flags,
          },
        }) + '\n',
      );
    }
    if (out.length > 0) yield Buffer.from(out.join(''), 'utf8');
  }
}

/**
 * A revision's review exactly as verify.ts reads it (the approval through drizzle, so its instant is the same Date
 * to the millisecond), then digestReviewOf: the function sealing and the database check use.
 */
async function storedReview(db: Db, key: { villageId: number; year: number; month: number; revision: number }) {
  const [p] = await db
    .select({
      by: periodsTable.approvedBy,
      at: periodsTable.approvedAt,
      note: periodsTable.approvalNote,
      rules: periodsTable.redFlagRules,
    })
    .from(periodsTable)
    .where(
      and(
        eq(periodsTable.villageId, key.villageId),
        eq(periodsTable.year, key.year),
        eq(periodsTable.month, key.month),
        eq(periodsTable.revision, key.revision),
      ),
    );
  const approval = p?.by && p.at ? { by: p.by, at: p.at, note: p.note ?? '' } : null;
  return digestReviewOf(db, key, approval, p?.rules ?? '');
}

/** The public path of a stored view or thumbnail (api/src/attachments/files.http.ts serves it). */
export const attachmentFilePath = (sha256: string, mediaType: string) =>
  `/data/files/${sha256}.${mediaType === 'image/jpeg' ? 'jpg' : 'webp'}`;

export const ATTACHMENT_FIELDS = [
  ['village_code', 'string', '12-digit statistical division code of the village'],
  ['village_slug', 'string', 'URL name of the village on the portal'],
  ['year', 'integer', 'Year'],
  ['month', 'integer', 'Month, 1–12'],
  ['revision', 'integer', 'Published revision'],
  ['voucher_number', 'integer', 'The voucher it proves; empty for a document of the month (minutes, a contract)'],
  ['kind', 'string', 'receipt 单据 · minutes 会议记录 · contract 合同 · tender 招标结果 · other 其他'],
  ['media_type', 'string', 'Media type of the published view'],
  ['width', 'integer', 'Width of the view, pixels'],
  ['height', 'integer', 'Height of the view, pixels'],
  ['pages', 'integer', 'Pages (1 for an image)'],
  ['sha256', 'string', 'SHA-256 of the published view: in the v3 digest'],
  ['url', 'string', 'Path of the view on this site (and on any mirror)'],
  ['thumbnail_sha256', 'string', 'SHA-256 of the thumbnail: in the v3 digest'],
  ['thumbnail_url', 'string', 'Path of the thumbnail'],
  [
    'page_sha256s',
    'string',
    "SHA-256 of a PDF's later pages' views, in page order, space-separated (empty for an image): in the v3 digest",
  ],
] as const;

interface AttachmentRow {
  village_code: string;
  village_slug: string;
  revision: number;
  voucher_number: number | null;
  kind: string;
  derivative_media_type: string;
  width: number;
  height: number;
  pages: number;
  derivative_sha256: string;
  thumbnail_sha256: string;
  /** A PDF's later pages' view hashes, in page order, space-separated; '' for an image. */
  page_sha256s: string;
}

/**
 * attachments.csv whole, header included, after `prefix` (the BOM): every attachment of the selected revisions, in
 * (village code, month's documents first, voucher number, hash) order, the v3 digest's. Every value is a code, a
 * number or hex: nothing to neutralise, nothing private (never the original, its name or who uploaded it).
 */
export async function* attachmentRows(db: Db, selection: Selection, prefix: string): AsyncGenerator<Buffer> {
  const { year, month } = selection;
  yield Buffer.from(prefix + copyCsvRow(ATTACHMENT_FIELDS.map(([name]) => name)), 'utf8');
  for (let i = 0; i < selection.periods.length; i += PAGE) {
    const values = selectionValues(selection.periods.slice(i, i + PAGE));
    const rows = await queryRows<AttachmentRow>(
      db,
      sql.raw(`with sel(village_id, revision) as (values ${values})
        select vi.code as village_code, vi.slug as village_slug, a.revision, a.voucher_number, a.kind,
               a.derivative_media_type, a.width, a.height, a.pages, a.derivative_sha256, a.thumbnail_sha256,
               (select coalesce(string_agg(p.value->>'sha256', ' ' order by p.ordinality), '')
                  from jsonb_array_elements(a.page_views) with ordinality p) as page_sha256s
          from sel
          join attachments a on a.village_id = sel.village_id and a.year = ${year} and a.month = ${month}
                            and a.revision = sel.revision
          join villages vi on vi.id = a.village_id
         order by vi.code, a.voucher_number asc nulls first, a.derivative_sha256, a.thumbnail_sha256`),
    );
    if (rows.length === 0) continue;
    yield Buffer.from(
      rows
        .map((a) =>
          copyCsvRow([
            a.village_code,
            a.village_slug,
            year,
            month,
            a.revision,
            a.voucher_number,
            a.kind,
            a.derivative_media_type,
            a.width,
            a.height,
            a.pages,
            a.derivative_sha256,
            attachmentFilePath(a.derivative_sha256, a.derivative_media_type),
            a.thumbnail_sha256,
            attachmentFilePath(a.thumbnail_sha256, a.derivative_media_type),
            a.page_sha256s || null,
          ]),
        )
        .join(''),
      'utf8',
    );
  }
}
