// The township admin's view of the review: every village of the region, month by month, with where each stands and
// which are overdue (not submitted by the Nth of the next month; submitted but not reviewed within N days), and the
// villagers' questions left unanswered past their due date.
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '@mingbai/db/client';
import { monthEndsAt } from '@mingbai/db/ledger/periods';
import { regionChain } from '@mingbai/db/ledger/red-flag-rules';
import { reviewState } from '@mingbai/db/ledger/approvals';
import { regionBySlug } from '../regions/region.service.ts';
import type { RegionRow } from '../regions/region.sql.ts';
import { requireViewer, type Actor } from '../auth/village-access.ts';
import { mayActOnRegion } from '../auth/viewer.ts';
import { readReviewDeadlines, type ReviewDeadlines } from '../config.ts';
import { apiError } from '../errors.ts';
import { rowValues } from '../sql-helpers.ts';
import { toVillage, underRegion, type VillageDbRow, type VillageRow } from '../villages/village.sql.ts';
import { overdueQuestions } from '../questions/question.service.ts';
import type { QuestionRow } from '../questions/question.sql.ts';
import { evaluateNow, loadRevisionFlags } from './red-flag.loader.ts';

export type TownReviewState =
  'NOT_SUBMITTED' | 'OVERDUE_SUBMISSION' | 'WAITING' | 'OVERDUE_REVIEW' | 'RETURNED' | 'APPROVED' | 'PUBLISHED';

export interface TownReviewMonthData {
  village: VillageRow;
  year: number;
  month: number;
  state: TownReviewState;
  submittedAt: Date | null;
  reviewedAt: Date | null;
  redFlagCount: number;
}

interface MonthDbRow {
  village_id: number;
  year: number;
  month: number;
  revision: number;
  status: 'open' | 'submitted' | 'published';
  submitted_at: string | Date | null;
  decision: 'approved' | 'returned' | null;
  reviewed_at: string | Date | null;
}

let deadlines: ReviewDeadlines | undefined;
const configured = () => (deadlines ??= readReviewDeadlines());

const DAY_MS = 24 * 60 * 60 * 1000;

/** The instant a month's submission becomes overdue: the end of day N of the next month, Beijing time. */
export function submissionDueAt(year: number, month: number, submitByDay: number): Date {
  return new Date(monthEndsAt(year, month).getTime() + submitByDay * DAY_MS);
}

/** The `count` months that have ended by `now` (Beijing time), newest first. */
export function endedMonths(now: Date, count: number): { year: number; month: number }[] {
  const beijing = new Date(now.getTime() + 8 * 60 * 60 * 1000);
  let year = beijing.getUTCFullYear();
  let month = beijing.getUTCMonth() + 1;
  const out: { year: number; month: number }[] = [];
  for (let i = 0; i < count; i++) {
    [year, month] = month === 1 ? [year - 1, 12] : [year, month - 1];
    out.push({ year, month });
  }
  return out;
}

/**
 * Every village under the region and each of its last ended months (`MINGBAI_TOWN_REVIEW_MONTHS`, 12): not submitted
 * (overdue after day `MINGBAI_SUBMIT_BY_DAY` of the next month), waiting for review (overdue after
 * `MINGBAI_REVIEW_WITHIN_DAYS`), sent back, approved, published. For a township admin of the region or above.
 */
export async function townReview(
  db: Db,
  actor: Actor,
  slug: string,
  settings: ReviewDeadlines = configured(),
  now: Date = new Date(),
): Promise<{ region: RegionRow; months: TownReviewMonthData[]; overdueQuestions: QuestionRow[] }> {
  const viewer = requireViewer(actor);
  const region = await regionBySlug(db, slug);
  if (!region) throw apiError('NOT_FOUND', `没有网址名为“${slug}”的区或镇`);
  const chain = await regionChain(db, region.id);
  const allowed = mayActOnRegion(
    viewer,
    'town_review',
    chain.map((r) => r.id),
  );
  if (!allowed) throw apiError('FORBIDDEN', `您在${region.name}没有查看审核进度的权限`, { action: 'town_review' });

  const months = endedMonths(now, settings.months);
  const villageRows = await queryRows<VillageDbRow>(
    db,
    sql`select v.id, v.town_id, v.kind, v.code, v.slug, v.name from villages v join regions t on t.id = v.town_id
          left join regions d on d.id = t.parent_id
         where ${underRegion(region.id)} order by v.code`,
  );
  const villages = villageRows.map(toVillage);
  if (villages.length === 0) return { region, months: [], overdueQuestions: [] };
  const rows = await queryRows<MonthDbRow>(
    db,
    sql`select distinct on (p.village_id, p.year, p.month)
               p.village_id, p.year, p.month, p.revision, p.status, p.submitted_at, r.decision, r.created_at as reviewed_at
          from periods p
          left join lateral (
            select r.decision, r.created_at from period_reviews r
             where r.village_id = p.village_id and r.year = p.year and r.month = p.month and r.revision = p.revision
             order by r.id desc limit 1
          ) r on true
         where p.village_id in (${rowValues(villages.map((v) => [v.id]))})
           and (p.year, p.month) in (${rowValues(months.map((m) => [m.year, m.month]))})
         order by p.village_id, p.year, p.month, p.revision desc`,
  );
  const byMonth = new Map(rows.map((r) => [`${r.village_id}:${r.year}:${r.month}`, r]));
  const keys = rows.map((r) => ({ villageId: r.village_id, year: r.year, month: r.month, revision: r.revision }));
  const flags = keys.length > 0 ? await loadRevisionFlags(db, keys, evaluateNow(db)) : [];
  const flagCount = new Map(keys.map((k, i) => [`${k.villageId}:${k.year}:${k.month}`, flags[i]!.flags.length]));

  const out: TownReviewMonthData[] = [];
  for (const village of villages) {
    for (const m of months) {
      const id = `${village.id}:${m.year}:${m.month}`;
      const row = byMonth.get(id);
      const submittedAt = row?.submitted_at ? new Date(row.submitted_at) : null;
      const reviewedAt = row?.reviewed_at ? new Date(row.reviewed_at) : null;
      out.push({
        village,
        ...m,
        state: await stateOf(db, village.id, m, row, submittedAt, settings, now),
        submittedAt,
        reviewedAt,
        redFlagCount: flagCount.get(id) ?? 0,
      });
    }
  }
  return {
    region,
    months: out,
    overdueQuestions: await overdueQuestions(
      db,
      villages.map((v) => v.id),
      now,
    ),
  };
}

async function stateOf(
  db: Db,
  villageId: number,
  m: { year: number; month: number },
  row: MonthDbRow | undefined,
  submittedAt: Date | null,
  settings: ReviewDeadlines,
  now: Date,
): Promise<TownReviewState> {
  if (row?.status === 'published') return 'PUBLISHED';
  if (row?.status === 'submitted') {
    if (row.decision === 'approved') {
      const state = await reviewState(db, { villageId, year: m.year, month: m.month, revision: row.revision });
      if (state.approval && !state.stale) return 'APPROVED';
    }
    const due = submittedAt!.getTime() + settings.reviewWithinDays * DAY_MS;
    return now.getTime() >= due ? 'OVERDUE_REVIEW' : 'WAITING';
  }
  if (row?.decision === 'returned') return 'RETURNED';
  // A correction of a published month has no submission deadline: the month was already published in time.
  if (row && row.revision > 1) return 'NOT_SUBMITTED';
  return now.getTime() >= submissionDueAt(m.year, m.month, settings.submitByDay).getTime()
    ? 'OVERDUE_SUBMISSION'
    : 'NOT_SUBMITTED';
}
