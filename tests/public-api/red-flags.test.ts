// A published month's red flags on the public API: frozen at publication with the rule version, supervisors' flags
// and the committee's answers beside them, read in one batched statement whatever the page asks.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { changeReviewStatus, openPeriod } from '@mingbai/db/ledger/periods';
import { postVouchers } from '@mingbai/db/ledger/post';
import { publishSubmitted } from '@mingbai/db/ledger/publish';
import { useTestApi } from '../support/api.ts';
import { aVillage, aVoucher, approveForPublication, credit, debit } from '../support/builders.ts';

const t = useTestApi();

const PAGE = (withFlags: boolean) => `query ($slug: String!) {
  village(slug: $slug) {
    name
    statement(year: 2025, month: 4) {
      income { yuan } spending { yuan } openingBalance { yuan } closingBalance { yuan } reconciled
      byCategory { code amount { yuan } }
      ${withFlags ? 'redFlags { key source rule { code title explanation } voucherNumber amount { yuan } detail raisedBy answer { body author } } redFlagCount approval { by note } redFlagRules' : ''}
      lines(first: 50) { totalCount edges { node { amount { yuan } voucher { number ${withFlags ? 'redFlags { key }' : ''} } } } }
    }
  }
}`;

/**
 * A month with a cash payment of ¥1,200 to a person (CASH_OVER_LIMIT) and a supervisor's flag on another voucher,
 * published long after the 10th of May (LATE_PUBLICATION), approved by 王建国 and every flag answered by 李明华.
 */
async function aFlaggedMonth() {
  const village = await aVillage(t.handle.db);
  const key = { villageId: village.id, year: 2025, month: 4 };
  await t.handle.db.transaction(async (tx) => {
    const { revision } = await openPeriod(tx, { ...key, actor: 'test' });
    await postVouchers(tx, {
      ...key,
      revision,
      actor: 'test',
      vouchers: [
        aVoucher(1, '2025-04-02', '收到镇拨运转经费', debit('101', 500_000), credit('503', 500_000)),
        aVoucher(
          2,
          '2025-04-08',
          '支付张三劳务费',
          debit('51301', 120_000, { accountName: '劳务费' }),
          credit('101', 120_000, { paymentMethod: 'cash', counterparty: { name: '张三', isPerson: true } }),
        ),
        aVoucher(3, '2025-04-09', '购买办公用品', debit('51301', 8_000), credit('101', 8_000)),
      ],
    });
    await tx.execute(sql`insert into voucher_flags (village_id, year, month, revision, voucher_number, author, reason)
                         values (${village.id}, 2025, 4, ${revision}, 3, '赵卫东', '发票抬头不是本村')`);
    await changeReviewStatus(tx, { ...key, actor: 'test', to: 'submitted' });
  });
  await approveForPublication(t.handle.db, key, { supervisor: '王建国', committee: '李明华' });
  await t.handle.db.transaction((tx) => publishSubmitted(tx, { ...key, actor: 'test-director' }));
  return village;
}

describe('red flags of a published month', () => {
  it('show the frozen rule flags and supervisors’ flags, masked, beside their payments', async () => {
    // Setup
    const village = await aFlaggedMonth();
    // Action
    const res = await t.api.query<{
      village: {
        statement: {
          redFlags: {
            key: string;
            source: string;
            rule: { code: string; title: string };
            detail: string;
            raisedBy: string | null;
          }[];
          redFlagCount: number;
          redFlagRules: string | null;
          approval: { by: string; note: string } | null;
          lines: { edges: { node: { voucher: { number: number; redFlags: { key: string }[] } } }[] };
        };
      };
    }>(PAGE(true), { slug: village.slug });
    // Assertions
    expect(res.errors).toBeUndefined();
    const s = res.data!.village.statement;
    const supervisor = s.redFlags.find((f) => f.source === 'SUPERVISOR')!;
    expect(s.redFlags.map((f) => f.key)).toEqual(['CASH_OVER_LIMIT:2', supervisor.key, 'LATE_PUBLICATION:month']);
    expect(s.redFlags[0]).toMatchObject({
      rule: { code: 'CASH_OVER_LIMIT' },
      voucherNumber: 2,
      amount: { yuan: '1200.00' },
      raisedBy: null,
      answer: { body: '已核实，凭证齐全。', author: '李*华' },
    });
    expect(s.redFlags[0]!.detail).not.toContain('张三');
    expect(supervisor).toMatchObject({
      rule: { code: 'SUPERVISOR', title: '监督员存疑' },
      voucherNumber: 3,
      detail: '发票抬头不是本村',
      raisedBy: '赵*东',
      answer: { author: '李*华' },
    });
    expect(s.redFlags[2]).toMatchObject({ voucherNumber: null, rule: { code: 'LATE_PUBLICATION' } });
    expect(s.redFlagCount).toBe(3);
    expect(s.redFlagRules).toBe('builtin-1');
    expect(s.approval).toEqual({ by: '王*国', note: '' });
    const onVoucher = (n: number) =>
      s.lines.edges.find((e) => e.node.voucher.number === n)!.node.voucher.redFlags.map((f) => f.key);
    expect(onVoucher(1)).toEqual([]);
    expect(onVoucher(2)).toEqual(['CASH_OVER_LIMIT:2']);
    expect(onVoucher(3)).toEqual([supervisor.key]);
  });

  it('adds at most one SQL statement to the month page, and none when not asked', async () => {
    // Setup
    const village = await aFlaggedMonth();
    // Action
    const without = await t.api.query(PAGE(false), { slug: village.slug });
    const withFlags = await t.api.query(PAGE(true), { slug: village.slug });
    // Assertions
    expect(without.errors).toBeUndefined();
    expect(withFlags.errors).toBeUndefined();
    expect(without.extensions!.sql!.statements).toBeLessThanOrEqual(3);
    expect(withFlags.extensions!.sql!.statements).toBeLessThanOrEqual(without.extensions!.sql!.statements + 1);
  });

  it('lists the rules in force for a village, with every threshold written into the explanations', async () => {
    // Setup
    const village = await aVillage(t.handle.db);
    // Action
    const res = await t.api.query<{
      redFlagRules: {
        current: {
          version: string;
          rules: {
            code: string;
            explanation: string;
            thresholds: { name: string; value: string; display: string }[];
          }[];
        };
        history: { version: string }[];
      };
    }>(
      `query ($s: String!) { redFlagRules(regionSlug: $s) {
         current { version rules { code explanation thresholds { name value display } } }
         history { version } } }`,
      { s: village.slug },
    );
    const unknown = await t.api.query(`{ redFlagRules(regionSlug: "no-such-place") { current { version } } }`);
    // Assertions
    expect(res.errors).toBeUndefined();
    const { current, history } = res.data!.redFlagRules;
    expect(current.version).toBe('builtin-1');
    expect(history.at(-1)!.version).toBe('builtin-1');
    const cash = current.rules.find((r) => r.code === 'CASH_OVER_LIMIT')!;
    expect(cash.thresholds).toEqual([{ name: 'cashLimitFen', value: '100000', display: '1,000.00 元' }]);
    expect(cash.explanation).toContain('1,000.00 元');
    expect(current.rules.map((r) => r.code)).toHaveLength(8);
    expect(unknown.errors![0]!.extensions!.code).toBe('NOT_FOUND');
  });
});
