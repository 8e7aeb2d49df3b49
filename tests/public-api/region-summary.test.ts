// Totals roll up: a region's income and spending equal the sum over its villages' statements.
import { describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api.ts';

const t = useTestApi();

interface Totals {
  income: { fen: string };
  spending: { fen: string };
}

describe('Region.summary', () => {
  it('equals the sum of the district’s villages for a month and for the year to date', async () => {
    const res = await t.api.query<{
      region: {
        name: string;
        month: Totals & { byCategory: { code: string; amount: { fen: string } }[] };
        year: Totals;
        villages: { nodes: { slug: string; m: Totals | null; ytd: { yearToDate: Totals } | null }[] };
      };
    }>(`{ region(slug: "xiqing") { name
        month: summary(year: 2025, month: 6) { income { fen } spending { fen } byCategory { code amount { fen } } }
        year: summary(year: 2025) { income { fen } spending { fen } }
        villages(first: 100) { nodes { slug
          m: statement(year: 2025, month: 6) { income { fen } spending { fen } }
          ytd: statement(year: 2025, month: 12) { yearToDate { income { fen } spending { fen } } } } } } }`);
    expect(res.errors).toBeUndefined();
    const region = res.data!.region;
    expect(region.name).toBe('西青区');
    const demo = region.villages.nodes.filter((v) => !v.slug.startsWith('test-'));
    expect(demo.length).toBeGreaterThan(1);
    const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
    expect(BigInt(region.month.spending.fen)).toBe(sum(demo.map((v) => BigInt(v.m!.spending.fen))));
    expect(BigInt(region.month.income.fen)).toBe(sum(demo.map((v) => BigInt(v.m!.income.fen))));
    expect(BigInt(region.year.spending.fen)).toBe(sum(demo.map((v) => BigInt(v.ytd!.yearToDate.spending.fen))));
    expect(sum(region.month.byCategory.map((c) => BigInt(c.amount.fen)))).toBe(
      BigInt(region.month.income.fen) + BigInt(region.month.spending.fen),
    );
  });

  it('walks the tree from the city down to the towns', async () => {
    const res = await t.api.query<{
      regions: { slug: string; children: { name: string; children: { name: string }[] }[] }[];
    }>(`{ regions { slug children { name children { name } } } }`);
    const tianjin = res.data!.regions.find((r) => r.slug === 'tianjin')!;
    expect(tianjin.children.map((c) => c.name)).toEqual(
      expect.arrayContaining(['西青区', '武清区', '滨海新区', '河北区', '东丽区', '南开区']),
    );
    const xiqing = tianjin.children.find((c) => c.name === '西青区')!;
    expect(xiqing.children.map((t) => t.name)).toContain('精武镇');
  });
});
