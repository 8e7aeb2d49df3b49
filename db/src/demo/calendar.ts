/** The demo's months and the days vouchers fall on. */

export interface YearMonth {
  year: number;
  month: number;
}

/** The books start on this system with 2023-11 (still on the 2004 chart) and run to 2026-10. */
export const DEMO_FIRST_MONTH: YearMonth = { year: 2023, month: 11 };
export const DEMO_LAST_MONTH: YearMonth = { year: 2026, month: 10 };

export function demoMonths(from: YearMonth = DEMO_FIRST_MONTH, to: YearMonth = DEMO_LAST_MONTH): YearMonth[] {
  const out: YearMonth[] = [];
  for (let { year, month } = from; year < to.year || (year === to.year && month <= to.month);) {
    out.push({ year, month });
    month++;
    if (month > 12) {
      month = 1;
      year++;
    }
  }
  return out;
}

export function ymLabel({ year, month }: YearMonth): string {
  return `${year}-${String(month).padStart(2, '0')}`;
}

export function previousYm({ year, month }: YearMonth): YearMonth {
  return month === 1 ? { year: year - 1, month: 12 } : { year, month: month - 1 };
}

export function daysIn({ year, month }: YearMonth): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 0 = Sunday … 6 = Saturday */
function weekday(ym: YearMonth, day: number): number {
  return new Date(Date.UTC(ym.year, ym.month - 1, day)).getUTCDay();
}

/** The nearest working day inside the month (the accountant does not post on weekends). */
export function workday(ym: YearMonth, day: number): number {
  const last = daysIn(ym);
  let d = Math.min(Math.max(day, 1), last);
  const wd = weekday(ym, d);
  if (wd === 6) d = d > 1 ? d - 1 : d + 2;
  else if (wd === 0) d = d < last ? d + 1 : d - 2;
  return d;
}

export function isoDate(ym: YearMonth, day: number): string {
  return `${ymLabel(ym)}-${String(day).padStart(2, '0')}`;
}

/** 1–4 */
export function quarterOf(month: number): number {
  return Math.floor((month - 1) / 3) + 1;
}

export const QUARTER_NAMES = ['第一季度', '第二季度', '第三季度', '第四季度'] as const;

/** 春节 falls in these months, when villages visit 困难群众 (2024-02-10, 2025-01-29, 2026-02-17). */
export const SPRING_FESTIVAL: readonly YearMonth[] = [
  { year: 2024, month: 2 },
  { year: 2025, month: 1 },
  { year: 2026, month: 2 },
];
