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

@ObjectType({ description: '年月 / A year and month.' })
export class YearMonthType {
  @Field(() => Int)
  year!: number;

  @Field(() => Int)
  month!: number;
}

@ObjectType({ description: '工作台上的一个月：状态和待办 / A month on the workbench: where it stands, what to do.' })
export class WorkbenchMonth {
  @Field(() => Int)
  year!: number;

  @Field(() => Int)
  month!: number;

  @Field(() => Int, { nullable: true, description: '最新版本号；尚未上传为空 / Newest revision; null when none.' })
  revision!: number | null;

  @Field(() => String, { description: 'NONE 尚未开账 · OPEN 正在录入 · SUBMITTED 已提交审核' })
  status!: string;

  @Field(() => String, {
    description:
      'NOT_UPLOADED · OPEN · RETURNED · CORRECTING · WAITING_REVIEW · CHANGED_AFTER_APPROVAL · APPROVED_UNANSWERED · ' +
      'READY_TO_PUBLISH（见 stateLabel）',
  })
  state!: string;

  @Field(() => String, { description: '状态的中文说明 / The state in Chinese.' })
  stateLabel!: string;

  @Field(() => Int)
  vouchers!: number;

  @Field(() => Int, { description: '红旗和监督员疑问的面数 / Red flags and supervisors’ flags.' })
  redFlags!: number;

  @Field(() => Int, { description: '还没有书面答复的 / Of them, without an answer.' })
  unanswered!: number;

  @Field(() => [String], {
    description:
      '当前用户现在能做的：UPLOAD 上传 · SUBMIT 提交审核 · ANSWER 答复红旗 · REVIEW 审核 · PUBLISH 公开 / What the viewer can do now.',
  })
  actions!: string[];

  @Field(() => [String], { description: '还在等别人做的，中文 / What it waits for from others, in Chinese.' })
  waitingFor!: string[];
}

@ObjectType({ description: '工作台上的一个村 / A village on the workbench.' })
export class WorkbenchVillage {
  @Field(() => String)
  slug!: string;

  @Field(() => String)
  name!: string;

  @Field(() => [String], { description: 'accountant · director · supervisor' })
  roles!: string[];

  @Field(() => [String], { description: '角色的中文名：报账员、村主任/书记、监督员 / Role names in Chinese.' })
  roleNames!: string[];

  @Field(() => YearMonthType, {
    description: '默认打开的月份：最早一个尚未公开的月份，否则上一个已结束的月份 / The month to open first.',
  })
  openMonth!: YearMonthType;

  @Field(() => [WorkbenchMonth], {
    description: '尚未公开的月份（含尚未上传的已结束月份），按时间先后 / Months not yet published, oldest first.',
  })
  months!: WorkbenchMonth[];
}
