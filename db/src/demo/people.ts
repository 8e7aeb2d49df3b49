/**
 * Made-up villagers: Chinese names, 18-digit 居民身份证号码 with a correct check digit (GB 11643), mobile numbers
 * and 19-digit bank cards with a correct Luhn digit. Any resemblance to a real person is a coincidence; the data
 * exists so the system's masking (张*丰, 120111********1234, 138****5678, 6228 ****1234) has something to mask.
 */
import type { Rng } from './random.ts';

function words(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

export type Gender = 'M' | 'F';
/** Born 1930–1956 (老年人补贴), 1940–1985 (低保 households), 1962–1995 (cadres, tenants, contractors). */
export type Generation = 'elder' | 'middle' | 'young';

export interface Person {
  name: string;
  gender: Gender;
  /** YYYY-MM-DD */
  birthDate: string;
  idNumber: string;
  phone: string;
  bankAccount: string;
}

/** Common surnames of the 天津 countryside, weighted roughly by frequency. */
const SURNAMES: readonly (readonly [string, number])[] = words(
  '王14 李13 张13 刘11 赵6 杨5 陈4 孙4 高4 马3 郭3 于3 田3 徐3 韩2 朱2 董2 宋2 冯2 ' +
    '付2 周2 吴2 郑2 何1 邢1 侯1 崔1 曹1 贾1 石1 霍1 窦1 毕1 穆1 闫1 魏1 薛1 邵1 欧阳0.3 司马0.1',
).map((w) => {
  const [, name, weight] = /^(\D+)([0-9.]+)$/.exec(w)!;
  return [name!, Number(weight)] as const;
});

// Given names by generation and gender. Chosen so that no name is a word a 摘要 would use on its own.
const GIVEN: Record<Generation, Record<Gender, readonly string[]>> = {
  elder: {
    F: words(
      '桂兰 秀英 淑珍 凤英 玉兰 秀兰 桂英 淑华 秀珍 玉珍 凤兰 桂芝 淑芬 秀荣 玉梅 素芹 金凤 桂荣 淑兰 凤琴 秀云 玉芬 宝珍 翠兰 翠英 淑贞 荣 珍 兰',
    ),
    M: words(
      '建国 国强 振华 德福 长顺 宝山 文华 春生 金生 玉林 树林 福生 永祥 德明 国华 庆丰 宝忠 连生 长林 凤山 万福 广才 景山 殿起 玉亭 占元 山 林',
    ),
  },
  middle: {
    F: words(
      '丽华 秀芝 凤霞 玉华 春英 淑敏 桂香 红霞 素英 金玲 立平 艳华 秀梅 霞 玉霞 凤芝 春兰 爱华 金花 美荣 俊英 桂云 淑娟 彩霞 小红 卫红 萍 芳',
    ),
    M: words(
      '建华 志刚 国庆 建军 卫东 宝林 立新 学军 红军 振江 树森 海山 永利 勇 国良 振东 长江 福顺 金华 宝来 俊生 秋生 庆祥 广义 德胜 铁军 刚 明',
    ),
  },
  young: {
    F: words(
      '丽娜 红梅 晓燕 海燕 秀丽 春燕 雪梅 丽娟 美玲 婷婷 亚楠 文静 静 丽 娜 燕 艳 敏 颖 晓丽 慧敏 玉洁 梦琪 雪 瑶 思雨 金秀 春华 彦君',
    ),
    M: words(
      '海涛 志强 晓东 建伟 永刚 立军 红伟 国栋 俊杰 文博 海军 伟 磊 超 军 强 涛 鹏 浩 宇 振宇 立伟 宏亮 子健 洪涛 建明 德才 亮 斌 凯',
    ),
  },
};

const BIRTH_YEARS: Record<Generation, readonly [number, number]> = {
  elder: [1930, 1956],
  middle: [1940, 1985],
  young: [1962, 1995],
};

/** Mobile prefixes of the three carriers (移动, 联通, 电信), all matching 1[3-9]. */
const MOBILE_PREFIXES = words(
  '130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 173 176 177 180 181 185 186 187 188 189 198 199',
);

/** BINs of 19-digit debit cards: 农业银行 622848, 建设银行 621700, 工商银行 621226 / 622202. */
const CARD_BINS = ['622848', '622848', '622848', '621700', '621226', '622202'] as const;

/** Places people were born outside their district: 宁河 120221, 静海 120223, 蓟县 120225, 河北 霸州 131081. */
const OTHER_BIRTHPLACES = ['120221', '120223', '120225', '120222', '131081', '130681'] as const;

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = '10X98765432';

/** GB 11643 check character (ISO 7064 MOD 11-2) of the first 17 digits. */
export function idCheckDigit(first17: string): string {
  if (!/^[0-9]{17}$/.test(first17)) throw new Error(`not 17 digits: ${first17}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11]!;
}

/** 18-digit ID: region (6) + birth date (8) + sequence (3, odd for men) + check digit. */
export function makeIdNumber(region: string, birthDate: string, sequence: number, gender: Gender): string {
  let seq = sequence % 1000;
  if ((seq % 2 === 1) !== (gender === 'M')) seq = (seq + 1) % 1000;
  const first17 = `${region}${birthDate.replaceAll('-', '')}${String(seq).padStart(3, '0')}`;
  return first17 + idCheckDigit(first17);
}

/** Luhn check digit for a card number without its last digit. */
export function luhnCheckDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

function digits(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(rng.int(0, 9));
  return s;
}

export function makePhone(rng: Rng): string {
  return rng.pick(MOBILE_PREFIXES) + digits(rng, 8);
}

export function makeBankCard(rng: Rng): string {
  const body = rng.pick(CARD_BINS) + digits(rng, 12);
  return body + luhnCheckDigit(body);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Makes people for one village. Names are unique within the factory, so a summary naming 张桂兰 means one person.
 * `localSurnames` gives the village its families (付村 has many 付).
 */
export class PeopleFactory {
  private readonly used = new Set<string>();

  constructor(
    private readonly rng: Rng,
    /** 6-digit district code most villagers were registered in (e.g. 120111 西青区). */
    private readonly region: string,
    private readonly localSurnames: readonly string[] = [],
  ) {}

  person(generation: Generation, gender: Gender = this.rng.chance(0.5) ? 'M' : 'F'): Person {
    const rng = this.rng;
    const drawName = () =>
      (this.localSurnames.length > 0 && rng.chance(0.45) ? rng.pick(this.localSurnames) : rng.weighted(SURNAMES)) +
      rng.pick(GIVEN[generation][gender]);
    let name = drawName();
    for (let attempt = 0; this.used.has(name); attempt++) {
      if (attempt > 200) throw new Error('ran out of distinct names');
      name = drawName();
    }
    this.used.add(name);
    const [from, to] = BIRTH_YEARS[generation];
    const year = rng.int(from, to);
    const month = rng.int(1, 12);
    const day = rng.int(1, daysInMonth(year, month));
    const birthDate = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const region = rng.chance(0.88) ? this.region : rng.pick(OTHER_BIRTHPLACES);
    return {
      name,
      gender,
      birthDate,
      idNumber: makeIdNumber(region, birthDate, rng.int(1, 998), gender),
      phone: makePhone(rng),
      bankAccount: makeBankCard(rng),
    };
  }

  people(n: number, generation: Generation): Person[] {
    return Array.from({ length: n }, () => this.person(generation));
  }
}

/** Age in whole years on a date (YYYY-MM-DD). */
export function ageOn(person: Person, date: string): number {
  const [by, bm, bd] = person.birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}
