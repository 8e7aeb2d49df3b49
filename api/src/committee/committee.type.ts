import { ArgsType, Field, Int, ObjectType } from 'type-graphql';

@ArgsType()
export class MonthArgs {
  @Field(() => String, { description: '村的网址名 / Village slug.' })
  villageSlug!: string;

  @Field(() => Int)
  year!: number;

  @Field(() => Int)
  month!: number;
}

@ObjectType({ description: '审核意见 / A comment on a month under review.' })
export class MonthComment {
  @Field(() => String)
  author!: string;

  @Field(() => String)
  body!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Int)
  revision!: number;
}

@ObjectType({ description: '存疑凭证标记 / A voucher flagged as doubtful by a supervisor.' })
export class VoucherFlag {
  @Field(() => Int)
  voucherNumber!: number;

  @Field(() => String)
  author!: string;

  @Field(() => String)
  reason!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Int)
  revision!: number;
}

@ObjectType({ description: '村委会视角的月份（含未公开）/ A month as the committee sees it, published or not.' })
export class CommitteeMonth {
  /** Not a field: the village the month belongs to, for the fields resolved beside it (review/). */
  villageId!: number;

  @Field(() => Int)
  year!: number;

  @Field(() => Int)
  month!: number;

  @Field(() => Int, { description: '最新版本号 / Newest revision.' })
  revision!: number;

  @Field(() => String, { description: 'OPEN 正在录入 · SUBMITTED 已提交审核 · PUBLISHED 已公开' })
  status!: string;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => Int)
  voucherCount!: number;

  @Field(() => Int)
  lineCount!: number;

  @Field(() => [MonthComment])
  comments!: MonthComment[];

  @Field(() => [VoucherFlag])
  flags!: VoucherFlag[];
}

@ObjectType({ description: '公开结果 / The published revision and its digest.' })
export class PublishResult {
  @Field(() => Int)
  revision!: number;

  @Field(() => String)
  digest!: string;
}
