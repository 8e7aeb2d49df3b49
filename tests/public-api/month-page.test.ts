// The month page reads derived data: statement lines classified and numbered at publishing, corrections' changes
// derived at publishing. These tests hold its SQL budget and the derived data against the computation it replaced.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { publicLedger } from '@mingbai/db/ledger/publish';
import { openPeriod } from '@mingbai/db/ledger/periods';
import { postVouchers } from '@mingbai/db/ledger/post';
import { publishPeriod } from '@mingbai/db/ledger/publish';
import { MonthPage } from '../../portal/src/lib/queries.ts';
import { useTestApi } from '../support/api.ts';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';

const t = useTestApi();

interface MonthPageData {
  village: {
    statement: {
      reconciled: boolean;
      yearToDate: { income: { yuan: string }; spending: { yuan: string } };
      changes: { voucherNumber: number; kind: string; amountBefore: { yuan: string } | null }[];
      lines: { totalCount: number; edges: { node: { kind: string; voucher: { number: number } } }[] };
    };
  };
}

function payments(n: number, day = '2025-03-10') {
  return Array.from({ length: n }, (_, i) =>
    aVoucher(
      i + 1,
      day,
      `支付第${i + 1}笔`,
      debit('51301', 1_000 + i, { accountName: '办公费' }),
      credit('102', 1_000 + i),
    ),
  );
}

describe('the month page', () => {
  // The village, then the month: its statement, red flags, questions, attachments and lines page read ahead into one
  // statement (graphql/execution/read-ahead.ts, mergeReads); page-statements.test.ts pins the demo's corrected month.
  it('runs at most 2 SQL statements for a month of 10 lines and of 4,000 lines, with the same page shape', async () => {
    // Setup
    const small = await aVillage(t.handle.db);
    const large = await aVillage(t.handle.db);
    await aMonth(t.handle.db, small.id, 2025, 3, payments(5));
    await aMonth(t.handle.db, large.id, 2025, 3, payments(2_000));
    // Action
    const read = (slug: string) => t.api.query<MonthPageData>(MonthPage, { slug, year: 2025, month: 3, first: 50 });
    const [a, b] = [await read(small.slug), await read(large.slug)];
    // Assertions
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    // Issue 19: the questions (issue 15) and attachments (issue 16) no longer cost a statement each; and the count
    // does not grow with the month.
    expect(a.extensions!.sql!.statements).toBeLessThanOrEqual(2);
    expect(b.extensions!.sql!.statements).toBe(a.extensions!.sql!.statements);
    expect(a.data!.village.statement.lines.totalCount).toBe(5);
    expect(b.data!.village.statement.lines.totalCount).toBe(2_000);
    expect(b.data!.village.statement.lines.edges.map((e) => e.node.voucher.number)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    expect(b.data!.village.statement.reconciled).toBe(true);
  });
});

describe('derived statement data', () => {
  it('classifies and orders every published demo month’s lines as the correlated-subquery rule did', async () => {
    // The rule the API evaluated per line before statement_lines existed.
    const mismatches = await queryRows<{ n: number }>(
      t.handle.db,
      sql`with old as (
            select v.village_id, v.year, v.month, v.revision, l.voucher_id, l.line_no,
                   row_number() over (partition by v.village_id, v.year, v.month, v.revision
                                      order by v.date, v.number, l.line_no)::int as seq, kind
              from (select v.*, l.voucher_id, l.line_no, case
                      when a.class = 'income' and l.side = 'credit' then 'income'
                      when a.class = 'expense' and l.side = 'debit' then 'spending'
                      when a.class not in ('income', 'expense') and left(l.account_code, 3) not in ('101', '102')
                           and not exists (select 1 from voucher_lines y join accounts b on b.standard = y.standard
                                              and b.code = left(y.account_code, 3)
                                            where y.village_id = l.village_id and y.voucher_id = l.voucher_id
                                              and b.class in ('income', 'expense'))
                           and exists (select 1 from voucher_lines z where z.village_id = l.village_id
                                          and z.voucher_id = l.voucher_id and left(z.account_code, 3) in ('101', '102'))
                        then case when l.side = 'debit' then 'other_payment' else 'other_receipt' end
                    end as kind
                      from periods p
                      join vouchers v on v.village_id = p.village_id and v.year = p.year and v.month = p.month
                                     and v.revision = p.revision
                      join voucher_lines l on l.village_id = v.village_id and l.voucher_id = v.id
                      join accounts a on a.standard = l.standard and a.code = left(l.account_code, 3)
                     where p.status = 'published') v
              join voucher_lines l on l.village_id = v.village_id and l.voucher_id = v.voucher_id and l.line_no = v.line_no
             where kind is not null
          ),
          derived as (select s.village_id, s.year, s.month, s.revision, s.voucher_id, s.line_no, s.seq, s.kind
                        from statement_lines s)
          select count(*)::int as n from (
            (select * from old except all select * from derived)
            union all
            (select * from derived except all select * from old)) d`,
    );
    expect(mismatches[0]!.n).toBe(0);
    const [count] = await queryRows<{ n: number }>(t.handle.db, sql`select count(*)::int as n from statement_lines`);
    expect(count!.n).toBeGreaterThan(1_000);
  });

  it('derives the changes of every demo correction, 付村 2025-08 among them, as comparing both ledgers gives', async () => {
    const corrections = await queryRows<{ village_id: number; year: number; month: number; revision: number }>(
      t.handle.db,
      sql`select p.village_id, p.year, p.month, p.revision from periods p
           where p.status = 'published' and p.revision > 1`,
    );
    expect(corrections.length).toBeGreaterThan(0);
    for (const c of corrections) {
      const key = { villageId: c.village_id, year: c.year, month: c.month, revision: c.revision };
      const [before, after] = [
        await publicLedger(t.handle.db, { ...key, revision: key.revision - 1 }),
        await publicLedger(t.handle.db, key),
      ];
      const shown = (v: (typeof before)[number]) =>
        JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
      const total = (v: (typeof before)[number] | undefined) =>
        v ? v.lines.reduce((s, l) => (l.side === 'debit' ? s + l.amountFen : s), 0n).toString() : null;
      const numbers = [...new Set([...before, ...after].map((v) => v.number))].sort((a, b) => a - b);
      const expected = numbers.flatMap((number) => {
        const b = before.find((v) => v.number === number);
        const a = after.find((v) => v.number === number);
        if (a && b && shown(a) === shown(b)) return [];
        const kind = !b ? 'added' : !a ? 'removed' : 'changed';
        return [
          {
            number,
            kind,
            summaryBefore: b?.summaryPublic ?? null,
            summaryAfter: a?.summaryPublic ?? null,
            before: total(b),
            after: total(a),
          },
        ];
      });
      const derived = await queryRows<{
        number: number;
        kind: string;
        summaryBefore: string | null;
        summaryAfter: string | null;
        before: string | null;
        after: string | null;
      }>(
        t.handle.db,
        sql`select voucher_number as number, kind, summary_before as "summaryBefore", summary_after as "summaryAfter",
                   amount_before_fen::text as before, amount_after_fen::text as after
              from statement_changes
             where village_id = ${key.villageId} and year = ${key.year} and month = ${key.month} and revision = ${key.revision}
             order by voucher_number`,
      );
      expect(derived).toEqual(expected);
    }
    const fucun = await t.api.query<MonthPageData>(MonthPage, { slug: 'fucun', year: 2025, month: 8, first: 5 });
    expect(fucun.data!.village.statement.changes.length).toBeGreaterThan(0);
  });

  it('sums the year to date, in all and by category, from the months read one by one', async () => {
    type Figures = {
      income: { fen: string };
      spending: { fen: string };
      byCategory: { code: string; kind: string; amount: { fen: string } }[];
    };
    const read = async (year: number, month: number) => {
      const res = await t.api.query<{ village: { statement: (Figures & { yearToDate: Figures }) | null } }>(
        `query ($year: Int!, $month: Int!) { village(slug: "fucun") { statement(year: $year, month: $month) {
           income { fen } spending { fen } byCategory { code kind amount { fen } }
           yearToDate { income { fen } spending { fen } byCategory { code kind amount { fen } } } } } }`,
        { year, month },
      );
      return res.data!.village.statement;
    };
    const byCode = (f: Figures) =>
      Object.fromEntries(f.byCategory.map((c) => [`${c.kind} ${c.code}`, BigInt(c.amount.fen)]));
    let checked = 0;
    for (const year of [2025, 2026]) {
      const sum = { income: 0n, spending: 0n, byCategory: new Map<string, bigint>() };
      for (let month = 1; month <= 12; month++) {
        const s = await read(year, month);
        if (!s) continue;
        sum.income += BigInt(s.income.fen);
        sum.spending += BigInt(s.spending.fen);
        for (const [k, v] of Object.entries(byCode(s))) sum.byCategory.set(k, (sum.byCategory.get(k) ?? 0n) + v);
        expect(BigInt(s.yearToDate.income.fen), `${year}-${month} income`).toBe(sum.income);
        expect(BigInt(s.yearToDate.spending.fen), `${year}-${month} spending`).toBe(sum.spending);
        const expected = Object.fromEntries([...sum.byCategory].filter(([, v]) => v !== 0n));
        expect(byCode(s.yearToDate), `${year}-${month} by category`).toEqual(expected);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(6);
  });

  it('counts the year to date’s published months as the months read one by one did', async () => {
    const rows = await queryRows<{ slug: string; year: number; month: number; months: number }>(
      t.handle.db,
      sql`select v.slug, p.year, p.month,
                 (select count(distinct q.month)::int from periods q where q.village_id = p.village_id
                     and q.year = p.year and q.month <= p.month and q.status = 'published') as months
            from periods p join villages v on v.id = p.village_id
           where p.status = 'published' and v.slug = 'fucun' and p.revision = 1`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      const res = await t.api.query<{ village: { statement: { yearToDate: { months: number } } } }>(
        `query ($slug: String!, $year: Int!, $month: Int!) { village(slug: $slug) {
           statement(year: $year, month: $month) { yearToDate { months } } } }`,
        r,
      );
      expect(res.data!.village.statement.yearToDate.months).toBe(r.months);
    }
  });

  it('derives a correction’s lines and changes, and carries its closing balance into the months after it', async () => {
    // Setup
    const village = await aVillage(t.handle.db);
    const opening = [
      { accountCode: '102', balanceFen: 1_000_000n },
      { accountCode: '301', balanceFen: -1_000_000n },
    ];
    await aMonth(t.handle.db, village.id, 2025, 4, payments(3, '2025-04-10'), { opening });
    await aMonth(t.handle.db, village.id, 2025, 5, payments(2, '2025-05-10'));
    // Action: revision 2 of April adds a fourth payment
    await t.handle.db.transaction(async (tx) => {
      const key = { villageId: village.id, year: 2025, month: 4 };
      const { revision } = await openPeriod(tx, { ...key, actor: 'test', reason: '漏记一笔办公费' });
      await postVouchers(tx, { ...key, revision, actor: 'test', vouchers: payments(4, '2025-04-10').slice(3) });
      await publishPeriod(tx, { ...key, actor: 'test-director' });
    });
    // Assertions
    const april = await t.api.query<MonthPageData>(MonthPage, { slug: village.slug, year: 2025, month: 4, first: 50 });
    const s = april.data!.village.statement;
    expect(s.lines.totalCount).toBe(4);
    expect(s.changes).toEqual([
      {
        voucherNumber: 4,
        kind: 'ADDED',
        summaryBefore: null,
        summaryAfter: '支付第4笔',
        amountBefore: null,
        amountAfter: { yuan: '10.03' },
      },
    ]);
    const may = await t.api.query<{
      village: {
        statement: {
          openingBalance: { fen: string };
          reconciliation: { ok: boolean; continuesPreviousMonth: boolean };
        };
      };
    }>(
      `query ($slug: String!) { village(slug: $slug) { statement(year: 2025, month: 5) {
         openingBalance { fen } reconciliation { ok continuesPreviousMonth } } } }`,
      { slug: village.slug },
    );
    expect(may.data!.village.statement.openingBalance.fen).toBe(String(1_000_000 - 1_000 - 1_001 - 1_002 - 1_003));
    expect(may.data!.village.statement.reconciliation).toEqual({ ok: true, continuesPreviousMonth: true });
  });
});
