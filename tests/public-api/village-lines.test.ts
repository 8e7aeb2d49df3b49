// Village.lines (issue 18): a village's payments across all its published months, found by payee or 摘要 words and
// filtered by amount and year, the current revision of each month only, names masked as on the month page; bad
// arguments refused with BAD_USER_INPUT and a Chinese message.
import { describe, expect, it } from 'vitest';
import { openPeriod } from '@mingbai/db/ledger/periods';
import { deleteVoucher, postVouchers } from '@mingbai/db/ledger/post';
import { publishPeriod } from '@mingbai/db/ledger/publish';
import { useTestApi } from '../support/api.ts';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';

const t = useTestApi();

interface Found {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: {
    date: string;
    voucherNumber: number;
    summary: string;
    amount: { fen: string };
    counterparty: { name: string; isPerson: boolean } | null;
    statement: { year: number; month: number; revision: number };
  }[];
}

const SEARCH = `query ($slug: String!, $search: String, $year: Int, $minYuan: String, $maxYuan: String, $first: Int, $after: String) {
  village(slug: $slug) { lines(search: $search, year: $year, minYuan: $minYuan, maxYuan: $maxYuan, first: $first,
      after: $after, orderBy: DATE_DESC) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { date voucherNumber summary amount { fen } counterparty { name isPerson }
      statement: voucher { year month revision } } } } }`;

async function search(vars: Record<string, unknown>): Promise<Found> {
  const res = await t.api.query<{ village: { lines: Found } }>(SEARCH, vars);
  if (!res.data?.village) throw new Error(res.text);
  return res.data.village.lines;
}

const paid = (n: number, date: string, summary: string, payee: string, fen: number, isPerson = false) =>
  aVoucher(
    n,
    date,
    summary,
    debit('51301', fen, { accountName: '办公费', counterparty: { name: payee, isPerson } }),
    credit('102', fen),
  );

describe('Village.lines', () => {
  it('finds a payee across months and years, filters by amount and year, and reads only current revisions', async () => {
    // Setup: one village, three years; a payee in three months, a correction that changes one of them, an open month.
    const db = t.handle.db;
    const v = await aVillage(db, '查找村');
    await aMonth(db, v.id, 2024, 12, [paid(1, '2024-12-05', '购买办公用品', '红星文具店', 12_000)]);
    await aMonth(db, v.id, 2025, 1, [
      paid(1, '2025-01-03', '打印纸', '红星文具店', 5_000),
      paid(2, '2025-01-09', '修水泵', '李记五金', 80_000),
    ]);
    await aMonth(db, v.id, 2025, 2, [paid(1, '2025-02-20', '购买办公用品', '红星文具店', 300_000)]);
    await aMonth(db, v.id, 2025, 3, [paid(1, '2025-03-02', '购买办公用品', '红星文具店', 1_000)], { publish: false });
    await db.transaction(async (tx) => {
      const { revision } = await openPeriod(tx, {
        villageId: v.id,
        year: 2025,
        month: 2,
        actor: 'test',
        reason: '金额更正',
      });
      const key = { villageId: v.id, year: 2025, month: 2, revision, actor: 'test' };
      await deleteVoucher(tx, { ...key, number: 1, reason: '金额记错' });
      await postVouchers(tx, {
        villageId: v.id,
        year: 2025,
        month: 2,
        revision,
        actor: 'test',
        vouchers: [paid(1, '2025-02-20', '购买办公用品', '红星文具店', 250_000)],
      });
      await publishPeriod(tx, { villageId: v.id, year: 2025, month: 2, actor: 'test-director' });
    });

    // Action
    const all = await search({ slug: v.slug, search: '红星' });
    const byWords = await search({ slug: v.slug, search: '办公用品' });
    const in2025 = await search({ slug: v.slug, search: '红星', year: 2025 });
    const big = await search({ slug: v.slug, search: '红星', minYuan: '100', maxYuan: '2500' });
    const everything = await search({ slug: v.slug });

    // Assertions: newest first; the open March and revision 1 of February are not there.
    expect(all.nodes.map((n) => [n.date, n.amount.fen, n.statement.revision])).toEqual([
      ['2025-02-20', '250000', 2],
      ['2025-01-03', '5000', 1],
      ['2024-12-05', '12000', 1],
    ]);
    expect(all.totalCount).toBe(3);
    expect(byWords.nodes.map((n) => n.date)).toEqual(['2025-02-20', '2024-12-05']);
    expect(in2025.nodes.map((n) => n.date)).toEqual(['2025-02-20', '2025-01-03']);
    expect(big.nodes.map((n) => n.amount.fen)).toEqual(['250000', '12000']);
    // Both sides of a payment are one line here (the cash side is not a payment): four payments in all.
    expect(everything.totalCount).toBe(4);
  });

  it('shows a person as the month page does: the name masked, never whole', async () => {
    const db = t.handle.db;
    const v = await aVillage(db, '隐名村');
    await aMonth(db, v.id, 2025, 3, [paid(1, '2025-03-03', '发放护林员工资', '王小明', 150_000, true)]);

    const found = await search({ slug: v.slug, search: '王' });
    const month = await t.api.query<{
      village: { statement: { lines: { nodes: { counterparty: { name: string } }[] } } };
    }>(
      `query ($slug: String!) { village(slug: $slug) { statement(year: 2025, month: 3) { lines { nodes { counterparty { name } } } } } }`,
      { slug: v.slug },
    );

    expect(found.nodes).toHaveLength(1);
    expect(found.nodes[0]!.counterparty!.name).not.toContain('小明');
    expect(found.nodes[0]!.counterparty!.name).toBe(month.data!.village.statement.lines.nodes[0]!.counterparty.name);
    // The full name typed as the search finds nothing: the search reads the masked text only.
    expect((await search({ slug: v.slug, search: '王小明' })).totalCount).toBe(0);
  });

  it('pages through a demo village across its months, every line once', async () => {
    const first = await search({ slug: 'fucun', first: 100 });
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: Found = await search({ slug: 'fucun', first: 100, after });
      for (const n of page.nodes)
        seen.push(
          `${n.statement.year}-${n.statement.month} #${n.voucherNumber} ${n.date} ${n.amount.fen} ${n.summary}`,
        );
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBeGreaterThan(1);
    expect(seen).toHaveLength(first.totalCount);
    const months = new Set(seen.map((s) => s.split(' ')[0]));
    expect(months.size).toBeGreaterThanOrEqual(12);
    // One statement for a page of lines across every month (a second only counts past the end), plus the village.
    const searched = await t.api.query(SEARCH, { slug: 'fucun', search: '五金', minYuan: '100', first: 50 });
    expect(searched.extensions?.sql?.statements).toBeLessThanOrEqual(3);
  });

  it.each([
    [{ year: 1999 }, 'year', '年份'],
    [{ minYuan: '12abc' }, 'minYuan', '金额'],
    [{ maxYuan: '-5' }, 'maxYuan', '金额'],
    [{ search: '字'.repeat(101) }, 'search', '100'],
    [{ first: 1000 }, undefined, undefined],
  ])('refuses %o with BAD_USER_INPUT and a Chinese message', async (vars, argument, words) => {
    const res = await t.api.query(SEARCH, { slug: 'fucun', ...vars });
    expect(res.data?.village ?? null).toBeNull();
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/[\u4e00-\u9fff]/);
    if (argument) expect(res.errors?.[0]?.extensions?.argument).toBe(argument);
    if (words) expect(res.errors?.[0]?.message).toContain(words);
  });
});
