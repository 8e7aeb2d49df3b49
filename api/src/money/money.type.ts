import { Field, ObjectType } from 'type-graphql';
import { formatYuan, type Fen } from '@mingbai/db/ledger/money';

/**
 * An exact amount of money. GraphQL's Int is 32-bit and Float is inexact, so both fields are decimal strings:
 * `fen` the integer number of 分, `yuan` the same amount with two decimals.
 */
@ObjectType({
  simpleResolvers: true,
  description: '精确金额 / An exact amount: integer fen and decimal yuan, both as strings.',
})
export class Money {
  constructor(readonly amountFen: Fen) {}

  @Field(() => String, { description: '金额（分，整数字符串）/ Amount in fen, an integer string, e.g. "123456".' })
  get fen(): string {
    return this.amountFen.toString();
  }

  @Field(() => String, { description: '金额（元，两位小数字符串）/ Amount in yuan with two decimals, e.g. "1234.56".' })
  get yuan(): string {
    return formatYuan(this.amountFen);
  }
}

export function money(amountFen: Fen): Money {
  return new Money(amountFen);
}
