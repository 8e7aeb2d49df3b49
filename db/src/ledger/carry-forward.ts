import type { AccountClass, AccountStandard } from '../schema/accounts.ts';
import type { Fen } from './money.ts';

/**
 * First-level codes of the 2004 chart and the 2023 code their balance moves to on 2024-01-01 (新旧制度衔接).
 * Income and expense accounts are absent: they are closed at year end before the change.
 */
export const CHART_2004_TO_2023: Readonly<Record<string, string>> = {
  '101': '101', // 现金 → 库存现金
  '102': '102',
  '111': '111',
  '112': '112',
  '113': '113',
  '121': '121',
  '131': '131', // 牲畜(禽)资产 → 消耗性生物资产
  '132': '132', // 林木资产 → 生产性生物资产
  '141': '141',
  '151': '151',
  '152': '152',
  '153': '154', // 固定资产清理 moved from 153 to 154
  '154': '153', // 在建工程 moved from 154 to 153
  '201': '201',
  '202': '211', // 应付款
  '211': '212', // 应付工资
  '212': '211', // 应付福利费 no longer exists; its balance joins 应付款
  '221': '221',
  '231': '231',
  '241': '241',
  '301': '301',
  '311': '311',
  '321': '321',
  '322': '322',
  '401': '401',
};

/** Where the year's result goes when the books close at year end: 收益分配 in both charts. */
const PROFIT_DISTRIBUTION = '322';
const YEAR_RESULT = '321';

export interface CarryForwardInput {
  closing: ReadonlyMap<string, Fen>;
  from: { year: number; standard: AccountStandard };
  to: { year: number; standard: AccountStandard };
  classOf: (standard: AccountStandard, topCode: string) => AccountClass | undefined;
}

/**
 * Opening balances of a month from the closing balances of the month before. In January the income and expense
 * accounts and 本年收益 are closed into 收益分配 (the year-end closing villages post by hand); when the chart changes
 * (2023-12 → 2024-01) each balance moves to its new code, keeping the sub-account suffix.
 */
export function carryForward({ closing, from, to, classOf }: CarryForwardInput): Map<string, Fen> {
  const opening = new Map<string, Fen>();
  const add = (code: string, amount: Fen) => {
    if (amount !== 0n) opening.set(code, (opening.get(code) ?? 0n) + amount);
  };
  const newYear = to.year !== from.year;
  for (const [code, balance] of closing) {
    const top = code.slice(0, 3);
    const cls = classOf(from.standard, top);
    const closesAtYearEnd = cls === 'income' || cls === 'expense' || top === YEAR_RESULT;
    if (newYear && closesAtYearEnd) {
      add(PROFIT_DISTRIBUTION, balance);
      continue;
    }
    add(mapCode(code, from.standard, to.standard), balance);
  }
  for (const [code, amount] of opening) if (amount === 0n) opening.delete(code);
  return opening;
}

export function mapCode(code: string, from: AccountStandard, to: AccountStandard): string {
  if (from === to) return code;
  if (from === '2004' && to === '2023') {
    const top = CHART_2004_TO_2023[code.slice(0, 3)];
    if (!top) throw new Error(`2004 account ${code} has no 2023 counterpart to carry its balance to`);
    return top + code.slice(3);
  }
  throw new Error(`no carry-forward from chart ${from} to ${to}`);
}
