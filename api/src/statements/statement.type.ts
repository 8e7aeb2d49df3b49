import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Money } from '../money/money.type.ts';
import { ConnectionType } from '../graphql/relay/connection.ts';
import { toGlobalId } from '../graphql/relay/global-id.ts';
import { Node } from '../graphql/relay/node.type.ts';
import type { CategoryRow } from './statement.service.ts';
import type { PeriodRow, StatementSums } from './statement.sql.ts';

@ObjectType({ simpleResolvers: true, description: '明细科目金额 / Amount of one sub-account.' })
export class SubAccountTotal {
  @Field(() => String)
  code!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Money)
  amount!: Money;
}

@ObjectType({
  simpleResolvers: true,
  description: '按一级科目的收入或支出 / Income or spending of one first-level account.',
})
export class CategoryTotal {
  constructor(row: CategoryRow) {
    this.code = row.code;
    this.name = row.name;
    this.kind = row.kind === 'income' ? 'INCOME' : 'SPENDING';
    this.amount = new Money(row.amountFen);
    this.subAccounts = row.subAccounts.map((s) => ({ code: s.code, name: s.name, amount: new Money(s.amountFen) }));
  }

  @Field(() => String, { description: '一级科目编码，如 514 / First-level account code.' })
  code: string;

  @Field(() => String, { description: '科目名称，如 公益支出' })
  name: string;

  @Field(() => String, { description: 'INCOME 收入 或 SPENDING 支出' })
  kind: 'INCOME' | 'SPENDING';

  @Field(() => Money)
  amount: Money;

  @Field(() => [SubAccountTotal], { description: '明细科目 / Sub-accounts with an amount this period.' })
  subAccounts: SubAccountTotal[];
}

@ObjectType({
  simpleResolvers: true,
  description: '引起现金变动的其他科目 / Cash moved by an account that is neither income nor spending.',
})
export class AccountMovement {
  @Field(() => String)
  code!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Money, { description: '流入为正，流出为负 / Net inflow of cash: positive in, negative out.' })
  netInflow!: Money;
}

@ObjectType({
  simpleResolvers: true,
  description:
    '对账：期初 + 收入 − 支出 + 其他变动 = 期末，由系统根据账目计算 / Reconciliation computed by the system, never stored.',
})
export class Reconciliation {
  @Field(() => Money)
  openingBalance!: Money;

  @Field(() => Money)
  income!: Money;

  @Field(() => Money)
  spending!: Money;

  @Field(() => [AccountMovement])
  otherMovements!: AccountMovement[];

  @Field(() => Money, { description: '期初 + 收入 − 支出 + 其他变动 / Closing balance the movements imply.' })
  expectedClosingBalance!: Money;

  @Field(() => Money)
  closingBalance!: Money;

  @Field(() => Money, { description: '期末 − 推算期末，应为 0 / Should be zero.' })
  difference!: Money;

  @Field(() => Boolean, {
    nullable: true,
    description:
      '期初是否等于上月期末（无上月时为空）/ Opening equals last month’s closing; null without a last month.',
  })
  continuesPreviousMonth!: boolean | null;

  @Field(() => Boolean)
  ok!: boolean;
}

@ObjectType({ simpleResolvers: true, description: '与上月比较 / The previous month, for comparison.' })
export class MonthComparison {
  @Field(() => Int)
  year!: number;

  @Field(() => Int)
  month!: number;

  @Field(() => Money)
  income!: Money;

  @Field(() => Money)
  spending!: Money;

  @Field(() => Money)
  closingBalance!: Money;

  @Field(() => Money, { description: '本月收入 − 上月收入' })
  incomeChange!: Money;

  @Field(() => Money, { description: '本月支出 − 上月支出' })
  spendingChange!: Money;
}

@ObjectType({ simpleResolvers: true, description: '本年累计（1月至本月）/ Year to date, January to this month.' })
export class YearToDate {
  @Field(() => Int, { description: '已公开的月数 / Published months included.' })
  months!: number;

  @Field(() => Money)
  income!: Money;

  @Field(() => Money)
  spending!: Money;

  @Field(() => [CategoryTotal])
  byCategory!: CategoryTotal[];
}

@ObjectType({
  simpleResolvers: true,
  description: '更正带来的变化：一张凭证 / One voucher a correction added, removed or changed.',
})
export class RevisionChange {
  @Field(() => Int, { description: '凭证号 / Voucher number.' })
  voucherNumber!: number;

  @Field(() => String, { description: 'ADDED 新增 · REMOVED 删除 · CHANGED 修改' })
  kind!: string;

  @Field(() => String, { nullable: true, description: '更正前的摘要 / Memo before.' })
  summaryBefore!: string | null;

  @Field(() => String, { nullable: true, description: '更正后的摘要 / Memo after.' })
  summaryAfter!: string | null;

  @Field(() => Money, { nullable: true, description: '更正前的金额（借方合计）/ Amount before.' })
  amountBefore!: Money | null;

  @Field(() => Money, { nullable: true, description: '更正后的金额 / Amount after.' })
  amountAfter!: Money | null;
}

@ObjectType({ simpleResolvers: true, description: '一次公开（版本）/ One published revision of the month.' })
export class StatementRevision {
  constructor(
    readonly row: PeriodRow,
    readonly current: boolean,
  ) {}

  @Field(() => Int)
  get revision(): number {
    return this.row.revision;
  }

  @Field(() => String, { nullable: true, description: '更正原因（第1版为空）/ Why it was corrected.' })
  get reason(): string | null {
    return this.row.reason;
  }

  @Field(() => Date)
  get publishedAt(): Date {
    return this.row.publishedAt;
  }

  @Field(() => String, { description: 'SHA-256 摘要 / Digest of this revision.' })
  get digest(): string {
    return this.row.digest;
  }

  @Field(() => Boolean, { description: '是否为当前有效版本 / Is the current revision.' })
  get isCurrent(): boolean {
    return this.current;
  }
}

@ObjectType({
  simpleResolvers: true,
  implements: Node,
  description: '月报表：一个村一个月的一次公开 / Monthly statement: one published revision of a village month.',
})
export class MonthlyStatement implements Node {
  readonly nodeType = 'MonthlyStatement' as const;
  constructor(
    readonly period: PeriodRow,
    /** All published revisions of the month, newest first. */
    readonly allRevisions: PeriodRow[],
  ) {}

  /**
   * Where the headline figures come from when not from the `sums` loader: read with the list the statement came from
   * (`Village.periods`), or `'rollups'` when the query reads the rollups anyway (byCategory beside the figures).
   */
  figures?: StatementSums | 'rollups';

  @Field(() => ID)
  get id(): string {
    const p = this.period;
    return toGlobalId('MonthlyStatement', p.villageId, p.year, p.month, p.revision);
  }

  @Field(() => Int)
  get year(): number {
    return this.period.year;
  }

  @Field(() => Int)
  get month(): number {
    return this.period.month;
  }

  @Field(() => Int, { description: '版本号，更正后递增 / Revision number.' })
  get revision(): number {
    return this.period.revision;
  }

  @Field(() => Boolean, { description: '是否为本月当前版本 / Whether this is the current revision.' })
  get isCurrent(): boolean {
    return this.allRevisions[0]?.revision === this.period.revision;
  }

  @Field(() => String, { description: '会计制度：2004 或 2023 / Chart of accounts in use.' })
  get standard(): string {
    return this.period.standard;
  }

  @Field(() => Date)
  get publishedAt(): Date {
    return this.period.publishedAt;
  }

  @Field(() => String, { nullable: true, description: '更正原因 / Reason, for a correction.' })
  get reason(): string | null {
    return this.period.reason;
  }

  @Field(() => String, { description: '本版凭证的 SHA-256 摘要，链接上一次公开 / Chained SHA-256 digest.' })
  get digest(): string {
    return this.period.digest;
  }

  @Field(() => String, { nullable: true })
  get previousDigest(): string | null {
    return this.period.previousDigest;
  }

  @Field(() => Int)
  get voucherCount(): number {
    return this.period.voucherCount;
  }

  @Field(() => Int)
  get lineCount(): number {
    return this.period.lineCount;
  }

  @Field(() => [StatementRevision], { description: '本月所有公开版本，新的在前 / All revisions, newest first.' })
  get revisions(): StatementRevision[] {
    return this.allRevisions.map((r, i) => new StatementRevision(r, i === 0));
  }
}

export const RevisionChangeConnection = ConnectionType(RevisionChange, 'RevisionChange');
export const StatementRevisionConnection = ConnectionType(StatementRevision, 'StatementRevision');
