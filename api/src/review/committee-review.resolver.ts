import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { actorOf } from '../auth/village-access.ts';
import { committeeMonth } from '../committee/committee.service.ts';
import { CommitteeMonth, MonthArgs } from '../committee/committee.type.ts';
import type { Context } from '../graphql/context.ts';
import { PageArgs, pageWindow, toConnection } from '../graphql/relay/connection.ts';
import { loadStatement } from '../statements/statement.loader.ts';
import { MonthlyStatement } from '../statements/statement.type.ts';
import { vouchersOfRevision } from '../vouchers/voucher.service.ts';
import { Voucher, VoucherConnection } from '../vouchers/voucher.type.ts';
import { Village } from '../villages/village.type.ts';
import { Region } from '../regions/region.type.ts';
import { Question } from '../questions/question.type.ts';
import { previewStatement } from './preview.ts';
import { toRedFlag } from './red-flag.loader.ts';
import { answerFlag, approveMonth, blockersOf, returnMonth, reviewOf, type ReviewData } from './review.service.ts';
import { MonthApproval, MonthReview, RedFlag, TownReview } from './review.type.ts';
import { townReview } from './town-review.service.ts';

/** One review read per month and request, whichever of its fields are asked. */
const reviews = new WeakMap<CommitteeMonth, Promise<ReviewData | undefined>>();

function reviewFor(m: CommitteeMonth, ctx: Context): Promise<ReviewData | undefined> {
  let found = reviews.get(m);
  if (!found) reviews.set(m, (found = reviewOf(ctx.db, { villageId: m.villageId, year: m.year, month: m.month })));
  return found;
}

const keyOf = (m: CommitteeMonth) => ({ villageId: m.villageId, year: m.year, month: m.month, revision: m.revision });

/** What a supervisor reviews: the month as it would be published, its red flags, the decisions so far. */
@Resolver(() => CommitteeMonth)
export class CommitteeMonthReviewResolver {
  @FieldResolver(() => MonthlyStatement, {
    nullable: true,
    description:
      '本月将要公开的样子：与公开后的月报表完全相同（由账本自己的公开步骤算出，不保存）；已公开的月份为当前版本；' +
      '不能公开时（如上月尚未公开）给出带代码的错误 / The month exactly as publishing it now would make it, derived ' +
      'by the ledger’s own publication in a transaction that is rolled back; a coded error when it could not be published.',
  })
  async statement(@Root() m: CommitteeMonth, @Ctx() ctx: Context): Promise<MonthlyStatement | undefined> {
    const key = { villageId: m.villageId, year: m.year, month: m.month };
    if (m.status === 'PUBLISHED') return loadStatement(ctx, key, undefined, { whole: true });
    return previewStatement(ctx.db, ctx.loaders, key);
  }

  @FieldResolver(() => VoucherConnection, {
    description:
      '当前版本的每张凭证（含分录、附件数、审批签字），按凭证号 / Every voucher of the current revision, by number.',
  })
  async vouchers(@Root() m: CommitteeMonth, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context) {
    const page = await vouchersOfRevision(ctx.db, keyOf(m), pageWindow(args));
    return toConnection({ ...page, nodes: page.nodes.map((r) => new Voucher(r)) });
  }

  @FieldResolver(() => [RedFlag], {
    description:
      '当前版本的红旗：规则按今天生效的版本评出（公开时冻结），加监督员标记，附答复；姓名不脱敏 / The current ' +
      'revision’s red flags (evaluated now; frozen when published) and supervisors’ flags, with answers.',
  })
  async redFlags(@Root() m: CommitteeMonth, @Ctx() ctx: Context): Promise<RedFlag[]> {
    const { flags, thresholds } = await ctx.loaders.revisionFlags.load(keyOf(m));
    return flags.map((f) => toRedFlag(f, thresholds, { masked: false }));
  }

  @FieldResolver(() => [MonthReview], {
    description: '本月各版本的审核决定，新的在前 / Every review decision on the month, newest first.',
  })
  async reviews(@Root() m: CommitteeMonth, @Ctx() ctx: Context): Promise<MonthReview[]> {
    return (await reviewFor(m, ctx))?.reviews ?? [];
  }

  @FieldResolver(() => MonthApproval, {
    nullable: true,
    description:
      '对当前内容有效的审核通过；之后又上传了新内容则为空 / The approval of the current content; null when none, ' +
      'or when an upload came after it.',
  })
  async approval(@Root() m: CommitteeMonth, @Ctx() ctx: Context): Promise<MonthApproval | null> {
    return (await reviewFor(m, ctx))?.approval ?? null;
  }

  @FieldResolver(() => Boolean, {
    description:
      '是否已满足公开的审核条件（已提交、审核通过当前内容、每个红旗都有答复）；另须非上传人公开 / Whether the review ' +
      'allows publishing now (publishing still takes someone other than the uploader).',
  })
  async publishable(@Root() m: CommitteeMonth, @Ctx() ctx: Context): Promise<boolean> {
    const review = await reviewFor(m, ctx);
    return review !== undefined && blockersOf(review).length === 0;
  }

  @FieldResolver(() => [String], {
    description: '还差什么才能公开，逐条中文说明；可以公开时为空 / What still stands in the way, in Chinese.',
  })
  async blockers(@Root() m: CommitteeMonth, @Ctx() ctx: Context): Promise<string[]> {
    const review = await reviewFor(m, ctx);
    return review ? blockersOf(review) : ['尚未开账'];
  }
}

async function monthAfter(args: MonthArgs, ctx: Context): Promise<CommitteeMonth> {
  const data = (await committeeMonth(ctx.db, actorOf(ctx), args))!;
  return { ...data, status: data.status.toUpperCase() };
}

@Resolver()
export class ReviewResolver {
  @Mutation(() => CommitteeMonth, {
    description:
      '审核通过（本村或交叉监督的监督员）：只对当前上传的内容有效 / A supervisor assigned to the village approves ' +
      'the submitted month; the approval holds for the current upload only.',
  })
  async approveMonth(
    @Args(() => MonthArgs) args: MonthArgs,
    @Arg('note', () => String, { nullable: true, description: '审核意见（公开）/ Note, public with the month.' })
    note: string | undefined,
    @Ctx() ctx: Context,
  ): Promise<CommitteeMonth> {
    await approveMonth(ctx.db, actorOf(ctx), { ...args, note: note ?? null });
    return monthAfter(args, ctx);
  }

  @Mutation(() => CommitteeMonth, {
    description: '退回修改并写明理由（监督员）：月份回到录入状态 / A supervisor sends the month back with reasons.',
  })
  async returnMonth(
    @Args(() => MonthArgs) args: MonthArgs,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: Context,
  ): Promise<CommitteeMonth> {
    await returnMonth(ctx.db, actorOf(ctx), { ...args, reason });
    return monthAfter(args, ctx);
  }

  @Mutation(() => CommitteeMonth, {
    description:
      '书面答复一个红旗（报账员、村主任/书记）；公开前可改 / The committee answers a red flag in writing; ' +
      'replaceable until the month is published.',
  })
  async answerFlag(
    @Args(() => MonthArgs) args: MonthArgs,
    @Arg('flagKey', () => String, { description: '红旗标识，见 RedFlag.key / The flag’s key.' }) flagKey: string,
    @Arg('body', () => String) body: string,
    @Ctx() ctx: Context,
  ): Promise<CommitteeMonth> {
    await answerFlag(ctx.db, actorOf(ctx), { ...args, flagKey, body });
    return monthAfter(args, ctx);
  }

  @Query(() => TownReview, {
    nullable: true,
    description:
      '镇街管理员查看辖区各村各月的审核进度（待审、已通过、已退回、逾期）/ Every village month of a region under ' +
      'review, for township admins and above.',
  })
  async townReview(@Arg('regionSlug', () => String) regionSlug: string, @Ctx() ctx: Context): Promise<TownReview> {
    const data = await townReview(ctx.db, actorOf(ctx), regionSlug, undefined, ctx.now);
    const villages = new Map(data.months.map((m) => [m.village.id, m.village]));
    const view = { publicUrl: ctx.settings.publicUrl, now: ctx.now };
    return {
      region: new Region(data.region),
      months: data.months.map((m) => ({ ...m, village: new Village(m.village) })),
      overdueQuestions: data.overdueQuestions.map((q) => ({
        village: new Village(villages.get(q.villageId)!),
        question: new Question(q, view),
      })),
    };
  }
}
