/**
 * The accounts the demo villages use, by purpose, in both national charts. Months before 2024 keep the 2004 chart
 * (财会〔2004〕12号), where the same codes mean other things: 502 经营支出, 511 发包及上交收入, 522 补助收入,
 * 541 管理费用, 551 其他支出, 202 应付款, 211 应付工资, and there is no 公益支出 (villages booked it under 其他支出).
 * Balance-sheet sub-accounts keep their two-digit suffix across the change (20201 → 21101), as the carry-forward does.
 */
import type { AccountStandard } from '../schema/accounts.ts';

export type AccountKey =
  | 'cash'
  | 'bank'
  | 'fixedAssets'
  | 'depreciation'
  | 'dibaoPayable'
  | 'depositsPayable'
  | 'wagesPayable'
  | 'capital'
  | 'reserve'
  | 'contractIncome'
  | 'rentIncome'
  | 'operatingSubsidy'
  | 'specialSubsidy'
  | 'interestIncome'
  | 'office'
  | 'utilities'
  | 'cadrePay'
  | 'telecom'
  | 'allowance'
  | 'hospitality'
  | 'rentalRepair'
  | 'roads'
  | 'lighting'
  | 'sanitation'
  | 'elderly'
  | 'greening'
  | 'relief'
  | 'activities'
  | 'bankFees';

/** [code, name]; the name only for sub-accounts (first-level names come from the national chart). */
type Entry = readonly [code: string, name?: string];

const CHART: Record<AccountKey, Record<AccountStandard, Entry>> = {
  cash: { '2004': ['101'], '2023': ['101'] },
  bank: { '2004': ['10201', '农商银行'], '2023': ['10201', '农商银行'] },
  fixedAssets: { '2004': ['151'], '2023': ['151'] },
  depreciation: { '2004': ['152'], '2023': ['152'] },
  dibaoPayable: { '2004': ['20201', '代收代付低保金'], '2023': ['21101', '代收代付低保金'] },
  depositsPayable: { '2004': ['20202', '押金'], '2023': ['21102', '押金'] },
  wagesPayable: { '2004': ['211'], '2023': ['212'] },
  capital: { '2004': ['301'], '2023': ['301'] },
  reserve: { '2004': ['311'], '2023': ['311'] },

  contractIncome: { '2004': ['51101', '发包收入'], '2023': ['50101', '发包收入'] },
  rentIncome: { '2004': ['50101', '房屋租赁收入'], '2023': ['50102', '房屋租赁收入'] },
  operatingSubsidy: { '2004': ['52201', '运转经费补助'], '2023': ['50301', '运转经费补助'] },
  specialSubsidy: { '2004': ['52202', '专项补助'], '2023': ['50302', '专项补助'] },
  interestIncome: { '2004': ['53101', '利息收入'], '2023': ['50401', '利息收入'] },

  office: { '2004': ['54101', '办公费'], '2023': ['51301', '办公费'] },
  utilities: { '2004': ['54102', '水电费'], '2023': ['51302', '水电费'] },
  cadrePay: { '2004': ['54103', '干部报酬'], '2023': ['51303', '干部报酬'] },
  telecom: { '2004': ['54104', '通讯费'], '2023': ['51304', '通讯费'] },
  allowance: { '2004': ['54105', '误工补贴'], '2023': ['51305', '误工补贴'] },
  hospitality: { '2004': ['54106', '招待费'], '2023': ['51306', '招待费'] },
  rentalRepair: { '2004': ['50201', '出租房屋维修'], '2023': ['51101', '出租房屋维修'] },
  roads: { '2004': ['55101', '道路维修'], '2023': ['51401', '道路维修'] },
  lighting: { '2004': ['55102', '路灯照明'], '2023': ['51402', '路灯照明'] },
  sanitation: { '2004': ['55103', '环境卫生'], '2023': ['51403', '环境卫生'] },
  elderly: { '2004': ['55104', '老年人补贴'], '2023': ['51404', '老年人补贴'] },
  greening: { '2004': ['55105', '绿化'], '2023': ['51405', '绿化'] },
  relief: { '2004': ['55106', '困难群众慰问'], '2023': ['51406', '困难群众慰问'] },
  activities: { '2004': ['55107', '文体活动'], '2023': ['51407', '文体活动'] },
  bankFees: { '2004': ['55108', '银行手续费'], '2023': ['51501', '银行手续费'] },
};

export function standardForDemoYear(year: number): AccountStandard {
  return year < 2024 ? '2004' : '2023';
}

/** The code (and sub-account name) of a purpose in a chart, shaped for a LineInput or an opening balance. */
export function account(standard: AccountStandard, key: AccountKey): { accountCode: string; accountName?: string } {
  const [code, name] = CHART[key][standard];
  return name ? { accountCode: code, accountName: name } : { accountCode: code };
}
