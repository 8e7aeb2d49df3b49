import type { GraphQLResolveInfo } from 'graphql';
import { Args, ArgsType, Ctx, Field, FieldResolver, Info, Int, Resolver, Root, registerEnumType } from 'type-graphql';
import { sumFen } from '@mingbai/db/ledger/money';
import type { Context } from '../graphql/context.ts';
import { Money } from '../money/money.type.ts';
import { PageArgs, pageWindow, toConnection } from '../graphql/relay/connection.ts';
import { Region } from '../regions/region.type.ts';
import { checkMonth, checkYear } from '../month.ts';
import { loadersOf } from '../statements/preview-statement.ts';
import { loadStatement } from '../statements/statement.loader.ts';
import { asksAnywhere } from '../statements/statement-selection.ts';
import { currentVoucher } from './voucher.loader.ts';
import { MonthlyStatement } from '../statements/statement.type.ts';
import { Village } from '../villages/village.type.ts';
import { LINE_DETAIL, lineFilter, publishedLines } from './voucher.service.ts';
import { publicReviewName, publicReviewText } from '@mingbai/db/ledger/privacy';
import {
  FlowKind,
  PublicVoucherFlag,
  StatementLine,
  StatementLineConnection,
  Voucher,
  VoucherLine,
} from './voucher.type.ts';

export enum LineOrder {
  DATE_ASC = 'date_asc',
  DATE_DESC = 'date_desc',
  AMOUNT_DESC = 'amount_desc',
  AMOUNT_ASC = 'amount_asc',
}
registerEnumType(LineOrder, { name: 'LineOrder', description: '排序 / Sort order of statement lines.' });

@ArgsType()
class LineArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: '科目编码或前缀，如 514 或 51401 / Account code or prefix.' })
  category?: string;

  @Field(() => FlowKind, { nullable: true })
  kind?: FlowKind;

  @Field(() => String, {
    nullable: true,
    description: '最小金额（元），如 "1000" 或 "99.50" / Minimum amount in yuan.',
  })
  minYuan?: string;

  @Field(() => String, { nullable: true, description: '最大金额（元）/ Maximum amount in yuan.' })
  maxYuan?: string;

  @Field(() => String, { nullable: true, description: '在摘要和收付款对象中查找 / Text in memo or counterparty.' })
  search?: string;

  @Field(() => LineOrder, { nullable: true, defaultValue: LineOrder.DATE_ASC })
  orderBy?: LineOrder;
}

@Resolver(() => MonthlyStatement)
export class StatementLinesResolver {
  @FieldResolver(() => StatementLineConnection, {
    description: '本月每一笔收入和支出，可筛选、排序 / Every payment and receipt, filterable and sortable.',
  })
  async lines(
    @Root() s: MonthlyStatement,
    @Args(() => LineArgs) args: LineArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ) {
    const page = await loadersOf(s, ctx).statementLines.load({
      statement: s.period,
      filter: { ...lineFilter(args), lean: !asksAnywhere(info, LINE_DETAIL) },
      window: pageWindow(args),
    });
    return toConnection({ ...page, nodes: page.nodes.map((r) => new StatementLine(r)) });
  }
}

@ArgsType()
class RegionLineArgs extends LineArgs {
  @Field(() => Int, { description: '账目年份 / Year of the months.' })
  year!: number;

  @Field(() => Int, { nullable: true, description: '1–12；不给则全年 / One month; the whole year without it.' })
  month?: number;
}

@Resolver(() => Region)
export class RegionLinesResolver {
  @FieldResolver(() => StatementLineConnection, {
    description:
      '辖区内所有村某年（或某月）已公开月份当前版本的每一笔收支，筛选同月报表的 lines。' +
      '公益支出：2023 制度为 514；2004 制度没有公益支出科目（记在 551 其他支出下），按 category:"514" 只会得到 2024 年起的账 / ' +
      'Every payment and receipt of the current revision of each published month of every village under the region, ' +
      'filtered like `MonthlyStatement.lines`. Codes belong to the month’s chart: 514 公益支出 exists in the 2023 chart only.',
  })
  async lines(@Root() region: Region, @Args(() => RegionLineArgs) args: RegionLineArgs, @Ctx() ctx: Context) {
    const month = args.month ?? undefined;
    if (month === undefined) checkMonth(args.year, 1);
    else checkMonth(args.year, month);
    const window = pageWindow(args);
    const page = await publishedLines(
      ctx.db,
      { regionId: region.row.id, year: args.year, month },
      lineFilter(args),
      window,
    );
    return toConnection({ ...page, nodes: page.nodes.map((r) => new StatementLine(r)) });
  }
}

@ArgsType()
class VillageLineArgs extends LineArgs {
  @Field(() => Int, {
    nullable: true,
    description: '账目年份；不给则所有年份 / Year of the months; every year without it.',
  })
  year?: number;
}

@Resolver(() => Village)
export class VillageLinesResolver {
  @FieldResolver(() => StatementLineConnection, {
    description:
      '本村所有已公开月份（或某一年）当前版本的每一笔收支，筛选同月报表的 lines：按收付款人或摘要查找、按金额和年份筛选 / ' +
      'Every payment and receipt of the current revision of each published month of the village (or of one year), ' +
      'filtered like `MonthlyStatement.lines`: search a payee or words of the memo across months.',
  })
  async lines(@Root() village: Village, @Args(() => VillageLineArgs) args: VillageLineArgs, @Ctx() ctx: Context) {
    const year = args.year ?? undefined;
    if (year !== undefined) checkYear(year);
    const page = await publishedLines(ctx.db, { villageId: village.row.id, year }, lineFilter(args), pageWindow(args));
    return toConnection({ ...page, nodes: page.nodes.map((r) => new StatementLine(r)) });
  }
}

@Resolver(() => StatementLine)
export class StatementLineResolver {
  @FieldResolver(() => Village, { description: '所属的村 / The village the line belongs to.' })
  async village(@Root() line: StatementLine, @Ctx() ctx: Context) {
    return new Village((await ctx.loaders.villageById.load(line.row.villageId))!);
  }
}

@ArgsType()
class VoucherArgs {
  @Field(() => Int)
  year!: number;

  @Field(() => Int)
  month!: number;

  @Field(() => Int, { description: '凭证号 / Voucher number within the month.' })
  number!: number;

  @Field(() => Int, { nullable: true, description: '版本号，默认当前版本' })
  revision?: number;
}

/** The voucher fields that read its lines: asked, the lines are read with the voucher (`currentVoucher`). */
const VOUCHER_LINES = new Set(['lines', 'total']);

@Resolver(() => Village)
export class VillageVoucherResolver {
  @FieldResolver(() => Voucher, {
    nullable: true,
    description: '按月份和凭证号查凭证 / A voucher by month and number.',
  })
  async voucher(
    @Root() village: Village,
    @Args(() => VoucherArgs) args: VoucherArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ) {
    if (args.revision === undefined || args.revision === null) {
      const key = { villageId: village.row.id, year: args.year, month: args.month, number: args.number };
      const row = await currentVoucher(ctx.reads, ctx.loaders, key, asksAnywhere(info, VOUCHER_LINES));
      return row ? new Voucher(row) : undefined;
    }
    const statement = await loadStatement(
      ctx,
      { villageId: village.row.id, year: args.year, month: args.month },
      args.revision,
    );
    if (!statement) return undefined;
    const row = await ctx.loaders.voucherByNumber.load({ ...statement.period, number: args.number });
    return row ? new Voucher(row) : undefined;
  }
}

@Resolver(() => Voucher)
export class VoucherResolver {
  @FieldResolver(() => [VoucherLine])
  async lines(@Root() v: Voucher, @Ctx() ctx: Context) {
    const rows = await ctx.loaders.linesOfVoucher.load({ villageId: v.row.villageId, id: v.row.id });
    return rows.map((r) => new VoucherLine(r));
  }

  @FieldResolver(() => Money, { description: '借方合计（等于贷方合计）/ Total debits, equal to total credits.' })
  async total(@Root() v: Voucher, @Ctx() ctx: Context) {
    const rows = await ctx.loaders.linesOfVoucher.load({ villageId: v.row.villageId, id: v.row.id });
    return new Money(sumFen(rows.flatMap((r) => (r.side === 'debit' ? [r.amountFen] : []))));
  }

  @FieldResolver(() => [PublicVoucherFlag], {
    description: '审核时监督员的存疑标记 / Supervisors’ flags raised while the month was under review.',
  })
  async flags(@Root() v: Voucher, @Ctx() ctx: Context): Promise<PublicVoucherFlag[]> {
    const flags = await ctx.loaders.flagsOfVoucher.load({ ...v.row, number: v.row.number });
    return flags.map((f) => ({ ...f, author: publicReviewName(f.author), reason: publicReviewText(f.reason) }));
  }

  @FieldResolver(() => MonthlyStatement, {
    description: '凭证所在的月报表版本 / The statement revision it belongs to.',
  })
  async statement(@Root() v: Voucher, @Ctx() ctx: Context) {
    return loadStatement(ctx, v.row, v.row.revision);
  }

  @FieldResolver(() => Village)
  async village(@Root() v: Voucher, @Ctx() ctx: Context) {
    return new Village((await ctx.loaders.villageById.load(v.row.villageId))!);
  }
}
