import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { queryRows, type Db } from '@mingbai/db/client';
import { changeReviewStatus, latestRevision, openPeriod } from '@mingbai/db/ledger/periods';
import { publishMonth as publishInLedger } from '@mingbai/db/ledger/publish';
import { appendAudit } from '@mingbai/db/ledger/audit';
import { periodComments, voucherFlags } from '@mingbai/db/schema/review';
import { periods } from '@mingbai/db/schema/ledger';
import type { VillageAction } from '../auth/viewer.ts';
import { villageForAction, type Actor } from '../auth/village-access.ts';
import { apiError, badInput } from '../errors.ts';
import { warmAfterPublish } from '../opendata/fragments.ts';
import { checkpointAfterPublish } from '../checkpoints/checkpoints.ts';
import { checkMonth } from '../month.ts';

export interface MonthRef {
  villageSlug: string;
  year: number;
  month: number;
}

export function submitMonth(db: Db, actor: Actor, ref: MonthRef): Promise<void> {
  return moveForReview(db, actor, ref, 'submit', 'submitted');
}

export function withdrawMonth(db: Db, actor: Actor, ref: MonthRef): Promise<void> {
  return moveForReview(db, actor, ref, 'withdraw', 'open');
}

async function moveForReview(db: Db, actor: Actor, ref: MonthRef, action: VillageAction, to: 'open' | 'submitted') {
  checkMonth(ref.year, ref.month);
  const village = await villageForAction(actor, ref.villageSlug, action);
  await db.transaction((tx) =>
    changeReviewStatus(tx, {
      villageId: village.id,
      year: ref.year,
      month: ref.month,
      actor: actor.viewer!.username,
      to,
    }),
  );
}

/**
 * Publishes a submitted month through the ledger's publish (its two-person rule included). Once committed, the
 * month's open-data fragments are made off the request's path, so national files need not wait; `afterCommit`
 * settles when they are (the CLI waits for it before closing its pool, the API does not).
 */
export async function publishMonth(
  db: Db,
  actor: Actor,
  ref: MonthRef,
): Promise<{ revision: number; digest: string; afterCommit: Promise<void> }> {
  checkMonth(ref.year, ref.month);
  const village = await villageForAction(actor, ref.villageSlug, 'publish');
  return publishInLedger(db, {
    villageId: village.id,
    year: ref.year,
    month: ref.month,
    actor: actor.viewer!.username,
    afterCommit: [(p) => warmAfterPublish(db, p.villageId, p.year, p.month), () => checkpointAfterPublish(db)],
  });
}

export async function reviseMonth(
  db: Db,
  actor: Actor,
  ref: MonthRef & { reason: string },
): Promise<{ revision: number }> {
  checkMonth(ref.year, ref.month);
  const village = await villageForAction(actor, ref.villageSlug, 'revise');
  const reason = ref.reason.trim();
  if (reason.length > 1000) throw badInput('更正原因不能超过 1000 个字', 'reason');
  return db.transaction(async (tx) => {
    const latest = await latestRevision(tx, { villageId: village.id, year: ref.year, month: ref.month });
    if (latest?.status !== 'published') {
      throw apiError('PERIOD_NOT_OPEN', `${ref.year}年${ref.month}月尚未公开，直接修改即可，无需更正`);
    }
    return openPeriod(tx, {
      villageId: village.id,
      year: ref.year,
      month: ref.month,
      actor: actor.viewer!.username,
      reason,
    });
  });
}

async function reviewableRevision(db: Db, villageId: number, ref: MonthRef): Promise<number> {
  const latest = await latestRevision(db, { villageId, year: ref.year, month: ref.month });
  if (!latest) throw apiError('NOT_FOUND', `${ref.year}年${ref.month}月尚未开账`);
  return latest.revision;
}

/** A flag belongs to the review: once the month is published its flags are sealed into the digest with it. */
async function flaggableRevision(db: Db, villageId: number, ref: MonthRef): Promise<number> {
  const latest = await latestRevision(db, { villageId, year: ref.year, month: ref.month });
  if (!latest) throw apiError('NOT_FOUND', `${ref.year}年${ref.month}月尚未开账`);
  if (latest.status === 'published') {
    throw apiError(
      'PERIOD_NOT_OPEN',
      `${ref.year}年${ref.month}月第${latest.revision}版已经公开，存疑标记只能在审核期间提出；发现问题请村委会开启更正`,
    );
  }
  return latest.revision;
}

export async function commentOnMonth(db: Db, actor: Actor, ref: MonthRef & { body: string }): Promise<void> {
  checkMonth(ref.year, ref.month);
  const village = await villageForAction(actor, ref.villageSlug, 'comment');
  const body = ref.body.trim();
  if (body.length === 0 || body.length > 2000) throw badInput('评论应为 1 到 2000 个字', 'body');
  const revision = await reviewableRevision(db, village.id, ref);
  await db.transaction(async (tx) => {
    await tx.insert(periodComments).values({
      villageId: village.id,
      year: ref.year,
      month: ref.month,
      revision,
      author: actor.viewer!.username,
      body,
    });
    await appendAudit(tx, {
      villageId: village.id,
      actor: actor.viewer!.username,
      action: 'period.comment',
      entity: 'period',
      entityKey: `${ref.year}-${ref.month}#${revision}`,
      details: { body },
    });
  });
}

export async function flagVoucher(
  db: Db,
  actor: Actor,
  ref: MonthRef & { number: number; reason: string },
): Promise<void> {
  checkMonth(ref.year, ref.month);
  const village = await villageForAction(actor, ref.villageSlug, 'flag');
  const reason = ref.reason.trim();
  if (reason.length === 0 || reason.length > 2000) throw badInput('存疑理由应为 1 到 2000 个字', 'reason');
  const revision = await flaggableRevision(db, village.id, ref);
  const [exists] = await queryRows<{ n: number }>(
    db,
    sql`select 1 as n from vouchers where village_id = ${village.id} and year = ${ref.year} and month = ${ref.month}
          and revision = ${revision} and number = ${ref.number}`,
  );
  if (!exists) throw apiError('VOUCHER_NOT_FOUND', `${ref.year}年${ref.month}月没有第${ref.number}号凭证`);
  await db.transaction(async (tx) => {
    await tx.insert(voucherFlags).values({
      villageId: village.id,
      year: ref.year,
      month: ref.month,
      revision,
      voucherNumber: ref.number,
      author: actor.viewer!.username,
      reason,
    });
    await appendAudit(tx, {
      villageId: village.id,
      actor: actor.viewer!.username,
      action: 'voucher.flag',
      entity: 'voucher',
      entityKey: `${ref.year}-${ref.month}#${revision}/${ref.number}`,
      reason,
    });
  });
}

export interface CommitteeMonthData {
  villageId: number;
  year: number;
  month: number;
  revision: number;
  status: 'open' | 'submitted' | 'published';
  reason: string | null;
  voucherCount: number;
  lineCount: number;
  comments: { author: string; body: string; createdAt: Date; revision: number }[];
  flags: { author: string; reason: string; voucherNumber: number; createdAt: Date; revision: number }[];
}

/** What the committee and supervisors see of a month, published or not. */
export async function committeeMonth(db: Db, actor: Actor, ref: MonthRef): Promise<CommitteeMonthData | undefined> {
  checkMonth(ref.year, ref.month);
  const village = await villageForAction(actor, ref.villageSlug, 'review');
  const key = { villageId: village.id, year: ref.year, month: ref.month };
  const [period] = await db
    .select({ revision: periods.revision, status: periods.status, reason: periods.reason })
    .from(periods)
    .where(and(eq(periods.villageId, key.villageId), eq(periods.year, key.year), eq(periods.month, key.month)))
    .orderBy(desc(periods.revision))
    .limit(1);
  if (!period) return undefined;
  const [counts] = await queryRows<{ vouchers: number; lines: number }>(
    db,
    sql`select count(distinct v.id)::int as vouchers, count(l.line_no)::int as lines
          from vouchers v left join voucher_lines l on l.village_id = v.village_id and l.voucher_id = v.id
         where v.village_id = ${key.villageId} and v.year = ${key.year} and v.month = ${key.month}
           and v.revision = ${period.revision}`,
  );
  const comments = await db
    .select({
      author: periodComments.author,
      body: periodComments.body,
      createdAt: periodComments.createdAt,
      revision: periodComments.revision,
    })
    .from(periodComments)
    .where(
      and(
        eq(periodComments.villageId, key.villageId),
        eq(periodComments.year, key.year),
        eq(periodComments.month, key.month),
      ),
    )
    .orderBy(asc(periodComments.id));
  const flags = await db
    .select({
      author: voucherFlags.author,
      reason: voucherFlags.reason,
      voucherNumber: voucherFlags.voucherNumber,
      createdAt: voucherFlags.createdAt,
      revision: voucherFlags.revision,
    })
    .from(voucherFlags)
    .where(
      and(
        eq(voucherFlags.villageId, key.villageId),
        eq(voucherFlags.year, key.year),
        eq(voucherFlags.month, key.month),
      ),
    )
    .orderBy(asc(voucherFlags.id));
  return {
    ...key,
    revision: period.revision,
    status: period.status,
    reason: period.reason,
    voucherCount: counts?.vouchers ?? 0,
    lineCount: counts?.lines ?? 0,
    comments,
    flags,
  };
}
