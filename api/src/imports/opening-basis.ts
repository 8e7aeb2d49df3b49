// Where an upload's preview starts the month's money from. Publishing starts a month from the month before's published
// closing (or the books' 期初余额 in the first month, db/src/ledger/publish.ts `openingFor`), and refuses to publish a
// month before the one ahead of it. An upload comes earlier: the month before may still be open or under review, or
// not uploaded at all. The preview then starts from the last balance that is certain (a published closing, or the
// books' opening) and adds the cash and bank movement of each month between as it stands now, and says so.
import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '@mingbai/db/client';
import { isCashAccountSql } from '@mingbai/db/ledger/flows';

export interface YearMonth {
  year: number;
  month: number;
}

/** A month between the certain balance and the uploaded month, not published: its movement is added as it stands. */
export interface PendingMonth extends YearMonth {
  /** open / submitted: its newest revision; missing: nothing uploaded yet (counted as no movement). */
  status: 'open' | 'submitted' | 'missing';
  cashMovementFen: bigint;
}

export interface OpeningBasis {
  /**
   * published: last month's published closing · books: the books' 期初余额 for this very month · unpublished: a
   * certain balance plus months not yet published · none: nothing to start from (0).
   */
  kind: 'published' | 'books' | 'unpublished' | 'none';
  /** The month whose published closing (or whose books' opening) the balance starts from. */
  from: (YearMonth & { source: 'published' | 'books' }) | null;
  pending: PendingMonth[];
  openingFen: bigint;
  /** The same in a sentence for the committee. */
  description: string;
}

/** Months between a start and an end a village may hold: a gap this long means the books were restarted. */
const MAX_PENDING_MONTHS = 120;

const index = (m: YearMonth) => m.year * 12 + (m.month - 1);
const fromIndex = (i: number): YearMonth => ({ year: Math.floor(i / 12), month: (i % 12) + 1 });
const label = (m: YearMonth) => `${m.year}年${m.month}月`;
const STATUS_WORDS = { open: '正在录入', submitted: '已提交审核' } as const;

/** Cash + bank at the start of `key`'s month, and what that figure rests on. Three statements. */
export async function openingBasis(db: DbOrTx, key: { villageId: number } & YearMonth): Promise<OpeningBasis> {
  const [start] = await queryRows<{
    pub_year: number | null;
    pub_month: number | null;
    pub_fen: string | null;
    books_year: number | null;
    books_month: number | null;
    books_fen: string | null;
  }>(
    db,
    sql`with pub as (
          select p.year, p.month, max(p.revision) as revision from periods p
           where p.village_id = ${key.villageId} and p.status = 'published'
             and (p.year, p.month) < (${key.year}, ${key.month})
           group by p.year, p.month order by p.year desc, p.month desc limit 1
        ), books as (
          select o.year, o.month from opening_balances o
           where o.village_id = ${key.villageId} and (o.year, o.month) <= (${key.year}, ${key.month})
           order by o.year desc, o.month desc limit 1
        )
        select (select year from pub) as pub_year, (select month from pub) as pub_month,
               (select coalesce(sum(r.closing_fen), 0) from statement_rollups r, pub
                 where r.village_id = ${key.villageId} and r.year = pub.year and r.month = pub.month
                   and r.revision = pub.revision and ${sql.raw(isCashAccountSql('r.account_code'))})::text as pub_fen,
               (select year from books) as books_year, (select month from books) as books_month,
               (select coalesce(sum(o.balance_fen), 0) from opening_balances o, books
                 where o.village_id = ${key.villageId} and o.year = books.year and o.month = books.month
                   and ${sql.raw(isCashAccountSql('o.account_code'))})::text as books_fen`,
  );
  const target = index(key);
  const published =
    start?.pub_year != null && start.pub_month != null
      ? { year: start.pub_year, month: start.pub_month, fen: BigInt(start.pub_fen ?? '0') }
      : null;
  const books =
    start?.books_year != null && start.books_month != null
      ? { year: start.books_year, month: start.books_month, fen: BigInt(start.books_fen ?? '0') }
      : null;
  // As publishing does: last month's published closing when there is one; else the later of the two (books entered
  // after a published month restart the village's money).
  let from: OpeningBasis['from'] = null;
  let base = 0n;
  let firstPending = target;
  if (published && (!books || index(books) <= index(published) || index(published) === target - 1)) {
    from = { year: published.year, month: published.month, source: 'published' };
    base = published.fen;
    firstPending = index(published) + 1;
  } else if (books) {
    from = { year: books.year, month: books.month, source: 'books' };
    base = books.fen;
    firstPending = index(books);
  }
  if (target - firstPending > MAX_PENDING_MONTHS) firstPending = target - MAX_PENDING_MONTHS;

  const pending: PendingMonth[] = [];
  if (firstPending < target) {
    const first = fromIndex(firstPending);
    const rows = await queryRows<{ year: number; month: number; status: 'open' | 'submitted'; fen: string }>(
      db,
      sql`with latest as (
            select distinct on (p.year, p.month) p.year, p.month, p.revision, p.status from periods p
             where p.village_id = ${key.villageId}
               and (p.year, p.month) >= (${first.year}, ${first.month}) and (p.year, p.month) < (${key.year}, ${key.month})
             order by p.year, p.month, p.revision desc
          )
          select latest.year, latest.month, latest.status,
                 coalesce((select sum(case when l.side = 'debit' then l.amount_fen else -l.amount_fen end)
                             from vouchers v join voucher_lines l on l.village_id = v.village_id and l.voucher_id = v.id
                            where v.village_id = ${key.villageId} and v.year = latest.year and v.month = latest.month
                              and v.revision = latest.revision and ${sql.raw(isCashAccountSql('l.account_code'))}), 0)::text as fen
            from latest where latest.status <> 'published'`,
    );
    const byMonth = new Map(rows.map((r) => [index(r), r]));
    for (let i = firstPending; i < target; i++) {
      const row = byMonth.get(i);
      pending.push({ ...fromIndex(i), status: row?.status ?? 'missing', cashMovementFen: BigInt(row?.fen ?? '0') });
    }
  }
  const openingFen = pending.reduce((sum, m) => sum + m.cashMovementFen, base);
  const kind: OpeningBasis['kind'] =
    pending.length > 0 ? 'unpublished' : from?.source === 'published' ? 'published' : from ? 'books' : 'none';
  return { kind, from, pending, openingFen, description: describe(key, from, pending) };
}

function describe(key: YearMonth, from: OpeningBasis['from'], pending: PendingMonth[]): string {
  const start =
    from === null
      ? '本村还没有录入期初余额，也没有公开过的月份，月初余额按 0 起算'
      : from.source === 'published'
        ? `从${label(from)}公开的月末余额起算`
        : `从建账时录入的${label(from)}期初余额起算`;
  if (pending.length === 0) return `${start}。`;
  const uploaded = pending.filter((m) => m.status !== 'missing');
  const missing = pending.filter((m) => m.status === 'missing');
  const parts = [start];
  if (uploaded.length > 0) {
    parts.push(
      `加上尚未公开的${uploaded.map((m) => `${label(m)}（${STATUS_WORDS[m.status as 'open' | 'submitted']}）`).join('、')}账上现金和银行存款的变动`,
    );
  }
  if (missing.length > 0) parts.push(`${missing.map(label).join('、')}还没有上传，按没有收支计算`);
  const last = pending[pending.length - 1]!;
  return (
    `${parts.join('，')}。${label(last)}公开后，${label(key)}的月初余额以公开的月末余额为准；` +
    `公开${label(key)}之前，须先公开${label(pending[0]!)}${pending.length > 1 ? `到${label(last)}` : ''}。`
  );
}
