// The review of a submitted month: a supervisor approves it or sends it back, the committee answers its red flags in
// writing. The rules (only a submitted month, an approval counts for the content it saw, every flag answered before
// publication) are the ledger's (`@mingbai/db/ledger/approvals`); this service checks who may, and reads the state.
import { and, asc, desc, eq } from 'drizzle-orm';
import type { Db } from '@mingbai/db/client';
import { latestRevision, type PeriodKey } from '@mingbai/db/ledger/periods';
import {
  answerFlag as answerInLedger,
  contentMark,
  reviewBlockers,
  reviewMonth,
  reviewState,
  type ReviewState,
} from '@mingbai/db/ledger/approvals';
import { periodReviews } from '@mingbai/db/schema/supervision';
import { villageForAction, type Actor } from '../auth/village-access.ts';
import { apiError, badInput } from '../errors.ts';
import { checkMonth } from '../month.ts';

export interface MonthRef {
  villageSlug: string;
  year: number;
  month: number;
}

const NOTE_MAX = 2000;

async function monthKeyFor(actor: Actor, ref: MonthRef, action: 'approve' | 'answer'): Promise<PeriodKey> {
  checkMonth(ref.year, ref.month);
  const village = await villageForAction(actor, ref.villageSlug, action);
  return { villageId: village.id, year: ref.year, month: ref.month };
}

/** A supervisor assigned to the village (its own or cross-assigned) approves the submitted month's current content. */
export async function approveMonth(db: Db, actor: Actor, ref: MonthRef & { note?: string | null }): Promise<void> {
  const key = await monthKeyFor(actor, ref, 'approve');
  const note = (ref.note ?? '').trim();
  if (note.length > NOTE_MAX) throw badInput(`审核意见不能超过 ${NOTE_MAX} 个字`, 'note');
  await db.transaction((tx) => reviewMonth(tx, { ...key, actor: actor.viewer!.username, decision: 'approved', note }));
}

/** A supervisor sends the submitted month back to the committee with reasons; it reopens for changes. */
export async function returnMonth(db: Db, actor: Actor, ref: MonthRef & { reason: string }): Promise<void> {
  const key = await monthKeyFor(actor, ref, 'approve');
  const reason = ref.reason.trim();
  if (reason.length === 0) throw badInput('退回须写明理由', 'reason');
  if (reason.length > NOTE_MAX) throw badInput(`退回理由不能超过 ${NOTE_MAX} 个字`, 'reason');
  await db.transaction((tx) =>
    reviewMonth(tx, { ...key, actor: actor.viewer!.username, decision: 'returned', note: reason }),
  );
}

const FLAG_KEY = /^([A-Z][A-Z_]{2,39}:([0-9]+|month)|supervisor:[0-9]+)$/;

/** The committee answers one red flag of the month in writing (again: the answer is replaced until publication). */
export async function answerFlag(
  db: Db,
  actor: Actor,
  ref: MonthRef & { flagKey: string; body: string },
): Promise<void> {
  const key = await monthKeyFor(actor, ref, 'answer');
  const body = ref.body.trim();
  if (body.length === 0 || body.length > NOTE_MAX) throw badInput(`答复应为 1 到 ${NOTE_MAX} 个字`, 'body');
  if (!FLAG_KEY.test(ref.flagKey)) {
    throw apiError('FLAG_NOT_FOUND', `${ref.year}年${ref.month}月现在没有疑点 ${ref.flagKey}`, {
      flagKey: ref.flagKey,
    });
  }
  await db.transaction((tx) =>
    answerInLedger(tx, { ...key, actor: actor.viewer!.username, flagKey: ref.flagKey, body }),
  );
}

export interface ReviewData {
  revision: number;
  status: 'open' | 'submitted' | 'published';
  approval: { by: string; at: Date; note: string } | null;
  /** The ledger's review state of the current revision: what publishing checks (`REVIEW_REQUIRED`). */
  state: ReviewState;
  reviews: {
    decision: string;
    note: string;
    reviewer: string;
    createdAt: Date;
    revision: number;
    current: boolean;
  }[];
}

/**
 * Where the month's review stands: its current approval (null when none or when an upload came after it), every
 * decision on any of its revisions, newest first, and the flags still without an answer. The caller has checked
 * that the actor may read the month (`committeeMonth`).
 */
export async function reviewOf(db: Db, key: PeriodKey): Promise<ReviewData | undefined> {
  const latest = await latestRevision(db, key);
  if (!latest) return undefined;
  const current = { ...key, revision: latest.revision };
  const state = await reviewState(db, current);
  const mark = latest.status === 'published' ? null : await contentMark(db, current);
  const rows = await db
    .select()
    .from(periodReviews)
    .where(
      and(
        eq(periodReviews.villageId, key.villageId),
        eq(periodReviews.year, key.year),
        eq(periodReviews.month, key.month),
      ),
    )
    .orderBy(desc(periodReviews.createdAt), asc(periodReviews.id));
  return {
    revision: latest.revision,
    status: latest.status,
    approval: state.stale ? null : state.approval,
    state,
    reviews: rows.map((r) => ({
      decision: r.decision.toUpperCase(),
      note: r.note,
      reviewer: r.reviewer,
      createdAt: r.createdAt,
      revision: r.revision,
      current: r.revision === latest.revision && (mark === null || r.contentMark === mark),
    })),
  };
}

/**
 * What still stands between the month and its publication, in words for the committee; empty when publishable. The
 * review's part is the ledger's own list (`reviewBlockers`), the very words `publishMonth` refuses with.
 */
export function blockersOf(review: ReviewData): string[] {
  if (review.status === 'published') return ['本月已公开'];
  return [...(review.status === 'open' ? ['尚未提交审核'] : []), ...reviewBlockers(review.state)];
}
