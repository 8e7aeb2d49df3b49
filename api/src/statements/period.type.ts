import { Field, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../graphql/relay/connection.ts';
import type { PeriodRow, StatementSums } from './statement.sql.ts';

@ObjectType({ simpleResolvers: true, description: '已公开的月份 / A published month, at its current revision.' })
export class PublishedMonth {
  constructor(readonly row: PeriodRow & { revised: boolean; sums?: StatementSums | undefined }) {}

  @Field(() => Int)
  get year(): number {
    return this.row.year;
  }

  @Field(() => Int)
  get month(): number {
    return this.row.month;
  }

  @Field(() => Int, { description: '当前版本号 / Current revision.' })
  get revision(): number {
    return this.row.revision;
  }

  @Field(() => Boolean, { description: '是否更正过 / Has been corrected.' })
  get revised(): boolean {
    return this.row.revised;
  }

  @Field(() => Date)
  get publishedAt(): Date {
    return this.row.publishedAt;
  }
}

export const PublishedMonthConnection = ConnectionType(PublishedMonth, 'PublishedMonth');
