import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { sumFen } from '@mingbai/db/ledger/money';
import { Money } from '../money/money.type.ts';
import { ConnectionType } from '../graphql/relay/connection.ts';
import type {
  ComparedVillageRow,
  ComparisonRows,
  CompareSpec,
  PublishedMonthRow,
  VillageTotalsRow,
} from './compare.sql.ts';
import { medianFen } from './median.ts';

export enum CompareKind {
  INCOME = 'income',
  SPENDING = 'spending',
}
registerEnumType(CompareKind, {
  name: 'CompareKind',
  description:
    '比较收入还是支出 / Compare income (credits of income accounts) or spending (debits of expense accounts).',
});

@ObjectType({
  simpleResolvers: true,
  description: '辖区内有村公开了账目的一个月 / A month in which villages under the region published their books.',
})
export class RegionPublishedMonth {
  constructor(readonly row: PublishedMonthRow) {}

  @Field(() => Int)
  get year(): number {
    return this.row.year;
  }

  @Field(() => Int)
  get month(): number {
    return this.row.month;
  }

  @Field(() => Int, { description: '这个月已公开的村数 / Villages that published this month.' })
  get villageCount(): number {
    return this.row.villages;
  }
}

@ObjectType({
  simpleResolvers: true,
  description:
    '一个村在某期间（一年或一个月）的收支，按已公开月份的现行版本合计 / One village’s income and spending over a period, from the current revision of its published months.',
})
export class RegionVillageTotals {
  constructor(readonly row: VillageTotalsRow) {}

  @Field(() => String, { description: '村的网址名 / The village’s URL slug.' })
  get slug(): string {
    return this.row.slug;
  }

  @Field(() => String, { description: '村名 / The village’s name.' })
  get name(): string {
    return this.row.name;
  }

  @Field(() => String, { description: '12位统计用区划代码 / 12-digit statistical division code.' })
  get code(): string {
    return this.row.code;
  }

  @Field(() => Int, {
    description:
      '期间内已公开的月数；0 表示没有数据（不是收支为零）/ Published months in the period; 0 means no data, not zero.',
  })
  get monthsPublished(): number {
    return this.row.monthsPublished;
  }

  @Field(() => Int, { nullable: true, description: '期间内最后公开的月份 / The last published month in the period.' })
  get lastMonth(): number | null {
    return this.row.lastMonth;
  }

  @Field(() => Money, { description: '期间收入合计 / Income over the period’s published months.' })
  get income(): Money {
    return new Money(this.row.incomeFen);
  }

  @Field(() => Money, { description: '期间支出合计 / Spending over the period’s published months.' })
  get spending(): Money {
    return new Money(this.row.spendingFen);
  }
}

export const RegionVillageTotalsConnection = ConnectionType(RegionVillageTotals, 'RegionVillageTotals');

@ObjectType({ simpleResolvers: true, description: '参与比较的一个村 / One village in a comparison.' })
export class ComparedVillage {
  constructor(readonly row: ComparedVillageRow) {}

  @Field(() => String, { description: '村的网址名 / The village’s URL slug.' })
  get slug(): string {
    return this.row.slug;
  }

  @Field(() => String, { description: '村名 / The village’s name.' })
  get name(): string {
    return this.row.name;
  }

  @Field(() => String, { description: '12位统计用区划代码 / 12-digit statistical division code.' })
  get code(): string {
    return this.row.code;
  }

  @Field(() => Int, {
    description: '期间内已公开的月数（金额就是这些月的合计）/ Published months in the period, which the amount sums.',
  })
  get monthsPublished(): number {
    return this.row.monthsPublished;
  }

  @Field(() => Money, { description: '该类收支在期间内的合计 / The category’s total over the period.' })
  get amount(): Money {
    return new Money(this.row.amountFen);
  }

  @Field(() => Int, {
    description:
      '名次：金额最大的为 1，金额相同的名次相同（1、2、2、4）/ Rank: 1 is the largest amount; equal amounts share a rank (1, 2, 2, 4).',
  })
  get rank(): number {
    return this.row.rank;
  }
}

@ObjectType({
  simpleResolvers: true,
  description:
    '某类收支在一个镇街（或区）各村之间的比较 / One category of income or spending compared across the villages of a town (or district).',
})
export class RegionComparison {
  constructor(
    readonly spec: CompareSpec,
    readonly rows: ComparisonRows,
  ) {}

  @Field(() => Int)
  get periodYear(): number {
    return this.spec.period.year;
  }

  @Field(() => Int, { nullable: true, description: '为空表示全年 / Null: the whole year.' })
  get periodMonth(): number | null {
    return this.spec.period.month ?? null;
  }

  @Field(() => CompareKind)
  get kind(): CompareKind {
    return this.spec.kind as CompareKind;
  }

  @Field(() => String, {
    nullable: true,
    description: '会计制度 2004 或 2023；为空表示该类全部科目 / Chart standard; null: every account of the kind.',
  })
  get standard(): string | null {
    return this.spec.account?.standard ?? null;
  }

  @Field(() => String, { nullable: true, description: '一级科目代码 / First-level account code; null: all.' })
  get code(): string | null {
    return this.spec.account?.code ?? null;
  }

  @Field(() => String, {
    description:
      '比较的是什么，如“管理费用”或“支出合计” / What is compared, e.g. 管理费用, or 支出合计 for all spending.',
  })
  get name(): string {
    return this.rows.accountName ?? (this.spec.kind === 'income' ? '收入合计' : '支出合计');
  }

  @Field(() => Int, {
    description:
      '参与比较的村数（期间内至少公开了一个月）/ Villages compared: those with a published month in the period.',
  })
  get villageCount(): number {
    return this.rows.villages.length;
  }

  @Field(() => Int, {
    description:
      '期间内没有公开任何月份、不参与比较的村数（没有数据不等于零）/ Villages with no published month in the period, left out (no data is not zero).',
  })
  get villagesWithoutData(): number {
    return this.rows.withoutData;
  }

  @Field(() => Money, { description: '参与比较各村的合计 / Total over the villages compared.' })
  get total(): Money {
    return new Money(sumFen(this.rows.villages.map((v) => v.amountFen)));
  }

  @Field(() => Money, {
    nullable: true,
    description:
      '中位数（精确到分）：村数为奇数取正中的金额；为偶数取中间两个的平均，出现半分时四舍五入进到一分（100 分和 101 分得 101 分）；没有村参与时为空 / Median in exact fen: the middle amount of an odd count; for an even count the mean of the two middle amounts, a half fen rounded up (100 and 101 fen give 101); null when no village is compared.',
  })
  get median(): Money | null {
    const m = medianFen(this.rows.villages.map((v) => v.amountFen));
    return m === undefined ? null : new Money(m);
  }

  @Field(() => [ComparedVillage], {
    description:
      '参与比较的各村，金额从大到小（相同时按区划代码）/ The villages compared, largest amount first (then by code).',
  })
  get villages(): ComparedVillage[] {
    return this.rows.villages.map((v) => new ComparedVillage(v));
  }
}
