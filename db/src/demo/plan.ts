/**
 * A village's whole demo ledger, computed in memory before anything is written: opening balances for 2023-11,
 * 36 months of vouchers, and (for 付村) the correction published later as revision 2 of 2025-08.
 * Pure and deterministic, so tests can check the data without a database.
 */
import { yuan } from '../ledger/money.ts';
import type { VoucherInput } from '../ledger/voucher-input.ts';
import { DEMO_FIRST_MONTH } from './calendar.ts';
import { account, standardForDemoYear } from './chart.ts';
import { planMonth, type LedgerState, type MonthPlan, type PinnedVoucher } from './month.ts';
import type { DemoVillage } from './regions.ts';
import { buildCast, MONTHS, type VillageCast } from './village.ts';

/**
 * 付村 2025-08, voucher 12: 1,580.00 yuan of street-light parts were booked as 1,850.00 (digits swapped). Revision 1
 * is published with the wrong amount; revision 2 replaces the voucher and states why.
 */
export const DEMO_CORRECTION = {
  villageSlug: 'fucun',
  year: 2025,
  month: 8,
  number: 12,
  summary: '购买路灯维修配件',
  key: 'lighting',
  vendor: 'hardware',
  recordedFen: yuan(1_850),
  correctFen: yuan(1_580),
  reason: '第12号凭证金额录入错误：应为1,580.00元，误录为1,850.00元',
} as const satisfies Omit<PinnedVoucher, 'amountFen'> & Record<string, unknown>;

export interface OpeningBalance {
  accountCode: string;
  accountName?: string;
  balanceFen: bigint;
}

export interface VillageCorrection {
  year: number;
  month: number;
  number: number;
  reason: string;
  /** The voucher as it should have been: same number, date and text, the right amount. */
  voucher: VoucherInput;
}

export interface VillagePlan {
  village: DemoVillage;
  cast: VillageCast;
  /** 期初余额 of the first month, on the 2004 chart, debit-positive, summing to zero. */
  opening: OpeningBalance[];
  months: MonthPlan[];
  corrections: VillageCorrection[];
  /** 付村's current month, 2026-11: uploaded by the accountant, open, not public, for the committee pages. */
  draft: MonthPlan | undefined;
}

/** The village whose committee has a month in progress, and who uploaded it. */
export const DEMO_DRAFT = { villageSlug: 'fucun', year: 2026, month: 11, uploadedBy: 'fucun-kuaiji' } as const;

export function openingBalances(cast: VillageCast): OpeningBalance[] {
  const standard = standardForDemoYear(DEMO_FIRST_MONTH.year);
  const o = cast.opening;
  const entry = (key: Parameters<typeof account>[1], balanceFen: bigint): OpeningBalance => ({
    ...account(standard, key),
    balanceFen,
  });
  const assets = o.cashFen + o.bankFen + o.fixedAssetsFen - o.depreciationFen;
  const rows = [
    entry('cash', o.cashFen),
    entry('bank', o.bankFen),
    entry('fixedAssets', o.fixedAssetsFen),
    entry('depreciation', -o.depreciationFen),
    entry('depositsPayable', -o.depositsFen),
    entry('reserve', -o.reserveFen),
    entry('capital', -(assets - o.depositsFen - o.reserveFen)),
  ];
  return rows.filter((r) => r.balanceFen !== 0n);
}

export function planVillage(village: DemoVillage): VillagePlan {
  const cast = buildCast(village);
  const state: LedgerState = { cashFen: cast.opening.cashFen, bankFen: cast.opening.bankFen };
  const c = DEMO_CORRECTION;
  const months: MonthPlan[] = [];
  const corrections: VillageCorrection[] = [];
  MONTHS.forEach((ym, index) => {
    const corrected = village.slug === c.villageSlug && ym.year === c.year && ym.month === c.month;
    const pinned: PinnedVoucher | undefined = corrected
      ? { number: c.number, summary: c.summary, key: c.key, vendor: c.vendor, amountFen: c.recordedFen }
      : undefined;
    const plan = planMonth(cast, ym, index, state, pinned);
    months.push(plan);
    if (corrected) {
      const wrong = plan.vouchers[c.number - 1]!;
      corrections.push({
        year: c.year,
        month: c.month,
        number: c.number,
        reason: c.reason,
        voucher: { ...wrong, lines: wrong.lines.map((l) => ({ ...l, amountFen: c.correctFen })) },
      });
    }
  });
  const draft =
    village.slug === DEMO_DRAFT.villageSlug
      ? planMonth(cast, { year: DEMO_DRAFT.year, month: DEMO_DRAFT.month }, MONTHS.length, state)
      : undefined;
  return { village, cast, opening: openingBalances(cast), months, corrections, draft };
}
