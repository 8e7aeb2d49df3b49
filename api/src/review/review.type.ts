import { Field, InputType, Int, ObjectType } from 'type-graphql';
import {
  explain,
  formatThreshold,
  RULES,
  THRESHOLDS,
  type RuleCode,
  type ThresholdDefinition,
  type Thresholds,
} from '@mingbai/db/ledger/red-flag-rules';
import { Money } from '../money/money.type.ts';
import { TownQuestion } from '../questions/question.type.ts';
import { Region } from '../regions/region.type.ts';
import { Village } from '../villages/village.type.ts';

@ObjectType({
  simpleResolvers: true,
  description: '红旗规则的一个阈值 / One threshold a red-flag rule is judged by.',
})
export class RedFlagThreshold {
  constructor(
    readonly def: ThresholdDefinition,
    readonly amount: bigint,
  ) {}

  @Field(() => String, { description: '阈值名，如 cashLimitFen / Threshold name.' })
  get name(): string {
    return this.def.name;
  }

  @Field(() => String, { description: '中文名称，如 现金支付限额 / Title in Chinese.' })
  get title(): string {
    return this.def.title;
  }

  @Field(() => String, { description: 'FEN 分 · DAYS 天 · PERCENT 百分比 · DAY 每月第几日 / Unit of `value`.' })
  get unit(): string {
    return this.def.unit.toUpperCase();
  }

  @Field(() => String, { description: '整数值（以 unit 为单位）/ The value, a whole number in its unit.' })
  get value(): string {
    return this.amount.toString();
  }

  @Field(() => String, { description: '供人阅读，如 “1,000.00 元”“30 天” / As people read it.' })
  get display(): string {
    return formatThreshold(this.def.name, this.amount);
  }

  @Field(() => String, { description: '默认值的依据 / Where the default comes from.' })
  get source(): string {
    return this.def.source;
  }
}

/** A supervisor's flag shown as a rule of its own, so every flag has one shape. */
export const SUPERVISOR_RULE = {
  code: 'SUPERVISOR',
  title: '监督员存疑',
  explanation: '村务监督委员会的监督员审核这个月的账目时，对这笔支付提出了疑问，村委会须书面答复。',
} as const;

@ObjectType({
  simpleResolvers: true,
  description:
    '一条红旗规则：找什么、为什么、按什么阈值 / A red-flag rule: what it looks for, why, and its thresholds.',
})
export class RedFlagRule {
  @Field(() => String, { description: '规则代码，如 CASH_OVER_LIMIT；监督员标记为 SUPERVISOR / Rule code.' })
  code!: string;

  @Field(() => String, { description: '规则名称，如 大额现金支付 / Title.' })
  title!: string;

  @Field(() => String, {
    description: '写给村民的说明，阈值已代入 / Plain-Chinese explanation with the thresholds written in.',
  })
  explanation!: string;

  @Field(() => [RedFlagThreshold], { description: '本规则用到的阈值 / The thresholds it is judged by.' })
  thresholds!: RedFlagThreshold[];
}

/** A rule as judged by `thresholds`: its explanation with the values written in. */
export function ruleAsJudged(code: RuleCode, thresholds: Thresholds): RedFlagRule {
  const rule = RULES.find((r) => r.code === code)!;
  return {
    code: rule.code,
    title: rule.title,
    explanation: explain(rule, thresholds),
    thresholds: rule.thresholds.map(
      (name) =>
        new RedFlagThreshold(
          THRESHOLDS.find((t) => t.name === name)!,
          thresholds[name],
        ),
    ),
  };
}

export function supervisorRule(): RedFlagRule {
  return { ...SUPERVISOR_RULE, thresholds: [] };
}

@ObjectType({
  simpleResolvers: true,
  description: '一个版本的红旗规则 / One version of the red-flag rules, in force from a date.',
})
export class RedFlagRuleSet {
  @Field(() => String, { description: '版本，如 jingwu-v2；内置默认为 builtin-1 / Version label.' })
  version!: string;

  @Field(() => String, { description: '生效日期 YYYY-MM-DD / In force from (Beijing date).' })
  effectiveFrom!: string;

  @Field(() => String, { nullable: true, description: '制定规则的区或镇；内置默认为空 / Region that set it.' })
  regionSlug!: string | null;

  @Field(() => String, { nullable: true })
  regionName!: string | null;

  @Field(() => String, { nullable: true, description: '调整说明 / Why the thresholds were set so.' })
  note!: string | null;

  @Field(() => [RedFlagRule])
  rules!: RedFlagRule[];
}

@ObjectType({
  simpleResolvers: true,
  description: '某地的红旗规则：现行版本和全部历史 / The rules in force for a place, and their history.',
})
export class RedFlagRules {
  @Field(() => RedFlagRuleSet, { description: '今天（北京时间）生效的版本 / The version in force today.' })
  current!: RedFlagRuleSet;

  @Field(() => [RedFlagRuleSet], {
    description: '本地及上级区划的所有版本，新的在前，内置默认在最后 / Every version, newest first, built-in last.',
  })
  history!: RedFlagRuleSet[];
}

@ObjectType({ simpleResolvers: true, description: '村委会的书面答复 / The committee’s written answer to a flag.' })
export class FlagAnswer {
  @Field(() => String)
  body!: string;

  @Field(() => String, { description: '答复人（公开时已脱敏）/ Who answered; masked in public.' })
  author!: string;

  @Field(() => Date)
  answeredAt!: Date;
}

@ObjectType({
  simpleResolvers: true,
  description: '红旗：规则自动发现或监督员标记的可疑之处 / A red flag: found by a rule or raised by a supervisor.',
})
export class RedFlag {
  @Field(() => String, {
    description: '在本版本中的标识，答复时使用，如 CASH_OVER_LIMIT:12、CASH_ON_HAND:month、supervisor:7 / Stable key.',
  })
  key!: string;

  @Field(() => String, { description: 'RULE 规则自动发现 · SUPERVISOR 监督员标记' })
  source!: 'RULE' | 'SUPERVISOR';

  @Field(() => RedFlagRule)
  rule!: RedFlagRule;

  @Field(() => Int, { nullable: true, description: '凭证号；针对整月的为空 / Voucher number; null for the month.' })
  voucherNumber!: number | null;

  @Field(() => Money, { nullable: true, description: '涉及金额 / The amount concerned.' })
  amount!: Money | null;

  @Field(() => String, { description: '具体情况 / What was found, in plain Chinese.' })
  detail!: string;

  @Field(() => String, { nullable: true, description: '标记的监督员（公开时已脱敏）/ Supervisor who raised it.' })
  raisedBy!: string | null;

  @Field(() => FlagAnswer, { nullable: true, description: '村委会的答复；尚未答复为空 / The answer, if any.' })
  answer!: FlagAnswer | null;
}

@ObjectType({ simpleResolvers: true, description: '监督员的审核通过 / A supervisor’s approval of the month.' })
export class MonthApproval {
  @Field(() => String, { description: '审核通过的监督员（公开时已脱敏）/ Who approved; masked in public.' })
  by!: string;

  @Field(() => Date)
  at!: Date;

  @Field(() => String, { description: '审核意见 / The approval note (may be empty).' })
  note!: string;
}

@ObjectType({ simpleResolvers: true, description: '一次审核决定 / One review decision on a revision.' })
export class MonthReview {
  @Field(() => String, { description: 'APPROVED 通过 · RETURNED 退回' })
  decision!: string;

  @Field(() => String, { description: '意见或退回理由 / Note, or the reasons for returning.' })
  note!: string;

  @Field(() => String)
  reviewer!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Int)
  revision!: number;

  @Field(() => Boolean, {
    description: '是否针对当前内容（之后没有重新上传）/ Whether it saw the current content (no upload since).',
  })
  current!: boolean;
}

@InputType({ description: '一个阈值 / One threshold: its name and whole-number value.' })
export class ThresholdInput {
  @Field(() => String, { description: '阈值名，如 cashLimitFen / Threshold name.' })
  name!: string;

  @Field(() => String, { description: '整数值，以阈值的单位计（分、天、%、日）/ Whole number in its unit.' })
  value!: string;
}

@ObjectType({
  simpleResolvers: true,
  description: '镇里一个村一个月的审核进度 / One village month in the town review.',
})
export class TownReviewMonth {
  @Field(() => Village)
  village!: Village;

  @Field(() => Int)
  year!: number;

  @Field(() => Int)
  month!: number;

  @Field(() => String, {
    description:
      'NOT_SUBMITTED 未提交 · OVERDUE_SUBMISSION 逾期未提交 · WAITING 待审核 · OVERDUE_REVIEW 逾期未审核 · ' +
      'RETURNED 已退回 · APPROVED 已通过待公开 · PUBLISHED 已公开',
  })
  state!: string;

  @Field(() => Date, { nullable: true, description: '提交审核时间 / When it was submitted.' })
  submittedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: '最近一次审核时间 / When it was last reviewed.' })
  reviewedAt!: Date | null;

  @Field(() => Int, { description: '红旗数（含监督员标记）/ Red flags, supervisors’ included.' })
  redFlagCount!: number;
}

@ObjectType({
  simpleResolvers: true,
  description: '镇街管理员的审核总览 / Every village month of a region, for the township admin.',
})
export class TownReview {
  @Field(() => Region)
  region!: Region;

  @Field(() => [TownReviewMonth])
  months!: TownReviewMonth[];

  @Field(() => [TownQuestion], {
    description:
      '辖内各村逾期未答复的村民提问，逾期最久的在前 / Villagers’ questions past due and unanswered, longest overdue first.',
  })
  overdueQuestions!: TownQuestion[];
}
