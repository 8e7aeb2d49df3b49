import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { queryRows } from '@mingbai/db/client';
import { changeReviewStatus, latestRevision, openPeriod, preparersOf, STATUS_LABELS } from '@mingbai/db/ledger/periods';
import { publishPeriod } from '@mingbai/db/ledger/publish';
import { appendAudit } from '@mingbai/db/ledger/audit';
import { periodComments, voucherFlags } from '@mingbai/db/schema/review';
import { periods } from '@mingbai/db/schema/ledger';
import type { VillageAction } from '../auth/viewer.ts';
import { villageForAction } from '../auth/village-access.ts';
import type { Context } from '../graphql/context.ts';
import { apiError, badInput } from '../errors.ts';
import { warmAfterPublish } from '../opendata/fragments.ts';
import { checkMonth } from '../month.ts';

export interface MonthRef {
  villageSlug: string;
  year: number;
  month: number;
}

export function submitMonth(ctx: Context, ref: MonthRef): Promise<void> {
  return moveForReview(ctx, ref, 'submit', 'submitted');
}

export function withdrawMonth(ctx: Context, ref: MonthRef): Promise<void> {
  return moveForReview(ctx, ref, 'withdraw', 'open');
}

async function moveForReview(ctx: Context, ref: MonthRef, action: VillageAction, to: 'open' | 'submitted') {
  checkMonth(ref.year, ref.month);
  const village = await villageForAction(ctx, ref.villageSlug, action);
  await ctx.db.transaction((tx) =>
    changeReviewStatus(tx, {
      villageId: village.id,
      year: ref.year,
      month: ref.month,
      actor: ctx.viewer!.username,
      to,
    }),
  );
}

/**
 * Publishes a submitted month. Whoever prepared its current content (`preparersOf`: the uploaders since the last
 * replacing upload, or the opener of a correction nobody uploaded into) cannot also publish it: publication always
 * takes two people, a first publication and a correction alike.
 */
export async function publishMonth(ctx: Context, ref: MonthRef): Promise<{ revision: number; digest: string }> {
  checkMonth(ref.year, ref.month);
  const village = await villageForAction(ctx, ref.villageSlug, 'publish');
  const actor = ctx.viewer!.username;
  const published = await ctx.db.transaction(async (tx) => {
    const key = { villageId: village.id, year: ref.year, month: ref.month };
    const latest = await latestRevision(tx, key);
    if (latest?.status !== 'submitted') {
      throw apiError(
        'PERIOD_NOT_SUBMITTED',
        `${ref.year}年${ref.month}月${latest ? STATUS_LABELS[latest.status] : '尚未开账'}，只有提交审核后的月份才能公开`,
      );
    }
    const preparers = await preparersOf(tx, { ...key, revision: latest.revision });
    if (preparers.includes(actor)) {
      throw apiError(
        'UPLOADER_CANNOT_PUBLISH',
        latest.revision > 1
          ? '本月更正的现有内容是您准备的（上传或开启更正），须由另一位负责人公开'
          : '本月账目是您上传的，须由另一位负责人公开',
        { revision: latest.revision },
      );
    }
    return publishPeriod(tx, { ...key, actor });
  });
  // After the commit, off the request's path: the month's open-data fragments, so national files need not wait.
  warmAfterPublish(ctx.db, village.id, ref.year, ref.month);
  return published;
}

export async function reviseMonth(ctx: Context, ref: MonthRef & { reason: string }): Promise<{ revision: number }> {
  checkMonth(ref.year, ref.month);
  const village = await villageForAction(ctx, ref.villageSlug, 'revise');
  const reason = ref.reason.trim();
  if (reason.length > 1000) throw badInput('更正原因不能超过 1000 个字', 'reason');
  return ctx.db.transaction(async (tx) => {
    const latest = await latestRevision(tx, { villageId: village.id, year: ref.year, month: ref.month });
    if (latest?.status !== 'published') {
      throw apiError('PERIOD_NOT_OPEN', `${ref.year}年${ref.month}月尚未公开，直接修改即可，无需更正`);
    }
    return openPeriod(tx, {
      villageId: village.id,
      year: ref.year,
      month: ref.month,
      actor: ctx.viewer!.username,
      reason,
    });
  });
}

async function reviewableRevision(ctx: Context, villageId: number, ref: MonthRef): Promise<number> {
  const latest = await latestRevision(ctx.db, { villageId, year: ref.year, month: ref.month });
  if (!latest) throw apiError('NOT_FOUND', `${ref.year}年${ref.month}月尚未开账`);
  return latest.revision;
}

export async function commentOnMonth(ctx: Context, ref: MonthRef & { body: string }): Promise<void> {
  checkMonth(ref.year, ref.month);
  const village = await villageForAction(ctx, ref.villageSlug, 'comment');
  const body = ref.body.trim();
  if (body.length === 0 || body.length > 2000) throw badInput('评论应为 1 到 2000 个字', 'body');
  const revision = await reviewableRevision(ctx, village.id, ref);
  await ctx.db.transaction(async (tx) => {
    await tx.insert(periodComments).values({
      villageId: village.id,
      year: ref.year,
      month: ref.month,
      revision,
      author: ctx.viewer!.username,
      body,
    });
    await appendAudit(tx, {
      villageId: village.id,
      actor: ctx.viewer!.username,
      action: 'period.comment',
      entity: 'period',
      entityKey: `${ref.year}-${ref.month}#${revision}`,
      details: { body },
    });
  });
}

export async function flagVoucher(ctx: Context, ref: MonthRef & { number: number; reason: string }): Promise<void> {
  checkMonth(ref.year, ref.month);
  const village = await villageForAction(ctx, ref.villageSlug, 'flag');
  const reason = ref.reason.trim();
  if (reason.length === 0 || reason.length > 2000) throw badInput('存疑理由应为 1 到 2000 个字', 'reason');
  const revision = await reviewableRevision(ctx, village.id, ref);
  const [exists] = await queryRows<{ n: number }>(
    ctx.db,
    sql`select 1 as n from vouchers where village_id = ${village.id} and year = ${ref.year} and month = ${ref.month}
          and revision = ${revision} and number = ${ref.number}`,
  );
  if (!exists) throw apiError('VOUCHER_NOT_FOUND', `${ref.year}年${ref.month}月没有第${ref.number}号凭证`);
  await ctx.db.transaction(async (tx) => {
    await tx.insert(voucherFlags).values({
      villageId: village.id,
      year: ref.year,
      month: ref.month,
      revision,
      voucherNumber: ref.number,
      author: ctx.viewer!.username,
      reason,
    });
    await appendAudit(tx, {
      villageId: village.id,
      actor: ctx.viewer!.username,
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
export async function committeeMonth(ctx: Context, ref: MonthRef): Promise<CommitteeMonthData | undefined> {
  checkMonth(ref.year, ref.month);
  const village = await villageForAction(ctx, ref.villageSlug, 'review');
  const key = { villageId: village.id, year: ref.year, month: ref.month };
  const [period] = await ctx.db
    .select({ revision: periods.revision, status: periods.status, reason: periods.reason })
    .from(periods)
    .where(and(eq(periods.villageId, key.villageId), eq(periods.year, key.year), eq(periods.month, key.month)))
    .orderBy(desc(periods.revision))
    .limit(1);
  if (!period) return undefined;
  const [counts] = await queryRows<{ vouchers: number; lines: number }>(
    ctx.db,
    sql`select count(distinct v.id)::int as vouchers, count(l.line_no)::int as lines
          from vouchers v left join voucher_lines l on l.village_id = v.village_id and l.voucher_id = v.id
         where v.village_id = ${key.villageId} and v.year = ${key.year} and v.month = ${key.month}
           and v.revision = ${period.revision}`,
  );
  const comments = await ctx.db
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
  const flags = await ctx.db
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
