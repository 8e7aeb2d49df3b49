import { describe, expect, it } from 'vitest';
import { maskBankAccount, maskIdNumber, maskName, maskPhone, maskText } from './privacy.ts';

describe('privacy masking (DESIGN.md: 张*, 张*静, 前6+********+后4, 138****1234, 前4 ****后4)', () => {
  it('masks names keeping the surname and, from three characters, the last character', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('张文静')).toBe('张*静');
  });

  it('keeps a compound surname whole (issue 12.7: 欧阳凤兰 came out 欧**兰)', () => {
    expect(maskName('欧阳凤兰')).toBe('欧阳*兰');
    expect(maskName('欧阳娜娜')).toBe('欧阳*娜');
    expect(maskName('司马光')).toBe('司马*');
  });

  it('leaves a surname with a job title as it is (issue 12.7: 刘会计 came out 刘*计)', () => {
    expect(maskName('刘会计')).toBe('刘会计');
    expect(maskName('赵主任')).toBe('赵主任');
    expect(maskText('刘会计报销差旅费', ['刘会计'])).toBe('刘会计报销差旅费');
  });

  it('masks the hostile strings of issue 12.7 in free text', () => {
    const cases: [string, string][] = [
      ['电话138 1234 5678', '电话138****5678'],
      ['电话138-1234-5678', '电话138****5678'],
      ['电话+86-139-8765-4321', '电话+86 139****4321'],
      ['电话１３８１２３４５６７８', '电话138****5678'],
      ['身份证120111 19800101 1237', '身份证120111********1237'],
      ['卡号6228-4801-2345-6789-015', '卡号6228 ****9015'],
      ['电话+8613611112222', '电话+86 136****2222'],
      ['经办人郑小军', '经办人郑*军'],
      ['陈大明领取误工补贴', '陈*明领取误工补贴'],
    ];
    for (const [input, expected] of cases) expect(maskText(input)).toBe(expected);
  });

  it('masks ID numbers, phones and bank cards', () => {
    expect(maskIdNumber('120111198001011234')).toBe('120111********1234');
    expect(maskPhone('13812341234')).toBe('138****1234');
    expect(maskBankAccount('6228480012345678901')).toBe('6228 ****8901');
  });

  it('masks personal numbers and known names inside free text, leaving dates and amounts alone', () => {
    const text = '支付张文静10月低保金500元 身份证120111198001011234 电话13812341234 卡号6228480012345678901 20251003';
    const masked = maskText(text, ['张文静']);
    expect(masked).toBe('支付张*静10月低保金500元 身份证120111********1234 电话138****1234 卡号6228 ****8901 20251003');
    for (const secret of ['张文静', '120111198001011234', '13812341234', '6228480012345678901']) {
      expect(masked).not.toContain(secret);
    }
  });

  it('masks the longer of two overlapping names first', () => {
    expect(maskText('张三丰与张三', ['张三', '张三丰'])).toBe('张*丰与张*');
  });
});
