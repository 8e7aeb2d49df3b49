import { Arg, Args, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { actorOf } from '../auth/village-access.ts';
import type { Context } from '../graphql/context.ts';
import {
  commentOnMonth,
  committeeMonth,
  flagVoucher,
  publishMonth,
  reviseMonth,
  submitMonth,
  withdrawMonth,
} from './committee.service.ts';
import { CommitteeMonth, MonthArgs, PublishResult, WorkbenchVillage } from './committee.type.ts';
import { ROLE_LABELS, WORKBENCH_STATE_LABELS, workbench } from './workbench.service.ts';

/** The month workflow: open → submitted → published → revision N+1. Every mutation needs a role in the village. */
@Resolver()
export class CommitteeResolver {
  @Query(() => CommitteeMonth, {
    nullable: true,
    description: '村委会、监督员查看某月（含未公开）/ A month as committee and supervisors see it.',
  })
  async committeeMonth(
    @Args(() => MonthArgs) args: MonthArgs,
    @Ctx() ctx: Context,
  ): Promise<CommitteeMonth | undefined> {
    const data = await committeeMonth(ctx.db, actorOf(ctx), args);
    return data && { ...data, status: data.status.toUpperCase() };
  }

  @Query(() => [WorkbenchVillage], {
    description:
      '工作台：当前用户能办理的每个村，尚未公开的月份、状态和待办 / The villages the viewer acts on, each with its months ' +
      'not yet published and what the viewer can do to them.',
  })
  async workbench(@Ctx() ctx: Context): Promise<WorkbenchVillage[]> {
    const villages = await workbench(ctx.db, actorOf(ctx), ctx.now);
    return villages.map((v) => ({
      slug: v.village.slug,
      name: v.village.name,
      roles: v.roles,
      roleNames: v.roles.map((r) => ROLE_LABELS[r]),
      openMonth: v.openMonth,
      months: v.months.map((m) => ({
        ...m,
        status: m.status.toUpperCase(),
        stateLabel: WORKBENCH_STATE_LABELS[m.state],
        actions: m.actions.map((a) => a.toUpperCase()),
      })),
    }));
  }

  @Mutation(() => CommitteeMonth, { description: '提交审核（报账员）/ Hand an open month to the supervisors.' })
  async submitMonth(@Args(() => MonthArgs) args: MonthArgs, @Ctx() ctx: Context) {
    await submitMonth(ctx.db, actorOf(ctx), args);
    return this.committeeMonth(args, ctx);
  }

  @Mutation(() => CommitteeMonth, { description: '撤回修改 / Take a submitted month back to open.' })
  async withdrawMonth(@Args(() => MonthArgs) args: MonthArgs, @Ctx() ctx: Context) {
    await withdrawMonth(ctx.db, actorOf(ctx), args);
    return this.committeeMonth(args, ctx);
  }

  @Mutation(() => PublishResult, {
    description: '公开（村主任/书记，且不是上传人）/ Publish a submitted month; not by whoever uploaded it.',
  })
  async publishMonth(@Args(() => MonthArgs) args: MonthArgs, @Ctx() ctx: Context): Promise<PublishResult> {
    const { revision, digest } = await publishMonth(ctx.db, actorOf(ctx), args);
    return { revision, digest };
  }

  @Mutation(() => CommitteeMonth, {
    description: '更正已公开的月份：开新版本并写明原因 / Open revision N+1 of a published month, with a reason.',
  })
  async reviseMonth(
    @Args(() => MonthArgs) args: MonthArgs,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: Context,
  ) {
    await reviseMonth(ctx.db, actorOf(ctx), { ...args, reason });
    return this.committeeMonth(args, ctx);
  }

  @Mutation(() => CommitteeMonth, { description: '审核意见 / Comment on a month.' })
  async commentOnMonth(
    @Args(() => MonthArgs) args: MonthArgs,
    @Arg('body', () => String) body: string,
    @Ctx() ctx: Context,
  ) {
    await commentOnMonth(ctx.db, actorOf(ctx), { ...args, body });
    return this.committeeMonth(args, ctx);
  }

  @Mutation(() => CommitteeMonth, { description: '标记存疑凭证（监督员）/ Flag a doubtful voucher.' })
  async flagVoucher(
    @Args(() => MonthArgs) args: MonthArgs,
    @Arg('number', () => Int) number: number,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: Context,
  ) {
    await flagVoucher(ctx.db, actorOf(ctx), { ...args, number, reason });
    return this.committeeMonth(args, ctx);
  }
}
