/**
 * One village's books for a scale run, generated month by month and never held longer than a month: a fixed cast
 * (committee, 低保 households, elders, tenants, contractors, firms) from the village's seeded stream, then ~40
 * vouchers a month in the demo's style (wages accrued and paid person by person, 低保 passed on, bills, rents,
 * subsidies, works with 质保金, small cash purchases). Amounts are integer fen in plain numbers (far below 2^53).
 */
import { account, type AccountKey } from '@mingbai/db/demo/chart';
import { daysIn, isoDate, QUARTER_NAMES, quarterOf, workday, type YearMonth } from '@mingbai/db/demo/calendar';
import { ELECTRICITY, makeFirm, makeVendors, WATER, type Vendors } from '@mingbai/db/demo/organisations';
import { PeopleFactory, type Person } from '@mingbai/db/demo/people';
import { createRng, hashSeed, type Rng } from '@mingbai/db/demo/random';
import { townGovernment } from '@mingbai/db/demo/regions';
import type { PlacedVillage } from './places.ts';

export interface Party {
  name: string;
  isPerson: boolean;
  idNumber?: string | undefined;
  phone?: string | undefined;
  bankAccount?: string | undefined;
}

export interface GenLine {
  code: string;
  side: 'debit' | 'credit';
  amount: number;
  summary: string | null;
  party: Party | undefined;
  method: 'cash' | 'bank' | null;
}

export interface GenVoucher {
  number: number;
  date: string;
  summary: string;
  attachments: number;
  lines: GenLine[];
}

/** Sub-account names by code (2023 chart), for village_accounts. First-level codes take the national name. */
export const SUB_ACCOUNT_NAMES = new Map<string, string>();
const CODES = {} as Record<AccountKey | 'farmSubsidy', string>;
for (const key of [
  'cash',
  'bank',
  'fixedAssets',
  'depreciation',
  'dibaoPayable',
  'depositsPayable',
  'wagesPayable',
  'capital',
  'reserve',
  'contractIncome',
  'rentIncome',
  'operatingSubsidy',
  'specialSubsidy',
  'interestIncome',
  'office',
  'utilities',
  'cadrePay',
  'telecom',
  'allowance',
  'rentalRepair',
  'roads',
  'lighting',
  'sanitation',
  'elderly',
  'greening',
  'relief',
  'activities',
  'bankFees',
] as const) {
  const a = account('2023', key);
  CODES[key] = a.accountCode;
  if (a.accountName) SUB_ACCOUNT_NAMES.set(a.accountCode, a.accountName);
}
CODES.farmSubsidy = '21103';
SUB_ACCOUNT_NAMES.set('21103', '代收代付惠农补贴');

const yuan = (n: number) => Math.round(n * 100);

interface Cast {
  townGov: string;
  staff: { preparer: string; reviewer: string; approver: string };
  cadres: { person: Person; payYuan: number }[];
  dibao: { person: Person; yuan: number }[];
  elders: Person[];
  delegates: Person[];
  tenants: { party: Party; premises: string; rentYuan: number; quarterly: boolean; inCash: boolean }[];
  contracts: { party: Party; subject: string; feeYuan: number; payMonth: number }[];
  deposit: { person: Person; what: string; yuan: number; month: number; contact: 'phone' | 'id' };
  vendors: Vendors;
  rural: boolean;
  community: boolean;
  target: readonly [number, number];
  cleaningYuan: number;
  officePowerYuan: number;
  streetPowerYuan: number;
  telecomYuan: number;
  quarterlySubsidyYuan: number;
  people: PeopleFactory;
}

const PREMISES = ['临街门脸房', '集体仓库', '沿街商铺', '村办厂房', '农机大院', '闲置校舍'];
const CONTRACT_SUBJECTS = ['机动地', '鱼塘', '果园', '苗圃', '林地', '坑塘'];
const TARGETS = {
  large: [42, 52],
  medium: [36, 46],
  small: [30, 40],
  community: [32, 42],
  tinyCommunity: [20, 28],
} as const;

export function buildCast(village: PlacedVillage, seed: number): Cast {
  const rng = rngFor(seed, 'cast', village.slug);
  const people = new PeopleFactory(rng, village.town.district.code6);
  const community = village.kind === 'community';
  const rural = !community;
  const cadres = Array.from({ length: community ? rng.int(3, 4) : rng.int(4, 6) }, (_, i) => ({
    person: people.person(i === 0 ? 'middle' : 'young'),
    payYuan: i === 0 ? rng.int(40, 52) * 100 : rng.int(28, 40) * 100,
  }));
  const party = (p: Person): Party => ({ name: p.name, isPerson: true, idNumber: p.idNumber, phone: p.phone });
  const tenants = Array.from({ length: rng.int(1, 3) }, () => {
    const person = rng.chance(0.5);
    return {
      party: person ? party(people.person('young')) : { name: makeFirm(rng, village, 'tenant'), isPerson: false },
      premises: rng.pick(PREMISES),
      rentYuan: rng.int(8, 60) * 100,
      quarterly: !person,
      inCash: person && rng.chance(0.4),
    };
  });
  const contracts = rural
    ? Array.from({ length: rng.int(2, 6) }, () => {
        const person = rng.chance(0.7);
        return {
          party: person ? party(people.person('middle')) : { name: makeFirm(rng, village, 'farm'), isPerson: false },
          subject: rng.pick(CONTRACT_SUBJECTS),
          feeYuan: rng.int(20, 300) * 100,
          payMonth: rng.pick([3, 4, 11, 12]),
        };
      })
    : [];
  const cleaningYuan = community ? rng.int(30, 50) * 100 : rng.int(50, 160) * 100;
  const wages = cadres.reduce((s, c) => s + c.payYuan, 0);
  return {
    townGov: townGovernment(village.town),
    staff: {
      preparer: cadres[cadres.length - 1]!.person.name,
      reviewer: cadres[1]!.person.name,
      approver: cadres[0]!.person.name,
    },
    cadres,
    dibao: Array.from({ length: community ? rng.int(2, 5) : rng.int(3, 10) }, () => ({
      person: people.person(rng.chance(0.5) ? 'elder' : 'middle'),
      yuan: rng.int(40, 130) * 10,
    })),
    elders: people.people(rural ? rng.int(10, 40) : rng.int(6, 20), 'elder'),
    delegates: people.people(rural ? rng.int(8, 12) : rng.int(5, 9), 'middle'),
    tenants,
    contracts,
    deposit: {
      person: people.person('young'),
      what: rng.pick(['施工押金', '租房押金', '承包押金']),
      yuan: rng.int(10, 50) * 100,
      month: rng.int(1, 12),
      contact: rng.chance(0.5) ? 'phone' : 'id',
    },
    vendors: makeVendors(rng, village),
    rural,
    community,
    target: TARGETS[village.size],
    cleaningYuan,
    officePowerYuan: rng.int(6, 30) * 100,
    streetPowerYuan: rural ? rng.int(8, 40) * 100 : 0,
    telecomYuan: rng.int(2, 6) * 100 - 2,
    quarterlySubsidyYuan: Math.round(((wages + cleaningYuan + 9_000) * 3) / 1000) * 1000,
    people,
  };
}

function rngFor(seed: number, ...labels: (string | number)[]): Rng {
  return createRng(hashSeed(`${seed}/${labels.join('/')}`));
}

export interface Balances {
  cash: number;
  bank: number;
}

/** 期初余额 on the first month, debit-positive fen summing to zero. */
export function openingBalances(village: PlacedVillage, seed: number): { code: string; balance: number }[] {
  const rng = rngFor(seed, 'opening', village.slug);
  const big = village.size === 'large' ? 3 : village.size === 'medium' ? 2 : 1;
  const cash = rng.int(100_000, 500_000);
  const bank = rng.int(20, 100 * big) * 1_000_000 + rng.int(0, 999_999);
  const fixed = rng.int(30, 200 * big) * 1_000_000;
  const depreciation = Math.floor(fixed * rng.int(10, 45)) / 100;
  const deposits = rng.int(0, 30) * 100_000;
  const reserve = rng.int(5, 40) * 1_000_000;
  const rows = [
    { code: CODES.cash, balance: cash },
    { code: CODES.bank, balance: bank },
    { code: CODES.fixedAssets, balance: fixed },
    { code: CODES.depreciation, balance: -Math.floor(depreciation) },
    { code: CODES.depositsPayable, balance: -deposits },
    { code: CODES.reserve, balance: -reserve },
  ];
  const sum = rows.reduce((s, r) => s + r.balance, 0);
  rows.push({ code: CODES.capital, balance: -sum });
  return rows.filter((r) => r.balance !== 0);
}

interface Draft {
  day: number;
  rank: number;
  seq: number;
  summary: string;
  attachments: number;
  lines: GenLine[];
}

const PURCHASES: readonly {
  what: string;
  key: AccountKey;
  vendor?: keyof Vendors;
  fen: readonly [number, number, number];
  cash: boolean;
  rural?: boolean;
}[] = [
  { cash: true, what: '购买签字笔、文件夹等办公用品', key: 'office', vendor: 'stationery', fen: [2_000, 18_000, 50] },
  { cash: true, what: '购买桶装饮用水', key: 'office', vendor: 'supermarket', fen: [6_000, 18_000, 1_500] },
  { cash: true, what: '支付文件快递费', key: 'office', fen: [1_200, 6_000, 100] },
  { cash: true, what: '购买打印纸', key: 'office', vendor: 'stationery', fen: [12_500, 62_500, 12_500] },
  { cash: true, what: '购买扫帚、铁锹等清扫工具', key: 'sanitation', vendor: 'hardware', fen: [8_000, 42_000, 50] },
  { cash: true, what: '购买垃圾袋', key: 'sanitation', vendor: 'supermarket', fen: [6_000, 26_000, 10] },
  { cash: true, what: '购买会议用矿泉水', key: 'office', vendor: 'supermarket', fen: [4_000, 15_000, 10] },
  { cash: true, what: '购买消毒液、洗手液', key: 'sanitation', vendor: 'supermarket', fen: [5_000, 30_000, 10] },
  { cash: true, what: '复印、装订材料费', key: 'office', vendor: 'printing', fen: [1_500, 12_000, 50] },
  {
    cash: true,
    what: '购买路灯维修小配件',
    key: 'lighting',
    vendor: 'hardware',
    fen: [5_000, 38_000, 10],
    rural: true,
  },
  { cash: true, what: '购买电工胶布、插座等', key: 'office', vendor: 'hardware', fen: [3_000, 15_000, 10] },
  { cash: true, what: '卫生间维修材料费', key: 'office', vendor: 'hardware', fen: [6_000, 45_000, 10] },
  { cash: true, what: '购买灯泡、灯管', key: 'office', vendor: 'hardware', fen: [2_000, 9_000, 10] },
  { cash: true, what: '购买打印机墨盒', key: 'office', vendor: 'stationery', fen: [8_000, 26_000, 100] },
  { cash: true, what: '购买档案盒', key: 'office', vendor: 'stationery', fen: [3_000, 12_000, 50] },
  { cash: true, what: '制作宣传横幅', key: 'office', vendor: 'printing', fen: [6_000, 24_000, 1_000] },
  { cash: false, what: '购买打印纸、硒鼓等办公用品', key: 'office', vendor: 'stationery', fen: [60_000, 380_000, 100] },
  { cash: false, what: '村务公开栏更新制作费', key: 'office', vendor: 'printing', fen: [120_000, 380_000, 1_000] },
  { cash: false, what: '党建宣传展板制作费', key: 'office', vendor: 'printing', fen: [80_000, 260_000, 1_000] },
  { cash: false, what: '维修办公室空调', key: 'office', vendor: 'appliances', fen: [38_000, 160_000, 1_000] },
  { cash: false, what: '购买灭火器及消防器材', key: 'office', vendor: 'hardware', fen: [40_000, 180_000, 100] },
  { cash: false, what: '打印机维修费', key: 'office', vendor: 'appliances', fen: [20_000, 80_000, 1_000] },
  { cash: false, what: '下水道疏通费', key: 'sanitation', vendor: 'cleaning', fen: [50_000, 250_000, 1_000] },
  { cash: false, what: '购买文体活动器材', key: 'activities', vendor: 'supermarket', fen: [50_000, 300_000, 100] },
  { cash: false, what: '出租房屋屋面防水维修', key: 'rentalRepair', vendor: 'hardware', fen: [80_000, 400_000, 100] },
  {
    cash: false,
    what: '排水沟清淤费',
    key: 'sanitation',
    vendor: 'cleaning',
    fen: [300_000, 1_200_000, 10_000],
    rural: true,
  },
  {
    cash: false,
    what: '补植行道树及养护费',
    key: 'greening',
    vendor: 'greening',
    fen: [200_000, 900_000, 1_000],
    rural: true,
  },
];
const WORKS = [
  ['村内道路坑槽修补', 'roads', 'roads'],
  ['维修主街破损路面', 'roads', 'roads2'],
  ['村内巷道硬化', 'roads', 'roads'],
  ['路灯线路检修', 'lighting', 'lighting'],
  ['更换损坏路灯灯头', 'lighting', 'lighting'],
  ['村庄绿化提升工程', 'greening', 'greening'],
] as const;

/** The vouchers of one month; `balances` (cash and bank) advance to the month's end. */
export function planMonth(
  village: PlacedVillage,
  cast: Cast,
  seed: number,
  ym: YearMonth,
  balances: Balances,
  bigMonthLines: number | undefined,
): GenVoucher[] {
  const rng = rngFor(seed, 'month', village.slug, ym.year, ym.month);
  const m = ym.month;
  const pm = m === 1 ? 12 : m - 1;
  const drafts: Draft[] = [];
  let seq = 0;
  const party = (p: Person, full = true): Party =>
    full
      ? { name: p.name, isPerson: true, idNumber: p.idNumber, phone: p.phone, bankAccount: p.bankAccount }
      : { name: p.name, isPerson: true };
  const firm = (name: string): Party => ({ name, isPerson: false });
  const line = (key: keyof typeof CODES, side: 'debit' | 'credit', amount: number, summary: string, p?: Party) => {
    const code = CODES[key];
    if (key === 'cash') balances.cash += side === 'debit' ? amount : -amount;
    if (key === 'bank') balances.bank += side === 'debit' ? amount : -amount;
    return {
      code,
      side,
      amount,
      summary,
      party: p,
      method: key === 'cash' ? 'cash' : key === 'bank' ? 'bank' : null,
    } satisfies GenLine;
  };
  const add = (day: number, summary: string, lines: GenLine[], attachments: number, rank = 1) =>
    drafts.push({ day: workday(ym, day), rank, seq: seq++, summary, attachments, lines });
  const pay = (
    day: number,
    summary: string,
    key: AccountKey,
    amount: number,
    p?: Party,
    via: 'bank' | 'cash' = 'bank',
  ) => add(day, summary, [line(key, 'debit', amount, summary, p), line(via, 'credit', amount, summary)], rng.int(1, 3));
  const receive = (
    day: number,
    summary: string,
    key: AccountKey,
    amount: number,
    p?: Party,
    via: 'bank' | 'cash' = 'bank',
  ) =>
    add(day, summary, [line(via, 'debit', amount, summary), line(key, 'credit', amount, summary, p)], rng.int(1, 2), 0);
  const who = cast.community ? '社区工作者' : '村干部';

  if (balances.cash < yuan(1_500)) {
    const amount = yuan(rng.int(30, 45) * 100) - balances.cash;
    add(
      rng.int(1, 3),
      '提取备用金',
      [line('cash', 'debit', amount, '提取备用金'), line('bank', 'credit', amount, '提取备用金')],
      1,
      0,
    );
  }

  // Wages: last month's 报酬 accrued, then paid a few days later, one line per cadre.
  {
    const day = rng.int(3, 6);
    const accrual = `计提${pm}月份${who}报酬`;
    const total = cast.cadres.reduce((s, c) => s + yuan(c.payYuan), 0);
    add(
      day,
      accrual,
      [
        ...cast.cadres.map((c) => line('cadrePay', 'debit', yuan(c.payYuan), accrual, party(c.person, false))),
        line('wagesPayable', 'credit', total, accrual),
      ],
      rng.int(0, 1),
      0,
    );
    const paid = `发放${pm}月份${who}报酬`;
    add(
      day + rng.int(2, 5),
      paid,
      [
        ...cast.cadres.map((c) => line('wagesPayable', 'debit', yuan(c.payYuan), paid, party(c.person))),
        line('bank', 'credit', total, paid),
      ],
      rng.int(2, 4),
    );
  }

  // 低保: received from the town, passed on: some households named in their own voucher, the rest in one batch.
  if (cast.dibao.length > 0) {
    const day = rng.int(3, 8);
    const total = cast.dibao.reduce((s, h) => s + yuan(h.yuan), 0);
    receive(day, `收到${cast.townGov}拨付${m}月份低保金`, 'dibaoPayable', total, firm(cast.townGov));
    const payDay = Math.min(day + rng.int(1, 3), daysIn(ym));
    const batch: GenLine[] = [];
    const batchSummary = `发放${m}月份低保金`;
    let batchTotal = 0;
    for (const h of cast.dibao) {
      if (rng.chance(0.5)) {
        pay(payDay, `支付${h.person.name}${m}月低保金`, 'dibaoPayable', yuan(h.yuan), party(h.person));
      } else {
        batch.push(line('dibaoPayable', 'debit', yuan(h.yuan), batchSummary, party(h.person)));
        batchTotal += yuan(h.yuan);
      }
    }
    if (batch.length > 0) add(payDay, batchSummary, [...batch, line('bank', 'credit', batchTotal, batchSummary)], 1);
  }

  // Bills.
  const bill = (base: number) => Math.floor(yuan(base) * (0.88 + rng.int(0, 24) / 100)) + rng.int(0, 99);
  pay(
    rng.int(8, 14),
    `支付${pm}月份${cast.community ? '社区办公用房' : '村委会'}电费`,
    'utilities',
    bill(cast.officePowerYuan),
    firm(ELECTRICITY),
  );
  if (cast.rural)
    pay(rng.int(8, 14), `支付${pm}月份路灯电费`, 'lighting', bill(cast.streetPowerYuan), firm(ELECTRICITY));
  pay(rng.int(1, 4), `代扣${pm}月份宽带及电话费`, 'telecom', yuan(cast.telecomYuan), firm(cast.vendors.telecom));
  if (m % 3 === 1) {
    pay(
      rng.int(12, 20),
      `支付${QUARTER_NAMES[quarterOf(pm) - 1]}水费`,
      'utilities',
      bill(cast.community ? 180 : 420),
      firm(WATER),
    );
  }
  pay(
    rng.int(22, 28),
    `支付${m}月份${cast.community ? '社区' : '村庄'}保洁服务费`,
    'sanitation',
    yuan(cast.cleaningYuan),
    firm(cast.vendors.cleaning),
  );
  if (cast.rural && m % 2 === 0) {
    pay(
      rng.int(15, 25),
      `支付${pm}—${m}月份垃圾清运费`,
      'sanitation',
      yuan(rng.int(24, 68) * 100),
      firm(cast.vendors.garbage),
    );
  }
  pay(
    rng.int(20, 28),
    '支付银行账户管理费及转账手续费',
    'bankFees',
    rng.int(500, 6_000),
    firm('天津农村商业银行股份有限公司'),
  );

  // Income: rents, contracts, the town's quarterly 运转经费, bank interest.
  for (const t of cast.tenants) {
    if (t.quarterly && m % 3 !== 1) continue;
    const period = t.quarterly ? `${ym.year}年${QUARTER_NAMES[quarterOf(m) - 1]}` : `${m}月份`;
    const summary =
      t.party.isPerson && rng.chance(0.5)
        ? `收到${t.party.name}交来${period}${t.premises}租金`
        : `收取${period}${t.premises}租金`;
    receive(
      rng.int(1, 10),
      summary,
      'rentIncome',
      yuan(t.rentYuan * (t.quarterly ? 3 : 1)),
      t.party,
      t.inCash ? 'cash' : 'bank',
    );
  }
  for (const c of cast.contracts) {
    if (c.payMonth !== m) continue;
    const summary = c.party.isPerson
      ? `收取${c.party.name}${ym.year}年度${c.subject}承包费`
      : `收取${ym.year}年度${c.subject}承包费`;
    receive(rng.int(5, 25), summary, 'contractIncome', yuan(c.feeYuan), c.party);
  }
  if (m % 3 === 1) {
    receive(
      rng.int(10, 20),
      `收到${cast.townGov}拨付${QUARTER_NAMES[quarterOf(m) - 1]}村级组织运转经费`,
      'operatingSubsidy',
      yuan(cast.quarterlySubsidyYuan),
      firm(cast.townGov),
    );
  }
  if (m % 3 === 0) {
    const interest = Math.max(100, Math.floor(balances.bank * 0.00087));
    receive(
      21,
      `${QUARTER_NAMES[quarterOf(m) - 1]}银行存款利息`,
      'interestIncome',
      interest,
      firm('天津农村商业银行股份有限公司'),
    );
  }

  // Quarterly batches: 老年人补贴 and the 村民代表 meeting allowance.
  if (cast.elders.length > 0 && m % 3 === 0) {
    const summary = `发放${QUARTER_NAMES[quarterOf(m) - 1]}老年人补贴`;
    const each = yuan(rng.pick([150, 180, 300]));
    add(
      rng.int(10, 20),
      summary,
      [
        ...cast.elders.map((p) => line('elderly', 'debit', each, summary, party(p))),
        line('bank', 'credit', each * cast.elders.length, summary),
      ],
      2,
    );
  }
  if (cast.delegates.length > 0 && m % 3 === 2) {
    const summary = cast.community ? '支付居民代表会议误工补贴' : '支付村民代表会议误工补贴';
    const each = yuan(rng.pick([100, 120, 150, 200]));
    add(
      rng.int(10, 25),
      summary,
      [
        ...cast.delegates.map((p) => line('allowance', 'debit', each, summary, party(p))),
        line('bank', 'credit', each * cast.delegates.length, summary),
      ],
      1,
    );
  }
  if (m === cast.deposit.month) {
    const d = cast.deposit;
    const contact = d.contact === 'phone' ? `联系电话${d.person.phone}` : `身份证号${d.person.idNumber}`;
    pay(
      rng.int(5, 25),
      `退还${d.person.name}${d.what}（${contact}）`,
      'depositsPayable',
      yuan(d.yuan),
      party(d.person),
    );
  }

  // A works contract now and then, 5 % kept back as 质保金.
  if (cast.rural && rng.chance(0.3)) {
    const [what, key, vendor] = rng.pick(WORKS);
    const total = yuan(rng.int(20, 180) * 100);
    const retained = Math.round(total * 0.05);
    const summary = `支付${what}工程款`;
    add(
      rng.int(10, 28),
      summary,
      [
        line(key, 'debit', total, summary, firm(cast.vendors[vendor])),
        line('bank', 'credit', total - retained, summary),
        line('depositsPayable', 'credit', retained, `${what}质保金`, firm(cast.vendors[vendor])),
      ],
      rng.int(3, 5),
    );
  }

  // Everyday purchases up to the month's size.
  const target = rng.int(cast.target[0], cast.target[1]);
  const catalog = PURCHASES.filter((p) => cast.rural || !p.rural);
  while (drafts.length < target) {
    const p = rng.pick(catalog);
    const amount = p.fen[0] + rng.int(0, Math.floor((p.fen[1] - p.fen[0]) / p.fen[2])) * p.fen[2];
    const cash = p.cash && balances.cash - amount > yuan(300);
    if (!cash && rng.chance(0.4)) {
      // A transfer to another bank costs a fee, booked on the same voucher.
      const vendor = p.vendor ? firm(cast.vendors[p.vendor]) : undefined;
      const fee = rng.pick([200, 500, 1_000, 1_500]);
      add(
        rng.int(1, daysIn(ym)),
        p.what,
        [
          line(p.key, 'debit', amount, p.what, vendor),
          line('bankFees', 'debit', fee, '跨行转账手续费'),
          line('bank', 'credit', amount + fee, p.what),
        ],
        rng.int(1, 3),
      );
      continue;
    }
    pay(
      rng.int(1, daysIn(ym)),
      p.what,
      p.key,
      amount,
      p.vendor ? firm(cast.vendors[p.vendor]) : undefined,
      cash ? 'cash' : 'bank',
    );
  }

  // A month of 惠农补贴 paid household by household: the scale run's 50,000-line months.
  if (bigMonthLines !== undefined) {
    const summaryIn = `收到${cast.townGov}拨付${ym.year}年耕地地力保护补贴`;
    const day = rng.int(10, 15);
    const linesSoFar = drafts.reduce((n, d) => n + d.lines.length, 0);
    let remaining = bigMonthLines - linesSoFar - 2;
    const batches: GenLine[][] = [];
    let batchNo = 0;
    let total = 0;
    while (remaining >= 2) {
      // line_no is a smallint: 500 lines a voucher, never one line alone.
      let size = Math.min(500, remaining);
      if (remaining - size === 1) size--;
      const summary = `发放${ym.year}年耕地地力保护补贴（第${++batchNo}批）`;
      const people = new PeopleFactory(rngFor(seed, 'farmers', village.slug, batchNo), village.town.district.code6);
      const lines: GenLine[] = [];
      let sum = 0;
      for (let i = 0; i < size - 1; i++) {
        const amount = rng.int(1_000, 30_000) + rng.int(0, 99);
        lines.push(line('farmSubsidy', 'debit', amount, summary, party(people.person('middle'))));
        sum += amount;
      }
      lines.push(line('bank', 'credit', sum, summary));
      total += sum;
      batches.push(lines);
      remaining -= size;
    }
    add(
      day,
      summaryIn,
      [line('bank', 'debit', total, summaryIn), line('farmSubsidy', 'credit', total, summaryIn, firm(cast.townGov))],
      1,
      0,
    );
    for (const lines of batches) add(day + 1, lines[0]!.summary!, lines, 2);
  }

  drafts.sort((a, b) => a.day - b.day || a.rank - b.rank || a.seq - b.seq);
  return drafts.map((d, i) => ({
    number: i + 1,
    date: isoDate(ym, d.day),
    summary: d.summary,
    attachments: d.attachments,
    lines: d.lines,
  }));
}
