// Comparing villages and looking back (issue 18): a region's published months, each village's totals for a period
// (paged like Region.villages), and one category compared across a town's villages. Expected amounts, medians and
// ranks are computed here from the demo plan (db/src/demo/plan.ts, the ledger computed in memory without a
// database) by the chart's plain rule, not by the API's SQL or flows.ts.
import { describe, expect, it } from 'vitest';
import { DEMO_VILLAGES } from '@mingbai/db/demo/regions';
import { RegionCompare, RegionYearPage } from '../../portal/src/lib/queries-compare.ts';
import { useTestApi } from '../support/api.ts';
import { medianOf as median, plannedTotals as planned, ranksOf as ranks } from '../support/demo-plan-totals.ts';

const t = useTestApi();

interface Comparison {
  name: string;
  villageCount: number;
  villagesWithoutData: number;
  total: { fen: string };
  median: { fen: string } | null;
  villages: { slug: string; rank: number; monthsPublished: number; amount: { fen: string } }[];
}

const COMPARE = `query ($slug: String!, $year: Int!, $month: Int, $kind: CompareKind!, $standard: String, $code: String) {
  region(slug: $slug) {
    comparison(year: $year, month: $month, kind: $kind, standard: $standard, code: $code) {
      name villageCount villagesWithoutData total { fen } median { fen }
      villages { slug rank monthsPublished amount { fen } }
    }
  }
}`;

async function compare(vars: Record<string, unknown>) {
  const res = await t.api.query<{ region: { comparison: Comparison } }>(COMPARE, vars);
  expect(res.errors).toBeUndefined();
  return { comparison: res.data!.region.comparison, statements: res.extensions!.sql!.statements };
}

function expectAgrees(c: Comparison, expected: { slug: string; amount: bigint; months: number }[]) {
  const amounts = expected.map((e) => e.amount);
  const rank = ranks(amounts);
  expect(c.villageCount).toBe(expected.length);
  expect(BigInt(c.median!.fen)).toBe(median(amounts));
  expect(BigInt(c.total.fen)).toBe(amounts.reduce((a, b) => a + b, 0n));
  const got = new Map(c.villages.map((v) => [v.slug, v]));
  expected.forEach((e, i) => {
    expect(got.get(e.slug), e.slug).toMatchObject({
      rank: rank[i],
      monthsPublished: e.months,
      amount: { fen: String(e.amount) },
    });
  });
  // Listed largest first.
  const listed = c.villages.map((v) => BigInt(v.amount.fen));
  expect(listed).toEqual([...listed].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
}

describe('Region.comparison', () => {
  it('gives each 精武镇 village’s 2025 管理费用, its rank and the median, as the demo plan has them', async () => {
    const plan = planned('jingwu', 2025);
    expect(plan.map((p) => p.slug)).toEqual(['fucun', 'xiaonanhe', 'dongliucheng']);
    const { comparison, statements } = await compare({
      slug: 'jingwu',
      year: 2025,
      kind: 'SPENDING',
      standard: '2023',
      code: '513',
    });
    expect(comparison.name).toBe('管理费用');
    expect(comparison.villagesWithoutData).toBe(0);
    expectAgrees(
      comparison,
      plan.map((p) => ({ slug: p.slug, amount: p.byAccount.get('513') ?? 0n, months: 12 })),
    );
    // The region by slug, then the comparison: one statement for the whole field.
    expect(statements).toBe(2);
  });

  it('compares all spending and all income of one month, with 付村’s correction (2025-08) counted as corrected', async () => {
    const plan = planned('jingwu', 2025, 8);
    const spending = await compare({ slug: 'jingwu', year: 2025, month: 8, kind: 'SPENDING' });
    expect(spending.comparison.name).toBe('支出合计');
    expectAgrees(
      spending.comparison,
      plan.map((p) => ({ slug: p.slug, amount: p.spending, months: 1 })),
    );
    const income = await compare({ slug: 'jingwu', year: 2025, month: 8, kind: 'INCOME' });
    expectAgrees(
      income.comparison,
      plan.map((p) => ({ slug: p.slug, amount: p.income, months: 1 })),
    );
  });

  it('takes the median of an even count as the two middle amounts’ mean, rounded in fen (滨海新区, 2024 公益支出)', async () => {
    const plan = planned('binhai', 2024);
    expect(plan.length % 2).toBe(0);
    const { comparison } = await compare({
      slug: 'binhai',
      year: 2024,
      kind: 'SPENDING',
      standard: '2023',
      code: '514',
    });
    expectAgrees(
      comparison,
      plan.map((p) => ({ slug: p.slug, amount: p.byAccount.get('514') ?? 0n, months: 12 })),
    );
  });

  it('refuses the city (thousands of villages), an unknown account and a code without its standard', async () => {
    const bad = async (vars: Record<string, unknown>) => {
      const res = await t.api.query(COMPARE, vars);
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(vars)).toBe('BAD_USER_INPUT');
      return res.errors![0]!.message;
    };
    expect(await bad({ slug: 'tianjin', year: 2025, kind: 'SPENDING' })).toContain('镇街或区');
    expect(await bad({ slug: 'jingwu', year: 2025, kind: 'SPENDING', standard: '2023', code: '501' })).toContain('501');
    expect(await bad({ slug: 'jingwu', year: 2025, kind: 'SPENDING', code: '513' })).toContain('一起');
    expect(await bad({ slug: 'jingwu', year: 1999, kind: 'SPENDING' })).toContain('年份');
  });

  it('costs one statement for the towns of a district, however many there are (no N+1)', async () => {
    const res = await t.api.query<{ regions: { slug: string; comparison: Comparison }[] }>(
      `{ regions(parentSlug: "xiqing") { slug comparison(year: 2025, kind: SPENDING) { villageCount median { fen } } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.regions.length).toBeGreaterThan(2);
    // The parent by slug, its children, one comparison for all of them.
    expect(res.extensions!.sql!.statements).toBe(3);
  });
});

describe('Region.publishedMonths and Region.villageTotals', () => {
  it('lists the published months newest first, so pages default to the latest year with data', async () => {
    const res = await t.api.query<{
      region: { publishedMonths: { year: number; month: number; villageCount: number }[] };
    }>(`{ region(slug: "jingwu") { publishedMonths { year month villageCount } } }`);
    const months = res.data!.region.publishedMonths;
    expect(months[0]).toEqual({ year: 2026, month: 10, villageCount: 3 });
    expect(months.at(-1)).toEqual({ year: 2023, month: 11, villageCount: 3 });
    expect(months.length).toBe(36);
  });

  it('gives each village’s totals for a year, as the plan has them', async () => {
    const plan = planned('jingwu', 2025);
    const res = await t.api.query<{
      region: {
        villageTotals: {
          nodes: {
            slug: string;
            monthsPublished: number;
            lastMonth: number;
            income: { fen: string };
            spending: { fen: string };
          }[];
        };
      };
    }>(
      `{ region(slug: "jingwu") { villageTotals(year: 2025, first: 10) { nodes { slug monthsPublished lastMonth income { fen } spending { fen } } } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.region.villageTotals.nodes).toEqual(
      [...plan]
        .sort((a, b) => a.code.localeCompare(b.code))
        .map((p) => ({
          slug: p.slug,
          monthsPublished: 12,
          lastMonth: 12,
          income: { fen: String(p.income) },
          spending: { fen: String(p.spending) },
        })),
    );
  });

  // A district no test adds villages to (test villages live under a district of their own), so the list holds still.
  it('pages through every village of a district with the same cursors as Region.villages', async () => {
    type Page = {
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      nodes: { slug: string }[];
      totalCount: number;
    };
    const seen: string[] = [];
    const listed: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 100; guard++) {
      const res: { data?: { region: { villageTotals: Page; villages: Page } }; errors?: unknown } = await t.api.query(
        `query ($after: String) { region(slug: "xiqing") {
          villageTotals(year: 2026, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { slug } }
          villages(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { slug } } } }`,
        { after },
      );
      expect(res.errors).toBeUndefined();
      const { villageTotals, villages } = res.data!.region;
      seen.push(...villageTotals.nodes.map((n) => n.slug));
      listed.push(...villages.nodes.map((n) => n.slug));
      expect(villageTotals.pageInfo.endCursor).toBe(villages.pageInfo.endCursor);
      if (!villageTotals.pageInfo.hasNextPage) break;
      after = villageTotals.pageInfo.endCursor;
    }
    expect(seen).toEqual(listed);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(
      DEMO_VILLAGES.filter((v) => v.town.district.slug === 'xiqing')
        .map((v) => v.slug)
        .sort(),
    );
  });
});

describe('the region pages’ queries', () => {
  it('run as many SQL statements for a town of 3 villages as for a district and for the whole city (no N+1)', async () => {
    const counts: Record<string, number[]> = {};
    for (const slug of ['jingwu', 'xiqing', 'tianjin']) {
      const page = await t.api.query(RegionYearPage, { slug, year: 2025, first: 50 });
      const month = await t.api.query(RegionYearPage, { slug, year: 2025, month: 8, first: 50 });
      expect(page.errors, slug).toBeUndefined();
      expect(month.errors, slug).toBeUndefined();
      counts[slug] = [page.extensions!.sql!.statements, month.extensions!.sql!.statements];
    }
    expect(counts.xiqing).toEqual(counts.jingwu);
    // The whole city's first page also holds villages other test files made meanwhile (a corrected latest month, a
    // month without a review), which can need one more kind of read; an N+1 would add one statement per village.
    for (const i of [0, 1]) expect(counts.tianjin![i]).toBeLessThanOrEqual(counts.jingwu![i]! + 1);
    const compare = async (slug: string) =>
      (await t.api.query(RegionCompare, { slug, year: 2025, kind: 'SPENDING' })).extensions!.sql!.statements;
    expect(await compare('xiqing')).toBe(await compare('jingwu'));
  });

  it('answer the same on every run (graphql-jit compiles a document on its second run)', async () => {
    const vars = { slug: 'jingwu', year: 2025, kind: 'SPENDING', standard: '2023', code: '513' };
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push((await t.api.query(RegionCompare, vars)).data);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    const pages = [];
    for (let i = 0; i < 3; i++)
      pages.push((await t.api.query(RegionYearPage, { slug: 'xiqing', year: 2025, first: 2 })).data);
    expect(pages[2]).toEqual(pages[0]);
  });
});
