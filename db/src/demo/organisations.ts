/**
 * Organisations the villages pay and are paid by. Utilities and the bank are the real 天津 ones; contractors and
 * shops are invented, named the way such firms are named (天津市西青区鑫路市政工程有限公司).
 */
import type { Rng } from './random.ts';
import type { DemoVillage } from './regions.ts';

export const ELECTRICITY = '国网天津市电力公司';
export const WATER = '天津水务集团有限公司';
export const BANK = '天津农村商业银行股份有限公司';
const TELECOMS = ['中国联合网络通信有限公司天津市分公司', '中国电信股份有限公司天津分公司'] as const;

/** The firms one village deals with; fixed for the village, so the same contractor comes back month after month. */
export interface Vendors {
  telecom: string;
  roads: string;
  roads2: string;
  lighting: string;
  cleaning: string;
  garbage: string;
  greening: string;
  stationery: string;
  hardware: string;
  supermarket: string;
  electronics: string;
  lawFirm: string;
  software: string;
  printing: string;
  appliances: string;
}

const WORDS = ['鑫路', '顺达', '宏远', '通达', '恒基', '津安', '华建', '兴业', '瑞丰', '永盛', '德润', '金利'];
const LIGHT = ['华光', '明亮', '津明', '光辉', '星月', '亮点'];
const CLEAN = ['洁美', '绿洁', '清源', '美居', '净界', '康洁'];
const SHOP = ['鑫源', '晨光', '文华', '永兴', '福源', '惠民', '顺利', '鑫盛', '宏达', '家和'];
const MARKET = ['百家惠', '家家乐', '惠民', '好又多', '万家福'];

export function makeVendors(rng: Rng, village: DemoVillage): Vendors {
  const district = village.town.district.name;
  const place = `天津市${district}${village.town.name}`;
  const [w1, w2] = rng.sample(WORDS, 2) as [string, string];
  return {
    telecom: rng.pick(TELECOMS),
    roads: `天津市${district}${w1}市政工程有限公司`,
    roads2: `天津${w2}路桥工程有限公司`,
    lighting: `天津${rng.pick(LIGHT)}照明工程有限公司`,
    cleaning: `天津市${district}${rng.pick(CLEAN)}环境卫生服务有限公司`,
    garbage: `天津市${district}${rng.pick(CLEAN)}垃圾清运有限公司`,
    greening: `天津市${district}${rng.pick(WORDS)}园林绿化工程有限公司`,
    stationery: `${place}${rng.pick(SHOP)}文具店`,
    hardware: `${place}${rng.pick(SHOP)}五金建材商店`,
    supermarket: `${village.town.name}${rng.pick(MARKET)}超市`,
    electronics: `天津${rng.pick(WORDS)}科技有限公司`,
    lawFirm: `天津${rng.pick(['正平', '津衡', '恒信', '金诺'])}律师事务所`,
    software: `天津${rng.pick(['用友', '畅捷', '农信'])}软件技术服务有限公司`,
    printing: `${place}${rng.pick(SHOP)}广告图文社`,
    appliances: `${place}${rng.pick(SHOP)}家电维修部`,
  };
}

/** Tenants and contractors that are firms rather than households. */
export function makeFirm(rng: Rng, village: DemoVillage, kind: 'tenant' | 'farm'): string {
  const district = village.town.district.name;
  if (kind === 'farm') {
    return rng.chance(0.5)
      ? `天津市${district}${village.name.replace(/村$/, '')}${rng.pick(['种植', '养殖', '农机'])}专业合作社`
      : `天津${rng.pick(WORDS)}农业科技有限公司`;
  }
  return `天津市${rng.pick(WORDS)}${rng.pick(['商贸', '物流', '包装', '机械加工', '家具'])}有限公司`;
}
