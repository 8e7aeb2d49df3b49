/**
 * The vouchers of one village-month: wages, 低保, subsidies, rents and contract fees, bills, repairs, small cash
 * purchases. Every voucher balances; dates run in order with the voucher numbers; cash never goes below zero
 * (the accountant draws 备用金 from the bank first) nor piles up above the 5,000-yuan 库存现金限额.
 */
import { yuan } from '../ledger/money.ts';
import type { CounterpartyInput, LineInput, VoucherInput } from '../ledger/voucher-input.ts';
import type { AccountStandard } from '../schema/accounts.ts';
import {
  daysIn,
  isoDate,
  previousYm,
  QUARTER_NAMES,
  quarterOf,
  SPRING_FESTIVAL,
  workday,
  type YearMonth,
} from './calendar.ts';
import { account, standardForDemoYear, type AccountKey } from './chart.ts';
import { BANK, ELECTRICITY, WATER, type Vendors } from './organisations.ts';
import { ageOn } from './people.ts';
import { rngFor, type Rng } from './random.ts';
import { cadrePayYuan, dibaoAmountYuan, firmCounterparty, personCounterparty, type VillageCast } from './village.ts';

/** Money that moved through cash and bank so far, debit-positive fen. */
export interface LedgerState {
  cashFen: bigint;
  bankFen: bigint;
}

export interface MonthPlan extends YearMonth {
  index: number;
  standard: AccountStandard;
  vouchers: VoucherInput[];
}

/** A voucher that must land on a given number, e.g. the one the demo correction later fixes. */
export interface PinnedVoucher {
  number: number;
  summary: string;
  key: AccountKey;
  vendor: keyof Vendors;
  amountFen: bigint;
}

const CASH_LIMIT = yuan(5_000);
const CASH_FLOOR = yuan(300);
const BANK_FLOOR = yuan(50_000);

interface Draft {
  day: number;
  /** Same-day order: money in (0) before money out (1). */
  rank: number;
  seq: number;
  summary: string;
  attachments: number;
  lines: LineInput[];
  pin?: number | undefined;
  /** Cash received too late in the day to bank: no deposit follows it (CASH_ON_HAND). */
  keepCash?: boolean | undefined;
}

type Via = 'bank' | 'cash';

/** Money in or out through cash or the bank, against one other account. */
interface Movement {
  day: number;
  summary: string;
  /** The account on the other side: the expense paid, the income received. */
  key: AccountKey;
  amount: bigint;
  /** Default: the bank. */
  via?: Via;
  /** The payee of a payment, the payer of a receipt. */
  party?: CounterpartyInput | undefined;
  attachments?: number;
}

interface PaymentItem {
  counterparty: CounterpartyInput;
  amountFen: bigint;
  summary?: string | undefined;
}

class MonthBuilder {
  readonly drafts: Draft[] = [];
  readonly standard: AccountStandard;
  readonly prev: YearMonth;
  private seq = 0;

  constructor(
    readonly cast: VillageCast,
    readonly ym: YearMonth,
    readonly index: number,
    readonly rng: Rng,
  ) {
    this.standard = standardForDemoYear(ym.year);
    this.prev = previousYm(ym);
  }

  /** A working day near `day`. */
  wd(day: number): number {
    return workday(this.ym, day);
  }

  line(
    key: AccountKey,
    side: 'debit' | 'credit',
    amountFen: bigint,
    summary?: string,
    cp?: CounterpartyInput,
  ): LineInput {
    const l: LineInput = { ...account(this.standard, key), side, amountFen };
    if (summary) l.summary = summary;
    if (cp) l.counterparty = cp;
    if (key === 'cash') l.paymentMethod = 'cash';
    if (key === 'bank') l.paymentMethod = 'bank';
    return l;
  }

  add(day: number, summary: string, lines: LineInput[], attachments: number, rank = 1, pin?: number): void {
    this.drafts.push({
      day,
      rank,
      seq: this.seq++,
      summary,
      attachments: Math.max(0, Math.min(5, attachments)),
      lines,
      pin,
    });
  }

  /** Dr expense (or liability), Cr cash/bank. The payee sits on the debit line. */
  pay({ day, summary, key, amount, via = 'bank', party, attachments }: Movement): void {
    this.add(
      day,
      summary,
      [this.line(key, 'debit', amount, summary, party), this.line(via, 'credit', amount, summary)],
      attachments ?? this.rng.int(1, 3),
    );
  }

  /** The last draft added (to mark it). */
  last(): Draft {
    return this.drafts[this.drafts.length - 1]!;
  }

  /** Dr cash/bank, Cr income (or liability). The payer sits on the credit line. */
  receive({ day, summary, key, amount, via = 'bank', party, attachments }: Movement): void {
    this.add(
      day,
      summary,
      [this.line(via, 'debit', amount, summary), this.line(key, 'credit', amount, summary, party)],
      attachments ?? this.rng.int(1, 2),
      0,
    );
  }

  /** One voucher paying many people from the bank, one debit line each. */
  batch(day: number, summary: string, key: AccountKey, items: PaymentItem[], att: number, rank = 1) {
    if (items.length === 0) return;
    const total = items.reduce((s, i) => s + i.amountFen, 0n);
    this.add(
      day,
      summary,
      [
        ...items.map((i) => this.line(key, 'debit', i.amountFen, i.summary ?? summary, i.counterparty)),
        this.line('bank', 'credit', total, summary),
      ],
      att,
      rank,
    );
  }

  /** An amount around `baseYuan` × `factorPct`%, ±12 %, with odd cents (utility bills). */
  bill(baseYuan: number, factorPct: number): bigint {
    const pct = BigInt(this.rng.int(88, 112));
    return (BigInt(baseYuan) * 100n * BigInt(factorPct) * pct) / 10_000n + BigInt(this.rng.int(0, 99));
  }

  /** Whole yuan between min and max, rounded to `stepYuan`. */
  whole(minYuan: number, maxYuan: number, stepYuan = 1): bigint {
    return yuan(this.rng.int(Math.ceil(minYuan / stepYuan), Math.floor(maxYuan / stepYuan)) * stepYuan);
  }

  vendor(key: keyof Vendors): CounterpartyInput {
    return firmCounterparty(this.cast.vendors[key]);
  }
}

interface Purchase {
  what: string;
  key: AccountKey;
  vendor?: keyof Vendors | undefined;
  /** [min, max, step] in fen */
  fen: readonly [number, number, number];
  via: Via;
  /** Only villages with streets and fields to keep. */
  rural?: boolean;
  /** Only in these calendar months. */
  season?: readonly number[];
}

/** Everyday purchases that fill a month: small ones in cash, larger ones by bank transfer. */
const PURCHASES: readonly Purchase[] = [
  { via: 'cash', what: '购买签字笔、文件夹等办公用品', key: 'office', vendor: 'stationery', fen: [2_000, 18_000, 50] },
  { via: 'cash', what: '购买桶装饮用水', key: 'office', vendor: 'supermarket', fen: [6_000, 18_000, 1_500] },
  { via: 'cash', what: '支付文件快递费', key: 'office', fen: [1_200, 6_000, 100] },
  { via: 'cash', what: '购买打印纸', key: 'office', vendor: 'stationery', fen: [12_500, 62_500, 12_500] },
  { via: 'cash', what: '购买扫帚、铁锹等清扫工具', key: 'sanitation', vendor: 'hardware', fen: [8_000, 42_000, 50] },
  { via: 'cash', what: '购买垃圾袋', key: 'sanitation', vendor: 'supermarket', fen: [6_000, 26_000, 10] },
  { via: 'cash', what: '更换办公室门锁', key: 'office', vendor: 'hardware', fen: [8_000, 30_000, 500] },
  { via: 'cash', what: '购买会议用矿泉水', key: 'office', vendor: 'supermarket', fen: [4_000, 15_000, 10] },
  { via: 'cash', what: '购买消毒液、洗手液', key: 'sanitation', vendor: 'supermarket', fen: [5_000, 30_000, 10] },
  { via: 'cash', what: '复印、装订材料费', key: 'office', vendor: 'printing', fen: [1_500, 12_000, 50] },
  {
    via: 'cash',
    what: '购买路灯维修小配件',
    key: 'lighting',
    vendor: 'hardware',
    fen: [5_000, 38_000, 10],
    rural: true,
  },
  { via: 'cash', what: '购买电工胶布、插座等', key: 'office', vendor: 'hardware', fen: [3_000, 15_000, 10] },
  { via: 'cash', what: '卫生间维修材料费', key: 'office', vendor: 'hardware', fen: [6_000, 45_000, 10] },
  { via: 'cash', what: '购买茶叶、纸杯（代表会议用）', key: 'office', vendor: 'supermarket', fen: [3_000, 12_000, 10] },
  { via: 'cash', what: '购买灯泡、灯管', key: 'office', vendor: 'hardware', fen: [2_000, 9_000, 10] },
  { via: 'cash', what: '购买打印机墨盒', key: 'office', vendor: 'stationery', fen: [8_000, 26_000, 100] },
  { via: 'cash', what: '购买抹布、拖把', key: 'sanitation', vendor: 'supermarket', fen: [2_000, 9_000, 10] },
  { via: 'cash', what: '购买档案盒', key: 'office', vendor: 'stationery', fen: [3_000, 12_000, 50] },
  { via: 'cash', what: '制作宣传横幅', key: 'office', vendor: 'printing', fen: [6_000, 24_000, 1_000] },
  { via: 'cash', what: '购买电池、插排', key: 'office', vendor: 'supermarket', fen: [2_000, 8_000, 10] },
  { via: 'cash', what: '水管维修材料费', key: 'office', vendor: 'hardware', fen: [5_000, 20_000, 10] },
  { via: 'bank', what: '购买打印纸、硒鼓等办公用品', key: 'office', vendor: 'stationery', fen: [60_000, 380_000, 100] },
  { via: 'bank', what: '村务公开栏更新制作费', key: 'office', vendor: 'printing', fen: [120_000, 380_000, 1_000] },
  { via: 'bank', what: '党建宣传展板制作费', key: 'office', vendor: 'printing', fen: [80_000, 260_000, 1_000] },
  { via: 'bank', what: '维修办公室空调', key: 'office', vendor: 'appliances', fen: [38_000, 160_000, 1_000] },
  { via: 'bank', what: '购买灭火器及消防器材', key: 'office', vendor: 'hardware', fen: [40_000, 180_000, 100] },
  { via: 'bank', what: '购买办公桌椅', key: 'office', vendor: 'stationery', fen: [120_000, 480_000, 1_000] },
  { via: 'bank', what: '维修村委会大门', key: 'office', vendor: 'hardware', fen: [80_000, 350_000, 1_000] },
  { via: 'bank', what: '更换公示栏玻璃', key: 'office', vendor: 'printing', fen: [30_000, 120_000, 1_000] },
  { via: 'bank', what: '打印机维修费', key: 'office', vendor: 'appliances', fen: [20_000, 80_000, 1_000] },
  { via: 'bank', what: '下水道疏通费', key: 'sanitation', vendor: 'cleaning', fen: [50_000, 250_000, 1_000] },
  {
    via: 'bank',
    what: '排水沟清淤费',
    key: 'sanitation',
    vendor: 'cleaning',
    fen: [300_000, 1_200_000, 10_000],
    rural: true,
  },
  {
    via: 'bank',
    what: '购买防汛沙袋及雨具',
    key: 'roads',
    vendor: 'hardware',
    fen: [100_000, 400_000, 1_000],
    rural: true,
    season: [5, 6, 7],
  },
  {
    via: 'bank',
    what: '购买保洁用电动三轮车',
    key: 'sanitation',
    vendor: 'hardware',
    fen: [380_000, 680_000, 10_000],
    rural: true,
  },
];

/** Village words in a community's books: 村委会 → 社区, 村务 → 居务, 代表会议 stays. */
function localWords(text: string, community: boolean): string {
  return community ? text.replace('村委会', '社区').replace('村务', '居务') : text;
}

const ROAD_WORKS = [
  '村内道路坑槽修补',
  '维修主街破损路面',
  '修补村北生产路',
  '村内巷道硬化',
  '修复排水边沟及路肩',
  '维修村东桥头路面',
];
const LIGHT_WORKS = ['路灯线路检修', '维修路灯控制箱', '更换损坏路灯灯头'];

/**
 * Plans one month. `state` is the cash and bank balance at the start of the month and is advanced to its end.
 */
export function planMonth(
  cast: VillageCast,
  ym: YearMonth,
  index: number,
  state: LedgerState,
  pinned?: PinnedVoucher,
): MonthPlan {
  const b = new MonthBuilder(cast, ym, index, rngFor('month', cast.village.slug, ym.year, ym.month));
  const { rng } = b;
  const m = ym.month;
  const pm = b.prev.month;
  const rural = cast.profile.rural;
  const community = cast.village.kind === 'community';
  const quarterMonth = m === 1 || m === 4 || m === 7 || m === 10;
  const q = quarterOf(m);

  // Wages: accrue last month's 报酬, pay it a few days later, one line per cadre.
  {
    const day = b.wd(rng.int(3, 6));
    const who = community ? '社区工作者' : '村干部';
    const items = cast.cadres.map((c) => ({
      counterparty: personCounterparty(c.person),
      amountFen: yuan(cadrePayYuan(c, b.prev.year)),
    }));
    const total = items.reduce((s, i) => s + i.amountFen, 0n);
    const accrual = `计提${pm}月份${who}报酬`;
    b.add(
      day,
      accrual,
      [
        ...items.map((i) =>
          b.line('cadrePay', 'debit', i.amountFen, accrual, { name: i.counterparty.name, isPerson: true }),
        ),
        b.line('wagesPayable', 'credit', total, accrual),
      ],
      rng.int(0, 1),
      0,
    );
    const payDay = b.wd(day + rng.int(2, 5));
    const paySummary = `发放${pm}月份${who}报酬`;
    b.add(
      payDay,
      paySummary,
      [
        ...items.map((i) => b.line('wagesPayable', 'debit', i.amountFen, paySummary, i.counterparty)),
        b.line('bank', 'credit', total, paySummary),
      ],
      rng.int(2, 4),
    );
  }

  // 低保: the township sends the month's money, the village passes it on household by household.
  {
    const active = cast.dibao.filter((h) => h.from <= index && index < h.until);
    if (active.length > 0) {
      const day = b.wd(rng.int(3, 8));
      const amounts = active.map((h) => yuan(dibaoAmountYuan(h, ym.year, m)));
      const total = amounts.reduce((s, a) => s + a, 0n);
      b.receive({
        day,
        summary: `收到${cast.townGov}拨付${m}月份低保金`,
        key: 'dibaoPayable',
        amount: total,
        party: firmCounterparty(cast.townGov),
        attachments: 1,
      });
      const payDay = b.wd(Math.min(day + rng.int(1, 3), daysIn(ym)));
      active.forEach((h, i) => {
        const name = h.head.name;
        const summary = rng.weighted([
          [`支付${name}${m}月低保金`, 4],
          [`发放${m}月份低保金`, 3],
          [`发放${name}户${m}月份低保金`, 2],
        ] as const);
        b.pay({
          day: payDay,
          summary,
          key: 'dibaoPayable',
          amount: amounts[i]!,
          party: personCounterparty(h.head),
          attachments: 1,
        });
      });
    }
  }

  // Bills.
  const officeSeason = [0, 130, 130, 100, 100, 100, 120, 150, 150, 120, 100, 100, 130][pm]!;
  b.pay({
    day: b.wd(rng.int(8, 14)),
    summary: `支付${pm}月份${community ? '社区办公用房' : '村委会'}电费`,
    key: 'utilities',
    amount: b.bill(cast.officePowerYuan, officeSeason),
    party: firmCounterparty(ELECTRICITY),
    attachments: 1,
  });
  if (rural) {
    const streetSeason = [0, 125, 115, 100, 95, 85, 80, 80, 85, 95, 105, 120, 130][pm]!;
    b.pay({
      day: b.wd(rng.int(8, 14)),
      summary: `支付${pm}月份路灯电费`,
      key: 'lighting',
      amount: b.bill(cast.streetPowerYuan, streetSeason),
      party: firmCounterparty(ELECTRICITY),
      attachments: 1,
    });
  }
  b.pay({
    day: rng.int(1, 4),
    summary: `代扣${pm}月份宽带及电话费`,
    key: 'telecom',
    amount: yuan(cast.telecomYuan),
    party: b.vendor('telecom'),
    attachments: 1,
  });
  if (quarterMonth) {
    const pq = quarterOf(pm);
    b.pay({
      day: b.wd(rng.int(12, 20)),
      summary: `支付${QUARTER_NAMES[pq - 1]}水费`,
      key: 'utilities',
      amount: b.bill(community ? 180 : 420, 100),
      party: firmCounterparty(WATER),
      attachments: 1,
    });
  }
  b.pay({
    day: b.wd(rng.int(22, 28)),
    summary: `支付${m}月份${community ? '社区' : '村庄'}保洁服务费`,
    key: 'sanitation',
    amount: yuan(cast.cleaningYuan + (ym.year >= 2025 ? 500 : 0)),
    party: b.vendor('cleaning'),
    attachments: 2,
  });
  if (rural && m % 2 === 0) {
    b.pay({
      day: b.wd(rng.int(15, 25)),
      summary: `支付${pm}—${m}月份垃圾清运费`,
      key: 'sanitation',
      amount: b.whole(2_400, 6_800, 100),
      party: b.vendor('garbage'),
      attachments: 2,
    });
  }

  // Rents.
  for (const t of cast.tenancies) {
    if (t.quarterly && !quarterMonth) continue;
    const amount = yuan(t.monthlyRentYuan * (t.quarterly ? 3 : 1));
    const period = t.quarterly ? `${ym.year}年${QUARTER_NAMES[q - 1]}` : `${m}月份`;
    const summary =
      t.tenant.isPerson && rng.chance(0.5)
        ? `收到${t.tenant.name}交来${period}${t.premises}租金`
        : `收取${period}${t.premises}租金`;
    b.receive({
      day: b.wd(rng.int(1, 10)),
      summary,
      key: 'rentIncome',
      amount,
      via: t.inCash ? 'cash' : 'bank',
      party: t.tenant,
      attachments: 1,
    });
  }

  // Contract fees (发包): once or twice a year each.
  for (const c of cast.contracts) {
    const k = c.payMonths.indexOf(m);
    if (k < 0) continue;
    const feeYear = m >= 11 ? ym.year + 1 : ym.year;
    const halves = c.payMonths.length;
    const amount = yuan(Math.round(c.annualFeeYuan / halves));
    const area = c.mu ? `（${c.mu}亩）` : '';
    const part = halves > 1 ? `第${k + 1}期` : '';
    const summary =
      c.holder.isPerson && rng.chance(0.6)
        ? `收到${c.holder.name}${feeYear}年度${c.subject}承包费${part}${area}`
        : `收取${feeYear}年度${c.subject}承包费${part}${area}`;
    b.receive({ day: b.wd(rng.int(5, 25)), summary, key: 'contractIncome', amount, party: c.holder, attachments: 2 });
  }

  // The township's quarterly 运转经费, and the yearly special grants with the works they pay for.
  if (quarterMonth) {
    const growth = ym.year >= 2025 ? 105 : 100;
    const amount = ((yuan(cast.quarterlySubsidyYuan) * BigInt(growth)) / 100n / 100_000n) * 100_000n;
    b.receive({
      day: b.wd(rng.int(10, 20)),
      summary: `收到${cast.townGov}拨付${ym.year}年${QUARTER_NAMES[q - 1]}${community ? '社区' : '村级组织'}运转经费`,
      key: 'operatingSubsidy',
      amount,
      party: firmCounterparty(cast.townGov),
      attachments: 1,
    });
  }
  for (const g of cast.grants) {
    if (g.at === index) {
      b.receive({
        day: b.wd(rng.int(5, 15)),
        summary: `收到${cast.townGov}拨付${g.what}`,
        key: 'specialSubsidy',
        amount: yuan(g.amountYuan),
        party: firmCounterparty(cast.townGov),
        attachments: 1,
      });
    }
    if (g.spendAt === index) {
      b.pay({
        day: b.wd(rng.int(18, 28)),
        summary: `支付${g.spendWhat}`,
        key: g.spendKey,
        amount: yuan(g.spendYuan),
        party: b.vendor(g.spendVendor),
        attachments: rng.int(3, 5),
      });
    }
  }

  // 老年人补贴, paid each quarter for the quarter before, one line per elder aged 70 or more.
  if (quarterMonth && cast.elders.length > 0) {
    const pq = quarterOf(pm);
    const qEnd = isoDate(b.prev, daysIn(b.prev));
    const label = `${b.prev.year}年${QUARTER_NAMES[pq - 1]}`;
    const summary = `发放${label}老年人补贴`;
    const items = cast.elders
      .filter((e) => index < e.until && ageOn(e.person, qEnd) >= 70)
      .map((e) => ({
        counterparty: personCounterparty(e.person),
        amountFen: yuan((ageOn(e.person, qEnd) >= 80 ? 200 : 100) * 3),
        summary: rng.chance(0.25) ? `${e.person.name}${label}老年人补贴` : undefined,
      }));
    b.batch(b.wd(rng.int(10, 20)), summary, 'elderly', items, rng.int(2, 4));
  }

  // 春节 visits to the 低保 households; 村民代表 allowances at year end.
  if (SPRING_FESTIVAL.some((s) => s.year === ym.year && s.month === m)) {
    const heads = cast.dibao.filter((h) => h.from <= index && index < h.until).map((h) => h.head);
    const each = yuan(rng.int(5, 10) * 100);
    b.batch(
      b.wd(rng.int(3, 12)),
      '春节走访慰问困难群众',
      'relief',
      heads.map((p) => ({ counterparty: personCounterparty(p), amountFen: each })),
      rng.int(1, 3),
    );
  }
  if (m === 12 && cast.delegates.length > 0) {
    b.batch(
      b.wd(rng.int(20, 28)),
      `发放${ym.year}年度村民代表误工补贴`,
      'allowance',
      cast.delegates.map((d) => ({ counterparty: personCounterparty(d.person), amountFen: yuan(d.yuan) })),
      2,
    );
  }
  if (community && m === 10) {
    b.pay({
      day: b.wd(rng.int(8, 20)),
      summary: '开展重阳节敬老活动',
      key: 'activities',
      amount: b.whole(800, 2_500, 10),
      party: b.vendor('supermarket'),
      attachments: 3,
    });
  }

  // The bank: interest each quarter, fees.
  if (m % 3 === 0) {
    const interest = state.bankFen / 1_600n;
    if (interest > 0n)
      b.receive({
        day: 21,
        summary: `收到${QUARTER_NAMES[q - 1]}银行存款利息`,
        key: 'interestIncome',
        amount: interest,
        party: firmCounterparty(BANK),
        attachments: 1,
      });
    b.pay({
      day: 21,
      summary: `扣收${QUARTER_NAMES[q - 1]}短信通知服务费`,
      key: 'bankFees',
      amount: yuan(rng.pick([6, 9, 12])),
      party: firmCounterparty(BANK),
      attachments: 1,
    });
  }
  if (m === 1)
    b.pay({
      day: rng.int(5, 15),
      summary: `扣收${ym.year}年度网银服务费`,
      key: 'bankFees',
      amount: yuan(120),
      party: firmCounterparty(BANK),
      attachments: 1,
    });

  // Yearly services.
  if (m === 3)
    b.pay({
      day: b.wd(rng.int(10, 25)),
      summary: `支付${ym.year}年度法律顾问服务费`,
      key: 'office',
      amount: b.whole(3_000, 6_000, 500),
      party: b.vendor('lawFirm'),
      attachments: 2,
    });
  if (m === 5)
    b.pay({
      day: b.wd(rng.int(10, 25)),
      summary: `支付${ym.year}年度财务软件服务费`,
      key: 'office',
      amount: b.whole(800, 1_500, 100),
      party: b.vendor('software'),
      attachments: 1,
    });

  // Works: roads (snow in winter), street lights, greening, repairs of the rented premises.
  if (rural) {
    const winter = m === 12 || m === 1 || m === 2;
    if (winter && rng.chance(0.35)) {
      b.pay({
        day: b.wd(rng.int(5, 25)),
        summary: '支付道路清雪除冰费用',
        key: 'roads',
        amount: b.whole(1_200, 6_000, 100),
        party: b.vendor('roads2'),
        attachments: 2,
      });
    } else if (!winter && rng.chance(cast.village.size === 'large' ? 0.45 : 0.3)) {
      const big = rng.chance(0.2);
      b.pay({
        day: b.wd(rng.int(5, 27)),
        summary: `支付${rng.pick(ROAD_WORKS)}工程款`,
        key: 'roads',
        amount: big ? b.whole(20_000, 68_000, 100) : b.whole(2_800, 16_000, 10),
        party: b.vendor(rng.chance(0.7) ? 'roads' : 'roads2'),
        attachments: rng.int(3, 5),
      });
    }
    if (rng.chance(0.25)) {
      const work = rng.pick(LIGHT_WORKS);
      const amount =
        work === '更换损坏路灯灯头' ? yuan(rng.int(4, 20) * rng.int(15, 28) * 10) : b.whole(800, 6_000, 10);
      b.pay({
        day: b.wd(rng.int(5, 27)),
        summary: `支付${work}费用`,
        key: 'lighting',
        amount,
        party: b.vendor('lighting'),
        attachments: 2,
      });
    }
    if ((m >= 3 && m <= 5 && rng.chance(0.5)) || (m >= 9 && m <= 10 && rng.chance(0.3))) {
      const spring = m <= 5;
      b.pay({
        day: b.wd(rng.int(5, 27)),
        summary: spring
          ? `补植${rng.pick(['国槐', '白蜡', '柳树', '月季'])}${rng.int(2, 12) * 10}株`
          : '绿化带修剪养护费',
        key: 'greening',
        amount: spring ? b.whole(2_000, 15_000, 10) : b.whole(1_500, 6_000, 10),
        party: b.vendor('greening'),
        attachments: 2,
      });
    }
  }
  if (cast.tenancies.length > 0 && rng.chance(0.08)) {
    b.pay({
      day: b.wd(rng.int(5, 27)),
      summary: '维修出租门面房屋顶防水',
      key: 'rentalRepair',
      amount: b.whole(1_500, 8_000, 10),
      party: b.vendor('hardware'),
      attachments: 3,
    });
  }
  // Purchases just under 20,000 yuan.
  for (const p of cast.bigPurchases) {
    if (p.at === index)
      b.pay({
        day: b.wd(rng.int(8, 26)),
        summary: p.what,
        key: p.key,
        amount: yuan(p.amountYuan),
        party: b.vendor(p.vendor),
        attachments: rng.int(3, 5),
      });
  }

  // A deposit goes back once a year; this summary carries the holder's phone or ID number, as accountants write them:
  // with spaces, dashes, +86, full-width digits (issue 12.7), and the cadre who handled it named only here, so
  // leak-scan.py catches a masker that lets any of these through.
  for (const d of cast.deposits) {
    if (d.refundAt !== index) continue;
    const written = writtenAsAccountantsDo(d.contact === 'phone' ? d.holder.phone : d.holder.idNumber, index);
    const contact = d.contact === 'phone' ? ` 联系电话${written}` : `（身份证号${written}）`;
    const card = index % 2 === 0 ? `，退至卡号${d.holder.bankAccount.replace(/(\d{4})(?=\d)/g, '$1-')}` : '';
    b.pay({
      day: b.wd(rng.int(5, 25)),
      summary: `退还${d.holder.name}${d.what}${contact}${card}，经办人${cast.staff.reviewer}`,
      key: 'depositsPayable',
      amount: yuan(d.amountYuan),
      party: personCounterparty(d.holder),
      attachments: 2,
    });
  }

  if (pinned) {
    b.add(
      b.wd(15),
      pinned.summary,
      [
        b.line(pinned.key, 'debit', pinned.amountFen, pinned.summary, b.vendor(pinned.vendor)),
        b.line('bank', 'credit', pinned.amountFen, pinned.summary),
      ],
      2,
      1,
      pinned.number,
    );
  }

  // The month's cases for the red-flag rules (`DEMO_CASES`), on top of its usual business.
  for (const c of DEMO_CASES) {
    if (c.slug === cast.village.slug && c.year === ym.year && c.month === ym.month) c.add(b);
  }

  // Everyday purchases fill the month up to its usual size: mostly small ones in cash, a few by transfer, each
  // kind once before any comes back.
  const target = rng.int(...cast.profile.vouchers);
  const catalog = rng.shuffle(PURCHASES.filter((x) => (rural || !x.rural) && (!x.season || x.season.includes(m))));
  const cash = catalog.filter((x) => x.via === 'cash');
  const bank = catalog.filter((x) => x.via === 'bank');
  for (let n = 0, extra = rng.int(1, 2); b.drafts.length < target || extra > 0; n++, extra--) {
    const p = rng.chance(0.9) ? cash[n % cash.length]! : bank[n % bank.length]!;
    const fen = BigInt(rng.int(p.fen[0] / p.fen[2], p.fen[1] / p.fen[2]) * p.fen[2]);
    const what = localWords(p.what, community);
    b.pay({
      day: b.wd(rng.int(1, 28)),
      summary: what,
      key: p.key,
      amount: fen,
      via: p.via,
      party: p.vendor ? b.vendor(p.vendor) : undefined,
      attachments: rng.int(1, 3),
    });
  }

  return finish(b, state, pinned);
}

/**
 * Payments a supervisor should ask about, one or two per rule across the villages (付村 has several), written as such
 * payments are: red-flag rules (`db/src/ledger/red-flags.ts`) find them, the committee answers them (`review.ts`).
 * The ¥19,900 and ¥19,800 purchases (JUST_BELOW_TIER) come from `bigPurchases` in `village.ts`; late publications from
 * `publicationTimes`.
 */
interface DemoCase {
  slug: string;
  year: number;
  month: number;
  add(b: MonthBuilder): void;
}

const somePerson = (cast: VillageCast, i: number) => {
  const people = [...cast.delegates.map((d) => d.person), ...cast.elders.map((e) => e.person)];
  return personCounterparty(people[i % people.length] ?? cast.cadres[0]!.person);
};

export const DEMO_CASES: readonly DemoCase[] = [
  // CASH_OVER_LIMIT: day labourers without a bank card, paid in cash.
  {
    slug: 'fucun',
    year: 2024,
    month: 9,
    add: (b) =>
      b.pay({
        day: b.wd(23),
        summary: '支付汛后清理排水沟临时用工劳务费',
        key: 'sanitation',
        amount: yuan(1_600),
        via: 'cash',
        party: somePerson(b.cast, 0),
        attachments: 2,
      }),
  },
  {
    slug: 'tianli',
    year: 2025,
    month: 6,
    add: (b) =>
      b.pay({
        day: b.wd(12),
        summary: '现金支付抽水泵抢修费',
        key: 'roads',
        amount: yuan(1_280),
        via: 'cash',
        party: b.vendor('hardware'),
        attachments: 1,
      }),
  },
  // SPLIT_BELOW_TIER: one road job paid in two parts two weeks apart, together over the 20,000-yuan tier.
  {
    slug: 'fucun',
    year: 2025,
    month: 5,
    add: (b) => {
      for (const [day, summary, amount] of [
        [6, '支付村北生产路修补工程款', 12_000],
        [20, '支付村北生产路修补工程款（续）', 9_800],
      ] as const) {
        b.pay({
          day: b.wd(day),
          summary,
          key: 'roads',
          amount: yuan(amount),
          party: b.vendor('roads'),
          attachments: 3,
        });
      }
    },
  },
  {
    slug: 'liutai',
    year: 2024,
    month: 10,
    add: (b) => {
      for (const [day, amount] of [
        [9, 3_200],
        [16, 2_600],
      ] as const) {
        b.pay({
          day: b.wd(day),
          summary: '购买村委会会议室窗帘及安装',
          key: 'office',
          amount: yuan(amount),
          party: b.vendor('hardware'),
          attachments: 2,
        });
      }
    },
  },
  // DUPLICATE_PAYMENT: the same toner bill entered twice within a week.
  {
    slug: 'fucun',
    year: 2025,
    month: 11,
    add: (b) => {
      for (const day of [10, 14]) {
        b.pay({
          day: b.wd(day),
          summary: '购买打印机硒鼓',
          key: 'office',
          amount: yuan(680),
          party: b.vendor('stationery'),
          attachments: 1,
        });
      }
    },
  },
  {
    slug: 'dabizhuang',
    year: 2025,
    month: 9,
    add: (b) => {
      for (const day of [3, 8]) {
        b.pay({
          day: b.wd(day),
          summary: '支付路灯线路检修费用',
          key: 'lighting',
          amount: yuan(2_350),
          party: b.vendor('lighting'),
          attachments: 2,
        });
      }
    },
  },
  // NON_PRODUCTIVE: hospitality and gifts over 3,000 yuan in a month.
  {
    slug: 'fucun',
    year: 2025,
    month: 3,
    add: (b) => {
      b.pay({
        day: b.wd(13),
        summary: '接待区农业农村委检查组工作餐费',
        key: 'hospitality',
        amount: yuan(1_860),
        party: b.vendor('supermarket'),
        attachments: 2,
      });
      b.pay({
        day: b.wd(18),
        summary: '购买慰问品慰问退休老干部',
        key: 'hospitality',
        amount: yuan(2_400),
        party: b.vendor('supermarket'),
        attachments: 2,
      });
    },
  },
  {
    slug: 'xiaonanhe',
    year: 2026,
    month: 1,
    add: (b) =>
      b.pay({
        day: b.wd(20),
        summary: '年终总结会工作餐及烟酒',
        key: 'hospitality',
        amount: yuan(3_480),
        party: b.vendor('supermarket'),
        attachments: 2,
      }),
  },
  // CASH_ON_HAND: rent paid in cash on the last working day, banked the next month.
  {
    slug: 'fucun',
    year: 2024,
    month: 12,
    add: (b) => {
      b.receive({
        day: b.wd(31),
        summary: '收取临街门面房年底补交租金（现金）',
        key: 'rentIncome',
        amount: yuan(6_500),
        via: 'cash',
        party: b.cast.tenancies[0]?.tenant ?? somePerson(b.cast, 1),
        attachments: 1,
      });
      b.last().keepCash = true;
      b.last().rank = 2;
    },
  },
  // LARGE_TO_PERSON: compensation paid to one villager.
  {
    slug: 'fucun',
    year: 2026,
    month: 3,
    add: (b) =>
      b.pay({
        day: b.wd(17),
        summary: '支付村北生产路拓宽占地青苗补偿款',
        key: 'roads',
        amount: yuan(8_600),
        party: somePerson(b.cast, 2),
        attachments: 3,
      }),
  },
  {
    slug: 'shisicang',
    year: 2025,
    month: 4,
    add: (b) =>
      b.pay({
        day: b.wd(22),
        summary: '支付村民房屋漏雨维修补助',
        key: 'relief',
        amount: yuan(6_000),
        party: somePerson(b.cast, 3),
        attachments: 3,
      }),
  },
];

/** Puts the drafts in date order, adds 提现 and 存现 where cash needs it, numbers them 1..N. */
function finish(b: MonthBuilder, state: LedgerState, pinned: PinnedVoucher | undefined): MonthPlan {
  const { cast, ym } = b;
  const sorted = [...b.drafts].sort((x, y) => x.day - y.day || x.rank - y.rank || x.seq - y.seq);
  const out: Draft[] = [];
  const delta = (d: Draft, key: 'cash' | 'bank') => {
    const code = account(b.standard, key).accountCode;
    let sum = 0n;
    for (const l of d.lines) if (l.accountCode === code) sum += l.side === 'debit' ? l.amountFen : -l.amountFen;
    return sum;
  };
  const transfer = (day: number, summary: string, to: 'cash' | 'bank', amountFen: bigint): Draft => ({
    day,
    rank: 1,
    seq: -1,
    summary,
    attachments: 1,
    lines: [
      b.line(to, 'debit', amountFen, summary),
      b.line(to === 'cash' ? 'bank' : 'cash', 'credit', amountFen, summary),
    ],
  });
  const apply = (d: Draft) => {
    state.cashFen += delta(d, 'cash');
    state.bankFen += delta(d, 'bank');
    out.push(d);
  };

  for (const d of sorted) {
    const dCash = delta(d, 'cash');
    const dBank = delta(d, 'bank');
    if (state.cashFen + dCash < CASH_FLOOR) {
      const need = yuan(4_500) - (state.cashFen + dCash);
      const amount = need > yuan(1_000) ? (need / yuan(1_000)) * yuan(1_000) : yuan(1_000);
      apply(transfer(d.day, '提取备用金', 'cash', amount));
    }
    if (state.bankFen + dBank < BANK_FLOOR) {
      // The township tops up a village that would run dry (运转保障), rather than the demo showing an overdraft.
      const need = yuan(150_000) - (state.bankFen + dBank);
      const amount = ((need + yuan(10_000) - 1n) / yuan(10_000)) * yuan(10_000);
      const summary = `收到${cast.townGov}拨付村级组织运转保障资金`;
      apply({
        day: d.day,
        rank: 0,
        seq: -1,
        summary,
        attachments: 1,
        lines: [
          b.line('bank', 'debit', amount, summary),
          b.line('operatingSubsidy', 'credit', amount, summary, firmCounterparty(cast.townGov)),
        ],
      });
    }
    apply(d);
    if (state.cashFen > CASH_LIMIT && !d.keepCash) {
      const amount = ((state.cashFen - yuan(2_000)) / yuan(100)) * yuan(100);
      apply(transfer(d.day, '将库存现金存入银行', 'bank', amount));
    }
  }

  if (pinned) {
    const at = out.findIndex((d) => d.pin === pinned.number);
    const [d] = out.splice(at, 1);
    if (!d || out.length < pinned.number)
      throw new Error(`${cast.village.slug} ${ym.year}-${ym.month} has too few vouchers to pin #${pinned.number}`);
    d.day = out[pinned.number - 2]!.day;
    out.splice(pinned.number - 1, 0, d);
  }

  const { preparer, reviewer, approver } = cast.staff;
  return {
    ...ym,
    index: b.index,
    standard: b.standard,
    vouchers: out.map((d, i) => ({
      number: i + 1,
      date: isoDate(ym, d.day),
      summary: d.summary,
      attachments: d.attachments,
      preparer,
      reviewer,
      approver,
      lines: d.lines,
    })),
  };
}

/** A phone or ID number the way a month's accountant types it; which way depends on the month, not on the rng. */
function writtenAsAccountantsDo(number: string, monthIndex: number): string {
  const fullWidth = (text: string) =>
    text.replace(/[0-9X]/g, (c) => (c === 'X' ? 'Ｘ' : String.fromCharCode(c.charCodeAt(0) + 0xfee0)));
  if (number.length === 18) {
    const ways = [
      number,
      `${number.slice(0, 6)} ${number.slice(6, 14)} ${number.slice(14)}`,
      fullWidth(number),
      `${number.slice(0, 6)}-${number.slice(6, 14)}-${number.slice(14)}`,
    ];
    return ways[monthIndex % ways.length]!;
  }
  const ways = [
    number,
    `${number.slice(0, 3)} ${number.slice(3, 7)} ${number.slice(7)}`,
    `${number.slice(0, 3)}-${number.slice(3, 7)}-${number.slice(7)}`,
    `+86-${number.slice(0, 3)}-${number.slice(3, 7)}-${number.slice(7)}`,
    fullWidth(number),
    `+86${number}`,
  ];
  return ways[monthIndex % ways.length]!;
}
