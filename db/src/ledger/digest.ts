import { createHash } from 'node:crypto';
import { publicReviewName, publicReviewText } from './privacy.ts';

/** The public record of one voucher as it enters the digest: only what the public can read, so anyone can verify. */
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
}

export const DIGEST_FORMAT = 'mingbai-period-v1';
/** A month published with a supervisor's approval: v1's lines, then one line for the review (see canonicalLines). */
export const DIGEST_FORMAT_V2 = 'mingbai-period-v2';

/** The review a month was published with, as it enters a v2 digest. */
export interface DigestReview {
  approval: { by: string; at: Date; note: string };
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
 * Canonical text of a published revision: a header line, then one JSON array per voucher in number order, lines in
 * line order, amounts as decimal fen strings, "\n" after every line. The digest is SHA-256 of it, hex.
 * Each digest covers the village's previous digest, so the revisions of a village form a chain.
 *
 * Two forms, told apart by the header's first element:
 * - `mingbai-period-v1`: a month published without a supervisor's approval (every month before reviews existed).
 * - `mingbai-period-v2`: the same header and voucher lines, then one last line for the review:
 *   `["review", approvedBy, approvedAt (ISO 8601, UTC, milliseconds), approvalNote, ruleVersion, flags]`, where
 *   `flags` is an array of `[key, ruleCode, voucherNumber | null, amountFen as decimal text | null, detail,
 *   raisedBy | null, answer]` (automatic flags in their frozen order, then supervisors' flags, `ruleCode`
 *   `SUPERVISOR`, oldest first) and `answer` is `[body, author, answeredAt (ISO 8601)]` or null.
 * Existing v1 digests stay valid: a month is v2 exactly when its `periods.approved_by` is set.
 */
export function* canonicalLines(
  header: DigestHeader,
  vouchers: Iterable<DigestVoucher>,
  review?: DigestReview | null,
): Generator<string> {
  yield (
    JSON.stringify([
      review ? DIGEST_FORMAT_V2 : DIGEST_FORMAT,
      header.villageCode,
      header.year,
      header.month,
      header.revision,
      header.standard,
      header.previousDigest,
    ]) + '\n'
  );
  for (const v of vouchers) {
    yield (
      JSON.stringify([
        v.number,
        v.date,
        v.summaryPublic,
        v.attachments,
        maskOfficial(v.preparer),
        maskOfficial(v.reviewer),
        maskOfficial(v.approver),
        v.lines.map((l) => [
          l.lineNo,
          l.accountCode,
          l.side,
          l.amountFen.toString(),
          l.summaryPublic,
          l.counterpartyPublic,
          l.paymentMethod,
        ]),
      ]) + '\n'
    );
  }
  if (review) {
    yield (
      JSON.stringify([
        'review',
        publicReviewName(review.approval.by),
        review.approval.at.toISOString(),
        publicReviewText(review.approval.note),
        review.rules,
        review.flags.map((f) => [
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
      ]) + '\n'
    );
  }
}

export function periodDigest(
  header: DigestHeader,
  vouchers: Iterable<DigestVoucher>,
  review?: DigestReview | null,
): string {
  const hash = createHash('sha256');
  for (const line of canonicalLines(header, vouchers, review)) hash.update(line, 'utf8');
  return hash.digest('hex');
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
