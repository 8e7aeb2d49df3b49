import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { maskName } from '@mingbai/db/ledger/privacy';
import { Money } from '../money/money.type.ts';
import { ConnectionType } from '../graphql/relay/connection.ts';
import { toGlobalId } from '../graphql/relay/global-id.ts';
import { Node } from '../graphql/relay/node.type.ts';
import type { StatementLineRow, VoucherLineRow, VoucherRow } from './voucher.sql.ts';

export enum LineSide {
  DEBIT = 'debit',
  CREDIT = 'credit',
}
registerEnumType(LineSide, { name: 'LineSide', description: 'DEBIT 借 · CREDIT 贷' });

export enum PaymentMethod {
  CASH = 'cash',
  BANK = 'bank',
  TRANSFER = 'transfer',
}
registerEnumType(PaymentMethod, {
  name: 'PaymentMethod',
  description: 'CASH 现金 · BANK 银行 · TRANSFER 转账（不涉及现金）',
});

export enum FlowKind {
  INCOME = 'income',
  SPENDING = 'spending',
  OTHER_RECEIPT = 'other_receipt',
  OTHER_PAYMENT = 'other_payment',
}
registerEnumType(FlowKind, {
  name: 'FlowKind',
  description:
    'INCOME 收入 · SPENDING 支出 · OTHER_RECEIPT 其他收款（如代收低保金）· OTHER_PAYMENT 其他付款（如发放代收款、支付工资）',
});

@ObjectType({ simpleResolvers: true, description: '会计科目 / An account of the village’s chart.' })
export class Account {
  @Field(() => String, { description: '2004 或 2023' })
  standard!: string;

  @Field(() => String, { description: '科目编码，如 51301' })
  code!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: '一级科目编码，如 513' })
  categoryCode!: string;

  @Field(() => String, { description: '一级科目名称，如 管理费用' })
  categoryName!: string;

  @Field(() => String, {
    description: 'asset 资产 · liability 负债 · equity 所有者权益 · cost 成本 · income 收入 · expense 支出',
  })
  class!: string;
}

function account(l: VoucherLineRow): Account {
  return {
    standard: l.standard,
    code: l.accountCode,
    name: l.accountName,
    categoryCode: l.topCode,
    categoryName: l.topName,
    class: l.class,
  };
}

@ObjectType({
  simpleResolvers: true,
  description: '收付款对象；个人姓名已脱敏 / Counterparty; a person’s name is masked (张*静).',
})
export class Counterparty {
  @Field(() => String)
  name!: string;

  @Field(() => Boolean, { description: '是否为自然人 / Is a natural person.' })
  isPerson!: boolean;
}

@ObjectType({ simpleResolvers: true, description: '分录 / One line of a voucher.' })
export class VoucherLine {
  constructor(readonly row: VoucherLineRow) {}

  @Field(() => Int)
  get lineNo(): number {
    return this.row.lineNo;
  }

  @Field(() => Account)
  get account(): Account {
    return account(this.row);
  }

  @Field(() => LineSide)
  get side(): LineSide {
    return this.row.side as LineSide;
  }

  @Field(() => Money)
  get amount(): Money {
    return new Money(this.row.amountFen);
  }

  @Field(() => String, { nullable: true, description: '分录摘要 / Line memo, if any.' })
  get summary(): string | null {
    return this.row.summaryPublic;
  }

  @Field(() => Counterparty, { nullable: true })
  get counterparty(): Counterparty | null {
    return this.row.counterpartyPublic
      ? { name: this.row.counterpartyPublic, isPerson: this.row.counterpartyIsPerson }
      : null;
  }

  @Field(() => PaymentMethod)
  get paymentMethod(): PaymentMethod {
    return (this.row.paymentMethod ?? 'transfer') as PaymentMethod;
  }
}

@ObjectType({ simpleResolvers: true, description: '审批签字 / A signature on the voucher; names masked.' })
export class Approval {
  @Field(() => String, { description: 'PREPARER 制单 · REVIEWER 审核 · APPROVER 审批' })
  role!: string;

  @Field(() => String)
  name!: string;
}

@ObjectType({ simpleResolvers: true, description: '监督员对凭证的存疑标记 / A supervisor’s flag on a voucher.' })
export class PublicVoucherFlag {
  @Field(() => String, { description: '标记人（已脱敏）/ Who flagged it, masked.' })
  author!: string;

  @Field(() => String)
  reason!: string;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType({ simpleResolvers: true, implements: Node, description: '记账凭证 / A voucher.' })
export class Voucher implements Node {
  readonly nodeType = 'Voucher' as const;
  constructor(readonly row: VoucherRow) {}

  @Field(() => ID)
  get id(): string {
    return toGlobalId('Voucher', this.row.villageId, this.row.id);
  }

  @Field(() => Int, { description: '本月凭证号 / Number within the month.' })
  get number(): number {
    return this.row.number;
  }

  @Field(() => String, { description: 'YYYY-MM-DD' })
  get date(): string {
    return this.row.date;
  }

  @Field(() => String, { description: '摘要（个人信息已脱敏）/ Memo, personal data masked.' })
  get summary(): string {
    return this.row.summaryPublic;
  }

  @Field(() => Int, { description: '附件张数 / Attachments (receipts) count.' })
  get attachmentsCount(): number {
    return this.row.attachments;
  }

  @Field(() => Int)
  get year(): number {
    return this.row.year;
  }

  @Field(() => Int)
  get month(): number {
    return this.row.month;
  }

  @Field(() => Int, { description: '所属版本 / Revision of the month it belongs to.' })
  get revision(): number {
    return this.row.revision;
  }

  @Field(() => [Approval], { description: '制单、审核、审批 / The approval chain.' })
  get approvals(): Approval[] {
    const chain: [string, string | null][] = [
      ['PREPARER', this.row.preparer],
      ['REVIEWER', this.row.reviewer],
      ['APPROVER', this.row.approver],
    ];
    return chain.flatMap(([role, name]) => (name ? [{ role, name: maskName(name) }] : []));
  }
}

@ObjectType({ simpleResolvers: true, description: '一笔收入或支出 / One payment or receipt of the month.' })
export class StatementLine {
  constructor(readonly row: StatementLineRow) {}

  @Field(() => FlowKind)
  get kind(): FlowKind {
    return this.row.kind as FlowKind;
  }

  @Field(() => String, { description: 'YYYY-MM-DD' })
  get date(): string {
    return this.row.voucher.date;
  }

  @Field(() => Int)
  get voucherNumber(): number {
    return this.row.voucher.number;
  }

  @Field(() => String, { description: '摘要 / Memo (personal data masked).' })
  get summary(): string {
    return this.row.summaryPublic ?? this.row.voucher.summaryPublic;
  }

  @Field(() => Counterparty, { nullable: true })
  get counterparty(): Counterparty | null {
    return this.row.counterpartyPublic
      ? { name: this.row.counterpartyPublic, isPerson: this.row.counterpartyIsPerson }
      : null;
  }

  @Field(() => Money)
  get amount(): Money {
    return new Money(this.row.amountFen);
  }

  @Field(() => Account, { description: '科目，即分类 / The account: its category.' })
  get account(): Account {
    return account(this.row);
  }

  @Field(() => PaymentMethod)
  get paymentMethod(): PaymentMethod {
    return (this.row.paymentMethod ?? 'transfer') as PaymentMethod;
  }

  @Field(() => Voucher)
  get voucher(): Voucher {
    return new Voucher(this.row.voucher);
  }
}

export const StatementLineConnection = ConnectionType(StatementLine, 'StatementLine');
export const VoucherConnection = ConnectionType(Voucher, 'Voucher');
