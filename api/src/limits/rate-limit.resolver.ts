import { Ctx, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context.ts';

@ObjectType({ description: '本客户端的查询点数（每小时）/ This client’s hourly query budget.' })
export class RateLimit {
  @Field(() => Int, { description: '每小时点数上限 / Points per hour.' })
  limit!: number;

  @Field(() => Int, { description: '本次查询后剩余 / Points left after this query.' })
  remaining!: number;

  @Field(() => Int, { description: '本时段已用 / Points used in this window.' })
  used!: number;

  @Field(() => Date, { description: '点数重置时间 / When the window resets.' })
  resetAt!: Date;

  @Field(() => Int, { description: '本次查询的成本 / Cost of this query.' })
  cost!: number;
}

@Resolver()
export class RateLimitResolver {
  @Query(() => RateLimit, {
    nullable: true,
    description: '查询点数：匿名按 IP，API 密钥按密钥计算 / The rate limit of whoever asks (by IP, or by API key).',
  })
  rateLimit(@Ctx() { limits }: Context): RateLimit | null {
    if (!limits) return null;
    return { ...limits.rate, cost: limits.cost ?? 1 };
  }
}
