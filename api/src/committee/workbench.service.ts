// The committee's workbench: for each village the signed-in person acts on (as 报账员, 村主任/书记 or 监督员, on the
// village or over its town or district), the months not yet published, each with where it stands and what this person
// can do to it now: upload, submit, answer the red flags, review, publish. A township admin's view of the whole town is
// townReview (../review/); this one is the to-do list of the people who move a month forward.
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '@mingbai/db/client';
import { reviewBlockers, reviewState } from '@mingbai/db/ledger/approvals';
import { preparersOf } from '@mingbai/db/ledger/periods';
import type { UserRole } from '@mingbai/db/schema/users';
import { requireViewer, type Actor } from '../auth/village-access.ts';
import { rowValues } from '../sql-helpers.ts';
import { toVillage, type VillageDbRow, type VillageRow } from '../villages/village.sql.ts';

export type WorkbenchAction = 'upload' | 'submit' | 'answer' | 'review' | 'publish';
/** Where a month stands, for the committee: the words are in `WORKBENCH_STATE_LABELS`. */
export type WorkbenchState =
  | 'NOT_UPLOADED'
  | 'OPEN'
  | 'RETURNED'
  | 'CORRECTING'
  | 'WAITING_REVIEW'
  | 'CHANGED_AFTER_APPROVAL'
  | 'APPROVED_UNANSWERED'
  | 'READY_TO_PUBLISH';

export const WORKBENCH_STATE_LABELS: Record<WorkbenchState, string> = {
  NOT_UPLOADED: '尚未上传',
  OPEN: '正在录入',
  RETURNED: '监督员已退回，正在修改',
  CORRECTING: '更正中',
  WAITING_REVIEW: '已提交，等待监督员审核',
  CHANGED_AFTER_APPROVAL: '审核通过后账目有改动，须重新审核',
  APPROVED_UNANSWERED: '审核通过，还有红旗未答复',
  READY_TO_PUBLISH: '审核通过，可以公开',
};

export const ROLE_LABELS: Record<UserRole, string> = {
  accountant: '报账员',
  director: '村主任/书记',
  supervisor: '监督员',
  township_admin: '镇街管理员',
};

/** The roles that move a village's month forward (a township admin watches from townReview). */
const ACTING_ROLES: readonly UserRole[] = ['accountant', 'director', 'supervisor'];
const COMMITTEE: readonly UserRole[] = ['accountant', 'director'];
/** Months without any upload are listed back to at most this many before the last ended month. */
const MISSING_MONTHS_BACK = 12;

export interface WorkbenchMonthData {
  year: number;
  month: number;
  /** null: nothing uploaded yet. */
  revision: number | null;
  status: 'none' | 'open' | 'submitted';
  state: WorkbenchState;
  vouchers: number;
  redFlags: number;
  unanswered: number;
  /** What this person can do to the month now, in the order they would do it. */
  actions: WorkbenchAction[];
  /** What else the month waits for (someone else's step), in words; empty when nothing. */
  waitingFor: string[];
}

export interface WorkbenchVillageData {
  village: VillageRow;
  roles: UserRole[];
  /** The month to open first: the earliest not yet published (they are published in order), else the last ended. */
  openMonth: { year: number; month: number };
  months: WorkbenchMonthData[];
}

interface PeriodDbRow {
  village_id: number;
  year: number;
  month: number;
  revision: number;
  status: 'open' | 'submitted' | 'published';
  vouchers: number;
  returned: boolean;
}

/** The last month that has ended at `now`: the month before the running one in Beijing (China's one time zone). */
export function lastEndedMonth(now: Date): { year: number; month: number } {
  const beijing = new Date(now.getTime() + 8 * 60 * 60 * 1000);
  const [year, month] = [beijing.getUTCFullYear(), beijing.getUTCMonth() + 1];
  return month === 1 ? { year: year - 1, month: 12 } : { year, month: month - 1 };
}

const index = (m: { year: number; month: number }) => m.year * 12 + m.month - 1;
const fromIndex = (i: number) => ({ year: Math.floor(i / 12), month: (i % 12) + 1 });

/** Every village the viewer acts on, with its months waiting for anyone and what the viewer can do to each. */
export async function workbench(db: Db, actor: Actor, now: Date = new Date()): Promise<WorkbenchVillageData[]> {
  const viewer = requireViewer(actor);
  const acting = viewer.roles.filter((r) => ACTING_ROLES.includes(r.role));
  const villageIds = [...new Set(acting.flatMap((r) => (r.villageId === null ? [] : [r.villageId])))];
  const regionIds = [...new Set(acting.flatMap((r) => (r.regionId === null ? [] : [r.regionId])))];
  if (villageIds.length === 0 && regionIds.length === 0) return [];
  const where = [
    ...(villageIds.length > 0
      ? [
          sql`v.id in (${sql.join(
            villageIds.map((id) => sql`${id}`),
            sql`, `,
          )})`,
        ]
      : []),
    ...regionIds.map((id) => sql`(t.id = ${id} or d.id = ${id} or d.parent_id = ${id})`),
  ];
  const villageRows = await queryRows<VillageDbRow & { district_id: number | null; city_id: number | null }>(
    db,
    sql`select v.id, v.town_id, v.kind, v.code, v.slug, v.name, d.id as district_id, d.parent_id as city_id
          from villages v join regions t on t.id = v.town_id left join regions d on d.id = t.parent_id
         where ${sql.join(where, sql` or `)} order by v.code limit 500`,
  );
  if (villageRows.length === 0) return [];
  const ids = villageRows.map((v) => v.id);
  // The newest revision of every month not published, and the newest month with any revision, per village.
  const periods = await queryRows<PeriodDbRow>(
    db,
    sql`select p.village_id, p.year, p.month, p.revision, p.status,
               (select count(*) from vouchers v where v.village_id = p.village_id and v.year = p.year
                   and v.month = p.month and v.revision = p.revision)::int as vouchers,
               coalesce((select r.decision = 'returned' from period_reviews r
                          where r.village_id = p.village_id and r.year = p.year and r.month = p.month
                            and r.revision = p.revision order by r.id desc limit 1), false) as returned
          from (select distinct on (village_id, year, month) village_id, year, month, revision, status from periods
                 where village_id in (${rowValues(ids.map((id) => [id]))})
                 order by village_id, year, month, revision desc) p
         where p.status <> 'published' order by p.village_id, p.year, p.month`,
  );
  const latestRows = await queryRows<{ village_id: number; year: number; month: number }>(
    db,
    sql`select distinct on (village_id) village_id, year, month from periods
         where village_id in (${rowValues(ids.map((id) => [id]))}) order by village_id, year desc, month desc`,
  );
  const latest = new Map(latestRows.map((r) => [r.village_id, index(r)]));
  const last = lastEndedMonth(now);

  const out: WorkbenchVillageData[] = [];
  for (const row of villageRows) {
    const village = toVillage(row);
    const above = [village.townId, row.district_id, row.city_id].filter((id): id is number => id !== null);
    const roles = ACTING_ROLES.filter((role) =>
      acting.some(
        (r) => r.role === role && (r.villageId === village.id || (r.regionId !== null && above.includes(r.regionId))),
      ),
    );
    const months: WorkbenchMonthData[] = [];
    for (const p of periods.filter((p) => p.village_id === village.id)) {
      months.push(await periodMonth(db, viewer.username, roles, p));
    }
    // Ended months after the newest month with any revision: nothing uploaded yet. A village with no month at all
    // starts with the last ended one.
    const after = latest.get(village.id);
    const first = after === undefined ? index(last) : Math.max(after + 1, index(last) - MISSING_MONTHS_BACK + 1);
    for (let i = first; i <= index(last); i++) months.push(missingMonth(fromIndex(i), roles));
    months.sort((a, b) => index(a) - index(b));
    const earliest = months[0];
    out.push({
      village,
      roles,
      openMonth: earliest ? { year: earliest.year, month: earliest.month } : last,
      months,
    });
  }
  return out;
}

function missingMonth(m: { year: number; month: number }, roles: UserRole[]): WorkbenchMonthData {
  const committee = roles.some((r) => COMMITTEE.includes(r));
  return {
    ...m,
    revision: null,
    status: 'none',
    state: 'NOT_UPLOADED',
    vouchers: 0,
    redFlags: 0,
    unanswered: 0,
    actions: committee ? ['upload'] : [],
    waitingFor: committee ? [] : ['村委会上传账目'],
  };
}

async function periodMonth(db: Db, username: string, roles: UserRole[], p: PeriodDbRow): Promise<WorkbenchMonthData> {
  const key = { villageId: p.village_id, year: p.year, month: p.month, revision: p.revision };
  const review = await reviewState(db, key);
  const committee = roles.some((r) => COMMITTEE.includes(r));
  const director = roles.includes('director');
  const supervisor = roles.includes('supervisor');
  const unanswered = review.unanswered.length;
  const approved = review.approval !== null && !review.stale;
  const actions: WorkbenchAction[] = [];
  const waitingFor: string[] = [];
  let state: WorkbenchState;
  if (p.status === 'open') {
    state = p.returned ? 'RETURNED' : p.revision > 1 ? 'CORRECTING' : p.vouchers === 0 ? 'NOT_UPLOADED' : 'OPEN';
    if (committee) {
      actions.push('upload');
      if (unanswered > 0) actions.push('answer');
      if (p.vouchers > 0) actions.push('submit');
    } else waitingFor.push(p.vouchers === 0 ? '村委会上传账目' : '村委会提交审核');
  } else {
    state =
      review.approval && review.stale
        ? 'CHANGED_AFTER_APPROVAL'
        : !approved
          ? 'WAITING_REVIEW'
          : unanswered > 0
            ? 'APPROVED_UNANSWERED'
            : 'READY_TO_PUBLISH';
    if (!approved) {
      if (supervisor) actions.push('review');
      else waitingFor.push('监督员审核');
    }
    if (unanswered > 0) {
      if (committee) actions.push('answer');
      else waitingFor.push(`村委会答复 ${unanswered} 面红旗`);
    }
    const blockers = reviewBlockers(review);
    if (blockers.length === 0) {
      // The two-person rule: whoever prepared what the month holds may not be the one who publishes it.
      const preparers = await preparersOf(db, key);
      if (director && !preparers.includes(username)) actions.push('publish');
      else waitingFor.push('上传人以外的村主任/书记公开');
    } else if (review.unconfirmedAttachments.length > 0) {
      if (supervisor) actions.push('review');
      else waitingFor.push('监督员确认附件遮盖');
    }
  }
  return {
    year: p.year,
    month: p.month,
    revision: p.revision,
    status: p.status === 'open' ? 'open' : 'submitted',
    state,
    vouchers: p.vouchers,
    redFlags: review.flags.length,
    unanswered,
    actions: [...new Set(actions)],
    waitingFor,
  };
}
