import { describe, expect, it } from 'vitest';
import { parseAccountCell, parseAccountNumber, parseAccountText } from './accounts.ts';

describe('account codes', () => {
  it('normalises the usual spellings to digits, keeping a name that follows', () => {
    expect(parseAccountText('51301')).toEqual({ kind: 'account', code: '51301' });
    expect(parseAccountText('513.01')).toEqual({ kind: 'account', code: '51301' });
    expect(parseAccountText('513-01')).toEqual({ kind: 'account', code: '51301' });
    expect(parseAccountText('5130101')).toEqual({ kind: 'account', code: '5130101' });
    expect(parseAccountText('102')).toEqual({ kind: 'account', code: '102' });
    expect(parseAccountText('５１３０１')).toEqual({ kind: 'account', code: '51301' });
    expect(parseAccountText('51301 办公费')).toEqual({ kind: 'account', code: '51301', name: '办公费' });
    expect(parseAccountText('51301-办公费')).toEqual({ kind: 'account', code: '51301', name: '办公费' });
    expect(parseAccountText('51301办公费')).toEqual({ kind: 'account', code: '51301', name: '办公费' });
    expect(parseAccountText('[51301]办公费')).toEqual({ kind: 'account', code: '51301', name: '办公费' });
    expect(parseAccountText('513.01 管理费用-办公费')).toEqual({
      kind: 'account',
      code: '51301',
      name: '管理费用-办公费',
    });
    expect(parseAccountText('')).toEqual({ kind: 'blank' });
  });

  it('refuses codes that do not follow the 3+2+2+2 rule, without inventing a mapping', () => {
    for (const bad of ['5513', '1002', '5513.01', '51', '5130', '513010101010', '管理费用', 'abc']) {
      expect(parseAccountText(bad).kind, bad).toBe('invalid');
    }
    expect(parseAccountText('5513')).toMatchObject({ reason: expect.stringContaining('4位一级科目') });
    expect(parseAccountText('513.1')).toMatchObject({ reason: expect.stringContaining('每段明细都是2位') });
  });

  it('restores the trailing zero Excel drops from a code typed as a number', () => {
    expect(parseAccountNumber(513.1)).toEqual({ kind: 'account', code: '51310' });
    expect(parseAccountNumber(513.01)).toEqual({ kind: 'account', code: '51301' });
    expect(parseAccountNumber(102)).toEqual({ kind: 'account', code: '102' });
    expect(parseAccountNumber(51301)).toEqual({ kind: 'account', code: '51301' });
    expect(parseAccountNumber(5513).kind).toBe('invalid');
    expect(parseAccountCell(new Date()).kind).toBe('invalid');
  });
});
