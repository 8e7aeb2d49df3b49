// The floor: the data the month page and the village page show, read by hand-written SQL through postgres.js in
// this process, with no GraphQL, no HTTP and no JSON. What the API costs above this is the price of the API.
import type { Sql } from 'postgres';
import type { MonthRef } from './workload.ts';

interface RollupRow {
  year: number;
  month: number;
  account_code: string;
  class: string;
  name: string;
  top_name: string;
  opening_fen: string;
  debit_fen: string;
  credit_fen: string;
  closing_fen: string;
}

const CASH = new Set(['101', '102']);

function totals(rows: RollupRow[]) {
  let opening = 0n;
  let closing = 0n;
  let income = 0n;
  let spending = 0n;
  const byCategory = new Map<string, { name: string; kind: string; fen: bigint }>();
  for (const r of rows) {
    const top = r.account_code.slice(0, 3);
    if (CASH.has(top)) {
      opening += BigInt(r.opening_fen);
      closing += BigInt(r.closing_fen);
    } else if (r.class === 'income' || r.class === 'expense') {
      const fen = BigInt(r.class === 'income' ? r.credit_fen : r.debit_fen);
      if (r.class === 'income') income += fen;
      else spending += fen;
      const c = byCategory.get(top) ?? { name: r.top_name, kind: r.class, fen: 0n };
      c.fen += fen;
      byCategory.set(top, c);
    }
  }
  return { opening, closing, income, spending, byCategory: [...byCategory.entries()] };
}

/**
 * The month page in three statements: the village with its town, district and the month's revisions; the rollups of
 * the month, the month before and January to the month (current revisions); the first 50 payments and receipts in
 * date order with their account, counterparty (or the voucher's), payment method and kind, and their total count.
 */
export async function monthPageFloor(sql: Sql, m: MonthRef) {
  const [village] = await sql`
    select vi.id, vi.name, t.name as town, t.slug as town_slug, d.name as district, d.slug as district_slug,
           (select json_agg(json_build_object('revision', p.revision, 'reason', p.reason, 'publishedAt', p.published_at,
                                              'digest', p.digest) order by p.revision desc)
              from periods p where p.village_id = vi.id and p.year = ${m.year} and p.month = ${m.month}
                               and p.status = 'published') as revisions
      from villages vi join regions t on t.id = vi.town_id left join regions d on d.id = t.parent_id
     where vi.slug = ${m.slug}`;
  const prev = m.month === 1 ? { year: m.year - 1, month: 12 } : { year: m.year, month: m.month - 1 };
  const rollups = await sql<RollupRow[]>`
    with cur as (
      select distinct on (p.year, p.month) p.village_id, p.year, p.month, p.revision from periods p
       where p.village_id = ${m.villageId} and p.status = 'published'
         and ((p.year = ${m.year} and p.month <= ${m.month}) or (p.year = ${prev.year} and p.month = ${prev.month}))
       order by p.year, p.month, p.revision desc)
    select r.year, r.month, r.account_code, a.class, coalesce(va.name, a.name) as name, a.name as top_name,
           r.opening_fen::text, r.debit_fen::text, r.credit_fen::text, r.closing_fen::text
      from cur join statement_rollups r using (village_id, year, month, revision)
      join accounts a on a.standard = r.standard and a.code = left(r.account_code, 3)
      left join village_accounts va on va.village_id = r.village_id and va.standard = r.standard
                                   and va.code = r.account_code`;
  const lines = await sql`
    with v as (
      select id, number, date, summary_public from vouchers
       where village_id = ${m.villageId} and year = ${m.year} and month = ${m.month} and revision = ${m.revision}),
    vf as (
      select l.voucher_id, bool_or(a.class in ('income', 'expense')) as has_flow,
             bool_or(left(l.account_code, 3) in ('101', '102')) as has_cash,
             (array_agg(l.counterparty_public order by l.line_no) filter (where l.counterparty_public is not null))[1]
               as counterparty,
             (array_agg(l.payment_method order by l.line_no) filter (where l.payment_method is not null))[1] as method
        from v join voucher_lines l on l.village_id = ${m.villageId} and l.voucher_id = v.id
        join accounts a on a.standard = l.standard and a.code = left(l.account_code, 3)
       group by l.voucher_id),
    f as (
      select v.number, v.date::text, v.summary_public, l.line_no, l.account_code, coalesce(va.name, a.name) as name,
             a.name as category, l.amount_fen::text, coalesce(l.counterparty_public, vf.counterparty) as counterparty,
             l.counterparty_is_person, coalesce(l.payment_method, vf.method, 'transfer') as method,
             case when a.class = 'income' and l.side = 'credit' then 'income'
                  when a.class = 'expense' and l.side = 'debit' then 'spending'
                  when a.class not in ('income', 'expense') and left(l.account_code, 3) not in ('101', '102')
                       and not vf.has_flow and vf.has_cash
                    then case when l.side = 'debit' then 'other_payment' else 'other_receipt' end end as kind
        from v join voucher_lines l on l.village_id = ${m.villageId} and l.voucher_id = v.id
        join vf on vf.voucher_id = v.id
        join accounts a on a.standard = l.standard and a.code = left(l.account_code, 3)
        left join village_accounts va on va.village_id = l.village_id and va.standard = l.standard
                                     and va.code = l.account_code)
    select *, count(*) over ()::int as total from f where kind is not null
     order by date, number, line_no limit 50`;
  const month = rollups.filter((r) => r.year === m.year && r.month === m.month);
  const previous = rollups.filter((r) => r.year === prev.year && r.month === prev.month);
  const ytd = rollups.filter((r) => r.year === m.year);
  return {
    village,
    statement: totals(month),
    previousMonth: totals(previous),
    yearToDate: totals(ytd),
    totalCount: lines[0]?.total ?? 0,
    lines,
  };
}

/**
 * The village page in three statements: the village; its latest month's categories; every published month (current
 * revision, newest first, up to 100) with its income, spending and closing balance from the rollups.
 */
export async function villagePageFloor(sql: Sql, slug: string) {
  const [village] = await sql`
    select vi.id, vi.name, vi.kind, vi.code, t.name as town, t.slug as town_slug, d.name as district,
           d.slug as district_slug
      from villages vi join regions t on t.id = vi.town_id left join regions d on d.id = t.parent_id
     where vi.slug = ${slug}`;
  if (!village) throw new Error(`no village ${slug}`);
  const months = await sql`
    with cur as (
      select distinct on (p.year, p.month) p.village_id, p.year, p.month, p.revision, p.published_at from periods p
       where p.village_id = ${village.id} and p.status = 'published'
       order by p.year desc, p.month desc, p.revision desc
       limit 100)
    select cur.year, cur.month, cur.revision, cur.published_at,
           sum(case when a.class = 'income' then r.credit_fen else 0 end)::text as income,
           sum(case when a.class = 'expense' then r.debit_fen else 0 end)::text as spending,
           sum(case when left(r.account_code, 3) in ('101', '102') then r.closing_fen else 0 end)::text as closing
      from cur join statement_rollups r using (village_id, year, month, revision)
      join accounts a on a.standard = r.standard and a.code = left(r.account_code, 3)
     group by cur.year, cur.month, cur.revision, cur.published_at
     order by cur.year desc, cur.month desc`;
  const latest = months[0];
  const categories = latest
    ? await sql<RollupRow[]>`
        select r.year, r.month, r.account_code, a.class, a.name, a.name as top_name, r.opening_fen::text,
               r.debit_fen::text, r.credit_fen::text, r.closing_fen::text
          from statement_rollups r join accounts a on a.standard = r.standard and a.code = left(r.account_code, 3)
         where r.village_id = ${village.id} and r.year = ${latest.year} and r.month = ${latest.month}
           and r.revision = ${latest.revision}`
    : [];
  return { village, latest: totals(categories), months };
}
