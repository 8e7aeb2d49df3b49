import { createHash } from 'node:crypto';

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

/**
 * Canonical text of a published revision: a header line, then one JSON array per voucher in number order, lines in
 * line order, amounts as decimal fen strings, "\n" after every line. The digest is SHA-256 of it, hex.
 * Each digest covers the village's previous digest, so the revisions of a village form a chain.
 */
export function* canonicalLines(header: DigestHeader, vouchers: Iterable<DigestVoucher>): Generator<string> {
  yield (
    JSON.stringify([
      DIGEST_FORMAT,
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
}

export function periodDigest(header: DigestHeader, vouchers: Iterable<DigestVoucher>): string {
  const hash = createHash('sha256');
  for (const line of canonicalLines(header, vouchers)) hash.update(line, 'utf8');
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
