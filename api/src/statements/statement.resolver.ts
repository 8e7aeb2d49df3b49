import { sumFen } from '@mingbai/db/ledger/money';
import type { GraphQLResolveInfo } from 'graphql';
import { Args, ArgsType, Ctx, Field, FieldResolver, Info, Int, Resolver, Root } from 'type-graphql';
import type { Context } from '../graphql/context.ts';
import { checkMonth } from '../month.ts';
import { Money } from '../money/money.type.ts';
import { PageArgs, pageWindow, slicePage, toConnection, type ConnectionShape } from '../graphql/relay/connection.ts';
import { Village } from '../villages/village.type.ts';
import { PublishedMonth, PublishedMonthConnection } from './period.type.ts';
import { previousMonth } from '@mingbai/db/ledger/publish';
import { loadersOf } from './preview-statement.ts';
import { loadStatement } from './statement.loader.ts';
import { asksAnywhere, FIGURES, needsBundle, READS_ROLLUPS } from './statement-selection.ts';
import { categories, publishedMonths, statementTotals, type Totals } from './statement.service.ts';
import type { PeriodRow, RollupRow, StatementSums } from './statement.sql.ts';
import {
  CategoryTotal,
  MonthComparison,
  MonthlyStatement,
  Reconciliation,
  RevisionChange,
  RevisionChangeConnection,
  StatementRevisionConnection,
  YearToDate,
} from './statement.type.ts';

@ArgsType()
class StatementArgs {
  @Field(() => Int)
  year!: number;

  @Field(() => Int, { description: '1–12' })
  month!: number;

  @Field(() => Int, { nullable: true, description: '版本号，默认当前版本 / Revision; the current one by default.' })
  revision?: number;
}

@ArgsType()
class PeriodsArgs extends PageArgs {
  @Field(() => Date, {
    nullable: true,
    description:
      '只列在此时刻或之后（含）有版本公开的月份（新公开或更正）/ Only months with a revision published at or after this moment (inclusive).',
  })
  publishedSince?: Date;
}

function rollupsOf(loaders: Context['loaders'], p: PeriodRow): Promise<RollupRow[]> {
  return loaders.rollups.load(p);
}

/** The rollups loader hands out one array per statement and request: its totals are summed once, not per field. */
const totalsByRollups = new WeakMap<RollupRow[], Totals>();

async function totalsOf(loaders: Context['loaders'], p: PeriodRow): Promise<Totals> {
  const rollups = await rollupsOf(loaders, p);
  let totals = totalsByRollups.get(rollups);
  if (!totals) totalsByRollups.set(rollups, (totals = statementTotals(rollups)));
  return totals;
}

/** A statement's headline figures: as read with its list, summed from its rollups, or from the `sums` loader. */
async function figuresOf(s: MonthlyStatement, ctx: Context): Promise<StatementSums> {
  if (s.figures === 'rollups') return totalsOf(loadersOf(s, ctx), s.period);
  return s.figures ?? loadersOf(s, ctx).sums.load(s.period);
}

const STATEMENT = new Set(['statement']);

@Resolver(() => Village)
export class VillageStatementResolver {
  @FieldResolver(() => MonthlyStatement, {
    nullable: true,
    description: '某月月报表；未公开的月份为空 / The month’s statement; null unless published.',
  })
  async statement(
    @Root() village: Village,
    @Args(() => StatementArgs) args: StatementArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ) {
    checkMonth(args.year, args.month);
    const key = { villageId: village.row.id, year: args.year, month: args.month };
    // A month page asks for most of the statement: the bundle reads it in one statement. A query for the month's
    // revision, digest and lines reads only the month's revisions (issue 19: a lines page does not read year to date).
    const whole = needsBundle(info);
    const revisions = (whole ? ctx.loaders.statementBundle : ctx.loaders.publishedRevisions).load(key);
    // What the page shows below the statement (flags, attachments, questions, lines) goes in the same statement.
    ctx.readAhead(
      key,
      args.revision ?? undefined,
      // The statement's own read reports its failure; the reads ahead then prime nothing.
      revisions.then(
        (r) => r[0]?.revision,
        () => undefined,
      ),
      info,
    );
    return loadStatement(ctx, key, args.revision, { whole });
  }

  @FieldResolver(() => MonthlyStatement, { nullable: true, description: '最新公开的月报表 / Latest published month.' })
  async latestStatement(@Root() village: Village, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    const latest = await ctx.loaders.latestPeriod.load(village.row.id);
    const statement = latest ? await loadStatement(ctx, latest) : undefined;
    // The village page shows the latest month's figures beside its categories: sum the rollups it reads anyway
    // instead of reading the sums in one more statement (the same figures: see `sums`).
    if (statement && asksAnywhere(info, READS_ROLLUPS)) statement.figures = 'rollups';
    return statement;
  }

  @FieldResolver(() => PublishedMonthConnection, {
    description: '已公开的月份，新的在前 / Published months, newest first.',
  })
  async periods(
    @Root() village: Village,
    @Args(() => PeriodsArgs) args: PeriodsArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionShape<PublishedMonth>> {
    // A list that shows each month's figures reads them with the months, in the same statement.
    const result = await publishedMonths(
      ctx.reads,
      village.row.id,
      args.publishedSince ?? undefined,
      pageWindow(args),
      {
        withSums: asksAnywhere(info, FIGURES),
        // Each month's older revisions (a subquery per month) only for a list that shows its months' statements.
        withRevisions: asksAnywhere(info, STATEMENT),
      },
    );
    // The list read every month's revisions: its statements (PublishedMonth.statement) read no more SQL for them.
    for (const m of result.nodes) if (m.revisions) ctx.loaders.publishedRevisions.prime(m, m.revisions);
    return toConnection({ ...result, nodes: result.nodes.map(({ revisions: _, ...r }) => new PublishedMonth(r)) });
  }
}

@Resolver(() => MonthlyStatement)
export class MonthlyStatementResolver {
  @FieldResolver(() => Village)
  async village(@Root() s: MonthlyStatement, @Ctx() ctx: Context) {
    return new Village((await ctx.loaders.villageById.load(s.period.villageId))!);
  }

  @FieldResolver(() => Money, { description: '期初余额（现金 + 银行存款）/ Opening balance: cash + bank.' })
  async openingBalance(@Root() s: MonthlyStatement, @Ctx() ctx: Context) {
    return new Money((await figuresOf(s, ctx)).openingBalanceFen);
  }

  @FieldResolver(() => Money, { description: '期末余额（现金 + 银行存款）/ Closing balance: cash + bank.' })
  async closingBalance(@Root() s: MonthlyStatement, @Ctx() ctx: Context) {
    return new Money((await figuresOf(s, ctx)).closingBalanceFen);
  }

  @FieldResolver(() => Money, { description: '收入：收入类科目贷方合计 / Income: credits of income accounts.' })
  async income(@Root() s: MonthlyStatement, @Ctx() ctx: Context) {
    return new Money((await figuresOf(s, ctx)).incomeFen);
  }

  @FieldResolver(() => Money, { description: '支出：支出类科目借方合计 / Spending: debits of expense accounts.' })
  async spending(@Root() s: MonthlyStatement, @Ctx() ctx: Context) {
    return new Money((await figuresOf(s, ctx)).spendingFen);
  }

  @FieldResolver(() => [CategoryTotal], { description: '按科目分类的收入和支出 / Income and spending by account.' })
  async byCategory(@Root() s: MonthlyStatement, @Ctx() ctx: Context) {
    return categories(await rollupsOf(loadersOf(s, ctx), s.period)).map((c) => new CategoryTotal(c));
  }

  @FieldResolver(() => Reconciliation)
  async reconciliation(@Root() s: MonthlyStatement, @Ctx() ctx: Context): Promise<Reconciliation> {
    const totals = await totalsOf(loadersOf(s, ctx), s.period);
    const other = sumFen(totals.otherMovements.map((m) => m.netInflowFen));
    const expected = totals.openingBalanceFen + totals.incomeFen - totals.spendingFen + other;
    const before = await previousStatement(loadersOf(s, ctx), s.period);
    const continues = before
      ? (await totalsOf(loadersOf(s, ctx), before)).closingBalanceFen === totals.openingBalanceFen
      : null;
    const difference = totals.closingBalanceFen - expected;
    return {
      openingBalance: new Money(totals.openingBalanceFen),
      income: new Money(totals.incomeFen),
      spending: new Money(totals.spendingFen),
      otherMovements: totals.otherMovements.map((m) => ({
        code: m.accountCode,
        name: m.name,
        netInflow: new Money(m.netInflowFen),
      })),
      expectedClosingBalance: new Money(expected),
      closingBalance: new Money(totals.closingBalanceFen),
      difference: new Money(difference),
      continuesPreviousMonth: continues,
      ok: difference === 0n && continues !== false,
    };
  }

  @FieldResolver(() => Boolean, {
    description: '对账是否相符（见 reconciliation）/ Whether the reconciliation holds; see `reconciliation`.',
  })
  async reconciled(@Root() s: MonthlyStatement, @Ctx() ctx: Context) {
    return (await this.reconciliation(s, ctx)).ok;
  }

  @FieldResolver(() => MonthComparison, { nullable: true, description: '上月（未公开则为空）/ The previous month.' })
  async previousMonth(@Root() s: MonthlyStatement, @Ctx() ctx: Context): Promise<MonthComparison | undefined> {
    const before = await previousStatement(loadersOf(s, ctx), s.period);
    if (!before) return undefined;
    const [now, then] = [await totalsOf(loadersOf(s, ctx), s.period), await totalsOf(loadersOf(s, ctx), before)];
    return {
      year: before.year,
      month: before.month,
      income: new Money(then.incomeFen),
      spending: new Money(then.spendingFen),
      closingBalance: new Money(then.closingBalanceFen),
      incomeChange: new Money(now.incomeFen - then.incomeFen),
      spendingChange: new Money(now.spendingFen - then.spendingFen),
    };
  }

  @FieldResolver(() => YearToDate, { description: '本年累计 / From January to this month.' })
  async yearToDate(@Root() s: MonthlyStatement, @Ctx() ctx: Context): Promise<YearToDate> {
    const ytd = await loadersOf(s, ctx).yearToDate.load(s.period);
    const cats = categories(ytd.rollups);
    return {
      months: ytd.months,
      income: new Money(sumFen(cats.flatMap((c) => (c.kind === 'income' ? [c.amountFen] : [])))),
      spending: new Money(sumFen(cats.flatMap((c) => (c.kind === 'spending' ? [c.amountFen] : [])))),
      byCategory: cats.map((c) => new CategoryTotal(c)),
    };
  }

  @FieldResolver(() => [RevisionChange], {
    description: '本版相对上一版改了哪些凭证（第1版为空）/ What this revision changed against the one before.',
  })
  async changes(@Root() s: MonthlyStatement, @Ctx() ctx: Context): Promise<RevisionChange[]> {
    const changes = await loadersOf(s, ctx).changes.load(s.period);
    return changes.map((c) => ({
      voucherNumber: c.number,
      kind: c.kind.toUpperCase(),
      summaryBefore: c.summaryBefore,
      summaryAfter: c.summaryAfter,
      amountBefore: c.amountBeforeFen === null ? null : new Money(c.amountBeforeFen),
      amountAfter: c.amountAfterFen === null ? null : new Money(c.amountAfterFen),
    }));
  }

  @FieldResolver(() => RevisionChangeConnection, {
    description:
      '同 changes，分页读取：一次更正可改动成千张凭证 / `changes` as a connection: a correction may touch thousands of vouchers.',
  })
  async changesConnection(@Root() s: MonthlyStatement, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context) {
    const window = pageWindow(args);
    return toConnection(slicePage(await this.changes(s, ctx), window));
  }

  @FieldResolver(() => StatementRevisionConnection, {
    description: '同 revisions（新的在前），分页读取 / `revisions` as a connection, newest first.',
  })
  revisionsConnection(@Root() s: MonthlyStatement, @Args(() => PageArgs) args: PageArgs) {
    return toConnection(slicePage(s.revisions, pageWindow(args)));
  }

  /** Exposed for the Relay-style month navigation: the published statement of the month before, if any. */
  @FieldResolver(() => MonthlyStatement, { nullable: true, description: '上月月报表 / Previous month’s statement.' })
  async previousStatement(@Root() s: MonthlyStatement, @Ctx() ctx: Context) {
    const prev = previousMonth(s.period.year, s.period.month);
    return loadStatement({ loaders: loadersOf(s, ctx) }, { villageId: s.period.villageId, ...prev });
  }
}

async function previousStatement(loaders: Context['loaders'], p: PeriodRow): Promise<PeriodRow | undefined> {
  const prev = previousMonth(p.year, p.month);
  const revisions = await loaders.publishedRevisions.load({ villageId: p.villageId, ...prev });
  return revisions[0];
}

@Resolver(() => PublishedMonth)
export class PublishedMonthResolver {
  @FieldResolver(() => MonthlyStatement, { description: '该月当前版本的月报表 / The month’s current statement.' })
  async statement(@Root() m: PublishedMonth, @Ctx() ctx: Context) {
    const statement = (await loadStatement(ctx, m.row))!;
    if (m.row.sums) statement.figures = m.row.sums;
    return statement;
  }
}
