/**
 * The place tree of a scale run: 天津市 → districts (their real 1201xx codes) → invented 镇 and 街道 → villages and
 * communities with 12-digit 统计用区划代码 (town = district + 3 digits + 000; village = town + 2xx for 村, 0xx for 社区)
 * and unique lowercase-pinyin slugs. Everything comes from the seeded stream, so a scale and seed give one tree.
 */
import type { DemoDistrict, DemoTown, DemoVillage, VillageSize } from '@mingbai/db/demo/regions';
import type { Rng } from '@mingbai/db/demo/random';

export interface DistrictPlan {
  name: string;
  slug: string;
  code6: string;
  /** No villages, only 街道 and 社区 (the six central districts). */
  urban: boolean;
  towns: number;
  villages: number;
}

/** Tianjin's 16 districts with town and village counts near the real ones: 252 towns, 5,409 units. */
export const TIANJIN_DISTRICTS: readonly DistrictPlan[] = [
  { name: '和平区', slug: 'heping', code6: '120101', urban: true, towns: 6, villages: 63 },
  { name: '河东区', slug: 'hedong', code6: '120102', urban: true, towns: 13, villages: 164 },
  { name: '河西区', slug: 'hexi', code6: '120103', urban: true, towns: 14, villages: 176 },
  { name: '南开区', slug: 'nankai', code6: '120104', urban: true, towns: 12, villages: 181 },
  { name: '河北区', slug: 'hebei', code6: '120105', urban: true, towns: 10, villages: 115 },
  { name: '红桥区', slug: 'hongqiao', code6: '120106', urban: true, towns: 10, villages: 101 },
  { name: '东丽区', slug: 'dongli', code6: '120110', urban: false, towns: 11, villages: 203 },
  { name: '西青区', slug: 'xiqing', code6: '120111', urban: false, towns: 10, villages: 301 },
  { name: '津南区', slug: 'jinnan', code6: '120112', urban: false, towns: 8, villages: 230 },
  { name: '北辰区', slug: 'beichen', code6: '120113', urban: false, towns: 14, villages: 269 },
  { name: '武清区', slug: 'wuqing', code6: '120114', urban: false, towns: 29, villages: 731 },
  { name: '宝坻区', slug: 'baodi', code6: '120115', urban: false, towns: 24, villages: 727 },
  { name: '滨海新区', slug: 'binhai', code6: '120116', urban: false, towns: 21, villages: 563 },
  { name: '宁河区', slug: 'ninghe', code6: '120117', urban: false, towns: 14, villages: 310 },
  { name: '静海区', slug: 'jinghai', code6: '120118', urban: false, towns: 18, villages: 422 },
  { name: '蓟州区', slug: 'jizhou', code6: '120119', urban: false, towns: 38, villages: 853 },
];

export interface PlacedVillage extends DemoVillage {
  /** Position in load order, 1-based: also the row id. */
  id: number;
  townIndex: number;
}

export interface PlaceTree {
  city: { name: string; slug: string; code: string };
  districts: DemoDistrict[];
  towns: DemoTown[];
  villages: PlacedVillage[];
}

type Syllable = readonly [hanzi: string, pinyin: string];

function syllables(text: string): Syllable[] {
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => {
      const [, hanzi, pinyin] = /^(\p{Script=Han}+)([a-z]+)$/u.exec(w)!;
      return [hanzi!, pinyin!] as const;
    });
}

// Town names: two characters, e.g. 大良镇, 梅厂镇, 双口镇.
const TOWN_FIRST = syllables(
  '大da 小xiao 东dong 西xi 南nan 北bei 梅mei 崔cui 杨yang 王wang 黄huang 白bai 双shuang 高gao 新xin 中zhong ' +
    '上shang 下xia 汉han 宜yi 八ba 石shi 河he 沙sha 林lin 太tai 牛niu 潘pan 霍huo 邦bang 尔er 史shi 豆dou 丰feng',
);
const TOWN_SECOND = syllables(
  '良liang 厂chang 口kou 沽gu 庄zhuang 营ying 坨tuo 桥qiao 集ji 港gang 店dian 屯tun 河he 城cheng 镇zhen 泉quan ' +
    '洼wa 桓huan 寨zhai 台tai 堡bao 辛xin 安an 平ping 官guan 兴xing 和he 乐le',
);
// Village names: a family or landmark, then the kind of settlement (王家庄, 大杨各庄, 东辛庄, 小南河).
const VILLAGE_HEAD = syllables(
  '王wang 李li 张zhang 刘liu 赵zhao 杨yang 陈chen 孙sun 高gao 马ma 郭guo 于yu 田tian 徐xu 韩han 朱zhu 董dong ' +
    '宋song 冯feng 付fu 周zhou 吴wu 郑zheng 何he 邢xing 侯hou 崔cui 曹cao 贾jia 石shi 霍huo 窦dou 毕bi 穆mu 闫yan',
);
const VILLAGE_PREFIX = syllables('大da 小xiao 东dong 西xi 南nan 北bei 前qian 后hou 上shang 下xia 新xin 老lao');
const VILLAGE_TAIL = syllables(
  '庄zhuang 营ying 屯tun 堡bao 口kou 店dian 务wu 台tai 沽gu 坨tuo 寨zhai 桥qiao 河he 洼wa 园yuan 楼lou 集ji 窝wo',
);
const MIDDLE = syllables('家jia 各ge 辛xin');
// Community names: 社区 of a 街道, e.g. 春华里社区, 天塔社区.
const COMMUNITY_FIRST = syllables(
  '春chun 华hua 天tian 金jin 和he 兴xing 光guang 明ming 文wen 安an 康kang 顺shun 丽li 锦jin 龙long 凤feng 翠cui ' +
    '佳jia 瑞rui 嘉jia 福fu 昌chang 海hai 宁ning 泰tai',
);
const COMMUNITY_SECOND = syllables(
  '苑yuan 里li 园yuan 庭ting 塔ta 湾wan 城cheng 府fu 景jing 苑yuan 桥qiao 泽ze 林lin 庄zhuang 坊fang 岸an',
);

export interface TreeShape {
  districts: readonly DistrictPlan[];
  /** Share of a rural district's units that are 社区 (urban districts have only 社区). */
  communityShare: number;
}

export function buildPlaceTree(shape: TreeShape, rng: Rng): PlaceTree {
  const regionSlugs = new Set<string>(['tianjin']);
  const villageSlugs = new Set<string>();
  const districts: DemoDistrict[] = [];
  const towns: DemoTown[] = [];
  const villages: PlacedVillage[] = [];
  for (const d of shape.districts) {
    const district: DemoDistrict = { name: d.name, slug: d.slug, code: `${d.code6}000000`, code6: d.code6 };
    regionSlugs.add(d.slug);
    districts.push(district);
    const townNames = new Set<string>();
    // Spread the district's units over its towns, each town at least a handful.
    const weights = Array.from({ length: d.towns }, () => rng.int(6, 14));
    const total = weights.reduce((a, b) => a + b, 0);
    let placed = 0;
    let streetNo = 0;
    let townNo = 0;
    for (let t = 0; t < d.towns; t++) {
      const count =
        t === d.towns - 1 ? d.villages - placed : Math.max(1, Math.round((d.villages * weights[t]!) / total));
      placed += count;
      const isStreet = d.urban || rng.chance(0.1);
      let name: string;
      let slug: string;
      do {
        const [a, b] = [rng.pick(TOWN_FIRST), rng.pick(TOWN_SECOND)];
        name = a[0] + b[0];
        slug = a[1] + b[1];
      } while (townNames.has(name) || regionSlugs.has(slug) || a2(name));
      townNames.add(name);
      regionSlugs.add(slug);
      const number = isStreet ? String(++streetNo).padStart(3, '0') : String(100 + ++townNo);
      const town: DemoTown = {
        name: name + (isStreet ? '街道' : '镇'),
        slug,
        code: `${d.code6}${number}000`,
        isStreet,
        district,
      };
      towns.push(town);
      let communityNo = 0;
      let villageNo = 0;
      const used = new Set<string>();
      for (let v = 0; v < count; v++) {
        const community = d.urban || isStreet || rng.chance(shape.communityShare * 0.35);
        // 0xx and 2xx hold 99 units each in a town; a very large town spills its villages into 3xx.
        const number = community
          ? String(++communityNo).padStart(3, '0')
          : String(villageNo < 99 ? 201 + villageNo++ : 301 + villageNo++ - 99);
        if (communityNo > 99) throw new Error(`town ${town.name} has more than 99 communities`);
        let hanzi: string;
        let pinyin: string;
        do {
          [hanzi, pinyin] = community ? communityName(rng) : villageName(rng);
        } while (used.has(hanzi));
        used.add(hanzi);
        let vslug = pinyin;
        if (villageSlugs.has(vslug)) vslug = `${pinyin}-${slug}`;
        for (let n = 2; villageSlugs.has(vslug); n++) vslug = `${pinyin}-${slug}-${n}`;
        villageSlugs.add(vslug);
        const size: VillageSize = community ? 'community' : rng.weighted(VILLAGE_SIZES);
        villages.push({
          id: villages.length + 1,
          townIndex: towns.length - 1,
          name: hanzi + (community ? '社区' : '村'),
          slug: vslug,
          number,
          kind: community ? 'community' : 'village',
          size,
          code: town.code.slice(0, 9) + number,
          town,
        });
      }
    }
  }
  return { city: { name: '天津市', slug: 'tianjin', code: '120000000000' }, districts, towns, villages };
}

const VILLAGE_SIZES: readonly (readonly [VillageSize, number])[] = [
  ['large', 3],
  ['medium', 4],
  ['small', 3],
];

/** Town names that read badly (the same character twice). */
function a2(name: string): boolean {
  return name[0] === name[1];
}

function villageName(rng: Rng): [string, string] {
  const shape = rng.int(0, 3);
  const head = rng.pick(VILLAGE_HEAD);
  const tail = rng.pick(VILLAGE_TAIL);
  if (shape === 0) {
    const mid = rng.pick(MIDDLE);
    return [head[0] + mid[0] + tail[0], head[1] + mid[1] + tail[1]];
  }
  if (shape === 1) {
    const pre = rng.pick(VILLAGE_PREFIX);
    return [pre[0] + head[0] + tail[0], pre[1] + head[1] + tail[1]];
  }
  if (shape === 2) {
    const pre = rng.pick(VILLAGE_PREFIX);
    const mid = rng.pick(MIDDLE);
    return [pre[0] + head[0] + mid[0] + tail[0], pre[1] + head[1] + mid[1] + tail[1]];
  }
  return [head[0] + tail[0], head[1] + tail[1]];
}

function communityName(rng: Rng): [string, string] {
  const a = rng.pick(COMMUNITY_FIRST);
  const b = rng.pick(COMMUNITY_SECOND);
  const c = rng.chance(0.3) ? rng.pick(COMMUNITY_SECOND) : undefined;
  return c && c[0] !== b[0] ? [a[0] + b[0] + c[0], a[1] + b[1] + c[1]] : [a[0] + b[0], a[1] + b[1]];
}
