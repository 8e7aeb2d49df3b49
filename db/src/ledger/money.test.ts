import { describe, expect, it } from 'vitest';
import { formatYuan, parseYuan, yuan } from './money.ts';

describe('money is exact integer fen', () => {
  it('formats fen as yuan with two decimals, negatives included', () => {
    expect(formatYuan(123456n)).toBe('1234.56');
    expect(formatYuan(5n)).toBe('0.05');
    expect(formatYuan(-5n)).toBe('-0.05');
    expect(formatYuan(0n)).toBe('0.00');
  });

  it('keeps amounts above 2^53 exact', () => {
    const big = 2n ** 53n + 1n;
    expect(formatYuan(big)).toBe('90071992547409.93');
    expect(parseYuan('90071992547409.93')).toBe(big);
  });

  it('parses decimal yuan without rounding, and refuses what is not an exact amount', () => {
    expect(parseYuan('1234.5')).toBe(123450n);
    expect(parseYuan(' 0.01 ')).toBe(1n);
    expect(parseYuan('-7')).toBe(-700n);
    for (const bad of ['', '1.234', '1e5', 'abc', '1,234.00', '.5', 'NaN', '0x10']) {
      expect(parseYuan(bad), bad).toBeUndefined();
    }
  });

  it('builds amounts from integers', () => {
    expect(yuan(19_800)).toBe(1_980_000n);
    expect(yuan(1, 5)).toBe(105n);
  });
});
