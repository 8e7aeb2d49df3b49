// What the hostile-file tests (hostile-files.test.ts, huge-files.test.ts) share: the expected outcome of a file, the
// checksum of every ledger table of a village (a rejected file must leave it as it was), and the outcome check.
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { queryRows, type Db } from '@mingbai/db/client';

export type Expected = { rejected: string[] } | { accepted: (db: Db, villageId: number) => Promise<void> };
export const rejected = (...codes: string[]): Expected => ({ rejected: codes });
export const accepted = (check: (db: Db, villageId: number) => Promise<void> = async () => {}): Expected => ({
  accepted: check,
});

/** Every table that holds the village's ledger: count and md5 of its rows in order. */
const LEDGER_TABLES = [
  'periods',
  'vouchers',
  'voucher_lines',
  'statement_rollups',
  'opening_balances',
  'statement_lines',
  'statement_changes',
  'imported_files',
  'audit_log',
  'village_accounts',
  'period_comments',
  'voucher_flags',
];

export async function checksum(db: Db, villageId: number): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of LEDGER_TABLES) {
    const [row] = await queryRows<{ n: string; h: string | null }>(
      db,
      sql`select count(*)::text as n, md5(string_agg(t::text, '|' order by t::text)) as h
            from ${sql.identifier(table)} t where t.village_id = ${villageId}`,
    );
    out[table] = `${row!.n}:${row!.h ?? ''}`;
  }
  return out;
}

export interface Report {
  status: string;
  filename: string;
  problems: { row: number | null; column: string | null; code: string; message: string }[];
}

/** How many files a test tried, and how each ended: printed by the file at its end. */
export const tally = { tried: 0, rejected: 0, accepted: 0 };

export function expectOutcome(file: string, expected: Expected, report: Report) {
  if ('rejected' in expected) {
    expect(report.status.toLowerCase(), file).toBe('rejected');
    const codes = report.problems.map((p) => p.code);
    for (const code of expected.rejected)
      expect(codes, `${file}: ${JSON.stringify(report.problems[0])}`).toContain(code);
    for (const p of report.problems) expect(p.message, file).toMatch(/[\u4e00-\u9fff]/);
    tally.rejected++;
  } else {
    expect(report.problems, file).toEqual([]);
    expect(report.status.toLowerCase(), file).toBe('committed');
    tally.accepted++;
  }
  tally.tried++;
}
