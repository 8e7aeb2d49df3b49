import { and, asc, eq, isNotNull, type SQL } from 'drizzle-orm';
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
  const code = await villageCode(db, villageId);
  const chain = await publishedRows(db, eq(periods.villageId, villageId));
  const breaks: ChainBreak[] = [];
  let previous: string | null = null;
  for (const p of chain) {
    const computed = await digestNow(db, villageId, code, p);
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

/**
 * The digest one published revision would have from its vouchers, review and attachments as stored now, and the
 * previous digest stored in its row (what verifyVillageChain compares with the stored digest, month by month).
 */
export async function recomputedDigest(
  db: DbOrTx,
  key: { villageId: number; year: number; month: number; revision: number },
): Promise<string> {
  const [p] = await publishedRows(
    db,
    and(
      eq(periods.villageId, key.villageId),
      eq(periods.year, key.year),
      eq(periods.month, key.month),
      eq(periods.revision, key.revision),
    ),
  );
  if (!p) throw new Error(`${key.year}-${key.month} r${key.revision} of village ${key.villageId} is not published`);
  return digestNow(db, key.villageId, await villageCode(db, key.villageId), p);
}

/** The published revisions (those with a place in the chain) among `where`, in chain order. */
function publishedRows(db: DbOrTx, where: SQL | undefined) {
  return db
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
    .where(and(where, isNotNull(periods.chainSeq)))
    .orderBy(asc(periods.chainSeq));
}
type PublishedRow = Awaited<ReturnType<typeof publishedRows>>[number];

async function villageCode(db: DbOrTx, villageId: number): Promise<string> {
  const [village] = await db.select({ code: villages.code }).from(villages).where(eq(villages.id, villageId));
  if (!village) throw new Error(`village ${villageId} does not exist`);
  return village.code;
}

async function digestNow(db: DbOrTx, villageId: number, code: string, p: PublishedRow): Promise<string> {
  const key = { villageId, year: p.year, month: p.month, revision: p.revision };
  const ledger = await publicLedger(db, key);
  const approval =
    p.approvedBy && p.approvedAt ? { by: p.approvedBy, at: p.approvedAt, note: p.approvalNote ?? '' } : null;
  const format = p.digestFormat ?? legacyFormat(approval !== null);
  const review = format === DIGEST_FORMAT ? null : await digestReviewOf(db, key, approval, p.redFlagRules ?? '');
  return periodDigest(
    {
      villageCode: code,
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
}
