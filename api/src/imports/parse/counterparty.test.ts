import { describe, expect, it } from 'vitest';
import { cashbookVia, looksLikePerson, parseYesNo, paymentMethodFor, settlementMethod } from './counterparty.ts';

describe('counterparties and payment methods', () => {
  it('guesses a person from 2–4 Han characters without organisation words', () => {
    for (const person of ['张桂兰', '李明', '欧阳建国']) expect(looksLikePerson(person), person).toBe(true);
    for (const org of [
      '精武镇财政所',
      '付村村委会',
      '五金店',
      '国网供电站',
      '张',
      'Zhang Wei',
      '欧阳建国华',
      '农商银行',
      '红星小学',
      '物美超市',
      '宏达商行',
      '宏达物业',
    ]) {
      expect(looksLikePerson(org), org).toBe(false);
    }
  });

  it('reads 是否个人', () => {
    expect(parseYesNo('是')).toBe(true);
    expect(parseYesNo(' 否 ')).toBe(false);
    expect(parseYesNo('TRUE')).toBe(true);
    expect(parseYesNo('不知道')).toBeUndefined();
  });

  it('pays cash on 101, bank on 102, else as 结算方式 says', () => {
    expect(paymentMethodFor('101', 'transfer')).toBe('cash');
    expect(paymentMethodFor('10201', undefined)).toBe('bank');
    expect(paymentMethodFor('51301', settlementMethod('现金'))).toBe('cash');
    expect(paymentMethodFor('51301', settlementMethod('银行'))).toBe('bank');
    expect(paymentMethodFor('51301', settlementMethod('转账'))).toBe('transfer');
    expect(paymentMethodFor('51301', settlementMethod('微信'))).toBe('transfer');
    expect(paymentMethodFor('51301', settlementMethod(''))).toBeUndefined();
    expect(cashbookVia('现金')).toBe('101');
    for (const via of ['银行', '转账', '微信', '支付宝', '']) expect(cashbookVia(via)).toBe('102');
  });
});
