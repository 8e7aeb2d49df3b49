import { Arg, Ctx, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context.ts';
import { apiError } from '../errors.ts';
import { chainState, verifiedChain, VERIFY_CHAIN_COST_PER_REVISION } from './chain.service.ts';

@ObjectType({
  simpleResolvers: true,
  description: '摘要链上的一处断裂 / A place where the digest chain does not hold.',
})
export class ChainBreak {
  @Field(() => Int)
  year!: number;

  @Field(() => Int)
  month!: number;

  @Field(() => Int)
  revision!: number;

  @Field(() => String, { description: '公开时记录的摘要 / Digest recorded at publication.' })
  storedDigest!: string;

  @Field(() => String, { description: '按现存凭证重算的摘要 / Digest recomputed from the vouchers now stored.' })
  computedDigest!: string;

  @Field(() => String, { description: 'CONTENT 凭证被改动 · LINK 与上一次公开的链接不符' })
  problem!: string;
}

@ObjectType({ simpleResolvers: true, description: '摘要链校验结果 / Result of checking a village’s digest chain.' })
export class ChainVerification {
  @Field(() => Boolean, { description: '全部相符 / Every digest matches.' })
  ok!: boolean;

  @Field(() => Int, { description: '校验的公开次数 / Published revisions checked.' })
  checked!: number;

  @Field(() => String, { nullable: true, description: '链尾摘要 / Digest at the head of the chain.' })
  lastDigest!: string | null;

  @Field(() => [ChainBreak])
  breaks!: ChainBreak[];
}

@Resolver()
export class ChainResolver {
  @Query(() => ChainVerification, {
    description:
      '按现存凭证重算本村每次公开的 SHA-256 摘要并校验链接 / Recompute and check every digest of the village’s chain.',
  })
  async verifyChain(@Arg('villageSlug', () => String) slug: string, @Ctx() ctx: Context): Promise<ChainVerification> {
    const village = await ctx.loaders.villageBySlug.load(slug);
    if (!village) throw apiError('NOT_FOUND', `没有网址名为“${slug}”的村`);
    // Priced by its work before doing it; computed once until the chain (or anything it reads) changes.
    const state = await chainState(ctx.db, village.id);
    await ctx.limits?.charge?.(state.revisions * VERIFY_CHAIN_COST_PER_REVISION);
    const report = await verifiedChain(ctx.db, village.id, state);
    return { ...report, breaks: report.breaks.map((b) => ({ ...b, problem: b.problem.toUpperCase() })) };
  }
}
