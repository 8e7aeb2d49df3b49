import { sumFen } from '@mingbai/db/ledger/money';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../money/money.type.ts';
import { toGlobalId } from '../graphql/relay/global-id.ts';
import { Node } from '../graphql/relay/node.type.ts';
import type { CategoryAmountRow, RegionRow } from './region.sql.ts';

export enum RegionLevel {
  CITY = 'city',
  DISTRICT = 'district',
  TOWN = 'town',
}
registerEnumType(RegionLevel, {
  name: 'RegionLevel',
  description: '区划层级 / Level: CITY 市, DISTRICT 区, TOWN 镇/街道.',
});

@ObjectType({
  simpleResolvers: true,
  implements: Node,
  description: '行政区划（市、区、镇/街道）/ A region above the village.',
})
export class Region implements Node {
  readonly nodeType = 'Region' as const;
  constructor(readonly row: RegionRow) {}

  @Field(() => ID)
  get id(): string {
    return toGlobalId('Region', this.row.id);
  }

  @Field(() => String, { description: '12位统计用区划代码 / 12-digit statistical division code.' })
  get code(): string {
    return this.row.code;
  }

  @Field(() => String, { description: '网址名，永不改变 / URL slug, never changes.' })
  get slug(): string {
    return this.row.slug;
  }

  @Field(() => String)
  get name(): string {
    return this.row.name;
  }

  @Field(() => RegionLevel)
  get level(): RegionLevel {
    return this.row.level as RegionLevel;
  }
}

@ObjectType({ simpleResolvers: true, description: '一级科目合计 / Total of one first-level account across villages.' })
export class RegionCategoryTotal {
  constructor(readonly row: CategoryAmountRow) {}

  @Field(() => String, { description: '会计制度 2004 或 2023 / Chart of accounts standard.' })
  get standard(): string {
    return this.row.standard;
  }

  @Field(() => String)
  get code(): string {
    return this.row.topCode;
  }

  @Field(() => String)
  get name(): string {
    return this.row.name;
  }

  @Field(() => String, { description: 'INCOME 或 SPENDING' })
  get kind(): string {
    return this.row.kind === 'income' ? 'INCOME' : 'SPENDING';
  }

  @Field(() => Money)
  get amount(): Money {
    return new Money(this.row.amountFen);
  }

  @Field(() => Int, { description: '有此项收支的村数 / Villages with this category.' })
  get villageCount(): number {
    return this.row.villages;
  }
}

@ObjectType({ simpleResolvers: true, description: '区域收支汇总 / Income and spending over all villages of a region.' })
export class RegionSummary {
  constructor(
    readonly year: number,
    readonly month: number | undefined,
    readonly rows: CategoryAmountRow[],
  ) {}

  @Field(() => Int)
  get periodYear(): number {
    return this.year;
  }

  @Field(() => Int, { nullable: true, description: '为空表示全年累计 / Null: the whole year to date.' })
  get periodMonth(): number | null {
    return this.month ?? null;
  }

  @Field(() => Money)
  get income(): Money {
    return new Money(sumFen(this.rows.flatMap((r) => (r.kind === 'income' ? [r.amountFen] : []))));
  }

  @Field(() => Money)
  get spending(): Money {
    return new Money(sumFen(this.rows.flatMap((r) => (r.kind === 'spending' ? [r.amountFen] : []))));
  }

  @Field(() => [RegionCategoryTotal])
  get byCategory(): RegionCategoryTotal[] {
    return this.rows.map((r) => new RegionCategoryTotal(r));
  }
}
