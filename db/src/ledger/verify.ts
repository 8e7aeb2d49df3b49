import { and, asc, eq, isNotNull } from 'drizzle-orm';
import type { DbOrTx } from '../client.ts';
import { periods } from '../schema/ledger.ts';
import { villages } from '../schema/regions.ts';
import { digestReviewOf } from './approvals.ts';
import { publishedAttachments } from './attachments.ts';
import { DIGEST_FORMAT, DIGEST_FORMAT_V3, legacyFormat, periodDigest } from './digest.ts';
import { publicLedger } from './publish.ts';

export interface ChainBreak {
  year: number;
  month: number;
  revision: number;
  storedDigest: string;
  computedDigest: string;
  /** What is wrong: the vouchers changed, or the link to the previous publication does not match. */
  problem: 'content' | 'link';
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  lastDigest: string | null;
  breaks: ChainBreak[];
}

/**
 * Recomputes every published revision's digest from the vouchers as stored now, in publishing order, and checks
 * each against the stored digest and the link to the one before. An amount altered behind the API's back shows up
 * as a `content` break at its month.
 */
export async function verifyVillageChain(db: DbOrTx, villageId: number): Promise<ChainReport> {
  const [village] = await db.select({ code: villages.code }).from(villages).where(eq(villages.id, villageId));
  if (!village) throw new Error(`village ${villageId} does not exist`);
  const chain = await db
    .select({
      year: periods.year,
      month: periods.month,
      revision: periods.revision,
      standard: periods.standard,
      digest: periods.digest,
      digestFormat: periods.digestFormat,
      reason: periods.reason,
      previousDigest: periods.previousDigest,
      approvedBy: periods.approvedBy,
      approvedAt: periods.approvedAt,
      approvalNote: periods.approvalNote,
      redFlagRules: periods.redFlagRules,
    })
    .from(periods)
    .where(and(eq(periods.villageId, villageId), isNotNull(periods.chainSeq)))
    .orderBy(asc(periods.chainSeq));
  const breaks: ChainBreak[] = [];
  let previous: string | null = null;
  for (const p of chain) {
    const key = { villageId, year: p.year, month: p.month, revision: p.revision };
    const ledger = await publicLedger(db, key);
    const approval =
      p.approvedBy && p.approvedAt ? { by: p.approvedBy, at: p.approvedAt, note: p.approvalNote ?? '' } : null;
    const format = p.digestFormat ?? legacyFormat(approval !== null);
    const review = format === DIGEST_FORMAT ? null : await digestReviewOf(db, key, approval, p.redFlagRules ?? '');
    const computed = periodDigest(
      {
        villageCode: village.code,
        year: p.year,
        month: p.month,
        revision: p.revision,
        standard: p.standard,
        previousDigest: p.previousDigest,
        format,
        reason: p.reason,
      },
      ledger,
      review,
      format === DIGEST_FORMAT_V3 ? await publishedAttachments(db, key) : [],
    );
    const where = {
      year: p.year,
      month: p.month,
      revision: p.revision,
      storedDigest: p.digest!,
      computedDigest: computed,
    };
    if (p.previousDigest !== previous) breaks.push({ ...where, problem: 'link' });
    if (computed !== p.digest) breaks.push({ ...where, problem: 'content' });
    previous = p.digest;
  }
  return { ok: breaks.length === 0, checked: chain.length, lastDigest: previous, breaks };
}
