/**
 * The demo region tree: 天津市 → the six districts the 天津 reports name → towns and 街道 → villages and communities.
 * Codes follow the 12-digit 统计用区划代码 pattern: district (6) + town (3: 0xx 街道, 1xx 镇) + 000 for a town,
 * town (9) + 3 digits for a village (2xx 村委会, 0xx 社区居委会). Names are real places where we could; codes are
 * plausible, not authoritative. Slugs are lowercase pinyin and unique across regions and villages.
 */

export type VillageSize = 'large' | 'medium' | 'small' | 'community' | 'tinyCommunity';

export interface VillageSpec {
  name: string;
  slug: string;
  /** Last 3 digits of the 12-digit code. */
  number: string;
  kind: 'village' | 'community';
  size: VillageSize;
  /** The village's big families, e.g. 付 in 付村. */
  surnames?: readonly string[];
}

export interface TownSpec {
  name: string;
  slug: string;
  /** Digits 7–9 of the code. */
  number: string;
  villages: readonly VillageSpec[];
}

export interface DistrictSpec {
  name: string;
  slug: string;
  /** 6-digit 区划 code, also the prefix of its residents' ID numbers. */
  code6: string;
  towns: readonly TownSpec[];
}

export const DEMO_CITY = { name: '天津市', slug: 'tianjin', code: '120000000000' } as const;

export const DEMO_DISTRICTS: readonly DistrictSpec[] = [
  {
    name: '西青区',
    slug: 'xiqing',
    code6: '120111',
    towns: [
      {
        name: '精武镇',
        slug: 'jingwu',
        number: '102',
        villages: [
          { name: '付村', slug: 'fucun', number: '201', kind: 'village', size: 'large', surnames: ['付', '王', '李'] },
          {
            name: '小南河村',
            slug: 'xiaonanhe',
            number: '202',
            kind: 'village',
            size: 'medium',
            surnames: ['霍', '刘'],
          },
          {
            name: '东流城村',
            slug: 'dongliucheng',
            number: '203',
            kind: 'village',
            size: 'medium',
            surnames: ['刘', '张'],
          },
        ],
      },
      {
        name: '杨柳青镇',
        slug: 'yangliuqing',
        number: '101',
        villages: [
          { name: '白滩寺村', slug: 'baitansi', number: '204', kind: 'village', size: 'small', surnames: ['王'] },
        ],
      },
      {
        name: '张家窝镇',
        slug: 'zhangjiawo',
        number: '103',
        villages: [
          { name: '田丽村', slug: 'tianli', number: '207', kind: 'village', size: 'medium', surnames: ['田', '杨'] },
        ],
      },
    ],
  },
  {
    name: '武清区',
    slug: 'wuqing',
    code6: '120114',
    towns: [
      {
        name: '大良镇',
        slug: 'daliang',
        number: '106',
        villages: [
          {
            name: '田水铺村',
            slug: 'tianshuipu',
            number: '213',
            kind: 'village',
            size: 'large',
            surnames: ['田', '张'],
          },
        ],
      },
      {
        name: '河西务镇',
        slug: 'hexiwu',
        number: '104',
        villages: [
          {
            name: '十四仓村',
            slug: 'shisicang',
            number: '221',
            kind: 'village',
            size: 'medium',
            surnames: ['李', '赵'],
          },
        ],
      },
      {
        name: '崔黄口镇',
        slug: 'cuihuangkou',
        number: '102',
        villages: [
          { name: '大友岱村', slug: 'dayoudai', number: '208', kind: 'village', size: 'small', surnames: ['孙'] },
        ],
      },
    ],
  },
  {
    name: '滨海新区',
    slug: 'binhai',
    code6: '120116',
    towns: [
      {
        name: '太平镇',
        slug: 'taiping',
        number: '104',
        villages: [
          {
            name: '窦庄子村',
            slug: 'douzhuangzi',
            number: '211',
            kind: 'village',
            size: 'large',
            surnames: ['窦', '王'],
          },
        ],
      },
      {
        name: '小王庄镇',
        slug: 'xiaowangzhuang',
        number: '103',
        villages: [
          { name: '刘岗庄村', slug: 'liugangzhuang', number: '205', kind: 'village', size: 'medium', surnames: ['刘'] },
        ],
      },
      {
        name: '中塘镇',
        slug: 'zhongtang',
        number: '102',
        villages: [
          {
            name: '甜水井村',
            slug: 'tianshuijing',
            number: '216',
            kind: 'village',
            size: 'medium',
            surnames: ['于', '马'],
          },
        ],
      },
      {
        name: '杨家泊镇',
        slug: 'yangjiabo',
        number: '108',
        villages: [
          { name: '付庄村', slug: 'fuzhuang', number: '203', kind: 'village', size: 'small', surnames: ['付', '郭'] },
        ],
      },
    ],
  },
  {
    name: '东丽区',
    slug: 'dongli',
    code6: '120110',
    towns: [
      {
        name: '金钟街道',
        slug: 'jinzhong',
        number: '009',
        villages: [
          {
            name: '大毕庄村',
            slug: 'dabizhuang',
            number: '212',
            kind: 'village',
            size: 'large',
            surnames: ['毕', '刘'],
          },
        ],
      },
      {
        name: '军粮城街道',
        slug: 'junliangcheng',
        number: '005',
        villages: [
          { name: '刘台村', slug: 'liutai', number: '206', kind: 'village', size: 'medium', surnames: ['刘', '穆'] },
        ],
      },
    ],
  },
  {
    name: '河北区',
    slug: 'hebei',
    code6: '120105',
    towns: [
      {
        name: '月牙河街道',
        slug: 'yueyahe',
        number: '010',
        villages: [{ name: '金月湾社区', slug: 'jinyuewan', number: '006', kind: 'community', size: 'community' }],
      },
      {
        name: '王串场街道',
        slug: 'wangchuanchang',
        number: '008',
        villages: [{ name: '民权门社区', slug: 'minquanmen', number: '011', kind: 'community', size: 'tinyCommunity' }],
      },
    ],
  },
  {
    name: '南开区',
    slug: 'nankai',
    code6: '120104',
    towns: [
      {
        name: '华苑街道',
        slug: 'huayuan',
        number: '011',
        villages: [{ name: '日华里社区', slug: 'rihuali', number: '003', kind: 'community', size: 'community' }],
      },
      {
        name: '王顶堤街道',
        slug: 'wangdingdi',
        number: '009',
        villages: [{ name: '迎风里社区', slug: 'yingfengli', number: '014', kind: 'community', size: 'tinyCommunity' }],
      },
    ],
  },
];

export interface DemoDistrict {
  name: string;
  slug: string;
  code: string;
  code6: string;
}

export interface DemoTown {
  name: string;
  slug: string;
  code: string;
  /** 镇 or 街道: who sends the money (精武镇人民政府, 金钟街道办事处). */
  isStreet: boolean;
  district: DemoDistrict;
}

/** A village with its place in the tree, ready to insert and to generate for. */
export interface DemoVillage extends VillageSpec {
  code: string;
  town: DemoTown;
}

function flatten(): DemoVillage[] {
  const out: DemoVillage[] = [];
  for (const d of DEMO_DISTRICTS) {
    const district: DemoDistrict = { name: d.name, slug: d.slug, code: `${d.code6}000000`, code6: d.code6 };
    for (const t of d.towns) {
      const town: DemoTown = {
        name: t.name,
        slug: t.slug,
        code: `${d.code6}${t.number}000`,
        isStreet: t.name.endsWith('街道'),
        district,
      };
      for (const v of t.villages) out.push({ ...v, code: `${d.code6}${t.number}${v.number}`, town });
    }
  }
  return out;
}

/** Every demo village, in tree order. */
export const DEMO_VILLAGES: readonly DemoVillage[] = flatten();

/** The organisation that pays a village its subsidies: 精武镇人民政府, or 金钟街道办事处 for a 街道. */
export function townGovernment(town: DemoTown): string {
  return town.isStreet ? `${town.district.name}${town.name}办事处` : `${town.name}人民政府`;
}

// The tree is data typed by hand: check the rules the database will check, and slug uniqueness across all levels.
(function checkTree() {
  const slugs = new Set<string>([DEMO_CITY.slug]);
  const codes = new Set<string>([DEMO_CITY.code]);
  const add = (slug: string, code: string) => {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug)) throw new Error(`demo slug ${slug} has the wrong format`);
    if (!/^[0-9]{12}$/.test(code)) throw new Error(`demo code ${code} is not 12 digits`);
    if (slugs.has(slug)) throw new Error(`demo slug ${slug} is used twice`);
    if (codes.has(code)) throw new Error(`demo code ${code} is used twice`);
    slugs.add(slug);
    codes.add(code);
  };
  const towns = new Set<string>();
  for (const v of DEMO_VILLAGES) {
    if (!slugs.has(v.town.district.slug)) add(v.town.district.slug, v.town.district.code);
    if (!towns.has(v.town.slug)) {
      towns.add(v.town.slug);
      add(v.town.slug, v.town.code);
    }
    add(v.slug, v.code);
  }
})();
