import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../graphql/context.ts';
import { badInput } from '../errors.ts';
import { PageArgs, pageWindow, toConnection } from '../graphql/relay/connection.ts';
import { Region } from '../regions/region.type.ts';
import { findVillages } from './village.service.ts';
import { Village, VillageConnection } from './village.type.ts';

@ArgsType()
class VillagesArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: '只列该区划下的村 / Only villages under this region slug.' })
  regionSlug?: string;

  @Field(() => String, { nullable: true, description: '村名的一部分、网址名或区划代码 / Name part, slug or code.' })
  search?: string;

  @Field(() => Date, {
    nullable: true,
    description:
      '只列在此时刻或之后（含）公开过任何版本的村，供镜像增量同步 / Only villages that published any revision at or after this moment (inclusive).',
  })
  publishedSince?: Date;
}

@Resolver(() => Village)
export class VillageResolver {
  @Query(() => Village, { nullable: true, description: '按网址名查村 / A village by slug, e.g. "fucun".' })
  async village(@Arg('slug', () => String) slug: string, @Ctx() ctx: Context): Promise<Village | undefined> {
    const row = await ctx.loaders.villageBySlug.load(slug);
    return row ? new Village(row) : undefined;
  }

  @Query(() => VillageConnection, { description: '村和社区，按区划代码排序 / Villages in code order.' })
  async villages(@Args(() => VillagesArgs) args: VillagesArgs, @Ctx() ctx: Context) {
    const window = pageWindow(args);
    if (args.search !== undefined && args.search !== null && args.search.length > 50) {
      throw badInput('查找文字不能超过 50 个字', 'search');
    }
    let regionId: number | undefined;
    if (args.regionSlug) {
      const region = await ctx.loaders.regionBySlug.load(args.regionSlug);
      if (!region) throw badInput(`没有网址名为“${args.regionSlug}”的区划`, 'regionSlug');
      regionId = region.id;
    }
    const page = await findVillages(
      ctx.db,
      { regionId, search: args.search, publishedSince: args.publishedSince ?? undefined },
      window,
    );
    return toConnection({ ...page, nodes: page.nodes.map((r) => new Village(r)) });
  }

  @FieldResolver(() => Region, { description: '所属镇/街道 / The town.' })
  async town(@Root() village: Village, @Ctx() ctx: Context) {
    return new Region((await ctx.loaders.regionById.load(village.row.townId))!);
  }

  @FieldResolver(() => Region, { description: '所属区 / The district.' })
  async district(@Root() village: Village, @Ctx() ctx: Context) {
    const town = (await ctx.loaders.regionById.load(village.row.townId))!;
    return new Region((await ctx.loaders.regionById.load(town.parentId!))!);
  }
}

@ArgsType()
class RegionVillagesArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: '村名或区划代码 / Name part or code.' })
  search?: string;

  @Field(() => Date, {
    nullable: true,
    description:
      '只列在此时刻或之后（含）公开过的村 / Only villages that published at or after this moment (inclusive).',
  })
  publishedSince?: Date;
}

/** `Region.villages` lives with the villages, so regions/ never imports villages/ (villages sit under regions). */
@Resolver(() => Region)
export class RegionVillagesResolver {
  @FieldResolver(() => VillageConnection, { description: '辖区内的村和社区 / Villages anywhere under this region.' })
  async villages(
    @Root() region: Region,
    @Args(() => RegionVillagesArgs) args: RegionVillagesArgs,
    @Ctx() ctx: Context,
  ) {
    const page = await findVillages(
      ctx.db,
      { regionId: region.row.id, search: args.search, publishedSince: args.publishedSince ?? undefined },
      pageWindow(args),
    );
    return toConnection({ ...page, nodes: page.nodes.map((r) => new Village(r)) });
  }
}
