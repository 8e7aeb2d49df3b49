// The region pages compare and look back (issue 18), rendered against the real API: the year picked by default is
// the latest with published months (not the calendar year), the pager reaches every village, the comparison shows
// each village's amount, rank and the median as computed here by hand, and a village page links to it and draws
// its trend over every published month.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { choosePeriod, parseCategory, fenToYuan } from '../../portal/src/lib/compare.ts';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { medianOf, plannedTotals, ranksOf } from '../support/demo-plan-totals.ts';
import { useTestPortal } from '../support/portal.ts';

const t = useTestPortal();

async function get(path: string) {
  const res = await fetch(`${t.portal.url}${path}`, { redirect: 'manual' });
  return { status: res.status, html: await res.text() };
}

/** Visible text, roughly: tags dropped, entities of our text decoded, whitespace collapsed. */
const text = (html: string) =>
  html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, '');

/** "¥1,234.56" as the portal writes an amount of fen. */
const shown = (fen: bigint) => {
  const [whole, frac] = fenToYuan(fen).split('.');
  return `¥${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
};

/** The village slugs linked from the rows of the region page's village table. */
const villageLinks = (html: string) => {
  const section = /<section id="villages"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
  const table = /<tbody[^>]*>[\s\S]*?<\/tbody>/.exec(section)?.[0] ?? '';
  return [...table.matchAll(/href="\/v\/([a-z0-9-]+)"/g)].map((m) => m[1]!);
};
const relLink = (html: string, rel: 'next' | 'prev') =>
  [...html.matchAll(/<a rel="(next|prev)" href="([^"]+)"/g)].find((m) => m[1] === rel)?.[2]?.replace(/&amp;/g, '&');

describe('choosing the period', () => {
  const published = [
    { year: 2026, month: 12, villageCount: 3 },
    { year: 2026, month: 11, villageCount: 3 },
    { year: 2025, month: 12, villageCount: 2 },
  ];

  it('in January, before any month of the new year is published, picks the latest year with data', () => {
    const period = choosePeriod(new URLSearchParams(), published, new Date('2027-01-05T08:00:00Z'));
    expect(period).toMatchObject({ year: 2026, month: undefined, years: [2026, 2025], months: [11, 12] });
  });

  it('takes the year and month asked for, and ignores what is not a year or month', () => {
    expect(choosePeriod(new URLSearchParams('year=2025&month=12'), published)).toMatchObject({ year: 2025, month: 12 });
    expect(choosePeriod(new URLSearchParams('year=20255&month=13'), published)).toMatchObject({
      year: 2026,
      month: undefined,
    });
    expect(choosePeriod(new URLSearchParams('year=2019'), published).years).toEqual([2026, 2025, 2019]);
  });

  it('reads the category as spending, income or one account of a chart', () => {
    expect(parseCategory(null)).toEqual({ kind: 'SPENDING' });
    expect(parseCategory('income')).toEqual({ kind: 'INCOME' });
    expect(parseCategory('spending-2023-513')).toEqual({ kind: 'SPENDING', standard: '2023', code: '513' });
    expect(parseCategory('spending-1999-513; drop')).toEqual({ kind: 'SPENDING' });
  });
});

describe('region pages', () => {
  /** A town of this file's own: 55 villages, four of which published 2024 months with 办公费 as below. */
  async function aTown() {
    const villages = [];
    for (let i = 0; i < 55; i++) villages.push(await aVillage(t.handle.db, '比较村'));
    // 管理费用 (51301 办公费) in 2024, in fen: 100, 101, 300 and 300 (a tie), one of them over two months.
    const spend = async (v: { id: number }, month: number, fen: number) =>
      aMonth(t.handle.db, v.id, 2024, month, [
        aVoucher(
          1,
          `2024-${String(month).padStart(2, '0')}-10`,
          '买办公用品',
          debit('51301', fen, { accountName: '办公费' }),
          credit('102', fen),
        ),
      ]);
    await spend(villages[0]!, 3, 100);
    await spend(villages[1]!, 3, 101);
    await spend(villages[2]!, 3, 300);
    await spend(villages[3]!, 3, 200);
    await spend(villages[3]!, 4, 100);
    const res = await t.api.query<{ village: { town: { slug: string; name: string } } }>(
      `query ($s: String!) { village(slug: $s) { town { slug name } } }`,
      { s: villages[0]!.slug },
    );
    return { villages, town: res.data!.village.town };
  }
  let fixture: Awaited<ReturnType<typeof aTown>> | undefined;
  const town = async () => (fixture ??= await aTown());

  it('defaults to the latest year with published months, not the calendar year', async () => {
    const { town: tt } = await town();
    const page = await get(`/r/${tt.slug}`);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<h2[^>]*>2024年各村收支<\/h2>/);
    expect(page.html).toMatch(/<a href="\/r\/[^"]+\?year=2024" aria-current="page"[^>]*>2024年<\/a>/);
    expect(page.html).not.toContain(`${new Date().getFullYear()}年各村收支`);
  });

  it('pages through every village with its cursor pager, forward and back', async () => {
    const { town: tt, villages } = await town();
    const seen: string[] = [];
    const pages: string[][] = [];
    let path: string | undefined = `/r/${tt.slug}`;
    for (let guard = 0; path && guard < 10; guard++) {
      const page = await get(path);
      expect(page.status, path).toBe(200);
      pages.push(villageLinks(page.html));
      seen.push(...pages.at(-1)!);
      path = relLink(page.html, 'next');
      if (!path) {
        const back = relLink(page.html, 'prev');
        expect(back).toBeDefined();
        expect(villageLinks((await get(back!)).html)).toEqual(pages.at(-2));
      }
    }
    expect(pages.length).toBe(2);
    expect(pages[0]!.length).toBe(50);
    expect(seen.sort()).toEqual(villages.map((v) => v.slug).sort());
  });

  it('says so when a cursor is not one of ours', async () => {
    const page = await get('/r/jingwu?after=bm90LWEtY3Vyc29y');
    expect(page.status).toBe(400);
    expect(text(page.html)).toContain('分页游标无效');
  });

  it('compares a category across the town: amounts, ranks and a median rounded up from half a fen', async () => {
    const { town: tt, villages } = await town();
    const marked = villages[1]!.slug;
    const page = await get(`/r/${tt.slug}/compare?cat=spending-2023-513&village=${marked}`);
    expect(page.status).toBe(200);
    const seen = text(page.html);
    // 100, 101, 300, 300 fen: the median is (101 + 300) / 2 = 200.5, rounded up to 201 fen.
    expect(seen).toContain('中位数（4个村）¥2.01');
    expect(seen).toContain('在4个村里排第3');
    expect(seen).toContain('比中位数少¥1.00');
    expect(seen).toContain('另有51个村2024年没有公开账目');
    const ranks = [
      ...page.html.matchAll(
        /<td data-label="名次"[^>]*>第(\d+)名<\/td>\s*<td class="wide"[^>]*><a href="\/v\/([a-z0-9-]+)"/g,
      ),
    ].map((m) => [m[2], Number(m[1])]);
    expect(ranks).toEqual([
      [villages[2]!.slug, 1],
      [villages[3]!.slug, 1],
      [villages[1]!.slug, 3],
      [villages[0]!.slug, 4],
    ]);
    expect(page.html).toContain('◀ 本村');
    expect(page.html).toMatch(/<svg[^>]*role="img"/);
  });

  it('shows 精武镇’s 2025 管理费用 per village with the rank and median computed from the demo plan', async () => {
    const plan = plannedTotals('jingwu', 2025);
    const amounts = plan.map((p) => p.byAccount.get('513') ?? 0n);
    const ranks = ranksOf(amounts);
    for (const [i, p] of plan.entries()) {
      const page = await get(`/r/jingwu/compare?year=2025&cat=spending-2023-513&village=${p.slug}`);
      expect(page.status).toBe(200);
      const seen = text(page.html);
      expect(seen).toContain(`${p.name}：2025年管理费用${shown(amounts[i]!)}`);
      expect(seen).toContain(`在3个村里排第${ranks[i]}`);
      expect(seen).toContain(`中位数（3个村）${shown(medianOf(amounts))}`);
    }
  });

  it('refuses what cannot be compared: the city (404) and an account of the other kind (400)', async () => {
    expect((await get('/r/tianjin/compare')).status).toBe(404);
    const wrong = await get('/r/jingwu/compare?year=2025&cat=spending-2023-501');
    expect(wrong.status).toBe(400);
    expect(text(wrong.html)).toContain('没有支出科目501');
  });

  it('links each village page to its town’s comparison and draws its trend over every published month', async () => {
    const page = await get('/v/fucun');
    expect(page.status).toBe(200);
    expect(page.html).toContain('href="/r/jingwu/compare?village=fucun"');
    const trend = /<section class="trend"[\s\S]*?<\/section>/.exec(page.html)?.[0] ?? '';
    expect(text(trend)).toContain('共36个已公开的月份');
    // Income and spending, each one unbroken line over 36 months.
    const lines = [...trend.matchAll(/<polyline points="([^"]+)"/g)].map((m) => m[1]!.split(' ').length);
    expect(lines).toEqual([36, 36]);
    const yearRows = [...trend.matchAll(/<td class="wide"[^>]*>(\d{4})年/g)].map((m) => Number(m[1]));
    expect(yearRows).toEqual([2023, 2024, 2025, 2026]);
    // 2025's totals are the plan's, corrected 2025-08 included.
    const fucun2025 = plannedTotals('jingwu', 2025).find((p) => p.slug === 'fucun')!;
    expect(text(trend)).toContain(`2025年${shown(fucun2025.income)}${shown(fucun2025.spending)}`);
  });

  it('sends no script and stays within 40 KB gzip on each page type', async () => {
    const { town: tt } = await town();
    for (const path of [
      '/r/jingwu',
      '/r/xiqing?year=2025&month=8',
      `/r/${tt.slug}`,
      '/r/jingwu/compare?village=fucun',
      '/v/fucun',
    ]) {
      const page = await get(path);
      expect(page.status, path).toBe(200);
      expect(page.html, path).not.toMatch(/<script/i);
      expect(gzipSync(page.html).length, path).toBeLessThanOrEqual(40 * 1024);
    }
  });
});
