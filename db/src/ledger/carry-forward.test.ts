import { describe, expect, it } from 'vitest';
import type { AccountClass } from '../schema/accounts.ts';
import { carryForward } from './carry-forward.ts';

const classes: Record<string, AccountClass> = {
  '2004:101': 'asset',
  '2004:102': 'asset',
  '2004:202': 'liability',
  '2004:211': 'liability',
  '2004:522': 'income',
  '2004:541': 'expense',
  '2004:301': 'equity',
  '2023:102': 'asset',
  '2023:503': 'income',
  '2023:513': 'expense',
  '2023:301': 'equity',
};
const classOf = (standard: string, code: string) => classes[`${standard}:${code}`];

describe('carrying balances into the next month', () => {
  it('keeps every balance within a year', () => {
    const closing = new Map([
      ['102', 500n],
      ['503', -300n],
      ['513', 100n],
      ['301', -300n],
    ]);
    const opening = carryForward({
      closing,
      from: { year: 2025, standard: '2023' },
      to: { year: 2025, standard: '2023' },
      classOf,
    });
    expect(opening).toEqual(closing);
  });

  it('closes income and expense into 收益分配 in January, so the books still balance', () => {
    const closing = new Map([
      ['102', 500n],
      ['50301', -300n],
      ['513', 100n],
      ['301', -300n],
    ]);
    const opening = carryForward({
      closing,
      from: { year: 2025, standard: '2023' },
      to: { year: 2026, standard: '2023' },
      classOf,
    });
    expect(opening).toEqual(
      new Map([
        ['102', 500n],
        ['322', -200n],
        ['301', -300n],
      ]),
    );
    expect([...opening.values()].reduce((a, b) => a + b, 0n)).toBe(0n);
  });

  it('moves 2004-chart balances to their 2023 codes on 2024-01-01, sub-accounts included', () => {
    const closing = new Map([
      ['101', 100n],
      ['10201', 900n],
      ['20201', -400n],
      ['211', -100n],
      ['541', 50n],
      ['301', -550n],
    ]);
    const opening = carryForward({
      closing,
      from: { year: 2023, standard: '2004' },
      to: { year: 2024, standard: '2023' },
      classOf,
    });
    expect(opening).toEqual(
      new Map([
        ['101', 100n],
        ['10201', 900n],
        ['21101', -400n],
        ['212', -100n],
        ['322', 50n],
        ['301', -550n],
      ]),
    );
  });
});
