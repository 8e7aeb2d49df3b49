// Search, downloads, sharing and embeds (issue 18), rendered by the built portal against the real API, no browser:
// the month's downloads are its lines (CSV, JSON Lines) at their own address; the badge and the share card render and
// cache; the village search finds a payee across months and filters by amount and year; the yearly sheet adds up; bad
// input answers 400 in Chinese; no full personal name in any of it.
import { gzipSync } from 'node:zlib';
import { SaxesParser } from 'saxes';
import sharp from 'sharp';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { useTestPortal } from '../support/portal.ts';

const t = useTestPortal();

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.portal.url}${path}`, { headers, redirect: 'manual' });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, html: bytes.toString('utf8') };
}

/** Text of the page without tags, whitespace squeezed: what a reader sees. */
const text = (html: string) =>
  html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');

/** "¥1,234.56" → 123456n fen. */
const fenOfYuanText = (s: string) => BigInt(s.replace(/[¥,]/g, '').replace('.', ''));
const yuanText = (yuan: string) => {
  const [whole = '0', frac = ''] = yuan.split('.');
  return `¥${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac.padEnd(2, '0')}`;
};

interface Latest {
  year: number;
  month: number;
  lineCount: number;
  income: { yuan: string; fen: string };
  spending: { yuan: string; fen: string };
  closingBalance: { yuan: string };
  lines: { totalCount: number };
}
let latest: Latest;
let ym: string;
/** Every full name of a person paid by 付村, as stored (the public must never see one). */
let personNames: string[];

beforeAll(async () => {
  const res = await t.api.query<{ village: { latestStatement: Latest } }>(
    `{ village(slug: "fucun") { latestStatement { year month lineCount income { yuan fen } spending { yuan fen }
        closingBalance { yuan } lines { totalCount } } } }`,
  );
  latest = res.data!.village.latestStatement;
  ym = `${latest.year}-${String(latest.month).padStart(2, '0')}`;
  const rows = await queryRows<{ name: string }>(
    t.handle.db,
    sql`select distinct l.counterparty_name as name from voucher_lines l join villages v on v.id = l.village_id
         where v.slug = 'fucun' and l.counterparty_is_person and l.counterparty_name is not null
           and char_length(l.counterparty_name) >= 2`,
  );
  personNames = rows.map((r) => r.name);
});

function expectNoFullName(body: string) {
  for (const name of personNames) expect(body, `full name ${name}`).not.toContain(name);
}

describe('month downloads', () => {
  it('serves the month’s lines as JSON Lines at the .json address, not a redirect to the data package', async () => {
    const res = await get(`/v/fucun/${ym}.json`);

    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^application\/jsonl/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename=".*lines\.jsonl"/);
    const rows = res.html
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // Every voucher line of the month, and of that month only; the payments among them are the month page's lines.
    expect(rows).toHaveLength(latest.lineCount);
    expect(new Set(rows.map((r) => `${String(r.village_slug)} ${String(r.year)}-${String(r.month)}`))).toEqual(
      new Set([`fucun ${latest.year}-${latest.month}`]),
    );
    const flows = rows.filter((r) => r.kind);
    expect(flows).toHaveLength(latest.lines.totalCount);
    const sum = (kind: string) =>
      flows.filter((r) => r.kind === kind).reduce((a, r) => a + BigInt(String(r.amount_fen)), 0n);
    expect(sum('spending').toString()).toBe(latest.spending.fen);
    expect(sum('income').toString()).toBe(latest.income.fen);
    expectNoFullName(res.html);
  });

  it('serves the month’s lines as CSV at the .csv address, and 404 in Chinese for a month that is not there', async () => {
    const csv = await get(`/v/fucun/${ym}.csv`);
    const none = await get('/v/fucun/2001-01.json');
    const badMonth = await get('/v/fucun/2025-13.csv');

    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.html.replace(/^\uFEFF/, '').split('\r\n')[0] ?? csv.html.split('\n')[0]).toContain('amount_fen');
    expectNoFullName(csv.html);
    for (const r of [none, badMonth]) {
      expect(r.status).toBe(404);
      expect(r.html).toContain('没有这个月的公开账目');
    }
  });

  it('names the links on the month page for what they give: the lines, and the data package as 数据说明', async () => {
    const page = await get(`/v/fucun/${ym}`);

    expect(page.html).toContain(`href="/v/fucun/${ym}.csv">下载每一笔（CSV）`);
    expect(page.html).toContain(`href="/v/fucun/${ym}.json">下载每一笔（JSON Lines）`);
    expect(page.html).toContain(`href="/data/v/fucun/${ym}/datapackage.json">数据说明（datapackage.json）`);
    const pkg = await get(`/data/v/fucun/${ym}/datapackage.json`);
    expect(pkg.status).toBe(200);
    expect(JSON.parse(pkg.html).resources).toBeDefined();
  });
});

describe('badge and share card', () => {
  it('draws the badge: latest month, balance, a link to the month; static SVG, cacheable, revalidated', async () => {
    const res = await get('/v/fucun/badge.svg');

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(res.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
    expect(res.headers.get('set-cookie')).toBeNull();
    const svg = res.html;
    expect(svg).toContain(`${latest.year}年${latest.month}月`);
    expect(svg).toContain(`余额 ${yuanText(latest.closingBalance.yuan)}`);
    expect(svg).toMatch(new RegExp(`href="https?://[^"]+/v/fucun/${ym}"`));
    expect(svg).not.toMatch(/<script|\son[a-z]+=|<foreignObject|javascript:/i);
    // Well-formed XML, or no <img> shows it.
    const parser = new SaxesParser({ xmlns: true });
    let root = '';
    parser.on('opentag', (tag) => (root ||= tag.local));
    parser.write(svg).close();
    expect(root).toBe('svg');
    const again = await get('/v/fucun/badge.svg', { 'if-none-match': res.headers.get('etag')! });
    expect(again.status).toBe(304);
    expect((await get('/v/no-such-village/badge.svg')).status).toBe(404);
  });

  it('gives a month page Open Graph tags with the totals and a PNG card of them', async () => {
    const page = await get(`/v/fucun/${ym}`);
    const meta = (p: string) => new RegExp(`<meta property="${p}" content="([^"]*)"`).exec(page.html)?.[1];

    expect(meta('og:title')).toBe(`付村${latest.year}年${latest.month}月收支公开`);
    expect(meta('og:description')).toContain(`收入 ${yuanText(latest.income.yuan)}`);
    expect(meta('og:description')).toContain(`支出 ${yuanText(latest.spending.yuan)}`);
    const image = meta('og:image')!;
    expect(image).toMatch(new RegExp(`^https?://[^/]+/v/fucun/${ym}/card\\.png$`));

    const card = await get(new URL(image).pathname);
    expect(card.status).toBe(200);
    expect(card.headers.get('content-type')).toBe('image/png');
    expect(card.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
    const info = await sharp(card.bytes).metadata();
    expect([info.format, info.width, info.height]).toEqual(['png', 600, 315]);
    expect(card.bytes.length).toBeLessThan(60_000);
    // Drawn from the month's own figures: another month, another picture.
    const prev =
      latest.month === 1 ? `${latest.year - 1}-12` : `${latest.year}-${String(latest.month - 1).padStart(2, '0')}`;
    const other = await get(`/v/fucun/${prev}/card.png`);
    expect(other.status).toBe(200);
    expect(Buffer.compare(other.bytes, card.bytes)).not.toBe(0);
    const again = await get(new URL(image).pathname, { 'if-none-match': card.headers.get('etag')! });
    expect(again.status).toBe(304);
    expect((await get('/v/fucun/2001-01/card.png')).status).toBe(404);
  });
});

interface Hit {
  kind?: string;
  date: string;
  amount: { fen: string };
  counterparty: { name: string } | null;
  voucherNumber: number;
  voucher: { year: number; month: number };
}

/** Result rows of the search page: the voucher it links to and the amount shown. */
function results(html: string): { href: string; fen: bigint }[] {
  const table = /<table id="results"[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
  return [...table.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)]
    .map((m) => m[1]!)
    .filter((row) => row.includes('<td'))
    .map((row) => ({
      href: /href="([^"]+)"/.exec(row)![1]!,
      fen: fenOfYuanText(/[+−]([¥\d,.]+)/.exec(text(row))![1]!),
    }));
}

describe('village search', () => {
  let payee: string;
  let hits: Hit[];
  beforeAll(async () => {
    // A payee of 付村 paid in more than one month (not a person, so the name is whole), picked from the API's own data.
    const res = await t.api.query<{ village: { lines: { nodes: Hit[] } } }>(
      `{ village(slug: "fucun") { lines(first: 100, kind: SPENDING, orderBy: AMOUNT_DESC) {
          nodes { date amount { fen } counterparty { name isPerson } voucherNumber voucher { year month } } } } }`,
    );
    const byName = new Map<string, Set<string>>();
    for (const n of res.data!.village.lines.nodes) {
      const name = n.counterparty?.name;
      if (!name || name.includes('*')) continue;
      byName.set(name, (byName.get(name) ?? new Set()).add(`${n.voucher.year}-${n.voucher.month}`));
    }
    payee = [...byName.entries()].sort((a, b) => b[1].size - a[1].size)[0]![0];
    const all = await t.api.query<{ village: { lines: { nodes: Hit[] } } }>(
      `query ($q: String!) { village(slug: "fucun") { lines(search: $q, first: 100, orderBy: DATE_DESC) {
          nodes { kind date amount { fen } counterparty { name } voucherNumber voucher { year month } } } } }`,
      { q: payee },
    );
    hits = all.data!.village.lines.nodes;
  });

  it('finds a demo payee across months, each result linking to its voucher', async () => {
    const page = await get(`/v/fucun/search?q=${encodeURIComponent(payee)}&n=100`);

    expect(page.status).toBe(200);
    expect(new Set(hits.map((h) => `${h.voucher.year}-${h.voucher.month}`)).size).toBeGreaterThan(1);
    const shown = results(page.html);
    expect(shown.map((r) => r.href)).toEqual(
      hits.map((h) => `/v/fucun/${h.voucher.year}-${String(h.voucher.month).padStart(2, '0')}/${h.voucherNumber}`),
    );
    expect(text(page.html)).toContain(`找到 ${hits.length} 笔`);
    // A result's link opens the voucher.
    const voucher = await get(shown[0]!.href);
    expect(voucher.status).toBe(200);
    expect(text(voucher.html)).toContain(payee);
    expect(page.html).not.toMatch(/<script/i);
    expect(gzipSync(page.bytes).length).toBeLessThanOrEqual(40 * 1024);
  });

  it('filters by year and by amount', async () => {
    const year = hits[0]!.voucher.year;
    const amounts = hits.map((h) => BigInt(h.amount.fen)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const min = amounts[Math.floor(amounts.length / 2)]!;
    const minYuan = `${min / 100n}.${String(min % 100n).padStart(2, '0')}`;

    const inYear = results((await get(`/v/fucun/search?q=${encodeURIComponent(payee)}&year=${year}&n=100`)).html);
    const atLeast = results((await get(`/v/fucun/search?q=${encodeURIComponent(payee)}&min=${minYuan}&n=100`)).html);
    const atMost = results((await get(`/v/fucun/search?q=${encodeURIComponent(payee)}&max=${minYuan}&n=100`)).html);

    expect(inYear.length).toBe(hits.filter((h) => h.voucher.year === year).length);
    expect(inYear.every((r) => r.href.startsWith(`/v/fucun/${year}-`))).toBe(true);
    expect(atLeast.length).toBe(amounts.filter((a) => a >= min).length);
    expect(atLeast.every((r) => r.fen >= min)).toBe(true);
    expect(atMost.length).toBe(amounts.filter((a) => a <= min).length);
    expect(atMost.every((r) => r.fen <= min)).toBe(true);
    // Spending only: every amount shown with its minus sign.
    const spending = await get(`/v/fucun/search?q=${encodeURIComponent(payee)}&kind=spending&n=100`);
    expect(results(spending.html)).toHaveLength(hits.filter((h) => h.kind === 'SPENDING').length);
    const income = await get(`/v/fucun/search?q=${encodeURIComponent(payee)}&kind=income&n=100`);
    expect(results(income.html)).toHaveLength(hits.filter((h) => h.kind === 'INCOME').length);
    expect(hits.filter((h) => h.kind === 'SPENDING').length).toBeGreaterThan(0);
  });

  it('goes to the next page of results, with a way back to the first; without a condition, the newest only', async () => {
    const first = await get('/v/fucun/search?kind=spending&n=100');
    // Astro writes & in an attribute as &#38;.
    const next = /href="(\/v\/fucun\/search\?kind=spending&#38;n=100&#38;after=[^"]+)"[^>]*>下一页/
      .exec(first.html)?.[1]
      ?.replace(/&#38;/g, '&');
    const plain = await get('/v/fucun/search');

    expect(next).toBeDefined();
    const second = await get(next!);
    expect(second.status).toBe(200);
    expect(results(second.html)).toHaveLength(100);
    expect(second.html).toContain('回到第一页');
    expect(results(plain.html)).toHaveLength(30);
    expect(plain.html).not.toContain('下一页');
  });

  it('shows people as the month page does: masked, never the full name, not found by it', async () => {
    const person = personNames[0]!;
    const bySurname = await get(`/v/fucun/search?q=${encodeURIComponent(person.slice(0, 1))}&n=100`);
    const byFullName = await get(`/v/fucun/search?q=${encodeURIComponent(person)}`);

    expect(bySurname.status).toBe(200);
    expectNoFullName(bySurname.html);
    expect(text(bySurname.html)).toMatch(new RegExp(`${person.slice(0, 1)}\\*`));
    // The form keeps what was typed (the visitor's own words); the results never have it.
    expect(results(byFullName.html)).toHaveLength(0);
    expect(text(byFullName.html)).toContain('没有找到符合条件的收支');
  });

  it.each([
    ['year=abcd', '年份'],
    ['year=1999', '年份'],
    ['year=20255', '年份'],
    [`q=${encodeURIComponent('路'.repeat(101))}`, '最多 100 个字'],
    ['min=12abc', '金额'],
    ['max=1e5', '金额'],
    ['min=500&max=100', '最少金额不能大于最多金额'],
    ['n=100000', '每页条数'],
    ['kind=everything', '收支'],
    ['after=not-a-cursor', ''],
  ])('answers ?%s with 400 and a Chinese message', async (query, words) => {
    const res = await get(`/v/fucun/search?${query}`);

    expect(res.status).toBe(400);
    expect(text(res.html)).toContain('查找条件有误');
    expect(text(res.html)).toContain(words);
    expect(res.html).toContain('<form');
  });

  it('puts a search form on the village page, right after its heading', async () => {
    const page = await get('/v/fucun');
    const afterH1 = page.html.slice(page.html.indexOf('</h1>'));

    expect(afterH1.indexOf('action="/v/fucun/search"')).toBeGreaterThan(0);
    expect(afterH1.indexOf('action="/v/fucun/search"')).toBeLessThan(afterH1.indexOf('<h2'));
    expect(page.html).toContain(`href="/v/fucun/${latest.year}/print"`);
  });
});

describe('yearly summary', () => {
  it('adds up the year on one printable page: balances, income and spending as the API has them', async () => {
    const year = latest.year - 1; // a whole year
    const res = await t.api.query<{
      village: {
        dec: { yearToDate: { income: { yuan: string }; spending: { yuan: string } }; closingBalance: { yuan: string } };
      };
    }>(
      `query ($y: Int!) { village(slug: "fucun") { dec: statement(year: $y, month: 12) {
          yearToDate { income { yuan } spending { yuan } } closingBalance { yuan } } } }`,
      { y: year },
    );
    const dec = res.data!.village.dec;
    const page = await get(`/v/fucun/${year}/print`);
    const words = text(page.html);

    expect(page.status).toBe(200);
    expect(words).toContain(`${year}年财务收支汇总`);
    expect(words).toContain(`全年收入 +${yuanText(dec.yearToDate.income.yuan)}`);
    expect(words).toContain(`全年支出 −${yuanText(dec.yearToDate.spending.yuan)}`);
    expect(words).toContain(`12月末余额 ${yuanText(dec.closingBalance.yuan)}`);
    expect(page.html).toContain('@page');
    expect(page.html).not.toMatch(/<script/i);
    expect(gzipSync(page.bytes).length).toBeLessThanOrEqual(40 * 1024);
    expectNoFullName(page.html);
  });

  it('answers a bad year with 400 in Chinese, and a year with nothing published with 404', async () => {
    for (const path of ['/v/fucun/1999/print', '/v/fucun/20255/print', '/v/fucun/0/print']) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(text(res.html)).toContain('年份应为');
    }
    const empty = await get('/v/fucun/2090/print');
    expect(empty.status).toBe(404);
    expect(text(empty.html)).toContain('没有找到');
    expect((await get(`/v/fucun/${ym}/print`)).status).toBe(200); // the month's sheet is still the month's
  });
});
