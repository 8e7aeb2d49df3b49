// A month's lines filtered by kind, account or amount in date order (issue 19): read in the order of the statement's
// own `seq` (derived at publishing by date, voucher number and line), not by joining every voucher of the month to
// sort by its date. The pages must be exactly the month's whole date-ordered list with the filter applied, walked by
// cursor, with the same totals, whatever path answers them; the other orders and a search keep the general path.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { useTestApi } from '../support/api.ts';

const t = useTestApi();

interface Line {
  date: string;
  kind: string;
  voucherNumber: number;
  amount: { fen: string };
  account: { code: string };
  summary: string;
}
interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Line[];
}

const LINES = `query ($slug: String!, $year: Int!, $month: Int!, $kind: FlowKind, $category: String, $minYuan: String,
    $maxYuan: String, $search: String, $orderBy: LineOrder, $first: Int, $after: String) {
  village(slug: $slug) { statement(year: $year, month: $month) {
    lines(kind: $kind, category: $category, minYuan: $minYuan, maxYuan: $maxYuan, search: $search, orderBy: $orderBy,
        first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { date kind voucherNumber amount { fen } account { code } summary } } } } }`;

type Month = { slug: string; year: number; month: number };

async function page(m: Month, vars: Record<string, unknown>): Promise<Page> {
  const res = await t.api.query<{ village: { statement: { lines: Page } } }>(LINES, { ...m, ...vars });
  if (!res.data?.village?.statement) throw new Error(res.text);
  return res.data.village.statement.lines;
}

/** Every line the filter lets through, page after page of `size`; checks each page's total against the first's. */
async function walk(m: Month, vars: Record<string, unknown>, size: number): Promise<{ total: number; lines: Line[] }> {
  const lines: Line[] = [];
  let after: string | null = null;
  let total: number | undefined;
  for (let i = 0; i < 100; i++) {
    const p: Page = await page(m, { ...vars, first: size, after });
    total ??= p.totalCount;
    expect(p.totalCount).toBe(total);
    lines.push(...p.nodes);
    if (!p.pageInfo.hasNextPage) break;
    after = p.pageInfo.endCursor;
  }
  return { total: total ?? 0, lines };
}

const fen = (l: Line) => BigInt(l.amount.fen);

describe('a month’s lines filtered in date order', () => {
  it('are the whole date-ordered month with the filter applied, page by page, with the same totals', async () => {
    // Setup: the demo's published month with the most payments and receipts (under 100: one page holds it all).
    const [busiest] = await queryRows<{ slug: string; year: number; month: number; n: number }>(
      t.handle.db,
      sql`select v.slug, p.year, p.month, p.line_count as n from periods p join villages v on v.id = p.village_id
           where p.status = 'published' and p.line_count between 20 and 100
             and not exists (select 1 from periods q where q.village_id = p.village_id and q.year = p.year
                               and q.month = p.month and q.revision > p.revision)
           order by p.line_count desc, v.slug, p.year, p.month limit 1`,
    );
    expect(busiest, 'a demo month of 20 to 100 lines').toBeDefined();
    const m = { slug: busiest!.slug, year: busiest!.year, month: busiest!.month };
    const all = await page(m, { first: 100 });
    expect(all.pageInfo.hasNextPage).toBe(false);
    // The oracle: the whole month, which must itself be in date, then voucher order.
    const sorted = [...all.nodes].sort((a, b) => a.date.localeCompare(b.date) || a.voucherNumber - b.voucherNumber);
    expect(all.nodes).toEqual(sorted);
    const kinds = new Set(all.nodes.map((l) => l.kind));
    expect(kinds.has('SPENDING') && kinds.has('INCOME'), 'the month has both spending and income').toBe(true);
    const categories = [...new Set(all.nodes.map((l) => l.account.code.slice(0, 3)))];
    const amounts = all.nodes.map(fen).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const median = amounts[amounts.length >> 1]!;
    const yuan = (f: bigint) => `${f / 100n}.${String(f % 100n).padStart(2, '0')}`;

    const cases: { vars: Record<string, unknown>; keep: (l: Line) => boolean }[] = [
      ...[...kinds].map((kind) => ({ vars: { kind }, keep: (l: Line) => l.kind === kind })),
      ...categories.map((code) => ({ vars: { category: code }, keep: (l: Line) => l.account.code.startsWith(code) })),
      { vars: { minYuan: yuan(median) }, keep: (l) => fen(l) >= median },
      { vars: { maxYuan: yuan(median) }, keep: (l) => fen(l) <= median },
      { vars: { kind: 'SPENDING', minYuan: yuan(median) }, keep: (l) => l.kind === 'SPENDING' && fen(l) >= median },
      { vars: { kind: 'INCOME', category: '999' }, keep: () => false },
    ];
    for (const { vars, keep } of cases) {
      const expected = all.nodes.filter(keep);
      for (const size of [3, 100]) {
        const got = await walk(m, { ...vars, orderBy: 'DATE_ASC' }, size);
        expect(got.lines, `${JSON.stringify(vars)} by ${size}`).toEqual(expected);
        expect(got.total, `${JSON.stringify(vars)} total`).toBe(expected.length);
      }
    }

    // A search (which reads the 摘要) keeps the general path: its lines come in the whole month's order.
    const word = all.nodes
      .find((l) => l.summary.trim().length >= 2)!
      .summary.trim()
      .slice(0, 2);
    const searched = await walk(m, { search: word, orderBy: 'DATE_ASC' }, 5);
    expect(searched.lines.length).toBeGreaterThan(0);
    let at = 0;
    for (const line of searched.lines) {
      while (at < all.nodes.length && JSON.stringify(all.nodes[at]) !== JSON.stringify(line)) at++;
      expect(at, `${JSON.stringify(line)} in the month's order`).toBeLessThan(all.nodes.length);
      at++;
    }
  });
});
