import { eq, sql, type SQL } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../client.ts';
import { LedgerError } from './errors.ts';
import { formatYuan } from './money.ts';
import { regions } from '../schema/regions.ts';

/**
 * The red-flag rules: what each one looks for, in words a villager understands, and the thresholds it is judged by.
 * The rules themselves are code (`red-flag-engine.ts`, fed and worded by `red-flags.ts`); their thresholds are public data, versioned per
 * district or town (`red_flag_rule_sets`), and the version in force when a month is published is frozen with it.
 */

export const RULE_CODES = [
  'CASH_OVER_LIMIT',
  'SPLIT_BELOW_TIER',
  'JUST_BELOW_TIER',
  'LARGE_TO_PERSON',
  'DUPLICATE_PAYMENT',
  'CASH_ON_HAND',
  'NON_PRODUCTIVE',
  'LATE_PUBLICATION',
] as const;
export type RuleCode = (typeof RULE_CODES)[number];

/** fen: money in fen; days: a count of days; percent: a whole percentage; day: a day of the month. */
export type ThresholdUnit = 'fen' | 'days' | 'percent' | 'day';

export const THRESHOLD_NAMES = [
  'cashLimitFen',
  'tierServiceCentreFen',
  'tierTownshipFen',
  'tierAuditFen',
  'splitWindowDays',
  'justBelowPercent',
  'personLargeFen',
  'duplicateWindowDays',
  'cashOnHandFen',
  'nonProductiveFen',
  'nonProductivePercent',
  'publishByDay',
] as const;
export type ThresholdName = (typeof THRESHOLD_NAMES)[number];

/** Every threshold as an exact integer in its unit (fen never touches a float). */
export type Thresholds = Record<ThresholdName, bigint>;

export interface ThresholdDefinition {
  name: ThresholdName;
  title: string;
  unit: ThresholdUnit;
  default: bigint;
  min: bigint;
  max: bigint;
  /** Where the default comes from, for the public rules page. */
  source: string;
}

const MAX_FEN = 100_000_000_000n; // ¥1,000,000,000: no village threshold is larger

export const THRESHOLDS: readonly ThresholdDefinition[] = [
  {
    name: 'cashLimitFen',
    title: '现金支付限额',
    unit: 'fen',
    default: 100_000n,
    min: 100n,
    max: MAX_FEN,
    source: '《现金管理暂行条例》结算起点 1,000 元；各地村级财务管理办法多以此为现金支付上限',
  },
  {
    name: 'tierServiceCentreFen',
    title: '第一档审批额（报镇农经服务中心审核）',
    unit: 'fen',
    default: 500_000n,
    min: 100n,
    max: MAX_FEN,
    source: '村级“小微权力”清单常见分档：5,000 元以上报镇（街）农村经营管理服务中心审核',
  },
  {
    name: 'tierTownshipFen',
    title: '第二档审批额（报镇政府审批）',
    unit: 'fen',
    default: 2_000_000n,
    min: 100n,
    max: MAX_FEN,
    source: '村级重大事项“四议两公开”常见分档：20,000 元以上报镇（街）审批',
  },
  {
    name: 'tierAuditFen',
    title: '第三档审批额（须审计）',
    unit: 'fen',
    default: 8_000_000n,
    min: 100n,
    max: MAX_FEN,
    source: '常见分档：80,000 元以上的项目须经审计',
  },
  {
    name: 'splitWindowDays',
    title: '拆分支付的时间窗口',
    unit: 'days',
    default: 30n,
    min: 1n,
    max: 366n,
    source: '明白账默认：同一收款方 30 天内的多笔支付合并看',
  },
  {
    name: 'justBelowPercent',
    title: '“卡线”范围（低于审批额的百分比）',
    unit: 'percent',
    default: 3n,
    min: 1n,
    max: 50n,
    source: '明白账默认：低于审批额 3% 以内视为卡线',
  },
  {
    name: 'personLargeFen',
    title: '付给个人的大额支付',
    unit: 'fen',
    default: 500_000n,
    min: 100n,
    max: MAX_FEN,
    source: '明白账默认：付给个人 5,000 元以上（与第一档审批额相同）',
  },
  {
    name: 'duplicateWindowDays',
    title: '重复支付的时间窗口',
    unit: 'days',
    default: 7n,
    min: 1n,
    max: 366n,
    source: '明白账默认：同一收款方、同一金额 7 天内两次',
  },
  {
    name: 'cashOnHandFen',
    title: '月末库存现金限额',
    unit: 'fen',
    default: 500_000n,
    min: 100n,
    max: MAX_FEN,
    source: '《现金管理暂行条例》库存现金限额按 3 至 5 天日常零星开支核定；村级常见核定 5,000 元',
  },
  {
    name: 'nonProductiveFen',
    title: '非生产性开支月度限额',
    unit: 'fen',
    default: 300_000n,
    min: 100n,
    max: MAX_FEN,
    source: '各地村级非生产性开支管理办法：招待、礼品、慰问等设月度限额',
  },
  {
    name: 'nonProductivePercent',
    title: '非生产性开支占当月支出的比例上限',
    unit: 'percent',
    default: 10n,
    min: 1n,
    max: 100n,
    source: '明白账默认：超过当月支出的 10%',
  },
  {
    name: 'publishByDay',
    title: '公开期限（次月几日前）',
    unit: 'day',
    default: 10n,
    min: 1n,
    max: 28n,
    source: '《农村集体经济组织财务制度》与各地村务公开规定：财务收支按月或季公开，次月 10 日前公开',
  },
];

export interface RuleDefinition {
  code: RuleCode;
  title: string;
  /** What the rule looks for and why it matters, for a villager. `{name}` marks where a threshold's value goes. */
  explanation: string;
  thresholds: readonly ThresholdName[];
}

export const RULES: readonly RuleDefinition[] = [
  {
    code: 'CASH_OVER_LIMIT',
    title: '大额现金支付',
    explanation: '一笔现金支付达到 {cashLimitFen}。大额款项应当转账，留下银行记录；现金支付难以追查钱最后去了哪里。',
    thresholds: ['cashLimitFen'],
  },
  {
    code: 'SPLIT_BELOW_TIER',
    title: '疑似拆分支付',
    explanation:
      '{splitWindowDays}内付给同一收款方的几笔钱，每笔都低于审批额，合起来却超过了。把一笔大支出拆成几笔小的，可以躲过上级审批。审批额：{tierServiceCentreFen}、{tierTownshipFen}、{tierAuditFen}。',
    thresholds: ['splitWindowDays', 'tierServiceCentreFen', 'tierTownshipFen', 'tierAuditFen'],
  },
  {
    code: 'JUST_BELOW_TIER',
    title: '金额卡在审批线下',
    explanation:
      '一笔支付只比审批额低一点（{justBelowPercent}以内），例如 19,900 元而审批额是 20,000 元。金额故意压在线下，可能是为了不报上级审批。审批额：{tierServiceCentreFen}、{tierTownshipFen}、{tierAuditFen}。',
    thresholds: ['justBelowPercent', 'tierServiceCentreFen', 'tierTownshipFen', 'tierAuditFen'],
  },
  {
    code: 'LARGE_TO_PERSON',
    title: '大额付给个人',
    explanation:
      '一笔付给个人的钱达到 {personLargeFen}。工资、补贴以外的大额个人支付，应当有合同或村民代表会议的决定。',
    thresholds: ['personLargeFen'],
  },
  {
    code: 'DUPLICATE_PAYMENT',
    title: '疑似重复支付',
    explanation: '{duplicateWindowDays}内付给同一收款方同样金额两次以上。可能是同一张发票报销了两次。',
    thresholds: ['duplicateWindowDays'],
  },
  {
    code: 'CASH_ON_HAND',
    title: '月末库存现金过多',
    explanation: '月末村里留存的现金超过 {cashOnHandFen}。现金应当存入银行，留得多容易被挪用。',
    thresholds: ['cashOnHandFen'],
  },
  {
    code: 'NON_PRODUCTIVE',
    title: '非生产性开支偏高',
    explanation:
      '当月招待、礼品、慰问等非生产性开支超过 {nonProductiveFen}，或超过当月全部支出的 {nonProductivePercent}。这些开支应当从严控制。',
    thresholds: ['nonProductiveFen', 'nonProductivePercent'],
  },
  {
    code: 'LATE_PUBLICATION',
    title: '公开不及时',
    explanation: '这个月的账在次月 {publishByDay} 之后才公开。村务公开要及时，村民才能趁早发现问题。',
    thresholds: ['publishByDay'],
  },
];

export const RULE_BY_CODE: ReadonlyMap<RuleCode, RuleDefinition> = new Map(RULES.map((r) => [r.code, r]));
const THRESHOLD_BY_NAME: ReadonlyMap<ThresholdName, ThresholdDefinition> = new Map(THRESHOLDS.map((t) => [t.name, t]));

export const DEFAULT_THRESHOLDS: Thresholds = Object.fromEntries(
  THRESHOLDS.map((t) => [t.name, t.default]),
) as Thresholds;

/** The built-in rules' version, for villages under no region with its own: bump it when a default changes. */
export const BUILTIN_RULES_VERSION = 'builtin-1';
export const BUILTIN_EFFECTIVE_FROM = '2000-01-01';

/** A threshold's value as people read it: "1,000.00 元", "30 天", "3%", "10 日". */
export function formatThreshold(name: ThresholdName, value: bigint): string {
  const unit = THRESHOLD_BY_NAME.get(name)!.unit;
  if (unit === 'fen') return `${formatYuan(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',')} 元`;
  if (unit === 'days') return `${value} 天`;
  if (unit === 'percent') return `${value}%`;
  return `${value} 日`;
}

/** A rule's explanation with the thresholds it is judged by written in. */
export function explain(rule: RuleDefinition, thresholds: Thresholds): string {
  return rule.explanation.replace(/\{(\w+)\}/g, (_, name: ThresholdName) => formatThreshold(name, thresholds[name]));
}

/**
 * Reads a complete set of thresholds from text (the API's input, a rule set's stored JSON): every threshold named
 * once, each a whole number in its unit within its bounds, and the approval tiers rising. Anything else is refused
 * with `RULES_INVALID`, naming the threshold.
 */
export function parseThresholds(input: Readonly<Record<string, string>>): Thresholds {
  const unknown = Object.keys(input).filter((k) => !THRESHOLD_BY_NAME.has(k as ThresholdName));
  if (unknown.length > 0) invalid(`没有名为 ${unknown.join('、')} 的阈值`, unknown[0]!);
  const out = {} as Thresholds;
  for (const def of THRESHOLDS) {
    const text = input[def.name];
    if (text === undefined) invalid(`缺少阈值 ${def.name}（${def.title}）`, def.name);
    if (!/^\d{1,15}$/.test(text.trim())) invalid(`${def.title}应为不带小数的整数（${unitWord(def.unit)}）`, def.name);
    const value = BigInt(text.trim());
    if (value < def.min || value > def.max) {
      invalid(
        `${def.title}应在 ${formatThreshold(def.name, def.min)} 到 ${formatThreshold(def.name, def.max)} 之间`,
        def.name,
      );
    }
    out[def.name] = value;
  }
  if (!(out.tierServiceCentreFen < out.tierTownshipFen && out.tierTownshipFen < out.tierAuditFen)) {
    invalid('三档审批额应从低到高排列', 'tierTownshipFen');
  }
  return out;
}

/** Thresholds as stored (`red_flag_rule_sets.thresholds`) and sent: whole numbers as decimal text. */
export function thresholdsAsText(thresholds: Thresholds): Record<ThresholdName, string> {
  return Object.fromEntries(THRESHOLDS.map((t) => [t.name, thresholds[t.name].toString()])) as Record<
    ThresholdName,
    string
  >;
}

function unitWord(unit: ThresholdUnit): string {
  return { fen: '单位：分', days: '单位：天', percent: '单位：%', day: '每月第几日' }[unit];
}

function invalid(message: string, threshold: string): never {
  throw new LedgerError('RULES_INVALID', message, { threshold });
}

/** The rules a village is judged by on a day: its town's version, else its district's, else its city's, else built in. */
export interface RulesInForce {
  /** `builtin-1`, or the region's slug and version: `jingwu-v2`. */
  version: string;
  ruleSetId: number | null;
  regionSlug: string | null;
  effectiveFrom: string;
  thresholds: Thresholds;
}

export const BUILTIN_RULES: RulesInForce = {
  version: BUILTIN_RULES_VERSION,
  ruleSetId: null,
  regionSlug: null,
  effectiveFrom: BUILTIN_EFFECTIVE_FROM,
  thresholds: DEFAULT_THRESHOLDS,
};

/** The region and its ancestors, nearest first (town, district, city). */
export async function regionChain(db: DbOrTx, regionId: number): Promise<{ id: number; slug: string }[]> {
  const chain: { id: number; slug: string }[] = [];
  let id: number | null = regionId;
  // Three levels at most; the loop guards against a cycle all the same.
  while (id !== null && chain.length < 8) {
    const [row]: { id: number; slug: string; parentId: number | null }[] = await db
      .select({ id: regions.id, slug: regions.slug, parentId: regions.parentId })
      .from(regions)
      .where(eq(regions.id, id));
    if (!row) break;
    chain.push({ id: row.id, slug: row.slug });
    id = row.parentId;
  }
  return chain;
}

/** The version in force for a region on a day (`onDate` as YYYY-MM-DD, Beijing time), looking up the tree. */
export async function rulesInForceForRegion(db: DbOrTx, regionId: number, onDate: string): Promise<RulesInForce> {
  return rulesFromChain(db, sql`select ${regionId}::int as id, 0 as depth`, onDate);
}

/** The rules a village is judged by on a day. */
export async function rulesInForce(db: DbOrTx, villageId: number, onDate: string): Promise<RulesInForce> {
  return rulesFromChain(db, sql`select town_id as id, 0 as depth from villages where id = ${villageId}`, onDate);
}

/**
 * One query: the region `start` selects and its ancestors (nearest first, three levels at most, eight as a guard
 * against a cycle), and the newest version in force on `onDate` of the nearest region that has one.
 */
async function rulesFromChain(db: DbOrTx, start: SQL, onDate: string): Promise<RulesInForce> {
  const [row] = await queryRows<{
    id: number;
    slug: string;
    version: number;
    effective_from: string;
    thresholds: Record<string, string>;
  }>(
    db,
    sql`with recursive chain(id, depth) as (
          ${start}
          union all
          select r.parent_id, c.depth + 1 from chain c join regions r on r.id = c.id
           where r.parent_id is not null and c.depth < 8
        )
        select s.id, r.slug, s.version, s.effective_from::text as effective_from, s.thresholds
          from (select id, min(depth) as depth from chain group by id) c
          join regions r on r.id = c.id
          join red_flag_rule_sets s on s.region_id = c.id and s.effective_from <= ${onDate}::date
         order by c.depth, s.effective_from desc
         limit 1`,
  );
  if (!row) return BUILTIN_RULES;
  return {
    version: `${row.slug}-v${row.version}`,
    ruleSetId: row.id,
    regionSlug: row.slug,
    effectiveFrom: row.effective_from,
    thresholds: parseThresholds(row.thresholds),
  };
}

/** Today's date in Beijing (YYYY-MM-DD): the day rules are looked up for. */
export function beijingDate(at: Date = new Date()): string {
  return new Date(at.getTime() + 8 * 60 * 60 * 1000).toISOString().slice(0, 10);
}
