import { sql, type SQL } from 'drizzle-orm';
import DataLoader from 'dataloader';
import { BATCH_PER_TICK } from '../batching.ts';
import { queryRows, type Db } from '@mingbai/db/client';
import type { AccountClass, AccountStandard } from '@mingbai/db/schema/accounts';
import type { Fen } from '@mingbai/db/ledger/money';
import {
  accountFlow,
  categoryKind,
  incomeFenSql,
  isCashAccount,
  isCashAccountSql,
  spendingFenSql,
} from '@mingbai/db/ledger/flows';
import { pageOffset, windowSql, type Page, type Window } from '../graphql/relay/connection.ts';
import { groupBy, rowValues } from '../sql-helpers.ts';
import { underRegion } from '../villages/village.service.ts';
import { previousMonth } from '@mingbai/db/ledger/publish';
import { revisionChanges, toChange, type ChangeDbRow, type VoucherChange } from './changes.service.ts';

export interface MonthKey {
  villageId: number;
  year: number;
  month: number;
}
export interface RevisionKey extends MonthKey {
  revision: number;
}

/** A published revision of a month. Open revisions never leave the database through the public API. */
export interface PeriodRow extends RevisionKey {
  standard: AccountStandard;
  reason: string | null;
  publishedAt: Date;
  digest: string;
  previousDigest: string | null;
  voucherCount: number;
  lineCount: number;
}

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

const monthKey = (k: MonthKey) => `${k.villageId}:${k.year}:${k.month}`;
const revisionKey = (k: RevisionKey) => `${monthKey(k)}:${k.revision}`;

interface PeriodDbRow {
  village_id: number;
  year: number;
  month: number;
  revision: number;
  standard: AccountStandard;
  reason: string | null;
  published_at: string | Date;
  digest: string;
  previous_digest: string | null;
  voucher_count: number;
  line_count: number;
}

const PERIOD_COLUMNS = sql.raw(`p.village_id, p.year, p.month, p.revision, p.standard, p.reason, p.published_at,
  p.digest, p.previous_digest, p.voucher_count, p.line_count`);

function toPeriod(r: PeriodDbRow): PeriodRow {
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
  };
}

export function createStatementLoaders(db: Db) {
  const loaders = {
    /** Every published revision of a month, newest first; empty if the month is not public. */
    publishedRevisions: new DataLoader<MonthKey, PeriodRow[], string>(
      async (keys) => {
        const rows = await queryRows<PeriodDbRow>(
          db,
          sql`select ${PERIOD_COLUMNS} from periods p
               where p.status = 'published'
                 and (p.village_id, p.year, p.month) in (${rowValues(keys.map((k) => [k.villageId, k.year, k.month]))})
               order by p.revision desc`,
        );
        const byMonth = groupBy(rows.map(toPeriod), monthKey);
        return keys.map((k) => byMonth.get(monthKey(k)) ?? []);
      },
      { ...BATCH_PER_TICK, cacheKeyFn: monthKey },
    ),
    /** The newest published month of each village. */
    latestPeriod: new DataLoader<number, PeriodRow | undefined>(async (villageIds) => {
      const rows = await queryRows<PeriodDbRow>(
        db,
        sql`select distinct on (p.village_id) ${PERIOD_COLUMNS} from periods p
             where p.status = 'published' and p.village_id in (${rowValues(villageIds.map((id) => [id]))})
             order by p.village_id, p.year desc, p.month desc, p.revision desc`,
      );
      const byVillage = new Map(rows.map((r) => [r.village_id, toPeriod(r)]));
      return villageIds.map((id) => byVillage.get(id));
    }, BATCH_PER_TICK),
    rollups: new DataLoader<RevisionKey, RollupRow[], string>(
      async (keys) => {
        const rows = await queryRows<
          RollupDbRow & { village_id: number; year: number; month: number; revision: number }
        >(
          db,
          sql`select r.village_id, r.year, r.month, r.revision, ${ROLLUP_COLUMNS}
                from statement_rollups r ${ROLLUP_JOINS}
               where (r.village_id, r.year, r.month, r.revision) in
                     (${rowValues(keys.map((k) => [k.villageId, k.year, k.month, k.revision]))})
               order by r.account_code`,
        );
        const byKey = groupBy(rows, (r) =>
          revisionKey({ villageId: r.village_id, year: r.year, month: r.month, revision: r.revision }),
        );
        return keys.map((k) => (byKey.get(revisionKey(k)) ?? []).map(toRollup));
      },
      { ...BATCH_PER_TICK, cacheKeyFn: revisionKey },
    ),
    /** Movements from January to the month, over the current revision of each published month. */
    yearToDate: new DataLoader<MonthKey, YearToDateRows, string>(
      async (keys) => {
        const rows = await queryRows<YtdDbRow>(db, yearToDateSql(keys));
        return keys.map((k) => toYearToDate(rows, k));
      },
      { ...BATCH_PER_TICK, cacheKeyFn: monthKey },
    ),
    changes: new DataLoader<RevisionKey, VoucherChange[], string>((keys) => revisionChanges(db, keys), {
      ...BATCH_PER_TICK,
      cacheKeyFn: revisionKey,
    }),
    /**
     * A statement's four headline figures summed in SQL, for lists of months that show only those (the village page
     * lists 100): one row per month instead of every account's rollup. Same sums as `statementTotals`.
     */
    sums: new DataLoader<RevisionKey, StatementSums, string>(
      async (keys) => {
        const rows = await queryRows<RevisionDbKey & Record<'opening' | 'closing' | 'income' | 'spending', string>>(
          db,
          sql`select r.village_id, r.year, r.month, r.revision,
                     coalesce(sum(r.opening_fen) filter (where ${ROLLUP_IS_CASH}), 0)::text as opening,
                     coalesce(sum(r.closing_fen) filter (where ${ROLLUP_IS_CASH}), 0)::text as closing,
                     coalesce(sum(${ROLLUP_INCOME_FEN}), 0)::text as income,
                     coalesce(sum(${ROLLUP_SPENDING_FEN}), 0)::text as spending
                from statement_rollups r
                join accounts a on a.standard = r.standard and a.code = left(r.account_code, 3)
               where (r.village_id, r.year, r.month, r.revision) in
                     (${rowValues(keys.map((k) => [k.villageId, k.year, k.month, k.revision]))})
               group by r.village_id, r.year, r.month, r.revision`,
        );
        const byKey = new Map(
          rows.map((r) => [
            revisionKey(fromDbKey(r)),
            {
              openingBalanceFen: BigInt(r.opening),
              closingBalanceFen: BigInt(r.closing),
              incomeFen: BigInt(r.income),
              spendingFen: BigInt(r.spending),
            },
          ]),
        );
        return keys.map((k) => byKey.get(revisionKey(k)) ?? NO_SUMS);
      },
      { ...BATCH_PER_TICK, cacheKeyFn: revisionKey },
    ),
  };
  /**
   * Everything a month's statement shows, for many months, in one statement: the month's published revisions and
   * their rollups, the previous month's (for the comparison and the reconciliation), the year to date and the
   * changes of corrections. Primes the loaders above, so the statement's fields read no more SQL whatever they ask.
   */
  const statementBundle = new DataLoader<MonthKey, PeriodRow[], string>(
    async (keys) => {
      const months = keys.flatMap((k) => [k, { villageId: k.villageId, ...previousMonth(k.year, k.month) }]);
      const wanted = sql`(p.village_id, p.year, p.month) in (${rowValues(months.map((k) => [k.villageId, k.year, k.month]))})`;
      const parts = await queryRows<{ part: 'period' | 'rollup' | 'ytd' | 'change'; row: unknown }>(
        db,
        sql`select 'period' as part, row_to_json(x) as row from (
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
               where (c.village_id, c.year, c.month) in (${rowValues(keys.map((k) => [k.villageId, k.year, k.month]))})
               order by c.voucher_number) x`,
      );
      const rowsOf = <T>(part: string) => parts.filter((p) => p.part === part).map((p) => p.row as T);
      const periods = rowsOf<PeriodDbRow>('period')
        .map(toPeriod)
        .sort((a, b) => b.revision - a.revision);
      const byMonth = groupBy(periods, monthKey);
      for (const m of months) loaders.publishedRevisions.prime(m, byMonth.get(monthKey(m)) ?? []);
      const rollups = groupBy(rowsOf<RollupDbRow & RevisionDbKey>('rollup'), (r) => revisionKey(fromDbKey(r)));
      const changes = groupBy(rowsOf<ChangeDbRow>('change'), (r) => revisionKey(fromDbKey(r)));
      for (const p of periods) {
        const mine = (rollups.get(revisionKey(p)) ?? []).map(toRollup);
        loaders.rollups.prime(p, mine);
        loaders.sums.prime(p, statementTotals(mine));
        loaders.changes.prime(p, (changes.get(revisionKey(p)) ?? []).map(toChange));
      }
      const ytd = rowsOf<YtdDbRow>('ytd');
      for (const k of keys) loaders.yearToDate.prime(k, toYearToDate(ytd, k));
      return keys.map((k) => byMonth.get(monthKey(k)) ?? []);
    },
    { ...BATCH_PER_TICK, cacheKeyFn: monthKey },
  );
  return { ...loaders, statementBundle };
}

interface RevisionDbKey {
  village_id: number;
  year: number;
  month: number;
  revision: number;
}
const fromDbKey = (r: RevisionDbKey): RevisionKey => ({
  villageId: r.village_id,
  year: r.year,
  month: r.month,
  revision: r.revision,
});

export interface YearToDateRows {
  rollups: RollupRow[];
  /** Published months from January to the month. */
  months: number;
}

type YtdDbRow = RollupDbRow & { village_id: number; year: number; until: number; months: number };

/** Movements of the current revision of each published month from January to each month of `keys`, by account. */
function yearToDateSql(keys: readonly MonthKey[]): SQL {
  return sql`with wanted(village_id, year, until) as (values ${rowValues(keys.map((k) => [k.villageId, k.year, k.month]))}),
      current as (
        select distinct on (p.village_id, p.year, p.month, w.until) w.until::int as until, p.village_id, p.year, p.month, p.revision
          from wanted w
          join periods p on p.village_id = w.village_id::int and p.year = w.year::int and p.month <= w.until::int
         where p.status = 'published'
         order by p.village_id, p.year, p.month, w.until, p.revision desc
      ),
      counted as (select c.*, count(*) over (partition by c.village_id, c.year, c.until)::int as months from current c)
      select c.village_id, c.year, c.until, c.months, r.account_code, left(r.account_code, 3) as top_code,
             coalesce(va.name, a.name) as name, a.name as top_name, a.class,
             '0' as opening_fen, sum(r.debit_fen)::text as debit_fen, sum(r.credit_fen)::text as credit_fen,
             '0' as closing_fen
        from counted c
        join statement_rollups r on r.village_id = c.village_id and r.year = c.year and r.month = c.month
                                 and r.revision = c.revision
        ${ROLLUP_JOINS}
       group by c.village_id, c.year, c.until, c.months, r.account_code, va.name, a.name, a.class
       order by r.account_code`;
}

function toYearToDate(rows: YtdDbRow[], k: MonthKey): YearToDateRows {
  const mine = rows.filter((r) => r.village_id === k.villageId && r.year === k.year && r.until === k.month);
  return { rollups: mine.map(toRollup), months: mine[0]?.months ?? 0 };
}

interface RollupDbRow {
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
const ROLLUP_JOINS = sql.raw(`join accounts a on a.standard = r.standard and a.code = left(r.account_code, 3)
  left join village_accounts va on va.village_id = r.village_id and va.standard = r.standard and va.code = r.account_code`);

function toRollup(r: RollupDbRow): RollupRow {
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

const ROLLUP_IS_CASH = sql.raw(isCashAccountSql('r.account_code'));
const ROLLUP_INCOME_FEN = sql.raw(
  incomeFenSql({ accountClass: 'a.class', accountCode: 'r.account_code', creditFen: 'r.credit_fen' }),
);
const ROLLUP_SPENDING_FEN = sql.raw(
  spendingFenSql({ accountClass: 'a.class', accountCode: 'r.account_code', debitFen: 'r.debit_fen' }),
);

/** The figures a list of months shows. */
export type StatementSums = Pick<Totals, 'openingBalanceFen' | 'closingBalanceFen' | 'incomeFen' | 'spendingFen'>;
const NO_SUMS: StatementSums = { openingBalanceFen: 0n, closingBalanceFen: 0n, incomeFen: 0n, spendingFen: 0n };

export interface Totals {
  openingBalanceFen: Fen;
  closingBalanceFen: Fen;
  incomeFen: Fen;
  spendingFen: Fen;
  /** Every other change of cash, by account: net inflow (credit − debit) of that account in the month. */
  otherMovements: { accountCode: string; name: string; netInflowFen: Fen }[];
}

/**
 * The statement's figures from its rollups, each account counted by `accountFlow` (flows.ts): what is not income
 * or spending but moved cash is an "other movement", so that opening + income − spending + Σ other = closing holds
 * exactly when the month's vouchers balance.
 */
export function statementTotals(rollups: RollupRow[]): Totals {
  let opening = 0n;
  let closing = 0n;
  let income = 0n;
  let spending = 0n;
  const other = new Map<string, { accountCode: string; name: string; netInflowFen: Fen }>();
  for (const r of rollups) {
    if (isCashAccount(r.topCode)) {
      opening += r.openingFen;
      closing += r.closingFen;
      continue;
    }
    const flow = accountFlow({ accountClass: r.class, accountCode: r.accountCode }, r.debitFen, r.creditFen);
    income += flow.incomeFen;
    spending += flow.spendingFen;
    if (flow.otherInflowFen !== 0n) {
      const entry = other.get(r.topCode) ?? { accountCode: r.topCode, name: r.topName, netInflowFen: 0n };
      entry.netInflowFen += flow.otherInflowFen;
      other.set(r.topCode, entry);
    }
  }
  return {
    openingBalanceFen: opening,
    closingBalanceFen: closing,
    incomeFen: income,
    spendingFen: spending,
    otherMovements: [...other.values()].filter((o) => o.netInflowFen !== 0n),
  };
}

export interface CategoryRow {
  code: string;
  name: string;
  kind: 'income' | 'spending';
  amountFen: Fen;
  subAccounts: { code: string; name: string; amountFen: Fen }[];
}

/** Income and spending by first-level account, each with its sub-accounts; empty categories left out. */
export function categories(rollups: RollupRow[]): CategoryRow[] {
  const byTop = new Map<string, CategoryRow>();
  for (const r of rollups) {
    const kind = categoryKind(r.class);
    if (!kind) continue;
    const flow = accountFlow({ accountClass: r.class, accountCode: r.accountCode }, r.debitFen, r.creditFen);
    const amount = kind === 'income' ? flow.incomeFen : flow.spendingFen;
    const cat = byTop.get(r.topCode) ?? {
      code: r.topCode,
      name: r.topName,
      kind,
      amountFen: 0n,
      subAccounts: [],
    };
    cat.amountFen += amount;
    if (r.accountCode !== r.topCode && amount !== 0n) {
      cat.subAccounts.push({ code: r.accountCode, name: r.name, amountFen: amount });
    }
    byTop.set(r.topCode, cat);
  }
  return [...byTop.values()].filter((c) => c.amountFen !== 0n).sort((a, b) => a.code.localeCompare(b.code));
}

/**
 * Published months of a village, newest first, each at its current revision; with `publishedSince`, only the months
 * with a revision published at or after it.
 */
export async function publishedMonths(
  db: Db,
  villageId: number,
  publishedSince: Date | undefined,
  window: Window,
): Promise<Page<PeriodRow & { revised: boolean }>> {
  const since =
    publishedSince === undefined
      ? sql`true`
      : sql`exists (select 1 from periods s where s.village_id = p.village_id and s.year = p.year and s.month = p.month
                      and s.status = 'published' and s.published_at >= ${publishedSince.toISOString()}::timestamptz)`;
  const rows = await queryRows<
    (PeriodDbRow & { rn: number; all_total: number }) | { village_id: null; all_total: number }
  >(
    db,
    sql`with m as (
          select distinct on (p.year, p.month) ${PERIOD_COLUMNS}
            from periods p
           where p.village_id = ${villageId} and p.status = 'published' and ${since}
           order by p.year desc, p.month desc, p.revision desc
        ),
        f as (select m.*, row_number() over (order by m.year desc, m.month desc)::int as rn,
                     count(*) over ()::int as total from m)
        select n.all_total, w.* from (select count(*)::int as all_total from f) n
          left join lateral (select * from f where ${windowSql(window, sql`f.rn`, sql`f.total`)}) w on true
         order by w.rn`,
  );
  const found = rows.filter((r): r is PeriodDbRow & { rn: number; all_total: number } => r.village_id !== null);
  const totalCount = rows[0]?.all_total ?? 0;
  return {
    offset: pageOffset(window, found[0]?.rn, totalCount),
    totalCount,
    nodes: found.map((r) => ({ ...toPeriod(r), revised: r.revision > 1 })),
  };
}

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

export interface FeedPage {
  rows: (PeriodRow & { key: FeedKey })[];
  /** More rows beyond the page in the direction it was read. */
  more: boolean;
}

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
 */
export async function publicationFeed(
  db: Db,
  filter: FeedFilter,
  bounds: { after?: FeedKey | undefined; before?: FeedKey | undefined },
  take: number,
  fromEnd: boolean,
): Promise<FeedPage> {
  const parts = [feedFilterSql(filter)];
  if (bounds.after) parts.push(sql`${FEED_KEY} > ${feedKeyValue(bounds.after)}`);
  if (bounds.before) parts.push(sql`${FEED_KEY} < ${feedKeyValue(bounds.before)}`);
  const direction = sql.raw(fromEnd ? 'desc' : 'asc');
  const rows = await queryRows<PeriodDbRow & { at: string }>(
    db,
    sql`select ${PERIOD_COLUMNS},
               to_char(p.published_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at
          from periods p
         where ${sql.join(parts, sql` and `)}
         order by p.published_at ${direction}, p.village_id ${direction}, p.year ${direction}, p.month ${direction},
                  p.revision ${direction}
         limit ${take + 1}`,
  );
  const page = rows.slice(0, take).map((r) => ({
    ...toPeriod(r),
    key: { at: r.at, villageId: r.village_id, year: r.year, month: r.month, revision: r.revision },
  }));
  return { rows: fromEnd ? page.reverse() : page, more: rows.length > take };
}

export async function countPublications(db: Db, filter: FeedFilter): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from periods p where ${feedFilterSql(filter)}`,
  );
  return row?.n ?? 0;
}
