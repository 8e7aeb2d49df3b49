// Incremental sync: a mirror reads the publication feed page by page and later fetches only what changed.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows, type Db } from '@mingbai/db/client';
import { postVouchers } from '@mingbai/db/ledger/post';
import { openPeriod } from '@mingbai/db/ledger/periods';
import { publishPeriod } from '@mingbai/db/ledger/publish';
import { useTestApi } from '../support/api.ts';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';

const t = useTestApi();

interface FeedNode {
  id: string;
  year: number;
  month: number;
  revision: number;
  isCurrent: boolean;
  publishedAt: string;
  village: { slug: string };
}
interface FeedPage {
  statements: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
    nodes: FeedNode[];
  };
}

const FEED = `query ($since: DateTime, $region: String, $year: Int, $month: Int, $first: Int, $after: String,
                     $last: Int, $before: String) {
  statements(publishedSince: $since, regionSlug: $region, year: $year, month: $month, first: $first, after: $after,
             last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { id year month revision isCurrent publishedAt village { slug } }
  }
}`;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A moment strictly between what was published before and what is published after (published_at is in ms). */
async function aMoment(): Promise<Date> {
  await pause(5);
  const moment = new Date();
  await pause(5);
  return moment;
}

/** An office expense: 51301 in the 2023 chart, 54101 in the 2004 one (months before 2024). */
function spend(number: number, date: string, yuan: number) {
  const office = date < '2024' ? '54101' : '51301';
  return aVoucher(
    number,
    date,
    `支出${number}`,
    debit(office, yuan * 100, { accountName: '办公费' }),
    credit('102', yuan * 100),
  );
}

/** Publishes revision N+1 of a published month with one more voucher, as a committee's correction would. */
async function aCorrection(db: Db, villageId: number, year: number, month: number, reason: string, number: number) {
  await db.transaction(async (tx) => {
    const { revision } = await openPeriod(tx, { villageId, year, month, actor: 'test', reason });
    const date = `${year}-${String(month).padStart(2, '0')}-20`;
    await postVouchers(tx, { villageId, year, month, revision, actor: 'test', vouchers: [spend(number, date, 10)] });
    await publishPeriod(tx, { villageId, year, month, actor: 'test-director' });
  });
}

const label = (n: { village: { slug: string }; year: number; month: number; revision: number }) =>
  `${n.village.slug} ${n.year}-${n.month} r${n.revision}`;

/** What the database says was published in the district at or after `since`, in feed order. */
async function publishedInDistrict(db: Db, districtSlug: string, since?: Date): Promise<string[]> {
  const rows = await queryRows<{ slug: string; year: number; month: number; revision: number }>(
    db,
    sql`select v.slug, p.year, p.month, p.revision
          from periods p
          join villages v on v.id = p.village_id
          join regions t on t.id = v.town_id
          join regions d on d.id = t.parent_id
         where d.slug = ${districtSlug} and p.status = 'published'
           and (${since?.toISOString() ?? null}::timestamptz is null or p.published_at >= ${since?.toISOString() ?? null}::timestamptz)
         order by p.published_at, p.village_id, p.year, p.month, p.revision`,
  );
  return rows.map((r) => label({ village: { slug: r.slug }, ...r }));
}

async function districtOf(slug: string): Promise<string> {
  const res = await t.api.query<{ village: { district: { slug: string } } }>(
    `query ($slug: String!) { village(slug: $slug) { district { slug } } }`,
    { slug },
  );
  return res.data!.village.district.slug;
}

describe('publishedSince', () => {
  it('returns exactly the months and corrections published at or after the moment, on every list', async () => {
    // Setup: three villages with published months, then a moment, then a new month, a correction and a new village.
    const db = t.handle.db;
    const a = await aVillage(db, '同步甲村');
    const b = await aVillage(db, '同步乙村');
    const c = await aVillage(db, '同步丙村');
    const district = await districtOf(a.slug);
    await aMonth(db, a.id, 2025, 1, [spend(1, '2025-01-05', 100)]);
    await aMonth(db, a.id, 2025, 2, [spend(1, '2025-02-05', 200)]);
    await aMonth(db, b.id, 2025, 1, [spend(1, '2025-01-06', 300)]);
    await aMonth(db, c.id, 2025, 1, [spend(1, '2025-01-07', 400)]);
    const since = await aMoment();
    await aMonth(db, a.id, 2025, 3, [spend(1, '2025-03-05', 500)]);
    await aCorrection(db, b.id, 2025, 1, '补记漏记的一笔办公费', 2);
    const d = await aVillage(db, '同步丁村');
    await aMonth(db, d.id, 2025, 1, [spend(1, '2025-01-08', 600)]);
    await aMonth(db, c.id, 2025, 2, [spend(1, '2025-02-09', 700)], { publish: false }); // open: never public

    // Action
    const feed = await t.api.query<FeedPage>(FEED, { since: since.toISOString(), region: district, first: 100 });
    const villages = await t.api.query<{ villages: { totalCount: number; nodes: { slug: string }[] } }>(
      `query ($since: DateTime, $region: String) {
         villages(publishedSince: $since, regionSlug: $region, first: 100) { totalCount nodes { slug } } }`,
      { since: since.toISOString(), region: district },
    );
    const periods = await t.api.query<Record<string, { periods: { totalCount: number; nodes: PeriodNode[] } }>>(
      `query ($since: DateTime) {
         a: village(slug: "${a.slug}") { periods(publishedSince: $since) { totalCount nodes { year month revision } } }
         b: village(slug: "${b.slug}") { periods(publishedSince: $since) { totalCount nodes { year month revision } } }
         c: village(slug: "${c.slug}") { periods(publishedSince: $since) { totalCount nodes { year month revision } } }
         d: village(slug: "${d.slug}") { periods(publishedSince: $since) { totalCount nodes { year month revision } } }
       }`,
      { since: since.toISOString() },
    );

    // Assertions: nothing missing, nothing extra, in publication order, agreeing with the database.
    expect(feed.errors).toBeUndefined();
    const changed = [`${a.slug} 2025-3 r1`, `${b.slug} 2025-1 r2`, `${d.slug} 2025-1 r1`];
    expect(feed.data!.statements.nodes.map(label)).toEqual(changed);
    expect(await publishedInDistrict(db, district, since)).toEqual(changed);
    expect(feed.data!.statements.totalCount).toBe(3);
    expect(feed.data!.statements.nodes.every((n) => n.isCurrent)).toBe(true);
    expect(feed.data!.statements.nodes.every((n) => new Date(n.publishedAt) >= since)).toBe(true);

    expect(villages.errors).toBeUndefined();
    expect(villages.data!.villages.nodes.map((v) => v.slug).sort()).toEqual([a.slug, b.slug, d.slug].sort());
    expect(villages.data!.villages.totalCount).toBe(3);

    expect(periods.errors).toBeUndefined();
    const months = (k: string) => periods.data![k]!.periods.nodes.map((p) => `${p.year}-${p.month} r${p.revision}`);
    expect(months('a')).toEqual(['2025-3 r1']);
    expect(months('b')).toEqual(['2025-1 r2']);
    expect(months('c')).toEqual([]);
    expect(periods.data!.c!.periods.totalCount).toBe(0);
    expect(months('d')).toEqual(['2025-1 r1']);
  });

  it('is inclusive: a publication at exactly publishedSince is returned, and superseded revisions stay in the feed', async () => {
    const db = t.handle.db;
    const v = await aVillage(db, '同步戊村');
    await aMonth(db, v.id, 2025, 4, [spend(1, '2025-04-05', 100)]);
    const first = await t.api.query<FeedPage>(FEED, { region: await districtOf(v.slug), year: 2025, month: 4 });
    const mine = first.data!.statements.nodes.filter((n) => n.village.slug === v.slug);
    expect(mine).toHaveLength(1);
    await aCorrection(db, v.id, 2025, 4, '更正金额', 2);

    const again = await t.api.query<FeedPage>(FEED, {
      since: mine[0]!.publishedAt,
      region: await districtOf(v.slug),
      year: 2025,
      month: 4,
    });

    expect(again.errors).toBeUndefined();
    const nodes = again.data!.statements.nodes.filter((n) => n.village.slug === v.slug);
    expect(nodes.map((n) => [n.revision, n.isCurrent])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(nodes[0]!.id).toBe(mine[0]!.id);
  });

  it('rejects a publishedSince that is not a date-time', async () => {
    const res = await t.api.query(FEED, { since: 'yesterday' });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

interface PeriodNode {
  year: number;
  month: number;
  revision: number;
}

describe('paging the feed', () => {
  it('pages forward, resumes after publications made meanwhile, and sees every publication exactly once', async () => {
    // Setup: eleven publications in the district, after the other tests' ones.
    const db = t.handle.db;
    const since = await aMoment();
    const villages = [await aVillage(db, '分页甲村'), await aVillage(db, '分页乙村')];
    const district = await districtOf(villages[0]!.slug);
    for (let month = 1; month <= 5; month += 1) {
      for (const v of villages) await aMonth(db, v.id, 2024, month, [spend(1, `2024-0${month}-05`, month)]);
    }
    await aCorrection(db, villages[0]!.id, 2024, 2, '补记', 2);

    // Action 1: a mirror reads the whole feed three at a time.
    const seen: FeedNode[] = [];
    let after: string | null = null;
    let pages = 0;
    let info: FeedPage['statements']['pageInfo'];
    do {
      const res: Awaited<ReturnType<typeof t.api.query<FeedPage>>> = await t.api.query<FeedPage>(FEED, {
        region: district,
        since,
        first: 3,
        after,
      });
      expect(res.errors).toBeUndefined();
      info = res.data!.statements.pageInfo;
      expect(info.hasPreviousPage).toBe(after !== null);
      seen.push(...res.data!.statements.nodes);
      after = info.endCursor;
      pages += 1;
      if (pages === 2) {
        // Published while the mirror is between pages: must appear once, at the end, and shift nothing.
        await aMonth(db, villages[1]!.id, 2024, 6, [spend(1, '2024-06-05', 6)]);
      }
    } while (info.hasNextPage);

    // Assertions 1
    const all = await publishedInDistrict(db, district, since);
    expect(all).toHaveLength(12);
    expect(seen.map(label)).toEqual(all);
    expect(new Set(seen.map((n) => n.id)).size).toBe(12);

    // Action 2: later, two more publications; the mirror resumes from its last cursor and, as documented, with
    // publishedSince = the last publishedAt it saw (which returns that publication again).
    await aMonth(db, villages[0]!.id, 2024, 6, [spend(1, '2024-06-06', 6)]);
    await aCorrection(db, villages[1]!.id, 2024, 1, '补记', 2);
    const byCursor = await t.api.query<FeedPage>(FEED, { region: district, since, first: 100, after });
    const bySince = await t.api.query<FeedPage>(FEED, {
      region: district,
      first: 100,
      since: seen[seen.length - 1]!.publishedAt,
    });

    // Assertions 2
    const now = await publishedInDistrict(db, district, since);
    expect(byCursor.data!.statements.nodes.map(label)).toEqual(now.slice(12));
    expect(bySince.data!.statements.nodes.map(label)).toEqual(now.slice(11));
    const mirror = new Map([...seen, ...bySince.data!.statements.nodes].map((n) => [n.id, n]));
    expect([...mirror.values()].map(label)).toEqual(now);
  });

  it('pages backward with last/before to the same list, with pageInfo true to both directions', async () => {
    const db = t.handle.db;
    const v = await aVillage(db, '倒序村');
    const district = await districtOf(v.slug);
    for (let month = 1; month <= 5; month += 1) await aMonth(db, v.id, 2023, month, [spend(1, `2023-0${month}-05`, 1)]);
    const forward = await t.api.query<FeedPage>(FEED, { region: district, first: 100 });
    const everything = forward.data!.statements.nodes.map((n) => n.id);

    const backward: string[] = [];
    let before: string | null = null;
    for (;;) {
      const res: Awaited<ReturnType<typeof t.api.query<FeedPage>>> = await t.api.query<FeedPage>(FEED, {
        region: district,
        last: 2,
        before,
      });
      expect(res.errors).toBeUndefined();
      const page = res.data!.statements;
      expect(page.nodes.length).toBeLessThanOrEqual(2);
      expect(page.pageInfo.hasNextPage).toBe(before !== null);
      backward.unshift(...page.nodes.map((n) => n.id));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }

    expect(backward).toEqual(everything);
  });

  it('keeps its SQL statements constant however long the page', async () => {
    const small = await t.api.query<FeedPage>(FEED, { first: 2 });
    const large = await t.api.query<FeedPage>(FEED, { first: 100 });
    expect(small.errors).toBeUndefined();
    expect(large.data!.statements.nodes.length).toBeGreaterThan(2);
    expect(large.extensions?.sql?.statements).toBe(small.extensions?.sql?.statements);
    // The page, the count, every revision of the listed months, the villages.
    expect(large.extensions?.sql?.statements).toBeLessThanOrEqual(4);
  });

  it('refuses a cursor it did not make', async () => {
    const res = await t.api.query(FEED, { after: Buffer.from('c1:3').toString('base64url') });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
