// Every query the vouchers read: a statement's lines (filtered, sorted, paged, over one statement, many, or every
// village of a region), vouchers by id or number, their lines and supervisors' flags. Each builder returns the SQL;
// the row type and its mapping sit beside it. Raw SQL: the window functions and the derived `statement_lines` read
// more clearly as SQL than as a query builder.
import { sql, type SQL } from 'drizzle-orm';
import type { AccountClass } from '@mingbai/db/schema/accounts';
import type { voucherLines } from '@mingbai/db/schema/ledger';
import type { Fen } from '@mingbai/db/ledger/money';
import type { FlowKind } from '@mingbai/db/ledger/flows';
import { windowSql, type Window } from '../graphql/relay/connection.ts';
import { keysIn, likePattern, revisionsIn, type WantedRevisions } from '../sql-helpers.ts';
import type { MonthKey, RevisionDbKey, RevisionKey } from '../statements/period-keys.ts';
import { underRegion } from '../villages/village.sql.ts';

type Line = typeof voucherLines.$inferSelect;

export interface VoucherRow extends RevisionKey {
  id: number;
  number: number;
  date: string;
  summaryPublic: string;
  attachments: number;
  preparer: string | null;
  reviewer: string | null;
  approver: string | null;
}

export interface VoucherLineRow {
  villageId: number;
  voucherId: number;
  lineNo: number;
  standard: string;
  accountCode: string;
  accountName: string;
  topCode: string;
  topName: string;
  class: AccountClass;
  side: Line['side'];
  amountFen: Fen;
  summaryPublic: string | null;
  counterpartyPublic: string | null;
  counterpartyIsPerson: boolean;
  paymentMethod: Line['paymentMethod'];
}

/** A payment or receipt as villagers read it: one voucher line with its voucher's date and 摘要. */
export interface StatementLineRow extends VoucherLineRow {
  kind: FlowKind;
  voucher: VoucherRow;
}

export type LineSort = 'date_asc' | 'date_desc' | 'amount_desc' | 'amount_asc';

export interface LineFilter {
  /** Account code or prefix: 514 for all 公益支出, 51401 for one sub-account. */
  category?: string | undefined;
  kind?: FlowKind | undefined;
  minFen?: Fen | undefined;
  maxFen?: Fen | undefined;
  /** Text in the (masked) 摘要 or counterparty. */
  search?: string | undefined;
  sort: LineSort;
  /**
   * The query asks for neither the lines' counterparty nor their payment method: each line's own is read, not its
   * voucher's first one for a line without (two subqueries per line saved). Never set where those are shown.
   */
  lean?: boolean | undefined;
}

const VOUCHER_COLUMNS = sql.raw(`v.village_id, v.year, v.month, v.revision, v.id, v.number, v.date::text as date,
  v.summary_public, v.attachments, v.preparer, v.reviewer, v.approver`);
/** A line's counterparty, or its voucher's first one: the cash side of a payment names whom it was paid to. */
const COUNTERPARTY = `coalesce(l.counterparty_public, (select x.counterparty_public from voucher_lines x
     where x.village_id = l.village_id and x.voucher_id = l.voucher_id and x.counterparty_public is not null
     order by x.line_no limit 1)) as counterparty_public`;
/** A line's payment method, or its voucher's first one (a receipt's cash line says how it was paid). */
const PAYMENT_METHOD = `coalesce(l.payment_method, (select x.payment_method from voucher_lines x
     where x.village_id = l.village_id and x.voucher_id = l.voucher_id and x.payment_method is not null
     order by x.line_no limit 1), 'transfer') as payment_method`;
const lineColumns = (counterparty: string, paymentMethod: string) =>
  sql.raw(`l.voucher_id, l.line_no, l.standard, l.account_code, coalesce(va.name, a.name) as account_name,
  left(l.account_code, 3) as top_code, a.name as top_name, a.class, l.side, l.amount_fen::text as amount_fen,
  l.summary_public as line_summary_public, l.counterparty_is_person, ${counterparty}, ${paymentMethod}`);
const LINE_COLUMNS = lineColumns(COUNTERPARTY, PAYMENT_METHOD);
/**
 * Without the counterparty and the payment method, which each look at the voucher's other lines (a subquery per
 * line): for a page whose query asks for neither (`LineFilter.lean`).
 */
const LEAN_LINE_COLUMNS = lineColumns(
  'l.counterparty_public',
  `coalesce(l.payment_method, 'transfer') as payment_method`,
);
const statementLineColumns = (filter: Pick<LineFilter, 'lean'>) => (filter.lean ? LEAN_LINE_COLUMNS : LINE_COLUMNS);
/** The village's own name of a line's account, by key for each line whatever the plan (as ROLLUP_JOINS, statements/). */
const ACCOUNT_NAME_JOIN = `left join lateral (select va.name from village_accounts va where va.village_id = l.village_id
      and va.standard = l.standard and va.code = l.account_code limit 1) va on true`;
const LINE_JOINS = sql.raw(`join accounts a on a.standard = l.standard and a.code = left(l.account_code, 3)
  ${ACCOUNT_NAME_JOIN}`);

// village_id keeps lines of different villages apart when a region's lines share a date and a voucher number.
const ORDER: Record<LineSort, string> = {
  date_asc: 'date asc, village_id asc, number asc, line_no asc',
  date_desc: 'date desc, village_id desc, number desc, line_no asc',
  amount_desc: 'amount_fen::bigint desc, date asc, village_id asc, number asc, line_no asc',
  amount_asc: 'amount_fen::bigint asc, date asc, village_id asc, number asc, line_no asc',
};

/**
 * Numbers `rows` (statement lines with their kind, and the columns `order` names) within each `partition` in that
 * order with the partition's total, cuts them to the window, then joins what a line shows. One statement; the display
 * columns are read for the window's rows only.
 */
function linesSql(rows: SQL, order: string, filter: LineFilter, window: Window, partition: SQL): SQL {
  return sql`select w.kind, w.rn, w.total, ${VOUCHER_COLUMNS}, ${statementLineColumns(filter)}
    from (
      select * from (
        select f.*, row_number() over (partition by ${partition} order by ${sql.raw(order)})::int as rn,
               count(*) over (partition by ${partition})::int as total
          from (
              ${rows}
          ) f
      ) r
     where ${windowSql(window, sql`rn`, sql`total`)}
    ) w
    ${DISPLAY_JOINS}
   order by w.rn`;
}

/** The statement lines of `scope` that pass `filter`, with the columns the orders and filters use. */
export function filteredSql(scope: SQL, filter: LineFilter): SQL {
  const search = Boolean(filter.search?.trim());
  return sql`select * from (
      select s.village_id, s.year, s.month, s.revision, s.voucher_id, s.line_no, s.kind, s.account_code, s.amount_fen,
             v.date, v.number
             ${search ? sql.raw(`, v.summary_public, l.summary_public as line_summary_public, ${COUNTERPARTY}`) : sql``}
        from statement_lines s
        join vouchers v on v.village_id = s.village_id and v.id = s.voucher_id
        ${search ? sql.raw(`join voucher_lines l on l.village_id = s.village_id and l.voucher_id = s.voucher_id and l.line_no = s.line_no`) : sql``}
       where ${scope}) f
   where ${filterSql(filter)}`;
}

/** What a line shows, joined by the statement line `w` it belongs to. */
const DISPLAY_JOINS = sql.raw(`join vouchers v on v.village_id = w.village_id and v.id = w.voucher_id
    join voucher_lines l on l.village_id = w.village_id and l.voucher_id = w.voucher_id and l.line_no = w.line_no
    ${'join accounts a on a.standard = l.standard and a.code = left(l.account_code, 3)'}
    ${ACCOUNT_NAME_JOIN}`);

/**
 * The first page of one statement's lines in date order, unfiltered, as the month page asks: a range of the derived
 * position `seq`, and the total from the last one. Costs the same for 50 lines as for 50,000. A month key without a
 * revision reads the month's current revision (read ahead with the statement).
 */
export function datePageSql(
  key: RevisionKey | (Omit<RevisionKey, 'revision'> & { revision?: undefined }),
  window: Window,
  filter: Pick<LineFilter, 'lean'> = {},
): SQL {
  const revision =
    key.revision !== undefined
      ? sql`${key.revision}`
      : sql`(select max(c.revision) from periods c where c.village_id = ${key.villageId} and c.year = ${key.year}
               and c.month = ${key.month} and c.status = 'published')`;
  return sql`select t.total, t.revision as page_revision, w.* from (
      select coalesce(max(s.seq), 0)::int as total, ${revision}::int as revision from statement_lines s
       where s.village_id = ${key.villageId} and s.year = ${key.year} and s.month = ${key.month}
         and s.revision = ${revision}
    ) t
    left join lateral (
      select w.kind, w.seq::int as rn, ${VOUCHER_COLUMNS}, ${statementLineColumns(filter)}
        from statement_lines w
        ${DISPLAY_JOINS}
       where w.village_id = ${key.villageId} and w.year = ${key.year} and w.month = ${key.month}
         and w.revision = t.revision and ${windowSql(window, sql`w.seq`, sql`t.total`)}
       order by w.seq
    ) w on true
   order by w.rn`;
}

export const isPlainDateOrder = (f: LineFilter) =>
  f.sort === 'date_asc' &&
  f.category === undefined &&
  f.kind === undefined &&
  f.minFen === undefined &&
  f.maxFen === undefined &&
  !f.search?.trim();

export function toStatementLine(r: LineDbRow & { kind: FlowKind }): StatementLineRow {
  return { ...toLine(r), kind: r.kind, voucher: toVoucher(r) };
}

/**
 * Which published months' lines: every village under a region, or one village; a year (or one month of it), or, for a
 * village, every year. Always the current revision of each month.
 */
export type PublishedLinesScope = ({ regionId: number } | { villageId: number }) & {
  year?: number | undefined;
  month?: number | undefined;
};

const statementsScope = (statements: WantedRevisions) => revisionsIn('s', statements);

function filterSql(f: LineFilter): SQL {
  const parts: SQL[] = [sql`kind is not null`];
  if (f.category) parts.push(sql`account_code like ${f.category + '%'}`);
  if (f.kind) parts.push(sql`kind = ${f.kind}`);
  if (f.minFen !== undefined) parts.push(sql`amount_fen::bigint >= ${f.minFen.toString()}::bigint`);
  if (f.maxFen !== undefined) parts.push(sql`amount_fen::bigint <= ${f.maxFen.toString()}::bigint`);
  if (f.search?.trim()) {
    const p = likePattern(f.search.trim());
    parts.push(sql`(summary_public ilike ${p} or line_summary_public ilike ${p} or counterparty_public ilike ${p})`);
  }
  return sql.join(parts, sql` and `);
}

export type LineDbRow = RevisionDbKey & {
  id: number;
  number: number;
  date: string;
  summary_public: string;
  attachments: number;
  preparer: string | null;
  reviewer: string | null;
  approver: string | null;
  voucher_id: number;
  line_no: number;
  standard: string;
  account_code: string;
  account_name: string;
  top_code: string;
  top_name: string;
  class: AccountClass;
  side: Line['side'];
  amount_fen: string;
  line_summary_public: string | null;
  counterparty_public: string | null;
  counterparty_is_person: boolean;
  payment_method: NonNullable<Line['paymentMethod']>;
};

export function toVoucher(r: LineDbRow): VoucherRow {
  return {
    villageId: r.village_id,
    year: r.year,
    month: r.month,
    revision: r.revision,
    id: Number(r.id),
    number: r.number,
    date: r.date,
    summaryPublic: r.summary_public,
    attachments: r.attachments,
    preparer: r.preparer,
    reviewer: r.reviewer,
    approver: r.approver,
  };
}

export function toLine(r: LineDbRow): VoucherLineRow {
  return {
    villageId: r.village_id,
    voucherId: Number(r.voucher_id),
    lineNo: r.line_no,
    standard: r.standard,
    accountCode: r.account_code,
    accountName: r.account_name,
    topCode: r.top_code,
    topName: r.top_name,
    class: r.class,
    side: r.side,
    amountFen: BigInt(r.amount_fen),
    summaryPublic: r.line_summary_public,
    counterpartyPublic: r.counterparty_public,
    counterpartyIsPerson: r.counterparty_is_person,
    paymentMethod: r.payment_method,
  };
}

/**
 * The current revision of each published month the scope names (a region's villages or one village; a year, a month
 * or all years), as a condition on `statement_lines s`.
 */
export function publishedScopeSql(scope: PublishedLinesScope): SQL {
  const villages =
    'villageId' in scope
      ? sql`p.village_id = ${scope.villageId}`
      : sql`p.village_id in (select vv.id from villages vv join regions t on t.id = vv.town_id
                               left join regions d on d.id = t.parent_id where ${underRegion(scope.regionId)})`;
  return sql`(s.village_id, s.year, s.month, s.revision) in (
      select distinct on (p.village_id, p.year, p.month) p.village_id, p.year, p.month, p.revision
        from periods p
       where p.status = 'published' and ${villages}
         and ${scope.year === undefined ? sql`true` : sql`p.year = ${scope.year}`}
         and ${scope.month === undefined ? sql`true` : sql`p.month = ${scope.month}`}
       order by p.village_id, p.year, p.month, p.revision desc)`;
}

/** A window of the lines of each statement, each numbered within its statement. */
export function linesOfStatementsSql(statements: WantedRevisions, filter: LineFilter, window: Window): SQL {
  const scope = statementsScope(statements);
  const partition = sql`village_id, year, month, revision`;
  // Within one statement, date order is the order of `seq` (derived at publishing by date, voucher number, line): a
  // page filtered by kind, account or amount reads the statement's own rows in key order, and no voucher but the
  // page's (the general form joins every voucher of the month to sort by its date). A search reads the 摘要: general.
  if (filter.sort === 'date_asc' && !filter.search?.trim()) {
    return linesSql(ownRowsSql(scope, filter), 'seq', filter, window, partition);
  }
  return linesSql(filteredSql(scope, filter), ORDER[filter.sort], filter, window, partition);
}

/** A window of the lines of a scope's published months, numbered across all of them. */
export function publishedLinesSql(scope: PublishedLinesScope, filter: LineFilter, window: Window): SQL {
  return linesSql(filteredSql(publishedScopeSql(scope), filter), ORDER[filter.sort], filter, window, sql`true`);
}

/** The statement lines of `scope` that pass a filter without a search: their own rows, no voucher read. */
function ownRowsSql(scope: SQL, filter: LineFilter): SQL {
  return sql`select s.village_id, s.year, s.month, s.revision, s.voucher_id, s.line_no, s.kind, s.seq
      from statement_lines s where ${scope} and ${filterSql(filter)}`;
}

/** The lines of `scope` that pass `filter`, to be counted: their vouchers are read only for a search of the 摘要. */
function matchingSql(scope: SQL, filter: LineFilter): SQL {
  return filter.search?.trim() ? filteredSql(scope, filter) : ownRowsSql(scope, filter);
}

/** How many lines of `scope` pass `filter`. */
export function countLinesSql(scope: SQL, filter: LineFilter): SQL {
  return sql`select count(*)::int as n from (${matchingSql(scope, filter)}) c`;
}

/** How many lines of each statement pass `filter`. */
export function countLinesOfSql(statements: WantedRevisions, filter: LineFilter): SQL {
  return sql`select village_id, year, month, revision, count(*)::int as n
          from (${matchingSql(statementsScope(statements), filter)}) c
         group by village_id, year, month, revision`;
}

/** Vouchers of published months by (village, id). */
export function vouchersByIdSql(keys: readonly { villageId: number; id: number }[]): SQL {
  return sql`select ${VOUCHER_COLUMNS} from vouchers v
                join periods p on p.village_id = v.village_id and p.year = v.year and p.month = v.month
                              and p.revision = v.revision and p.status = 'published'
               where ${keysIn(
                 'v.village_id, v.id',
                 keys.map((k) => [k.villageId, k.id]),
               )}`;
}

/** Vouchers of published months by number within their revision. */
export function vouchersByNumberSql(keys: readonly (RevisionKey & { number: number })[]): SQL {
  return sql`select ${VOUCHER_COLUMNS} from vouchers v
                join periods p on p.village_id = v.village_id and p.year = v.year and p.month = v.month
                              and p.revision = v.revision and p.status = 'published'
               where ${keysIn(
                 'v.village_id, v.year, v.month, v.revision, v.number',
                 keys.map((k) => [k.villageId, k.year, k.month, k.revision, k.number]),
               )}`;
}

/** `v` is in its month's current revision: the newest published one, as `loadStatement` names it. */
const IN_CURRENT_REVISION = sql.raw(`v.revision = (select max(p.revision) from periods p
     where p.village_id = v.village_id and p.year = v.year and p.month = v.month and p.status = 'published')`);

/**
 * Vouchers by number within their month's current revision (a month not published has none): the voucher page's
 * lookup without the month's revisions read first.
 */
export function vouchersByCurrentNumberSql(keys: readonly (MonthKey & { number: number })[]): SQL {
  return sql`select ${VOUCHER_COLUMNS} from vouchers v
               where ${keysIn(
                 'v.village_id, v.year, v.month, v.number',
                 keys.map((k) => [k.villageId, k.year, k.month, k.number]),
               )} and ${IN_CURRENT_REVISION}`;
}

/** The lines of the voucher `vouchersByCurrentNumberSql` finds for `key`, as `linesOfVouchersSql` reads them. */
export function linesOfCurrentVoucherSql(key: MonthKey & { number: number }): SQL {
  return sql`select l.village_id, ${LINE_COLUMNS} from vouchers v
               join voucher_lines l on l.village_id = v.village_id and l.voucher_id = v.id
               ${LINE_JOINS}
               where (v.village_id, v.year, v.month, v.number) = (${key.villageId}, ${key.year}, ${key.month}, ${key.number})
                 and ${IN_CURRENT_REVISION}
               order by l.voucher_id, l.line_no`;
}

export interface FlagDbRow {
  key: string;
  author: string;
  reason: string;
  created_at: string;
}

/** Supervisors' flags on vouchers, each row keyed `village:year:month:revision:number`. */
export function flagsOfVouchersSql(keys: readonly (RevisionKey & { number: number })[]): SQL {
  return sql`select f.village_id || ':' || f.year || ':' || f.month || ':' || f.revision || ':' || f.voucher_number as key,
                     f.author, f.reason, f.created_at
                from voucher_flags f
               where ${keysIn(
                 'f.village_id, f.year, f.month, f.revision, f.voucher_number',
                 keys.map((k) => [k.villageId, k.year, k.month, k.revision, k.number]),
               )}
               order by f.id`;
}

/** Every line of the vouchers, in voucher and line order. */
export function linesOfVouchersSql(keys: readonly { villageId: number; id: number }[]): SQL {
  return sql`select l.village_id, ${LINE_COLUMNS} from voucher_lines l ${LINE_JOINS}
               where ${keysIn(
                 'l.village_id, l.voucher_id',
                 keys.map((k) => [k.villageId, k.id]),
               )}
               order by l.voucher_id, l.line_no`;
}

/**
 * A page of one revision's vouchers in number order, published or not (the committee's review reads a month before
 * it is public; the caller checks who may), with the revision's total, in one statement.
 */
export function vouchersOfRevisionSql(key: RevisionKey, window: Window): SQL {
  return sql`select t.total, w.* from (
      select count(*)::int as total from vouchers v
       where v.village_id = ${key.villageId} and v.year = ${key.year} and v.month = ${key.month}
         and v.revision = ${key.revision}
    ) t
    left join lateral (
      select * from (
        select ${VOUCHER_COLUMNS}, row_number() over (order by v.number)::int as rn
          from vouchers v
         where v.village_id = ${key.villageId} and v.year = ${key.year} and v.month = ${key.month}
           and v.revision = ${key.revision}
      ) r
      where ${windowSql(window, sql`r.rn`, sql`t.total`)}
    ) w on true
   order by w.rn`;
}
