// The red-flag rules: each fires on a hand-built month, and not just past its threshold; a region's own thresholds
// change the result; impossible thresholds are refused.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type DbHandle } from '@mingbai/db/client';
import type { LineInput, VoucherInput } from '@mingbai/db/ledger/voucher-input';
import { evaluateRedFlags, setRuleSet, type RedFlagFound } from '@mingbai/db/ledger/red-flags';
import {
  BUILTIN_RULES,
  DEFAULT_THRESHOLDS,
  parseThresholds,
  rulesInForce,
  thresholdsAsText,
  type RuleCode,
  type RulesInForce,
} from '@mingbai/db/ledger/red-flag-rules';
import { redFlagRuleSets } from '@mingbai/db/schema/supervision';
import { villages } from '@mingbai/db/schema/regions';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { openTestDb } from '../support/db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await openTestDb();
});
afterAll(() => handle.close());

const firm = (name: string) => ({ counterparty: { name, isPerson: false } });
const person = (name: string) => ({ counterparty: { name, isPerson: true } });
const pay = (n: number, date: string, summary: string, amount: number, extra: Partial<LineInput> = {}, via = '102') =>
  aVoucher(n, date, summary, debit('51301', amount, { accountName: '办公费', ...extra }), credit(via, amount));

/** Evaluates a fresh unpublished 2025-03 of a new village (with the months before, published) against the rules. */
async function flagsOf(
  vouchers: VoucherInput[],
  options: {
    rules?: RulesInForce;
    before?: VoucherInput[];
    opening?: { accountCode: string; balanceFen: bigint }[];
    publishedAt?: Date;
  } = {},
): Promise<RedFlagFound[]> {
  const village = await aVillage(handle.db);
  const opening = options.opening ?? [
    { accountCode: '101', balanceFen: 100_000n },
    { accountCode: '102', balanceFen: 100_000_000n },
    { accountCode: '301', balanceFen: -100_100_000n },
  ];
  if (options.before) await aMonth(handle.db, village.id, 2025, 2, options.before, { opening });
  await aMonth(handle.db, village.id, 2025, 3, vouchers, {
    publish: false,
    ...(options.before ? {} : { opening }),
  });
  return evaluateRedFlags(
    handle.db,
    { villageId: village.id, year: 2025, month: 3, revision: 1 },
    options.rules ?? BUILTIN_RULES,
    { publishedAt: options.publishedAt ?? new Date('2025-04-05T02:00:00Z') },
  );
}

const codes = (flags: RedFlagFound[]) => flags.map((f) => f.key);
const only = (flags: RedFlagFound[], rule: RuleCode) => flags.filter((f) => f.ruleCode === rule);

describe('CASH_OVER_LIMIT', () => {
  it('flags a cash payment at the limit, not one a fen under, nor a bank payment', async () => {
    const flags = await flagsOf([
      pay(1, '2025-03-03', '购买办公用品', 100_000, firm('惠民超市'), '101'),
      pay(2, '2025-03-04', '购买打印纸', 99_999, firm('文具店'), '101'),
      pay(3, '2025-03-05', '购买电脑', 300_000, firm('电脑城'), '102'),
    ]);
    expect(codes(only(flags, 'CASH_OVER_LIMIT'))).toEqual(['CASH_OVER_LIMIT:1']);
    expect(only(flags, 'CASH_OVER_LIMIT')[0]).toMatchObject({
      amountFen: 100_000n,
      detail: '现金支付 1,000.00 元，付给 惠民超市',
    });
  });

  it('names a person by the masked name only', async () => {
    const flags = await flagsOf([
      aVoucher(
        1,
        '2025-03-03',
        '支付临时用工费',
        debit('51305', 150_000, { accountName: '误工补贴', ...person('张秀英') }),
        credit('101', 150_000),
      ),
    ]);
    const [flag] = only(flags, 'CASH_OVER_LIMIT');
    expect(flag!.detail).toBe('现金支付 1,500.00 元，付给 张*英');
    expect(flags.map((f) => f.detail).join()).not.toContain('张秀英');
  });
});

describe('JUST_BELOW_TIER', () => {
  it('flags 19,900 and 19,400 under the 20,000 tier (3%), not 19,399.99 nor 20,000', async () => {
    const flags = await flagsOf([
      pay(1, '2025-03-03', '购置健身器材一批', 1_990_000, firm('五金公司')),
      pay(2, '2025-03-04', '购置电脑', 1_940_000, firm('电脑城')),
      pay(3, '2025-03-05', '购置桌椅', 1_939_999, firm('家具厂')),
      pay(4, '2025-03-06', '购置空调', 2_000_000, firm('电器行')),
    ]);
    expect(codes(only(flags, 'JUST_BELOW_TIER'))).toEqual(['JUST_BELOW_TIER:1', 'JUST_BELOW_TIER:2']);
    expect(only(flags, 'JUST_BELOW_TIER')[0]!.detail).toBe(
      '支付 19,900.00 元，比审批额 20,000.00 元只少 100.00 元，付给 五金公司',
    );
  });
});

describe('LARGE_TO_PERSON', () => {
  it('flags 5,000 to a person, not 4,999.99, not a firm, not wages', async () => {
    const flags = await flagsOf([
      aVoucher(
        1,
        '2025-03-03',
        '支付土地补偿款',
        debit('51401', 500_000, { accountName: '道路维修', ...person('李建国') }),
        credit('102', 500_000),
      ),
      aVoucher(
        2,
        '2025-03-04',
        '支付土地补偿款',
        debit('51401', 499_999, { accountName: '道路维修', ...person('王建军') }),
        credit('102', 499_999),
      ),
      pay(3, '2025-03-05', '购买设备', 800_000, firm('设备公司')),
      aVoucher(4, '2025-03-06', '发放2月份村干部报酬', debit('212', 560_000, person('赵书记')), credit('102', 560_000)),
    ]);
    expect(codes(only(flags, 'LARGE_TO_PERSON'))).toEqual(['LARGE_TO_PERSON:1']);
    expect(only(flags, 'LARGE_TO_PERSON')[0]!.detail).toBe('付给个人 李*国 5,000.00 元');
  });
});

describe('DUPLICATE_PAYMENT', () => {
  it('flags the same payee and amount 7 days apart on the later payment, not 8 days apart', async () => {
    const flags = await flagsOf([
      pay(1, '2025-03-03', '维修费', 300_000, firm('维修部')),
      pay(2, '2025-03-10', '维修费', 300_000, firm('维修部')),
      pay(3, '2025-03-11', '购买配件', 120_000, firm('配件店')),
      pay(4, '2025-03-19', '购买配件', 120_000, firm('配件店')),
      pay(5, '2025-03-20', '购买配件', 120_001, firm('配件店')),
    ]);
    expect(codes(only(flags, 'DUPLICATE_PAYMENT'))).toEqual(['DUPLICATE_PAYMENT:2']);
    expect(only(flags, 'DUPLICATE_PAYMENT')[0]!.detail).toBe(
      '付给 维修部 3,000.00 元，与3月3日第1号凭证的收款方和金额相同',
    );
  });

  it('looks back into the published month before', async () => {
    const flags = await flagsOf([pay(1, '2025-03-03', '维修费', 300_000, firm('维修部'))], {
      before: [pay(1, '2025-02-26', '维修费', 300_000, firm('维修部'))],
    });
    expect(only(flags, 'DUPLICATE_PAYMENT')[0]!.detail).toBe(
      '付给 维修部 3,000.00 元，与2月26日第1号凭证的收款方和金额相同',
    );
  });
});

describe('SPLIT_BELOW_TIER', () => {
  it('flags payments under a tier that reach it together within 30 days, not a fen short', async () => {
    const flags = await flagsOf([
      pay(1, '2025-03-03', '道路修补', 300_000, firm('路桥公司')),
      pay(2, '2025-03-20', '道路修补', 200_000, firm('路桥公司')),
      pay(3, '2025-03-04', '购买苗木', 300_000, firm('苗圃')),
      pay(4, '2025-03-21', '购买苗木', 199_999, firm('苗圃')),
    ]);
    expect(codes(only(flags, 'SPLIT_BELOW_TIER'))).toEqual(['SPLIT_BELOW_TIER:2']);
    expect(only(flags, 'SPLIT_BELOW_TIER')[0]!.detail).toBe(
      '30 天内付给 路桥公司 2 笔共 5,000.00 元（3月3日第1号 3,000.00 元、3月20日第2号 2,000.00 元），每笔都低于审批额 5,000.00 元',
    );
  });

  it('flags a split once, where it reaches the tier, leaving out everyday purchases under a tenth of it', async () => {
    const flags = await flagsOf([
      pay(1, '2025-03-03', '印制宣传册', 300_000, firm('图文社')),
      pay(2, '2025-03-05', '复印', 49_999, firm('图文社')),
      pay(3, '2025-03-07', '制作展板', 170_000, firm('图文社')),
      pay(4, '2025-03-10', '制作横幅', 50_000, firm('图文社')),
      pay(5, '2025-03-12', '制作标牌', 200_000, firm('图文社')),
    ]);
    expect(codes(only(flags, 'SPLIT_BELOW_TIER'))).toEqual(['SPLIT_BELOW_TIER:4']);
    expect(only(flags, 'SPLIT_BELOW_TIER')[0]!.detail).toContain('3 笔共 5,200.00 元');
  });

  it('names the first parts and the last of a long split', async () => {
    const parts = [2, 5, 9, 12, 16].map((day, i) =>
      pay(i + 1, `2025-03-${String(day).padStart(2, '0')}`, '购买绿化苗木', 110_000, firm('苗圃')),
    );
    const [flag] = only(await flagsOf(parts), 'SPLIT_BELOW_TIER');
    expect(flag!.key).toBe('SPLIT_BELOW_TIER:5');
    expect(flag!.detail).toBe(
      '30 天内付给 苗圃 5 笔共 5,500.00 元（3月2日第1号 1,100.00 元、3月5日第2号 1,100.00 元、3月9日第3号 1,100.00 元、……、3月16日第5号 1,100.00 元），每笔都低于审批额 5,000.00 元',
    );
  });

  it('judges by the highest tier reached, looks back 30 days but not 31, and leaves periodic bills alone', async () => {
    const flags = await flagsOf(
      [
        pay(1, '2025-03-10', '村内道路硬化', 1_500_000, firm('路桥公司')),
        pay(2, '2025-03-11', '维修大门', 400_000, firm('五金店')),
        pay(3, '2025-03-12', '支付3月份保洁服务费', 400_000, firm('保洁公司')),
      ],
      {
        before: [
          pay(1, '2025-02-08', '村内道路硬化', 1_500_000, firm('路桥公司')),
          pay(2, '2025-02-08', '维修大门', 400_000, firm('五金店')),
          pay(3, '2025-02-12', '支付2月份保洁服务费', 400_000, firm('保洁公司')),
        ],
      },
    );
    expect(codes(only(flags, 'SPLIT_BELOW_TIER'))).toEqual(['SPLIT_BELOW_TIER:1']);
    expect(only(flags, 'SPLIT_BELOW_TIER')[0]!.detail).toContain('每笔都低于审批额 20,000.00 元');
    expect(only(flags, 'SPLIT_BELOW_TIER')[0]!.detail).toContain('2月8日第1号 15,000.00 元');
  });
});

describe('CASH_ON_HAND', () => {
  const opening = [
    { accountCode: '101', balanceFen: 400_000n },
    { accountCode: '102', balanceFen: 1_000_000n },
    { accountCode: '301', balanceFen: -1_400_000n },
  ];
  const rent = (amount: number, date = '2025-03-28') =>
    aVoucher(1, date, '收取门面房租金', debit('101', amount), credit('50102', amount, { accountName: '租金收入' }));

  it('flags month-end cash over 5,000, not exactly 5,000', async () => {
    const over = await flagsOf([rent(100_001)], { opening });
    expect(only(over, 'CASH_ON_HAND')).toEqual([
      {
        key: 'CASH_ON_HAND:month',
        ruleCode: 'CASH_ON_HAND',
        voucherNumber: null,
        amountFen: 500_001n,
        detail: '月末库存现金 5,000.01 元，超过限额 5,000.00 元',
      },
    ]);
    expect(only(await flagsOf([rent(100_000)], { opening }), 'CASH_ON_HAND')).toEqual([]);
  });

  it('starts from the closing cash of the published month before', async () => {
    const flags = await flagsOf([rent(100)], { opening, before: [rent(100_000, '2025-02-27')] });
    expect(only(flags, 'CASH_ON_HAND')[0]!.amountFen).toBe(500_100n);
  });
});

describe('NON_PRODUCTIVE', () => {
  const hospitality = (n: number, amount: number, summary = '接待上级检查工作餐费') =>
    aVoucher(n, '2025-03-10', summary, debit('51306', amount, { accountName: '招待费' }), credit('102', amount));

  it('flags over 3,000 a month, not exactly 3,000 when under 10% of spending', async () => {
    const big = pay(9, '2025-03-20', '村内道路硬化', 5_000_000, firm('路桥公司'));
    const over = await flagsOf([hospitality(1, 300_001), big]);
    expect(only(over, 'NON_PRODUCTIVE')[0]).toMatchObject({ key: 'NON_PRODUCTIVE:month', amountFen: 300_001n });
    expect(only(over, 'NON_PRODUCTIVE')[0]!.detail).toBe(
      '招待、礼品、慰问等非生产性开支 3,000.01 元，占当月支出 53,000.01 元的 5.6%',
    );
    expect(only(await flagsOf([hospitality(1, 300_000), big]), 'NON_PRODUCTIVE')).toEqual([]);
  });

  it('flags a share over 10% of the month, finds gifts by 摘要, and leaves relief to the needy alone', async () => {
    const spending = pay(9, '2025-03-20', '购买办公用品', 900_000, firm('文具店'));
    const gifts = aVoucher(
      2,
      '2025-03-11',
      '购买礼品',
      debit('51301', 100_001, { accountName: '办公费' }),
      credit('102', 100_001),
    );
    const relief = aVoucher(
      3,
      '2025-03-12',
      '春节走访慰问困难群众',
      debit('51406', 500_000, { accountName: '困难群众慰问' }),
      credit('102', 500_000),
    );
    expect(only(await flagsOf([gifts, spending]), 'NON_PRODUCTIVE')[0]!.amountFen).toBe(100_001n);
    expect(only(await flagsOf([relief, spending]), 'NON_PRODUCTIVE')).toEqual([]);
    const exactShare = aVoucher(
      2,
      '2025-03-11',
      '购买礼品',
      debit('51301', 100_000, { accountName: '办公费' }),
      credit('102', 100_000),
    );
    expect(only(await flagsOf([exactShare, spending]), 'NON_PRODUCTIVE')).toEqual([]);
  });
});

describe('LATE_PUBLICATION', () => {
  const month = [pay(1, '2025-03-03', '购买办公用品', 10_000, firm('文具店'))];
  it('flags a first publication after the 10th of the next month, Beijing time', async () => {
    // 2025-04-10 23:59 in Beijing is on time; 2025-04-11 00:00 is late.
    expect(only(await flagsOf(month, { publishedAt: new Date('2025-04-10T15:59:00Z') }), 'LATE_PUBLICATION')).toEqual(
      [],
    );
    const late = await flagsOf(month, { publishedAt: new Date('2025-04-10T16:00:00Z') });
    expect(only(late, 'LATE_PUBLICATION')).toEqual([
      {
        key: 'LATE_PUBLICATION:month',
        ruleCode: 'LATE_PUBLICATION',
        voucherNumber: null,
        amountFen: null,
        detail: '2025年4月11日公开，晚于2025年4月10日的公开期限',
      },
    ]);
  });

  it('finds nothing in an ordinary month', async () => {
    expect(await flagsOf(month)).toEqual([]);
  });
});

describe('a region’s own thresholds', () => {
  it('change what is flagged; the built-in rules apply elsewhere', async () => {
    const village = await aVillage(handle.db);
    const [row] = await handle.db.select({ townId: villages.townId }).from(villages).where(eq(villages.id, village.id));
    expect((await rulesInForce(handle.db, village.id, '2025-03-31')).version).toBe(BUILTIN_RULES.version);
    const cashLimitFen = 50_000n;
    const { version } = await setRuleSet(handle.db, {
      regionId: row!.townId,
      effectiveFrom: '2025-01-01',
      thresholds: thresholdsAsText({ ...DEFAULT_THRESHOLDS, cashLimitFen }),
      note: '本镇村级现金支付限额调整为 500 元',
      actor: 'test-admin',
    });
    const rules = await rulesInForce(handle.db, village.id, '2025-03-31');
    expect(rules.version).toMatch(new RegExp(`-v${version}$`));
    expect(rules.thresholds.cashLimitFen).toBe(cashLimitFen);
    const month = [pay(1, '2025-03-03', '购买办公用品', 60_000, firm('文具店'), '101')];
    expect(only(await flagsOf(month), 'CASH_OVER_LIMIT')).toEqual([]);
    expect(codes(only(await flagsOf(month, { rules }), 'CASH_OVER_LIMIT'))).toEqual(['CASH_OVER_LIMIT:1']);
    expect(only(await flagsOf(month, { rules }), 'CASH_OVER_LIMIT')[0]!.detail).toBe('现金支付 600.00 元，付给 文具店');
  });
});

describe('impossible thresholds', () => {
  const good = thresholdsAsText(DEFAULT_THRESHOLDS);
  it.each([
    ['tiers not rising', { ...good, tierTownshipFen: '400000' }, /从低到高/],
    ['a percentage of 0', { ...good, justBelowPercent: '0' }, /卡线/],
    ['a share over 100%', { ...good, nonProductivePercent: '101' }, /比例/],
    ['a negative amount', { ...good, cashLimitFen: '-100' }, /整数/],
    ['yuan with decimals', { ...good, cashLimitFen: '1000.50' }, /整数/],
    ['day 31', { ...good, publishByDay: '31' }, /公开期限/],
    ['a missing threshold', Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'cashOnHandFen')), /缺少/],
    ['an unknown name', { ...good, bribeLimit: '1' }, /没有名为/],
  ])('refuses %s with RULES_INVALID', (_, input, message) => {
    expect(() => parseThresholds(input as Record<string, string>)).toThrow(message);
    expect(() => parseThresholds(input as Record<string, string>)).toThrow(
      expect.objectContaining({ code: 'RULES_INVALID' }),
    );
  });

  it('setRuleSet refuses bad thresholds, dates and notes, writing nothing', async () => {
    const village = await aVillage(handle.db);
    const [row] = await handle.db.select({ townId: villages.townId }).from(villages).where(eq(villages.id, village.id));
    const count = async () =>
      (
        await queryRows<{ n: number }>(
          handle.db,
          sql`select count(*)::int as n from ${redFlagRuleSets} where region_id = ${row!.townId}`,
        )
      )[0]!.n;
    const before = await count();
    const base = { regionId: row!.townId, effectiveFrom: '2026-01-01', thresholds: good, note: '调整', actor: 'x' };
    for (const input of [
      { ...base, thresholds: { ...good, cashLimitFen: '0' } },
      { ...base, effectiveFrom: '2026-02-30' },
      { ...base, effectiveFrom: '明年' },
      { ...base, note: '  ' },
    ]) {
      await expect(setRuleSet(handle.db, input)).rejects.toMatchObject({ code: 'RULES_INVALID' });
    }
    expect(await count()).toBe(before);
  });
});
