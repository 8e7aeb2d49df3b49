import { createHash } from 'node:crypto';
import { publicReviewName, publicReviewText } from './privacy.ts';

/** A voucher as stored: its public memo and counterparties, its signatures raw (publicVoucher masks them). */
export interface DigestVoucher {
  number: number;
  date: string;
  summaryPublic: string;
  attachments: number;
  preparer: string | null;
  reviewer: string | null;
  approver: string | null;
  lines: {
    lineNo: number;
    accountCode: string;
    side: string;
    amountFen: bigint;
    summaryPublic: string | null;
    counterpartyPublic: string | null;
    paymentMethod: string | null;
  }[];
}

export interface DigestHeader {
  villageCode: string;
  year: number;
  month: number;
  revision: number;
  standard: string;
  previousDigest: string | null;
  /** Default: v2 with a review, else v1 (what every month sealed before v3 used). */
  format?: DigestFormat | undefined;
  /** v3: the correction's reason. */
  reason?: string | null | undefined;
}

export const DIGEST_FORMAT = 'mingbai-period-v1';
/** A month published with a supervisor's approval: v1's lines, then one line for the review (see canonicalText). */
export const DIGEST_FORMAT_V2 = 'mingbai-period-v2';
/** Every publication since issue 17: v2's lines, the correction's reason, and every published attachment's hashes. */
export const DIGEST_FORMAT_V3 = 'mingbai-period-v3';
export const DIGEST_FORMATS = [DIGEST_FORMAT, DIGEST_FORMAT_V2, DIGEST_FORMAT_V3] as const;
export type DigestFormat = (typeof DIGEST_FORMATS)[number];

/** The format of a month sealed before the format was stored (migration 0016): v2 exactly when it was approved. */
export function legacyFormat(approved: boolean): DigestFormat {
  return approved ? DIGEST_FORMAT_V2 : DIGEST_FORMAT;
}

/** The review a month was published with, as stored (raw names and words): see publicReview for what enters. */
export interface DigestReview {
  /** Null only in v3, for a month sealed without an approval (a loader's or a test's direct publication). */
  approval: { by: string; at: Date; note: string } | null;
  /** The red-flag rule version the month was judged by (`builtin-1`, `jingwu-v2`). */
  rules: string;
  /** The automatic flags in their frozen order, then the supervisors' flags oldest first. */
  flags: {
    key: string;
    ruleCode: string;
    voucherNumber: number | null;
    amountFen: bigint | null;
    detail: string;
    raisedBy: string | null;
    answer: { body: string; author: string; answeredAt: Date } | null;
  }[];
}

/**
 * What a digest covers, every field in the form the public reads it (masked names and words, decimal fen strings,
 * ISO 8601 instants): the bulk files carry exactly these values (`lines.jsonl`, `digests.jsonl`, `attachments.csv`),
 * so the canonical text below is recomputed from public downloads alone. docs/DIGEST.md defines it byte by byte.
 */
export interface PublicDigestInput {
  format: DigestFormat;
  villageCode: string;
  year: number;
  month: number;
  revision: number;
  standard: string;
  previousDigest: string | null;
  /** v3: why this revision corrects the one before; null for revision 1. */
  reason: string | null;
  vouchers: Iterable<PublicVoucher>;
  /** v2 and v3 (required); ignored by v1. */
  review: PublicReview | null;
  /** v3: every published attachment of the revision, in any order (the text sorts them). */
  attachments: readonly PublicAttachment[];
}

export interface PublicVoucher {
  number: number;
  date: string;
  summaryPublic: string;
  attachments: number;
  /** Masked as `maskOfficial` does (张*静): the bulk files' preparer, reviewer, approver. */
  preparer: string | null;
  reviewer: string | null;
  approver: string | null;
  lines: {
    lineNo: number;
    accountCode: string;
    side: string;
    amountFen: string;
    summaryPublic: string | null;
    counterpartyPublic: string | null;
    paymentMethod: string | null;
  }[];
}

/** A flag as the digest has it: [key, ruleCode, voucherNumber, amountFen, detail, raisedBy, answer]. */
export type PublicFlag = [
  string,
  string,
  number | null,
  string | null,
  string,
  string | null,
  [string, string, string] | null,
];

export interface PublicReview {
  approvedBy: string | null;
  /** ISO 8601, UTC, milliseconds. */
  approvedAt: string | null;
  approvalNote: string | null;
  rules: string;
  flags: PublicFlag[];
}

export interface PublicAttachment {
  /** Null for a document of the month itself. */
  voucherNumber: number | null;
  kind: string;
  /** SHA-256 of the published view (`/data/files/{sha256}.webp`). */
  sha256: string;
  thumbnailSha256: string;
  /** The published views of a PDF's pages after the first (the first is `sha256`), in page order; [] for an image. */
  pageSha256s: readonly string[];
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The v3 order of attachments: the month's own documents first, then by voucher number, then by hash. */
export function sortAttachments(list: readonly PublicAttachment[]): PublicAttachment[] {
  return [...list].sort(
    (a, b) =>
      (a.voucherNumber ?? -1) - (b.voucherNumber ?? -1) ||
      cmp(a.sha256, b.sha256) ||
      cmp(a.thumbnailSha256, b.thumbnailSha256) ||
      cmp(a.kind, b.kind),
  );
}

/**
 * Canonical text of a published revision, one JSON array per line (`JSON.stringify`: no spaces, non-ASCII as is),
 * each followed by "\n"; the digest is the SHA-256 of its UTF-8 bytes, hex. Each digest covers the village's previous
 * digest, so the revisions of a village form a chain. The header's first element names the format:
 * - `mingbai-period-v1`: `[format, villageCode, year, month, revision, standard, previousDigest]`, then one line per
 *   voucher in number order: `[number, date, summary, attachments, preparer, reviewer, approver, lines]`, each line
 *   `[lineNo, accountCode, side, amountFen as decimal text, summary, counterparty, paymentMethod]`.
 * - `mingbai-period-v2`: v1's lines, then `["review", approvedBy, approvedAt, approvalNote, ruleVersion, flags]`,
 *   each flag `[key, ruleCode, voucherNumber, amountFen | null, detail, raisedBy | null, answer]`, answer
 *   `[body, author, answeredAt]` or null.
 * - `mingbai-period-v3`: the header gains an eighth element, the correction's reason (null for revision 1); the
 *   vouchers and the review as v2 (approvedBy, approvedAt, approvalNote null when sealed without an approval); then
 *   `["attachments", [[voucherNumber | null, kind, sha256, thumbnailSha256, [pageSha256, …]], …]]` in
 *   sortAttachments' order, the last element the views of a PDF's later pages ([] for an image).
 * The one implementation: publishing, the database check (verify.ts) and the public verifier (api/src/verify/) all
 * call it; docs/verify.py is its transcription into Python, held to it by tests/verify.
 */
export function* canonicalText(input: PublicDigestInput): Generator<string> {
  const header: unknown[] = [
    input.format,
    input.villageCode,
    input.year,
    input.month,
    input.revision,
    input.standard,
    input.previousDigest,
  ];
  if (input.format === DIGEST_FORMAT_V3) header.push(input.reason);
  yield JSON.stringify(header) + '\n';
  for (const v of input.vouchers) {
    yield (
      JSON.stringify([
        v.number,
        v.date,
        v.summaryPublic,
        v.attachments,
        v.preparer,
        v.reviewer,
        v.approver,
        v.lines.map((l) => [
          l.lineNo,
          l.accountCode,
          l.side,
          l.amountFen,
          l.summaryPublic,
          l.counterpartyPublic,
          l.paymentMethod,
        ]),
      ]) + '\n'
    );
  }
  if (input.format === DIGEST_FORMAT) return;
  const r = input.review;
  if (!r) throw new TypeError(`${input.format} needs the review`);
  yield JSON.stringify(['review', r.approvedBy, r.approvedAt, r.approvalNote, r.rules, r.flags]) + '\n';
  if (input.format === DIGEST_FORMAT_V2) return;
  yield (
    JSON.stringify([
      'attachments',
      sortAttachments(input.attachments).map((a) => [
        a.voucherNumber,
        a.kind,
        a.sha256,
        a.thumbnailSha256,
        a.pageSha256s,
      ]),
    ]) + '\n'
  );
}

/** SHA-256 of the canonical text, hex. */
export function publicDigest(input: PublicDigestInput): string {
  const hash = createHash('sha256');
  for (const line of canonicalText(input)) hash.update(line, 'utf8');
  return hash.digest('hex');
}

/** A stored voucher in its public form: the signatures masked as the v1 text was published with. */
export function publicVoucher(v: DigestVoucher): PublicVoucher {
  return {
    number: v.number,
    date: v.date,
    summaryPublic: v.summaryPublic,
    attachments: v.attachments,
    preparer: maskOfficial(v.preparer),
    reviewer: maskOfficial(v.reviewer),
    approver: maskOfficial(v.approver),
    lines: v.lines.map((l) => ({ ...l, amountFen: l.amountFen.toString() })),
  };
}

/** A stored review in its public form: people and their words as the API and the bulk files show them. */
export function publicReview(review: DigestReview): PublicReview {
  const a = review.approval;
  return {
    approvedBy: a ? publicReviewName(a.by) : null,
    approvedAt: a ? a.at.toISOString() : null,
    approvalNote: a ? publicReviewText(a.note) : null,
    rules: review.rules,
    flags: review.flags.map((f) => [
      f.key,
      f.ruleCode,
      f.voucherNumber,
      f.amountFen === null ? null : f.amountFen.toString(),
      f.raisedBy === null ? f.detail : publicReviewText(f.detail),
      f.raisedBy === null ? null : publicReviewName(f.raisedBy),
      f.answer
        ? [publicReviewText(f.answer.body), publicReviewName(f.answer.author), f.answer.answeredAt.toISOString()]
        : null,
    ]),
  };
}

/**
 * The digest of a revision from what the database stores (raw names, bigint fen): its public form through
 * publicVoucher and publicReview, then publicDigest. The format is the header's, or for a caller that names none
 * (the scale loader) v2 with a review, else v1.
 */
export function periodDigest(
  header: DigestHeader,
  vouchers: Iterable<DigestVoucher>,
  review?: DigestReview | null,
  attachments: readonly PublicAttachment[] = [],
): string {
  const format = header.format ?? legacyFormat(Boolean(review));
  return publicDigest({
    format,
    villageCode: header.villageCode,
    year: header.year,
    month: header.month,
    revision: header.revision,
    standard: header.standard,
    previousDigest: header.previousDigest,
    reason: header.reason ?? null,
    vouchers: mapIterable(vouchers, publicVoucher),
    review: review ? publicReview(review) : null,
    attachments,
  });
}

function* mapIterable<T, U>(items: Iterable<T>, f: (item: T) => U): Generator<U> {
  for (const item of items) yield f(item);
}

/**
 * Committee members sign vouchers as private persons too. This is the masking the mingbai-period-v1 canonical text
 * was published with (first character, a star per middle character, last character: 张*静, 欧**兰, 刘*计), frozen
 * here: verifyVillageChain recomputes every published digest from the raw names, so any change would break every
 * chain published before it. What the public reads (Voucher.signatures) uses privacy.ts's maskName instead.
 */
export function maskOfficial(name: string | null): string | null {
  if (!name) return null;
  const chars = [...name.trim()];
  if (chars.length <= 1) return chars.length === 0 ? '' : '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}
