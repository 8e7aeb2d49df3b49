import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { publicReviewName, publicReviewText } from '@mingbai/db/ledger/privacy';
import { actorOf } from '../auth/village-access.ts';
import type { Context } from '../graphql/context.ts';
import { MonthlyStatement } from '../statements/statement.type.ts';
import { Voucher } from '../vouchers/voucher.type.ts';
import { toRedFlag } from './red-flag.loader.ts';
import { MonthApproval, RedFlag, RedFlagRules, ThresholdInput } from './review.type.ts';
import { redFlagRules, setRedFlagRules } from './rules.service.ts';
import { toRuleSet } from './rules.view.ts';

/** The published month's red flags, approval and rule version: what the public sees beside the payments. */
@Resolver(() => MonthlyStatement)
export class StatementRedFlagsResolver {
  @FieldResolver(() => [RedFlag], {
    description:
      '本月的红旗：规则自动发现的（公开时冻结）和监督员标记的，附村委会答复 / The month’s red flags, frozen at ' +
      'publication, and supervisors’ flags, with the committee’s answers.',
  })
  async redFlags(@Root() s: MonthlyStatement, @Ctx() ctx: Context): Promise<RedFlag[]> {
    const { flags, thresholds } = await ctx.loaders.revisionFlags.load(s.period);
    return flags.map((f) => toRedFlag(f, thresholds, { masked: true }));
  }

  @FieldResolver(() => Int, { description: '红旗数（含监督员标记）/ Number of red flags, supervisors’ included.' })
  async redFlagCount(@Root() s: MonthlyStatement, @Ctx() ctx: Context): Promise<number> {
    return (await ctx.loaders.revisionFlags.load(s.period)).flags.length;
  }

  @FieldResolver(() => MonthApproval, {
    nullable: true,
    description:
      '公开前监督员的审核通过；审核制度实行前公开的月份为空 / The supervisor’s approval the publication rests on; ' +
      'null for months published before reviews existed.',
  })
  approval(@Root() s: MonthlyStatement): MonthApproval | null {
    const a = s.period.approval;
    return a && { by: publicReviewName(a.by), at: a.at, note: publicReviewText(a.note) };
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      '评判本月所用的红旗规则版本，如 jingwu-v2、builtin-1（见 redFlagRules）/ The rule version the month was judged by.',
  })
  redFlagRules(@Root() s: MonthlyStatement): string | null {
    return s.period.redFlagRules;
  }
}

@Resolver(() => Voucher)
export class VoucherRedFlagsResolver {
  @FieldResolver(() => [RedFlag], {
    description: '这张凭证的红旗，附村委会答复 / Red flags on this voucher, with the committee’s answers.',
  })
  async redFlags(@Root() v: Voucher, @Ctx() ctx: Context): Promise<RedFlag[]> {
    const { flags, thresholds } = await ctx.loaders.revisionFlags.load(v.row);
    return flags.filter((f) => f.voucherNumber === v.row.number).map((f) => toRedFlag(f, thresholds, { masked: true }));
  }
}

@Resolver()
export class RedFlagRulesResolver {
  @Query(() => RedFlagRules, {
    nullable: true,
    description:
      '某区、镇或村适用的红旗规则：现行版本与历史 / The red-flag rules for a district, town or village: the version ' +
      'in force today and every version before.',
  })
  async redFlagRules(
    @Arg('regionSlug', () => String, { description: '区划或村的网址名 / Region or village slug.' }) slug: string,
    @Ctx() ctx: Context,
  ): Promise<RedFlagRules> {
    const rules = await redFlagRules(ctx.db, slug);
    return { current: toRuleSet(rules.current), history: rules.history.map(toRuleSet) };
  }

  @Mutation(() => RedFlagRules, {
    description:
      '区或镇调整红旗阈值：新的完整版本，自生效日起评判未公开的月份；已公开月份的红旗不变 / A district or town sets ' +
      'a new complete version of its thresholds; months already published keep theirs. Township admins only.',
  })
  async setRedFlagRules(
    @Arg('regionSlug', () => String) regionSlug: string,
    @Arg('effectiveFrom', () => String, { description: '生效日期 YYYY-MM-DD（北京时间）/ In force from.' })
    effectiveFrom: string,
    @Arg('thresholds', () => [ThresholdInput], { description: '全部阈值 / Every threshold, each once.' })
    thresholds: ThresholdInput[],
    @Arg('note', () => String, { description: '调整说明（公开）/ Why, shown with the rules.' }) note: string,
    @Ctx() ctx: Context,
  ): Promise<RedFlagRules> {
    const rules = await setRedFlagRules(ctx.db, actorOf(ctx), { regionSlug, effectiveFrom, thresholds, note });
    return { current: toRuleSet(rules.current), history: rules.history.map(toRuleSet) };
  }
}
