import { Arg, Ctx, Field, FieldResolver, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../graphql/context.ts';
import { checkMonth } from '../month.ts';
import { MonthlyStatement } from '../statements/statement.type.ts';
import { fileLinks, nationalMonthPath, regionMonthPath, villageMonthPath } from './links.ts';
import { hasPublished } from './opendata.service.ts';

@ObjectType({
  description:
    '批量下载的文件地址，相对于接口（或门户）的网址，如 /data/v/fucun/2025-01/r1/lines.csv / ' +
    'Bulk download URLs, relative to the API (or portal) origin.',
})
export class OpenDataLinks {
  @Field(() => String, { description: '每笔分录一行的 CSV（UTF-8 带 BOM）/ One row per voucher line, CSV.' })
  csv!: string;

  @Field(() => String, { description: '同上，JSON Lines / The same lines as JSON Lines.' })
  jsonl!: string;

  @Field(() => String, {
    description:
      '每村每月一行：版本、摘要链、余额与收支、审核通过与红旗数 / One row per village month: digest chain, totals, approval, red flags.',
  })
  statementsCsv!: string;

  @Field(() => String, {
    description:
      '每个红旗一行，附村委会答复（姓名遮盖）/ One row per red flag with the committee’s answer, names masked.',
  })
  flagsCsv!: string;

  @Field(() => String, {
    description: 'Frictionless 数据包：表结构、字节数、SHA-256、许可 / Data Package: schema, bytes, sha256, licence.',
  })
  datapackage!: string;
}

@Resolver(() => MonthlyStatement)
export class OpenDataResolver {
  @FieldResolver(() => OpenDataLinks, {
    description: '这一版的批量下载（永久不变）/ Bulk files of this revision; they never change.',
  })
  async downloads(@Root() s: MonthlyStatement, @Ctx() ctx: Context): Promise<OpenDataLinks> {
    const village = (await ctx.loaders.villageById.load(s.period.villageId))!;
    return fileLinks(villageMonthPath(village.slug, s.period.year, s.period.month, s.period.revision));
  }

  @Query(() => OpenDataLinks, {
    nullable: true,
    description:
      '某月所有村（或一个地区内各村）当前版本的批量下载；该月没有公开账目时为空 / ' +
      "Bulk files of a month across all villages, or a region's; null when nothing is published.",
  })
  async openData(
    @Arg('year', () => Int) year: number,
    @Arg('month', () => Int) month: number,
    @Arg('regionSlug', () => String, { nullable: true, description: '区、镇或市的网址名 / Region slug.' })
    regionSlug: string | undefined,
    @Ctx() ctx: Context,
  ): Promise<OpenDataLinks | null> {
    checkMonth(year, month);
    const scope = regionSlug
      ? ({ kind: 'region', slug: regionSlug, year, month } as const)
      : ({ kind: 'national', year, month } as const);
    if (!(await hasPublished(ctx.db, scope))) return null;
    return fileLinks(regionSlug ? regionMonthPath(regionSlug, year, month) : nationalMonthPath(year, month));
  }
}
