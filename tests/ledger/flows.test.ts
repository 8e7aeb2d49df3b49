// What counts as income, spending and cash is written once (db/src/ledger/flows.ts) in two forms, TypeScript and SQL.
// These tests run both forms over every account of both charts and require the same answer from each.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type DbHandle } from '@mingbai/db/client';
import {
  accountFlow,
  categoryKind,
  categoryKindSql,
  incomeFenSql,
  isCashAccount,
  isCashAccountSql,
  lineFlow,
  lineFlowSql,
  spendingFenSql,
} from '@mingbai/db/ledger/flows';
import type { AccountClass, AccountStandard } from '@mingbai/db/schema/accounts';
import type { LineSide } from '@mingbai/db/schema/ledger';
import { openTestDb } from '../support/db.ts';

let handle: DbHandle;
let chart: { standard: AccountStandard; code: string; class: AccountClass }[];
beforeAll(async () => {
  handle = await openTestDb();
  chart = await queryRows(handle.db, sql`select standard, code, class from accounts order by standard, code`);
});
afterAll(() => handle.close());

interface Line {
  voucher: number;
  standard: AccountStandard;
  code: string;
  side: LineSide;
}

/** Rows of `values (…)` for lines; only digits and known words go into the text. */
function linesValues(lines: Line[]): string {
  return lines.map((l) => `(${l.voucher}, '${l.standard}', '${l.code}', '${l.side}')`).join(', ');
}

describe('the rule of what money is, in TypeScript and in SQL', () => {
  it('covers both charts', () => {
    for (const standard of ['2004', '2023'] as const) {
      const mine = chart.filter((a) => a.standard === standard);
      expect(mine.length).toBeGreaterThan(20);
      expect(mine.some((a) => a.class === 'income')).toBe(true);
      expect(mine.some((a) => a.class === 'expense')).toBe(true);
    }
  });

  it('classifies every line of every account alike, whatever else its voucher touches', async () => {
    // For every account (and a sub-account of it), each side, in four kinds of voucher: alone, beside cash, beside
    // an income account, beside both. The companions are real accounts of the same chart.
    const lines: Line[] = [];
    const tested: number[] = [];
    let voucher = 0;
    for (const account of chart) {
      const incomeAccount = chart.find((a) => a.standard === account.standard && a.class === 'income')!;
      for (const code of [account.code, `${account.code}01`]) {
        for (const side of ['debit', 'credit'] as const) {
          for (const companions of [[], ['101'], [incomeAccount.code], ['102', incomeAccount.code]]) {
            voucher++;
            tested.push(lines.length);
            lines.push({ voucher, standard: account.standard, code, side });
            for (const c of companions) {
              lines.push({ voucher, standard: account.standard, code: c, side: side === 'debit' ? 'credit' : 'debit' });
            }
          }
        }
      }
    }
    const flowSql = lineFlowSql({ accountClass: 'a.class', side: 'l.side', accountCode: 'l.code', voucherWindow: 'v' });
    const rows = await queryRows<{ ord: number; kind: string | null }>(
      handle.db,
      sql.raw(`select (l.ord - 1)::int as ord, ${flowSql} as kind
                 from (select *, row_number() over () as ord
                         from (values ${linesValues(lines)}) x(voucher, standard, code, side)) l
                 join accounts a on a.standard = l.standard and a.code = left(l.code, 3)
               window v as (partition by l.voucher)
               order by l.ord`),
    );
    expect(rows).toHaveLength(lines.length);
    const classOf = new Map(chart.map((a) => [`${a.standard}:${a.code}`, a.class]));
    const accountClass = (l: Line) => classOf.get(`${l.standard}:${l.code.slice(0, 3)}`)!;
    const mismatches: string[] = [];
    const kinds = new Set<string>();
    for (const at of tested) {
      const line = lines[at]!;
      const siblings = lines.filter((l) => l.voucher === line.voucher);
      const shape = {
        touchesIncomeOrExpense: siblings.some((l) => ['income', 'expense'].includes(accountClass(l))),
        movesCash: siblings.some((l) => isCashAccount(l.code)),
      };
      const expected = lineFlow({ accountClass: accountClass(line), side: line.side, accountCode: line.code }, shape);
      const actual = rows[at]!.kind ?? undefined;
      kinds.add(String(expected));
      if (actual !== expected)
        mismatches.push(`${line.standard} ${line.code} ${line.side}: ts ${expected}, sql ${actual}`);
    }
    expect(mismatches).toEqual([]);
    // Every kind the rule knows was met, so agreement was not reached by both sides saying nothing.
    expect([...kinds].sort()).toEqual(['income', 'other_payment', 'other_receipt', 'spending', 'undefined']);
  });

  it("sums an account's month into income, spending and cash alike", async () => {
    const accounts = chart.flatMap((a) => [a, { ...a, code: `${a.code}02` }]);
    const values = accounts.map((a) => `('${a.standard}', '${a.code}')`).join(', ');
    const rows = await queryRows<{ income: string; spending: string; cash: boolean; kind: string | null }>(
      handle.db,
      sql.raw(`select (${incomeFenSql({ accountClass: 'a.class', accountCode: 'r.code', creditFen: '1100' })})::text as income,
                      (${spendingFenSql({ accountClass: 'a.class', accountCode: 'r.code', debitFen: '700' })})::text as spending,
                      ${isCashAccountSql('r.code')} as cash,
                      ${categoryKindSql('a.class')} as kind
                 from (select *, row_number() over () as ord from (values ${values}) x(standard, code)) r
                 join accounts a on a.standard = r.standard and a.code = left(r.code, 3)
                order by r.ord`),
    );
    expect(rows).toHaveLength(accounts.length);
    accounts.forEach((account, i) => {
      const flow = accountFlow({ accountClass: account.class, accountCode: account.code }, 700n, 1100n);
      const row = rows[i]!;
      expect({ code: account.code, income: BigInt(row.income), spending: BigInt(row.spending) }).toEqual({
        code: account.code,
        income: flow.incomeFen,
        spending: flow.spendingFen,
      });
      expect(row.cash).toBe(isCashAccount(account.code));
      expect(row.kind ?? undefined).toBe(categoryKind(account.class));
    });
    expect(rows.filter((r) => r.cash)).toHaveLength(8); // 101 and 102 of both charts, each with a sub-account
  });
});
