import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../graphql/context.ts';
import { badInput } from '../errors.ts';
import { PageArgs, pageWindow, toConnection } from '../graphql/relay/connection.ts';
import { checkMonth, checkYear } from '../month.ts';
import {
  CompareKind,
  RegionComparison,
  RegionPublishedMonth,
  RegionVillageTotals,
  RegionVillageTotalsConnection,
} from './compare.type.ts';
import type { Period } from './compare.sql.ts';
import { regionBySlug, rootRegions } from './region.service.ts';
import { Region, RegionSummary } from './region.type.ts';

@ArgsType()
class VillageTotalsArgs extends PageArgs {
  @Field(() => Int, { description: '年份 / Year.' })
  year!: number;

  @Field(() => Int, { nullable: true, description: '月份；不给时为全年 / Month; the whole year when not given.' })
  month?: number;
}

/** A year, or a month of it, checked once before any work. */
function period(year: number, month: number | null | undefined): Period {
  if (month === undefined || month === null) {
    checkYear(year);
    return { year, month: undefined };
  }
  checkMonth(year, month);
  return { year, month };
}

/** The widest region a comparison lists every village of: a district (hundreds), not the city (thousands). */
const COMPARABLE_LEVELS: readonly string[] = ['town', 'district'];

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

  @FieldResolver(() => [RegionPublishedMonth], {
    description:
      '辖区内有村公开了账目的月份，新的在前；页面用它选默认年份（最近有公开月份的一年，而不是日历上的今年）/ Months in which any village under the region published, newest first; pages default to the latest year listed here, not the calendar year.',
  })
  async publishedMonths(@Root() region: Region, @Ctx() ctx: Context) {
    return (await ctx.loaders.publishedMonths.load(region.row.id)).map((r) => new RegionPublishedMonth(r));
  }

  @FieldResolver(() => RegionVillageTotalsConnection, {
    description:
      '辖区内各村某年（或某月）的收支，按区划代码排序，分页与 Region.villages 相同（同一游标指向同一个村）/ Each village’s income and spending for a year or month, in code order, paged like Region.villages (a cursor points at the same village in both).',
  })
  async villageTotals(
    @Root() region: Region,
    @Args(() => VillageTotalsArgs) args: VillageTotalsArgs,
    @Ctx() ctx: Context,
  ) {
    const page = await ctx.loaders.villageTotals.load({
      regionId: region.row.id,
      period: period(args.year, args.month),
      window: pageWindow(args),
    });
    return toConnection({ ...page, nodes: page.nodes.map((r) => new RegionVillageTotals(r)) });
  }

  @FieldResolver(() => RegionComparison, {
    description:
      '某类收支在辖区各村之间的比较：各村金额、名次、中位数；只比较期间内公开了账目的村。限镇街和区 / One category compared across the villages under a town or district: each village’s amount and rank, and the median; only villages that published in the period.',
  })
  async comparison(
    @Root() region: Region,
    @Arg('year', () => Int) year: number,
    @Arg('month', () => Int, { nullable: true, description: '不给时为全年 / The whole year when not given.' })
    month: number | undefined,
    @Arg('kind', () => CompareKind, { description: '收入或支出 / Income or spending.' }) kind: CompareKind,
    @Arg('standard', () => String, {
      nullable: true,
      description: '会计制度 2004 或 2023，与 code 一起给 / Chart standard, given with code.',
    })
    standard: string | undefined,
    @Arg('code', () => String, {
      nullable: true,
      description:
        '一级科目代码（3位），不给时比较该类全部 / First-level account code; all of the kind when not given.',
    })
    code: string | undefined,
    @Ctx() ctx: Context,
  ) {
    const p = period(year, month);
    if (!COMPARABLE_LEVELS.includes(region.row.level)) {
      throw badInput('各村比较只按镇街或区进行，请选一个区或镇街', 'slug');
    }
    const hasStandard = standard !== undefined && standard !== null;
    const hasCode = code !== undefined && code !== null;
    if (hasStandard !== hasCode) throw badInput('会计制度和科目代码要一起给', hasCode ? 'standard' : 'code');
    if (hasStandard && standard !== '2004' && standard !== '2023') {
      throw badInput('会计制度应为 2004 或 2023', 'standard');
    }
    if (hasCode && !/^[0-9]{3}$/.test(code)) throw badInput('科目代码应为 3 位数字的一级科目', 'code');
    const spec = { period: p, kind, account: hasCode ? { standard: standard!, code } : undefined };
    const rows = await ctx.loaders.comparison.load({ regionId: region.row.id, spec });
    if (!rows.accountFound) {
      throw badInput(`${standard}年制度下没有${kind === CompareKind.INCOME ? '收入' : '支出'}科目 ${code}`, 'code');
    }
    return new RegionComparison(spec, rows);
  }
}
