/**
 * A village's fixed cast for the whole demo: its committee, who draws 低保 and 老年人补贴, who rents and contracts
 * its land, the firms it pays, its budget and its books on the day they start on this system (2023-11-01).
 * Everything here comes from the village's own random stream, so it is the same on every run.
 */
import type { CounterpartyInput } from '../ledger/voucher-input.ts';
import { yuan } from '../ledger/money.ts';
import { demoMonths } from './calendar.ts';
import { makeFirm, makeVendors, type Vendors } from './organisations.ts';
import { PeopleFactory, type Person } from './people.ts';
import { rngFor } from './random.ts';
import { townGovernment, type DemoVillage, type VillageSize } from './regions.ts';

interface Profile {
  /** Vouchers a month, before cash top-ups. */
  vouchers: readonly [number, number];
  cadres: number;
  dibao: readonly [number, number];
  elders: readonly [number, number];
  tenancies: number;
  contracts: number;
  delegates: number;
  bankYuan: readonly [number, number];
  fixedAssetsYuan: readonly [number, number];
  cleaningYuan: readonly [number, number];
  /** Roads, lights and greening: the village has land and streets to keep. */
  rural: boolean;
}

const PROFILES: Record<VillageSize, Profile> = {
  large: {
    vouchers: [34, 45],
    cadres: 6,
    dibao: [8, 11],
    elders: [38, 52],
    tenancies: 3,
    contracts: 6,
    delegates: 12,
    bankYuan: [1_500_000, 3_000_000],
    fixedAssetsYuan: [2_500_000, 6_000_000],
    cleaningYuan: [12_000, 18_000],
    rural: true,
  },
  medium: {
    vouchers: [26, 35],
    cadres: 5,
    dibao: [5, 8],
    elders: [22, 34],
    tenancies: 2,
    contracts: 4,
    delegates: 10,
    bankYuan: [700_000, 1_500_000],
    fixedAssetsYuan: [1_000_000, 3_000_000],
    cleaningYuan: [8_000, 12_000],
    rural: true,
  },
  small: {
    vouchers: [20, 27],
    cadres: 4,
    dibao: [3, 5],
    elders: [12, 20],
    tenancies: 1,
    contracts: 3,
    delegates: 8,
    bankYuan: [200_000, 600_000],
    fixedAssetsYuan: [400_000, 1_200_000],
    cleaningYuan: [5_000, 8_000],
    rural: true,
  },
  community: {
    vouchers: [14, 19],
    cadres: 4,
    dibao: [2, 4],
    elders: [0, 0],
    tenancies: 1,
    contracts: 0,
    delegates: 0,
    bankYuan: [250_000, 450_000],
    fixedAssetsYuan: [200_000, 600_000],
    cleaningYuan: [3_000, 5_000],
    rural: false,
  },
  tinyCommunity: {
    vouchers: [8, 12],
    cadres: 3,
    dibao: [1, 2],
    elders: [0, 0],
    tenancies: 0,
    contracts: 0,
    delegates: 0,
    bankYuan: [200_000, 300_000],
    fixedAssetsYuan: [100_000, 300_000],
    cleaningYuan: [2_000, 3_000],
    rural: false,
  },
};

/** The demo's months by index: 0 = 2023-11 … 35 = 2026-10. */
export const MONTHS = demoMonths();
export const MONTH_COUNT = MONTHS.length;

export interface Cadre {
  person: Person;
  title: string;
  /** 书记 (and 主任): first on the payroll, approves the vouchers. */
  head: boolean;
  /** Monthly pay in 2023, whole yuan; raised each January. */
  basePayYuan: number;
}

export interface DibaoHousehold {
  head: Person;
  /** Members counted for the benefit. */
  members: number;
  /** Household income deducted from the standard, whole yuan. */
  offsetYuan: number;
  /** Month indexes the household draws 低保: [from, until). */
  from: number;
  until: number;
}

export interface Elder {
  person: Person;
  /** Month index from which no more subsidy is paid (moved away, died); MONTH_COUNT if none. */
  until: number;
}

export interface Contract {
  holder: CounterpartyInput;
  subject: string;
  /** Area in 亩, for land, ponds and orchards. */
  mu: number | undefined;
  annualFeeYuan: number;
  /** Calendar months the fee is paid in: one payment, or two halves. */
  payMonths: readonly number[];
}

export interface Tenancy {
  tenant: CounterpartyInput;
  premises: string;
  monthlyRentYuan: number;
  /** Firms pay a quarter in advance, households monthly. */
  quarterly: boolean;
  /** Paid in cash at the village office. */
  inCash: boolean;
}

export interface Deposit {
  holder: Person;
  what: string;
  amountYuan: number;
  /** Month index of the refund; its summary carries the phone or ID number (so free-text masking gets exercised). */
  refundAt: number;
  contact: 'phone' | 'id';
}

export interface BigPurchase {
  at: number;
  key: 'office' | 'sanitation' | 'fixedAssets' | 'lighting' | 'activities' | 'greening';
  what: string;
  vendor: keyof Vendors;
  /** Just under the old 20,000-yuan disclosure line. */
  amountYuan: number;
}

export interface SpecialGrant {
  at: number;
  what: string;
  amountYuan: number;
  spendAt: number;
  spendKey: 'roads' | 'greening' | 'sanitation' | 'lighting';
  spendWhat: string;
  spendVendor: keyof Vendors;
  spendYuan: number;
}

export interface VillageCast {
  village: DemoVillage;
  profile: Profile;
  townGov: string;
  staff: { preparer: string; reviewer: string; approver: string };
  cadres: Cadre[];
  dibao: DibaoHousehold[];
  elders: Elder[];
  delegates: { person: Person; yuan: number }[];
  contracts: Contract[];
  tenancies: Tenancy[];
  deposits: Deposit[];
  bigPurchases: BigPurchase[];
  grants: SpecialGrant[];
  vendors: Vendors;
  telecomYuan: number;
  officePowerYuan: number;
  streetPowerYuan: number;
  cleaningYuan: number;
  quarterlySubsidyYuan: number;
  opening: {
    cashFen: bigint;
    bankFen: bigint;
    fixedAssetsFen: bigint;
    depreciationFen: bigint;
    reserveFen: bigint;
    depositsFen: bigint;
  };
}

export function personCounterparty(p: Person): CounterpartyInput {
  return { name: p.name, isPerson: true, idNumber: p.idNumber, phone: p.phone, bankAccount: p.bankAccount };
}

export function firmCounterparty(name: string): CounterpartyInput {
  return { name, isPerson: false };
}

/** 低保 standard per member and month (天津 raises it each July). */
export function dibaoStandardYuan(year: number, month: number): number {
  const ym = year * 100 + month;
  if (ym >= 202_507) return 1_120;
  if (ym >= 202_407) return 1_065;
  return 1_010;
}

export function dibaoAmountYuan(h: DibaoHousehold, year: number, month: number): number {
  return Math.max(300, dibaoStandardYuan(year, month) * h.members - h.offsetYuan);
}

/** Cadre pay for a month: raised 200 yuan (书记 300) in 2025, another 150 in 2026. */
export function cadrePayYuan(c: Cadre, year: number): number {
  let pay = c.basePayYuan;
  if (year >= 2025) pay += c.head ? 300 : 200;
  if (year >= 2026) pay += 150;
  return pay;
}

const VILLAGE_TITLES = ['党支部书记、村委会主任', '报账员', '村委会副主任', '妇联主席', '治保主任', '村委会委员'];
const COMMUNITY_TITLES = ['社区党委书记、居委会主任', '社区会计', '居委会副主任', '社区网格员'];

const PURCHASES: readonly Omit<BigPurchase, 'at'>[] = [
  { key: 'office', what: '购置办公电脑3台及打印机1台', vendor: 'electronics', amountYuan: 19_800 },
  { key: 'sanitation', what: '购置分类垃圾桶120个', vendor: 'hardware', amountYuan: 19_960 },
  { key: 'fixedAssets', what: '购置村委会视频监控设备一套', vendor: 'electronics', amountYuan: 19_850 },
  { key: 'lighting', what: '购置太阳能路灯16盏', vendor: 'lighting', amountYuan: 19_880 },
  { key: 'activities', what: '购置健身器材一批', vendor: 'hardware', amountYuan: 19_900 },
  { key: 'greening', what: '购买绿化苗木（国槐120株）', vendor: 'greening', amountYuan: 19_950 },
];

const GRANTS = [
  {
    what: '农村人居环境整治专项资金',
    spendKey: 'sanitation',
    spendWhat: '村庄环境整治工程款',
    spendVendor: 'cleaning',
  },
  { what: '美丽乡村建设补助资金', spendKey: 'greening', spendWhat: '村内绿化提升工程款', spendVendor: 'greening' },
  { what: '农村公路养护补助资金', spendKey: 'roads', spendWhat: '村内道路养护工程款', spendVendor: 'roads' },
  { what: '路灯改造补助资金', spendKey: 'lighting', spendWhat: '路灯节能改造工程款', spendVendor: 'lighting' },
] as const;

export function buildCast(village: DemoVillage): VillageCast {
  const rng = rngFor('cast', village.slug);
  const profile = PROFILES[village.size];
  const people = new PeopleFactory(rng, village.town.district.code6, village.surnames ?? []);
  const community = village.kind === 'community';
  const vendors = makeVendors(rng, village);

  const titles = community ? COMMUNITY_TITLES : VILLAGE_TITLES;
  const cadres: Cadre[] = titles.slice(0, profile.cadres).map((title, i) => ({
    person: people.person('young'),
    title,
    head: i === 0,
    basePayYuan: i === 0 ? rng.int(46, 56) * 100 : i === 1 ? rng.int(36, 42) * 100 : rng.int(30, 38) * 100,
  }));
  const reviewer = people.person('middle');
  const staff = { approver: cadres[0]!.person.name, preparer: cadres[1]!.person.name, reviewer: reviewer.name };

  const dibao: DibaoHousehold[] = Array.from({ length: rng.int(...profile.dibao) }, (_, i) => {
    const change = i > 0 && rng.chance(0.25);
    const joinsLate = change && rng.chance(0.5);
    return {
      head: people.person(rng.chance(0.6) ? 'elder' : 'middle'),
      members: rng.weighted([
        [1, 5],
        [2, 3],
        [3, 1],
      ] as const),
      offsetYuan: rng.int(0, 45) * 10,
      from: joinsLate ? rng.int(4, 30) : 0,
      until: change && !joinsLate ? rng.int(6, 33) : MONTH_COUNT,
    };
  });

  const elders: Elder[] = Array.from({ length: rng.int(...profile.elders) }, () => ({
    person: people.person('elder'),
    until: rng.chance(0.12) ? rng.int(3, 34) : MONTH_COUNT,
  }));

  const delegates = Array.from({ length: profile.delegates }, () => ({
    person: people.person(rng.pick(['middle', 'young'] as const)),
    yuan: rng.int(6, 12) * 100,
  }));

  const contracts: Contract[] = Array.from({ length: profile.contracts }, () => {
    const subject = rng.weighted([
      ['土地', 6],
      ['鱼塘', 2],
      ['果园', 1],
      ['集体厂房', 1],
    ] as const);
    const firm = subject === '集体厂房' || rng.chance(0.25);
    const holder = firm
      ? firmCounterparty(makeFirm(rng, village, 'farm'))
      : personCounterparty(people.person('middle'));
    const mu = subject === '集体厂房' ? undefined : subject === '土地' ? rng.int(12, 180) : rng.int(10, 60);
    const perMu =
      subject === '鱼塘' ? rng.int(18, 30) * 50 : subject === '果园' ? rng.int(12, 18) * 50 : rng.int(16, 24) * 50;
    return {
      holder,
      subject,
      mu,
      annualFeeYuan: mu === undefined ? rng.int(60, 240) * 1000 : mu * perMu,
      payMonths: rng.pick([[12], [11], [3], [3, 9], [4, 10]] as const),
    };
  });

  const premisesList = community
    ? ['社区底商门脸房', '社区活动中心一层门面']
    : ['村委会临街门面房', '原村小学校舍', '集体仓库', '沿街商铺2间', '农贸市场摊位'];
  const tenancies: Tenancy[] = rng.sample(premisesList, profile.tenancies).map((premises) => {
    const firm = rng.chance(0.45);
    const monthlyRentYuan = firm ? rng.int(30, 90) * 100 : rng.int(8, 25) * 100;
    return {
      tenant: firm ? firmCounterparty(makeFirm(rng, village, 'tenant')) : personCounterparty(people.person('young')),
      premises,
      monthlyRentYuan,
      quarterly: firm && rng.chance(0.6),
      inCash: !firm && monthlyRentYuan <= 1_500,
    };
  });

  const deposits: Deposit[] = [0, 12, 24].map((start, i) => ({
    holder: people.person(rng.pick(['middle', 'young'] as const)),
    what: rng.pick(community ? ['租房押金', '装修押金'] : ['承包押金', '租房押金', '施工押金']),
    amountYuan: rng.pick([2_000, 3_000, 5_000, 10_000]),
    refundAt: rng.int(Math.max(start, 1), start + 11),
    contact: i === 1 ? 'id' : 'phone',
  }));

  const purchaseMonths = rng.sample(
    Array.from({ length: MONTH_COUNT - 2 }, (_, i) => i + 2),
    community ? 1 : rng.int(1, 2),
  );
  const bigPurchases = rng
    .sample(
      community ? PURCHASES.filter((p) => p.key !== 'lighting' && p.key !== 'greening') : PURCHASES,
      purchaseMonths.length,
    )
    .map((p, i) => ({ ...p, at: purchaseMonths[i]! }));

  const grants: SpecialGrant[] = profile.rural
    ? [1, 13, 25].map((start) => {
        const g = rng.pick(GRANTS);
        const at = rng.int(start, start + 8);
        const amountYuan = rng.int(3, 15) * 10_000;
        return {
          at,
          what: g.what,
          amountYuan,
          spendAt: Math.min(at + rng.int(0, 2), MONTH_COUNT - 1),
          spendKey: g.spendKey,
          spendWhat: g.spendWhat,
          spendVendor: g.spendVendor,
          spendYuan: Math.round((amountYuan * rng.int(85, 100)) / 100),
        };
      })
    : [];

  const telecomYuan = rng.pick([199, 299, 159]);
  const officePowerYuan = community ? rng.int(25, 50) * 10 : rng.int(40, 90) * 10;
  const streetPowerYuan = profile.rural ? rng.int(80, 250) * 10 : 0;
  const cleaningYuan = rng.int(profile.cleaningYuan[0] / 100, profile.cleaningYuan[1] / 100) * 100;

  // What leaves the bank in an average month, and what comes in without the township; the township's quarterly
  // 运转经费 fills the gap, so the balance neither runs dry nor piles up.
  const monthlyOut =
    cadres.reduce((s, c) => s + c.basePayYuan + 150, 0) +
    cleaningYuan +
    officePowerYuan +
    streetPowerYuan * 1.1 +
    telecomYuan +
    elders.length * 130 +
    delegates.reduce((s, d) => s + d.yuan, 0) / 12 +
    (profile.rural ? (village.size === 'large' ? 13_000 : village.size === 'medium' ? 9_000 : 6_000) : 1_500) +
    (profile.rural ? 2_300 : 0) +
    1_200;
  const monthlyIn =
    tenancies.reduce((s, t) => s + t.monthlyRentYuan, 0) + contracts.reduce((s, c) => s + c.annualFeeYuan, 0) / 12;
  const quarterlySubsidyYuan = Math.max(20_000, Math.ceil(((monthlyOut - monthlyIn) * 3 * 1.02) / 1000) * 1000);

  const bankFen = yuan(rng.int(...profile.bankYuan), rng.int(0, 99));
  const cashFen = yuan(rng.int(800, 4_800), rng.int(0, 99));
  const fixedAssetsFen = yuan(rng.int(profile.fixedAssetsYuan[0] / 1000, profile.fixedAssetsYuan[1] / 1000) * 1000);
  const depreciationFen = ((fixedAssetsFen * BigInt(rng.int(15, 35))) / 100n / 100n) * 100n;
  const depositsFen = yuan(deposits.reduce((s, d) => s + d.amountYuan, 0));
  const netFen = cashFen + bankFen + fixedAssetsFen - depreciationFen - depositsFen;
  const reserveFen = ((netFen * BigInt(rng.int(10, 25))) / 100n / 100n) * 100n;

  return {
    village,
    profile,
    townGov: townGovernment(village.town),
    staff,
    cadres,
    dibao,
    elders,
    delegates,
    contracts,
    tenancies,
    deposits,
    bigPurchases,
    grants,
    vendors,
    telecomYuan,
    officePowerYuan,
    streetPowerYuan,
    cleaningYuan,
    quarterlySubsidyYuan,
    opening: { cashFen, bankFen, fixedAssetsFen, depreciationFen, reserveFen, depositsFen },
  };
}
