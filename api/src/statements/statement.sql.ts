// Every query the statements read: published revisions, rollups, year to date, corrections' changes, the list of a
// village's months and the publication feed. Each builder returns the SQL; its row type and the mapping to the
// objects the service and loaders hand out sit beside it. Raw SQL, because the window functions, row-value IN lists
// and the bundle's `union all` read more clearly as SQL than as a query builder; the row types take their column
// types from the drizzle schema.
import { sql, type SQL } from 'drizzle-orm';
import type { AccountClass } from '@mingbai/db/schema/accounts';
import type { periods } from '@mingbai/db/schema/ledger';
import type { statementChanges } from '@mingbai/db/schema/statements';
import type { Fen } from '@mingbai/db/ledger/money';
import { incomeFenSql, isCashAccountSql, spendingFenSql } from '@mingbai/db/ledger/flows';
import { windowSql, type Window } from '../graphql/relay/connection.ts';
import { anyInt, keysIn, keyTable } from '../sql-helpers.ts';
import { underRegion } from '../villages/village.sql.ts';
import type { MonthKey, RevisionDbKey, RevisionKey } from './period-keys.ts';

type Period = typeof periods.$inferSelect;
type Change = typeof statementChanges.$inferSelect;

// ---------------------------------------------------------------------------------------------------------------
// Periods: a published revision of a month

/** A published revision of a month. Open revisions never leave the database through the public API. */
export interface PeriodRow extends RevisionKey {
  standard: Period['standard'];
  reason: string | null;
  publishedAt: Date;
  digest: string;
  previousDigest: string | null;
  voucherCount: number;
  lineCount: number;
  /** The supervisor's approval the publication rests on; null for months published before reviews existed. */
  approval: { by: string; at: Date; note: string } | null;
  /** The red-flag rules' version the month was judged by (`jingwu-v2`, `builtin-1`); null before rules existed. */
  redFlagRules: string | null;
}

export interface PeriodDbRow extends RevisionDbKey {
  standard: Period['standard'];
  reason: Period['reason'];
  published_at: string | Date;
  digest: string;
  previous_digest: Period['previousDigest'];
  voucher_count: number;
  line_count: number;
  approved_by: Period['approvedBy'];
  approved_at: string | Date | null;
  approval_note: Period['approvalNote'];
  red_flag_rules: Period['redFlagRules'];
}

const PERIOD_COLUMNS = sql.raw(`p.village_id, p.year, p.month, p.revision, p.standard, p.reason, p.published_at,
  p.digest, p.previous_digest, p.voucher_count, p.line_count, p.approved_by, p.approved_at, p.approval_note,
  p.red_flag_rules`);

export function toPeriod(r: PeriodDbRow): PeriodRow {
  return {
    villageId: r.village_id,
    year: r.year,
    month: r.month,
    revision: r.revision,
    standard: r.standard,
    reason: r.reason,
    publishedAt: new Date(r.published_at),
    digest: r.digest,
    previousDigest: r.previous_digest,
    voucherCount: r.voucher_count,
    lineCount: r.line_count,
    approval:
      r.approved_by === null || r.approved_at === null
        ? null
        : { by: r.approved_by, at: new Date(r.approved_at), note: r.approval_note ?? '' },
    redFlagRules: r.red_flag_rules,
  };
}

/** Every published revision of the months, newest first. */
export function publishedRevisionsSql(keys: readonly MonthKey[]): SQL {
  return sql`select ${PERIOD_COLUMNS} from periods p
               where p.status = 'published'
                 and ${keysIn(
                   'p.village_id, p.year, p.month',
                   keys.map((k) => [k.villageId, k.year, k.month]),
                 )}
               order by p.revision desc`;
}

/**
 * The month's published revisions before the current one `alias` names, newest first, as a json array of period rows:
 * with it, a list of months hands `publishedRevisions` every month's revisions and a statement of the list reads no
 * more SQL for them.
 */
function olderRevisionsSql(alias: string): SQL {
  const x = sql.raw(alias);
  return sql`(select coalesce(json_agg(row_to_json(o) order by o.revision desc), '[]'::json) from (
            select ${PERIOD_COLUMNS} from periods p
             where p.village_id = ${x}.village_id and p.year = ${x}.year and p.month = ${x}.month
               and p.status = 'published' and p.revision < ${x}.revision) o)`;
}

/** A period row with the month's earlier published revisions (`olderRevisionsSql`). */
export type PeriodWithOlderDbRow = PeriodDbRow & { older: PeriodDbRow[] };

/** Every published revision of the month of a row read with `olderRevisionsSql`, newest first. */
export const revisionsOf = (r: PeriodWithOlderDbRow): PeriodRow[] => [toPeriod(r), ...r.older.map(toPeriod)];

/** The newest published revision of each village, with the month's earlier revisions. */
export function latestPeriodsSql(villageIds: readonly number[]): SQL {
  return sql`select l.*, ${olderRevisionsSql('l')} as older from (
             select distinct on (p.village_id) ${PERIOD_COLUMNS} from periods p
              where p.status = 'published' and ${anyInt('p.village_id', villageIds)}
              order by p.village_id, p.year desc, p.month desc, p.revision desc) l`;
}

// ---------------------------------------------------------------------------------------------------------------
// Rollups: one row per account of a revision, derived at publishing

export interface RollupRow {
  accountCode: string;
  topCode: string;
  name: string;
  topName: string;
  class: AccountClass;
  openingFen: Fen;
  debitFen: Fen;
  creditFen: Fen;
  closingFen: Fen;
}

export interface RollupDbRow {
  account_code: string;
  top_code: string;
  name: string;
  top_name: string;
  class: AccountClass;
  opening_fen: string;
  debit_fen: string;
  credit_fen: string;
  closing_fen: string;
}

const ROLLUP_COLUMNS = sql.raw(`r.account_code, left(r.account_code, 3) as top_code, coalesce(va.name, a.name) as name,
  a.name as top_name, a.class, r.opening_fen::text, r.debit_fen::text, r.credit_fen::text, r.closing_fen::text`);
// The village's own name of the account, looked up by key for each rollup (lateral): a generic plan (db/src/client.ts,
// DEFAULT_PLAN_CACHE_MODE) cannot know how few rollups a month has, and hashed the whole village_accounts table
// instead (2.7 of the month page statement's 4 ms on the district bench, and growing with every village). `limit 1`
// (the key allows one row anyway) keeps PostgreSQL from pulling the subquery up into a plain join it would hash again.
const ROLLUP_JOINS = sql.raw(`join accounts a on a.standard = r.standard and a.code = left(r.account_code, 3)
  left join lateral (select va.name from village_accounts va where va.village_id = r.village_id
                       and va.standard = r.standard and va.code = r.account_code limit 1) va on true`);

export function toRollup(r: RollupDbRow): RollupRow {
  return {
    accountCode: r.account_code,
    topCode: r.top_code,
    name: r.name,
    topName: r.top_name,
    class: r.class,
    openingFen: BigInt(r.opening_fen),
    debitFen: BigInt(r.debit_fen),
    creditFen: BigInt(r.credit_fen),
    closingFen: BigInt(r.closing_fen),
  };
}

export function rollupsSql(keys: readonly RevisionKey[]): SQL {
  return sql`select r.village_id, r.year, r.month, r.revision, ${ROLLUP_COLUMNS}
                from statement_rollups r ${ROLLUP_JOINS}
               where ${keysIn(
                 'r.village_id, r.year, r.month, r.revision',
                 keys.map((k) => [k.villageId, k.year, k.month, k.revision]),
               )}
               order by r.account_code`;
}

// ---------------------------------------------------------------------------------------------------------------
// Year to date

export interface YearToDateRows {
  rollups: RollupRow[];
  /** Published months from January to the month. */
  months: number;
}

export type YtdDbRow = RollupDbRow & { village_id: number; year: number; until: number; months: number };

/**
 * Movements of the current revision of each published month from January to each month of `keys`, by account:
 * summed by the month's chart and account code first, then named and summed again by what the public sees (a name
 * looked up for each of a year's ~250 rollups was most of its cost: 1.07 → 0.50 ms for a 10-month year on the district bench).
 */
export function yearToDateSql(keys: readonly MonthKey[]): SQL {
  return sql`with wanted(village_id, year, until) as (select * from ${keyTable(
    'w0',
    ['village_id', 'year', 'until'],
    keys.map((k) => [k.villageId, k.year, k.month]),
  )}),
      current as (
        select distinct on (p.village_id, p.year, p.month, w.until) w.until::int as until, p.village_id, p.year, p.month, p.revision
          from wanted w
          join periods p on p.village_id = w.village_id::int and p.year = w.year::int and p.month <= w.until::int
         where p.status = 'published'
         order by p.village_id, p.year, p.month, w.until, p.revision desc
      ),
      counted as (select c.*, count(*) over (partition by c.village_id, c.year, c.until)::int as months from current c),
      summed as (
        select c.village_id, c.year, c.until, c.months, r.standard, r.account_code,
               sum(r.debit_fen) as debit_fen, sum(r.credit_fen) as credit_fen
          from counted c
          join statement_rollups r on r.village_id = c.village_id and r.year = c.year and r.month = c.month
                                   and r.revision = c.revision
         group by c.village_id, c.year, c.until, c.months, r.standard, r.account_code
      )
      select r.village_id, r.year, r.until, r.months, r.account_code, left(r.account_code, 3) as top_code,
             coalesce(va.name, a.name) as name, a.name as top_name, a.class,
             '0' as opening_fen, sum(r.debit_fen)::text as debit_fen, sum(r.credit_fen)::text as credit_fen,
             '0' as closing_fen
        from summed r
        ${ROLLUP_JOINS}
       group by r.village_id, r.year, r.until, r.months, r.account_code, va.name, a.name, a.class
       order by r.account_code`;
}

export function toYearToDate(rows: YtdDbRow[], k: MonthKey): YearToDateRows {
  const mine = rows.filter((r) => r.village_id === k.villageId && r.year === k.year && r.until === k.month);
  return { rollups: mine.map(toRollup), months: mine[0]?.months ?? 0 };
}

// ---------------------------------------------------------------------------------------------------------------
// Headline sums, summed in SQL for lists of months

/** The figures a list of months shows. */
export interface StatementSums {
  openingBalanceFen: Fen;
  closingBalanceFen: Fen;
  incomeFen: Fen;
  spendingFen: Fen;
}

export const NO_SUMS: StatementSums = { openingBalanceFen: 0n, closingBalanceFen: 0n, incomeFen: 0n, spendingFen: 0n };

/** The four sums as text columns (`statementSumsSql`, `sumsOfSql`). */
export type SumsColumns = Record<'opening' | 'closing' | 'income' | 'spending', string>;

export type SumsDbRow = RevisionDbKey & SumsColumns;

const ROLLUP_IS_CASH = sql.raw(isCashAccountSql('r.account_code'));
const ROLLUP_INCOME_FEN = sql.raw(
  incomeFenSql({ accountClass: 'a.class', accountCode: 'r.account_code', creditFen: 'r.credit_fen' }),
);
const ROLLUP_SPENDING_FEN = sql.raw(
  spendingFenSql({ accountClass: 'a.class', accountCode: 'r.account_code', debitFen: 'r.debit_fen' }),
);

export function statementSumsSql(keys: readonly RevisionKey[]): SQL {
  return sql`select r.village_id, r.year, r.month, r.revision,
                     coalesce(sum(r.opening_fen) filter (where ${ROLLUP_IS_CASH}), 0)::text as opening,
                     coalesce(sum(r.closing_fen) filter (where ${ROLLUP_IS_CASH}), 0)::text as closing,
                     coalesce(sum(${ROLLUP_INCOME_FEN}), 0)::text as income,
                     coalesce(sum(${ROLLUP_SPENDING_FEN}), 0)::text as spending
                from statement_rollups r
                join accounts a on a.standard = r.standard and a.code = left(r.account_code, 3)
               where ${keysIn(
                 'r.village_id, r.year, r.month, r.revision',
                 keys.map((k) => [k.villageId, k.year, k.month, k.revision]),
               )}
               group by r.village_id, r.year, r.month, r.revision`;
}

/** The same four sums for the one revision the row `alias` names, as columns opening, closing, income, spending. */
function sumsOfSql(alias: string): SQL {
  const x = sql.raw(alias);
  return sql`select coalesce(sum(r.opening_fen) filter (where ${ROLLUP_IS_CASH}), 0)::text as opening,
                    coalesce(sum(r.closing_fen) filter (where ${ROLLUP_IS_CASH}), 0)::text as closing,
                    coalesce(sum(${ROLLUP_INCOME_FEN}), 0)::text as income,
                    coalesce(sum(${ROLLUP_SPENDING_FEN}), 0)::text as spending
               from statement_rollups r
               join accounts a on a.standard = r.standard and a.code = left(r.account_code, 3)
              where r.village_id = ${x}.village_id and r.year = ${x}.year and r.month = ${x}.month
                and r.revision = ${x}.revision`;
}

export function toSums(r: SumsColumns): StatementSums {
  return {
    openingBalanceFen: BigInt(r.opening),
    closingBalanceFen: BigInt(r.closing),
    incomeFen: BigInt(r.income),
    spendingFen: BigInt(r.spending),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Changes of a correction

export interface VoucherChange {
  number: number;
  kind: Change['kind'];
  summaryBefore: string | null;
  summaryAfter: string | null;
  amountBeforeFen: Fen | null;
  amountAfterFen: Fen | null;
}

export interface ChangeDbRow extends RevisionDbKey {
  voucher_number: number;
  kind: Change['kind'];
  summary_before: Change['summaryBefore'];
  summary_after: Change['summaryAfter'];
  amount_before_fen: string | null;
  amount_after_fen: string | null;
}

export function toChange(r: ChangeDbRow): VoucherChange {
  return {
    number: r.voucher_number,
    kind: r.kind,
    summaryBefore: r.summary_before,
    summaryAfter: r.summary_after,
    amountBeforeFen: r.amount_before_fen === null ? null : BigInt(r.amount_before_fen),
    amountAfterFen: r.amount_after_fen === null ? null : BigInt(r.amount_after_fen),
  };
}

export function revisionChangesSql(keys: readonly RevisionKey[]): SQL {
  return sql`select c.village_id, c.year, c.month, c.revision, c.voucher_number, c.kind, c.summary_before, c.summary_after,
               c.amount_before_fen::text, c.amount_after_fen::text
          from statement_changes c
         where ${keysIn(
           'c.village_id, c.year, c.month, c.revision',
           keys.map((k) => [k.villageId, k.year, k.month, k.revision]),
         )}
         order by c.voucher_number`;
}

// ---------------------------------------------------------------------------------------------------------------
// The bundle: everything one month's page shows, in one statement

export type BundlePart =
  | { part: 'period'; row: PeriodDbRow }
  | { part: 'rollup'; row: RollupDbRow & RevisionDbKey }
  | { part: 'ytd'; row: YtdDbRow }
  | { part: 'change'; row: ChangeDbRow };

/**
 * The published revisions of `months` with their rollups, the year to date of `keys` and the changes of their
 * corrections, each row tagged with its part.
 */
export function statementBundleSql(keys: readonly MonthKey[], months: readonly MonthKey[]): SQL {
  const wanted = keysIn(
    'p.village_id, p.year, p.month',
    months.map((k) => [k.villageId, k.year, k.month]),
  );
  return sql`select 'period' as part, row_to_json(x) as row from (
              select ${PERIOD_COLUMNS} from periods p where p.status = 'published' and ${wanted}) x
            union all
            select 'rollup', row_to_json(x) from (
              select r.village_id, r.year, r.month, r.revision, ${ROLLUP_COLUMNS}
                from periods p
                join statement_rollups r on r.village_id = p.village_id and r.year = p.year and r.month = p.month
                                        and r.revision = p.revision
                ${ROLLUP_JOINS}
               where p.status = 'published' and ${wanted}
               order by r.account_code) x
            union all
            select 'ytd', row_to_json(x) from (${yearToDateSql(keys)}) x
            union all
            select 'change', row_to_json(x) from (
              select c.village_id, c.year, c.month, c.revision, c.voucher_number, c.kind, c.summary_before,
                     c.summary_after, c.amount_before_fen::text, c.amount_after_fen::text
                from statement_changes c
               where ${keysIn(
                 'c.village_id, c.year, c.month',
                 keys.map((k) => [k.villageId, k.year, k.month]),
               )}
               order by c.voucher_number) x`;
}

// ---------------------------------------------------------------------------------------------------------------
// A village's published months, one row per month at its current revision

/** A month of the window: its sums only when read `withSums`. */
export type PublishedMonthWindowRow = PeriodWithOlderDbRow & { rn: number; all_total: number } & Partial<SumsColumns>;

export type PublishedMonthDbRow = PublishedMonthWindowRow | { village_id: null; all_total: number };

/**
 * Published months of a village, newest first, each at its current revision; with `publishedSince`, only the months
 * with a revision published at or after it. The window's rows (each with its month's earlier revisions and, with
 * `withSums`, its headline sums) and the total in one statement.
 */
export function publishedMonthsSql(
  villageId: number,
  publishedSince: Date | undefined,
  window: Window,
  { withSums = false, withRevisions = true }: { withSums?: boolean; withRevisions?: boolean } = {},
): SQL {
  const since =
    publishedSince === undefined
      ? sql`true`
      : sql`exists (select 1 from periods s where s.village_id = p.village_id and s.year = p.year and s.month = p.month
                      and s.status = 'published' and s.published_at >= ${publishedSince.toISOString()}::timestamptz)`;
  return sql`with m as (
          select distinct on (p.year, p.month) ${PERIOD_COLUMNS}
            from periods p
           where p.village_id = ${villageId} and p.status = 'published' and ${since}
           order by p.year desc, p.month desc, p.revision desc
        ),
        f as (select m.*, row_number() over (order by m.year desc, m.month desc)::int as rn,
                     count(*) over ()::int as total from m)
        select n.all_total, w.* from (select count(*)::int as all_total from f) n
          left join lateral (select f.*${withRevisions ? sql`, ${olderRevisionsSql('f')} as older` : sql``}${withSums ? sql`, s.*` : sql``}
                               from f ${withSums ? sql`cross join lateral (${sumsOfSql('f')}) s` : sql``}
                              where ${windowSql(window, sql`f.rn`, sql`f.total`)}) w on true
         order by w.rn`;
}

// ---------------------------------------------------------------------------------------------------------------
// The publication feed

export interface FeedFilter {
  /** Inclusive: publications at or after this moment. */
  publishedSince?: Date | undefined;
  regionId?: number | undefined;
  year?: number | undefined;
  month?: number | undefined;
}

/** Where a feed page starts or ends: the sort key of one publication. */
export interface FeedKey {
  /** published_at to the microsecond, as PostgreSQL prints it in UTC. */
  at: string;
  villageId: number;
  year: number;
  month: number;
  revision: number;
}

export type FeedDbRow = PeriodDbRow & { at: string };

function feedFilterSql(filter: FeedFilter): SQL {
  const parts: SQL[] = [sql`p.status = 'published'`];
  if (filter.publishedSince !== undefined) {
    parts.push(sql`p.published_at >= ${filter.publishedSince.toISOString()}::timestamptz`);
  }
  if (filter.year !== undefined) parts.push(sql`p.year = ${filter.year}`);
  if (filter.month !== undefined) parts.push(sql`p.month = ${filter.month}`);
  if (filter.regionId !== undefined) {
    parts.push(sql`p.village_id in (select v.id from villages v join regions t on t.id = v.town_id
                     left join regions d on d.id = t.parent_id where ${underRegion(filter.regionId)})`);
  }
  return sql.join(parts, sql` and `);
}

const FEED_KEY = sql.raw(`(p.published_at, p.village_id, p.year, p.month, p.revision)`);
const feedKeyValue = (k: FeedKey) => sql`(${k.at}::timestamptz, ${k.villageId}, ${k.year}, ${k.month}, ${k.revision})`;

/**
 * Published revisions in publication order (published_at, then village, year, month, revision), read by keyset:
 * a page starts after a publication's key, so rows published meanwhile land at the end and never shift a page.
 * One row more than `take`, to tell whether more follow.
 */
export function publicationFeedSql(
  filter: FeedFilter,
  bounds: { after?: FeedKey | undefined; before?: FeedKey | undefined },
  take: number,
  fromEnd: boolean,
): SQL {
  const parts = [feedFilterSql(filter)];
  if (bounds.after) parts.push(sql`${FEED_KEY} > ${feedKeyValue(bounds.after)}`);
  if (bounds.before) parts.push(sql`${FEED_KEY} < ${feedKeyValue(bounds.before)}`);
  const direction = sql.raw(fromEnd ? 'desc' : 'asc');
  return sql`select ${PERIOD_COLUMNS},
               to_char(p.published_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at
          from periods p
         where ${sql.join(parts, sql` and `)}
         order by p.published_at ${direction}, p.village_id ${direction}, p.year ${direction}, p.month ${direction},
                  p.revision ${direction}
         limit ${take + 1}`;
}

export function toFeedRow(r: FeedDbRow): PeriodRow & { key: FeedKey } {
  return {
    ...toPeriod(r),
    key: { at: r.at, villageId: r.village_id, year: r.year, month: r.month, revision: r.revision },
  };
}

export function countPublicationsSql(filter: FeedFilter): SQL {
  return sql`select count(*)::int as n from periods p where ${feedFilterSql(filter)}`;
}
