// What the suite asks for: the portal's own query texts, over a deterministic spread of villages and months.
import type { Sql } from 'postgres';
import { MonthPage, VillagePage } from '../../portal/src/lib/queries.ts';

export interface MonthRef {
  slug: string;
  villageId: number;
  year: number;
  month: number;
  revision: number;
  lineCount: number;
}

/**
 * Up to `n` published months (current revision), ordered by a hash of village code and month so that consecutive
 * requests hit different villages and months all over the table. Months of more than 5,000 lines are left out here:
 * the few 50,000-line months are measured on their own (see `extremes`).
 */
export async function sampleMonths(sql: Sql, n: number): Promise<MonthRef[]> {
  const rows = await sql<MonthRef[]>`
    select v.slug, v.id as "villageId", p.year, p.month, p.revision, p.line_count as "lineCount"
      from periods p join villages v on v.id = p.village_id
     where p.status = 'published' and p.line_count <= 5000
       and p.revision = (select max(q.revision) from periods q where q.village_id = p.village_id and q.year = p.year
                           and q.month = p.month and q.status = 'published')
     order by md5(v.code || ':' || p.year || ':' || p.month)
     limit ${n}`;
  if (rows.length === 0) throw new Error('the database has no published month: load it with `pnpm bench:data`');
  return rows;
}

/** The month with the fewest lines and the one with the most (the 50,000-line months at tianjin scale). */
export async function extremes(sql: Sql): Promise<{ small: MonthRef; large: MonthRef }> {
  const pick = (order: 'asc' | 'desc') => sql<MonthRef[]>`
    select v.slug, v.id as "villageId", p.year, p.month, p.revision, p.line_count as "lineCount"
      from periods p join villages v on v.id = p.village_id
     where p.status = 'published'
     order by p.line_count ${sql.unsafe(order)}, v.code, p.year, p.month limit 1`;
  const [[small], [large]] = await Promise.all([pick('asc'), pick('desc')]);
  return { small: small!, large: large! };
}

/** The portal's MonthPage request for a month, with the variables the page sends without filters. */
export function monthPageBody(m: MonthRef): string {
  return JSON.stringify({
    query: MonthPage,
    variables: { slug: m.slug, year: m.year, month: m.month, orderBy: 'DATE_ASC', first: 50 },
  });
}

export function villagePageBody(slug: string): string {
  return JSON.stringify({ query: VillagePage, variables: { slug } });
}

export const isGraphQLError = (body: string): boolean => !body.startsWith('{"data"') || body.includes('"errors"');

export const ym = (m: { year: number; month: number }) => `${m.year}-${String(m.month).padStart(2, '0')}`;
