import DataLoader from 'dataloader';
import { previousMonth } from '@mingbai/db/ledger/publish';
import { BATCH_PER_TICK } from '../batching.ts';
import { groupBy, readRows, type SqlReader } from '../sql-helpers.ts';
import {
  fromDbKey,
  monthKey,
  revisionKey,
  type MonthKey,
  type RevisionDbKey,
  type RevisionKey,
} from './period-keys.ts';
import { statementTotals } from './statement.service.ts';
import {
  latestPeriodsSql,
  NO_SUMS,
  publishedRevisionsSql,
  revisionChangesSql,
  revisionsOf,
  rollupsSql,
  statementBundleSql,
  statementSumsSql,
  toChange,
  toPeriod,
  toRollup,
  toSums,
  toYearToDate,
  yearToDateSql,
  type BundlePart,
  type ChangeDbRow,
  type PeriodDbRow,
  type PeriodRow,
  type PeriodWithOlderDbRow,
  type RollupDbRow,
  type RollupRow,
  type StatementSums,
  type SumsDbRow,
  type VoucherChange,
  type YearToDateRows,
  type YtdDbRow,
} from './statement.sql.ts';
import { MonthlyStatement } from './statement.type.ts';

/** The statements' DataLoaders, one set per request (graphql/context.ts assembles every domain's). */
export type StatementLoaders = ReturnType<typeof createStatementLoaders>;

export function createStatementLoaders(db: SqlReader) {
  /** Every published revision of a month, newest first; empty if the month is not public. */
  const publishedRevisions = new DataLoader<MonthKey, PeriodRow[], string>(
    async (keys) => {
      const rows = await readRows<PeriodDbRow>(db, publishedRevisionsSql(keys));
      const byMonth = groupBy(rows.map(toPeriod), monthKey);
      return keys.map((k) => byMonth.get(monthKey(k)) ?? []);
    },
    { ...BATCH_PER_TICK, cacheKeyFn: monthKey },
  );
  const loaders = {
    publishedRevisions,
    /** The newest published month of each village; primes its month's revisions, so its statement reads no more. */
    latestPeriod: new DataLoader<number, PeriodRow | undefined>(async (villageIds) => {
      const rows = await readRows<PeriodWithOlderDbRow>(db, latestPeriodsSql(villageIds));
      const byVillage = new Map(
        rows.map((r) => {
          const revisions = revisionsOf(r);
          publishedRevisions.prime(revisions[0]!, revisions);
          return [r.village_id, revisions[0]!];
        }),
      );
      return villageIds.map((id) => byVillage.get(id));
    }, BATCH_PER_TICK),
    rollups: new DataLoader<RevisionKey, RollupRow[], string>(
      async (keys) => {
        const rows = await readRows<RollupDbRow & RevisionDbKey>(db, rollupsSql(keys));
        const byKey = groupBy(rows, (r) => revisionKey(fromDbKey(r)));
        return keys.map((k) => (byKey.get(revisionKey(k)) ?? []).map(toRollup));
      },
      { ...BATCH_PER_TICK, cacheKeyFn: revisionKey },
    ),
    /** Movements from January to the month, over the current revision of each published month. */
    yearToDate: new DataLoader<MonthKey, YearToDateRows, string>(
      async (keys) => {
        const rows = await readRows<YtdDbRow>(db, yearToDateSql(keys));
        return keys.map((k) => toYearToDate(rows, k));
      },
      { ...BATCH_PER_TICK, cacheKeyFn: monthKey },
    ),
    /**
     * What corrections changed: the vouchers of each revision against the one before, by number, as the public sees
     * them, derived when the correction was published (`statement_changes`). First revisions have none.
     */
    changes: new DataLoader<RevisionKey, VoucherChange[], string>(
      async (keys) => {
        const wanted = keys.filter((k) => k.revision > 1);
        if (wanted.length === 0) return keys.map(() => []);
        const rows = await readRows<ChangeDbRow>(db, revisionChangesSql(wanted));
        const byKey = groupBy(rows, (r) => revisionKey(fromDbKey(r)));
        return keys.map((k) => (byKey.get(revisionKey(k)) ?? []).map(toChange));
      },
      { ...BATCH_PER_TICK, cacheKeyFn: revisionKey },
    ),
    /**
     * A statement's four headline figures summed in SQL, for lists of months that show only those (the village page
     * lists 100): one row per month instead of every account's rollup. Same sums as `statementTotals`.
     */
    sums: new DataLoader<RevisionKey, StatementSums, string>(
      async (keys) => {
        const rows = await readRows<SumsDbRow>(db, statementSumsSql(keys));
        const byKey = new Map(rows.map((r) => [revisionKey(fromDbKey(r)), toSums(r)]));
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
      const parts = await readRows<BundlePart>(db, statementBundleSql(keys, months));
      const rowsOf = <P extends BundlePart['part']>(part: P) =>
        parts.flatMap((p) => (p.part === part ? [p.row as Extract<BundlePart, { part: P }>['row']] : []));
      const periods = rowsOf('period')
        .map(toPeriod)
        .sort((a, b) => b.revision - a.revision);
      const byMonth = groupBy(periods, monthKey);
      for (const m of months) loaders.publishedRevisions.prime(m, byMonth.get(monthKey(m)) ?? []);
      const rollups = groupBy(rowsOf('rollup'), (r) => revisionKey(fromDbKey(r)));
      const changes = groupBy(rowsOf('change'), (r) => revisionKey(fromDbKey(r)));
      for (const p of periods) {
        const mine = (rollups.get(revisionKey(p)) ?? []).map(toRollup);
        loaders.rollups.prime(p, mine);
        loaders.sums.prime(p, statementTotals(mine));
        loaders.changes.prime(p, (changes.get(revisionKey(p)) ?? []).map(toChange));
      }
      const ytd = rowsOf('ytd');
      for (const k of keys) loaders.yearToDate.prime(k, toYearToDate(ytd, k));
      return keys.map((k) => byMonth.get(monthKey(k)) ?? []);
    },
    { ...BATCH_PER_TICK, cacheKeyFn: monthKey },
  );
  return { ...loaders, statementBundle };
}

/**
 * Finds a published statement: the given revision, or the current one. Undefined when not public. Every field that
 * leads to a month (a village's statement, a voucher's, `node(id:)`) goes through here.
 */
export async function loadStatement(
  { loaders }: { loaders: Pick<StatementLoaders, 'statementBundle' | 'publishedRevisions'> },
  key: MonthKey,
  revision?: number | undefined,
  { whole = false }: { whole?: boolean } = {},
): Promise<MonthlyStatement | undefined> {
  // A page about one month asks for most of the statement: read all of it at once (see statementBundle).
  const revisions = await (whole ? loaders.statementBundle : loaders.publishedRevisions).load(key);
  const period = revision === undefined ? revisions[0] : revisions.find((r) => r.revision === revision);
  return period ? new MonthlyStatement(period, revisions) : undefined;
}
