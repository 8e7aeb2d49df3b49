import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../graphql/context.ts';
import { checkMonth, checkYear } from '../month.ts';
import { regionBySlug, rootRegions } from './region.service.ts';
import { Region, RegionSummary } from './region.type.ts';

@Resolver(() => Region)
export class RegionResolver {
  @Query(() => [Region], {
    description: '区划树：不给 parentSlug 时返回最上层（市）/ Regions under a parent; the top level without one.',
  })
  async regions(
    @Arg('parentSlug', () => String, { nullable: true }) parentSlug: string | undefined,
    @Ctx() ctx: Context,
  ): Promise<Region[]> {
    if (!parentSlug) return (await rootRegions(ctx.db)).map((r) => new Region(r));
    const parent = await regionBySlug(ctx.db, parentSlug);
    if (!parent) return [];
    return (await ctx.loaders.childrenOf.load(parent.id)).map((r) => new Region(r));
  }

  @Query(() => Region, { nullable: true, description: '按网址名查区划 / A region by slug.' })
  async region(@Arg('slug', () => String) slug: string, @Ctx() ctx: Context): Promise<Region | undefined> {
    const row = await ctx.loaders.regionBySlug.load(slug);
    return row ? new Region(row) : undefined;
  }

  @FieldResolver(() => Region, { nullable: true })
  async parent(@Root() region: Region, @Ctx() ctx: Context) {
    if (region.row.parentId === null) return undefined;
    const row = await ctx.loaders.regionById.load(region.row.parentId);
    return row ? new Region(row) : undefined;
  }

  @FieldResolver(() => [Region], { description: '下一级区划 / Regions directly under this one.' })
  async children(@Root() region: Region, @Ctx() ctx: Context) {
    return (await ctx.loaders.childrenOf.load(region.row.id)).map((r) => new Region(r));
  }

  @FieldResolver(() => RegionSummary, {
    description: '辖区内所有村的收支（某月，或不给 month 时全年累计）/ Income and spending of all villages.',
  })
  async summary(
    @Root() region: Region,
    @Arg('year', () => Int) year: number,
    @Arg('month', () => Int, { nullable: true }) month: number | undefined,
    @Ctx() ctx: Context,
  ) {
    if (month === undefined || month === null) checkYear(year);
    else checkMonth(year, month);
    const m = month ?? undefined;
    const rows = await ctx.loaders.summary.load({ regionId: region.row.id, year, month: m });
    return new RegionSummary(year, m, rows);
  }
}
