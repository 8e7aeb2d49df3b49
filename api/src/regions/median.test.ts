import { describe, expect, it } from 'vitest';
import { medianFen } from './median.ts';

describe('medianFen', () => {
  it('takes the middle amount of an odd count, in any order', () => {
    expect(medianFen([300n, 100n, 200n])).toBe(200n);
    expect(medianFen([5n])).toBe(5n);
  });

  it('takes the mean of the two middle amounts of an even count, a half fen rounded up', () => {
    expect(medianFen([100n, 300n])).toBe(200n);
    expect(medianFen([100n, 101n])).toBe(101n);
    expect(medianFen([0n, 1n, 7n, 1_000n])).toBe(4n);
    expect(medianFen([-101n, -100n])).toBe(-100n);
  });

  it('stays exact beyond 2^53 fen and has no median of nothing', () => {
    const big = 9_007_199_254_740_993n;
    expect(medianFen([big, big + 2n])).toBe(big + 1n);
    expect(medianFen([])).toBeUndefined();
  });
});
