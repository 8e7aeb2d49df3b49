import type { YearMonth } from '@mingbai/db/demo/calendar';
import { TIANJIN_DISTRICTS, type DistrictPlan } from './places.ts';

export interface Scale {
  name: string;
  districts: readonly DistrictPlan[];
  /** Share of a rural district's units that are 社区. */
  communityShare: number;
  months: { from: YearMonth; count: number };
  /** Villages that get one month of `lines` lines (惠农补贴 paid household by household). */
  bigMonths: { villages: number; lines: number };
}

/** 24 months inside the 2023 chart, so no chart change; two year ends (2025-01, 2026-01) are crossed. */
const MONTHS = { from: { year: 2024, month: 11 }, count: 24 };

const xiqing = TIANJIN_DISTRICTS.find((d) => d.slug === 'xiqing')!;

export const SCALES: Record<string, Scale> = {
  /** All of 天津: 16 districts, 252 towns, 5,409 villages and communities, ≈ 13 million lines. */
  tianjin: {
    name: 'tianjin',
    districts: TIANJIN_DISTRICTS,
    communityShare: 0.3,
    months: MONTHS,
    bigMonths: { villages: 3, lines: 50_000 },
  },
  /** One district, 西青区 with 301 units, for quick runs. */
  district: {
    name: 'district',
    districts: [xiqing],
    communityShare: 0.3,
    months: MONTHS,
    bigMonths: { villages: 1, lines: 50_000 },
  },
  /** Ten villages in two towns, one with a 50,000-line month: the test's smoke run. */
  tiny: {
    name: 'tiny',
    districts: [{ ...xiqing, towns: 2, villages: 10 }],
    communityShare: 0.3,
    months: MONTHS,
    bigMonths: { villages: 1, lines: 50_000 },
  },
};
