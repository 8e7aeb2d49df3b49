// Income and spending of the demo villages computed from the demo plan (db/src/demo/plan.ts: the whole ledger in
// memory, no database) by the 2023 chart's plain rule, for tests of the comparisons to check the API and the portal
// against something they did not compute themselves. Years 2024 on only (the 2023 chart).
import { planVillage } from '@mingbai/db/demo/plan';
import { DEMO_VILLAGES } from '@mingbai/db/demo/regions';

const INCOME_2023 = ['501', '502', '503', '504'];
const EXPENSE_2023 = ['511', '512', '513', '514', '515', '521'];

export interface PlannedTotals {
  slug: string;
  name: string;
  code: string;
  months: number;
  income: bigint;
  spending: bigint;
  /** First-level code → income (credits) or spending (debits) of the accounts under it. */
  byAccount: Map<string, bigint>;
}

/** Each village of the towns (or districts) named, over a year or one month, with 付村's correction applied. */
export function plannedTotals(regionSlug: string, year: number, month?: number): PlannedTotals[] {
  if (year < 2024) throw new Error('plannedTotals knows the 2023 chart only (2024 on)');
  return DEMO_VILLAGES.filter((v) => v.town.slug === regionSlug || v.town.district.slug === regionSlug).map((v) => {
    const plan = planVillage(v);
    const byAccount = new Map<string, bigint>();
    let income = 0n;
    let spending = 0n;
    let months = 0;
    for (const m of plan.months) {
      if (m.year !== year || (month !== undefined && m.month !== month)) continue;
      months++;
      const fix = plan.corrections.find((c) => c.year === m.year && c.month === m.month);
      for (const voucher of m.vouchers) {
        const current = fix && fix.number === voucher.number ? fix.voucher : voucher;
        for (const line of current.lines) {
          const code = line.accountCode.slice(0, 3);
          const isSpending = EXPENSE_2023.includes(code) && line.side === 'debit';
          const isIncome = INCOME_2023.includes(code) && line.side === 'credit';
          if (!isSpending && !isIncome) continue;
          byAccount.set(code, (byAccount.get(code) ?? 0n) + line.amountFen);
          if (isSpending) spending += line.amountFen;
          else income += line.amountFen;
        }
      }
    }
    return { slug: v.slug, name: v.name, code: v.code, months, income, spending, byAccount };
  });
}

/** Standard competition ranking, largest first: 1, 2, 2, 4. */
export function ranksOf(amounts: bigint[]): number[] {
  return amounts.map((a) => 1 + amounts.filter((b) => b > a).length);
}

/** The median by hand; for an even count the two middle amounts' mean, half a fen rounded up (amounts ≥ 0 here). */
export function medianOf(amounts: bigint[]): bigint {
  const s = [...amounts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = Math.floor(s.length / 2);
  if (s.length % 2 === 1) return s[mid]!;
  const sum = s[mid - 1]! + s[mid]!;
  return sum % 2n === 0n ? sum / 2n : (sum + 1n) / 2n;
}
