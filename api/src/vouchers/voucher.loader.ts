import DataLoader from 'dataloader';
import type { FlowKind } from '@mingbai/db/ledger/flows';
import { AheadLoader, BATCH_PER_TICK } from '../batching.ts';
import { pageOffset, pageWindow, type Page, type PageArgs, type Window } from '../graphql/relay/connection.ts';
import { groupBy, readRows, type SqlReader, type WantedRevisions } from '../sql-helpers.ts';
import {
  fromDbKey,
  monthKey,
  revisionKey,
  type MonthKey,
  type RevisionDbKey,
  type RevisionKey,
} from '../statements/period-keys.ts';
import { lineFilter, type LineArgsShape } from './voucher.service.ts';
import {
  countLinesOfSql,
  datePageSql,
  flagsOfVouchersSql,
  isPlainDateOrder,
  linesOfCurrentVoucherSql,
  linesOfVouchersSql,
  linesOfStatementsSql,
  toLine,
  toStatementLine,
  toVoucher,
  vouchersByCurrentNumberSql,
  vouchersByIdSql,
  vouchersByNumberSql,
  type FlagDbRow,
  type LineDbRow,
  type LineFilter,
  type StatementLineRow,
  type VoucherLineRow,
  type VoucherRow,
} from './voucher.sql.ts';

interface LinesKey {
  statement: RevisionKey;
  filter: LineFilter;
  window: Window;
}

/** A lines page of a month's current revision, read ahead with the month's statement (`readAheadLines`). */
interface CurrentLinesKey {
  month: MonthKey;
  filter: LineFilter;
  window: Window;
}

type PageDbRow = { total: number; page_revision: number | null } & (
  (LineDbRow & { kind: FlowKind; rn: number }) | { rn: null }
);

const linesKey = (k: LinesKey) => JSON.stringify([revisionKey(k.statement), k.filter, k.window], bigintSafe);
const currentLinesKey = (k: CurrentLinesKey) => JSON.stringify([monthKey(k.month), k.filter, k.window], bigintSafe);

/**
 * One page of lines for each wanted statement (given revisions, or months' current ones), with the same filter and
 * window, keyed by `keyOf` (a revision's key, or a month's): one statement, or two when a page past the end of some
 * statement has no row to carry its total.
 */
async function linePages(
  db: SqlReader,
  wanted: WantedRevisions,
  filter: LineFilter,
  window: Window,
  keyOf: (k: RevisionKey) => string,
): Promise<Map<string, Page<StatementLineRow>>> {
  const results = new Map<string, Page<StatementLineRow>>();
  const keys: readonly (MonthKey & { revision?: number })[] =
    'revisions' in wanted ? wanted.revisions : wanted.currentOf;
  if (keys.length === 1 && isPlainDateOrder(filter)) {
    const key = keys[0]!;
    const rows = await readRows<PageDbRow>(db, datePageSql(key, window, filter));
    const found = rows.filter((r): r is PageDbRow & LineDbRow & { kind: FlowKind; rn: number } => r.rn !== null);
    const totalCount = rows[0]?.total ?? 0;
    // The revision read: the one asked for, or the month's current one (none when the month is not published).
    const revision = key.revision ?? rows[0]?.page_revision ?? undefined;
    if (revision === undefined) return results;
    results.set(keyOf({ ...key, revision }), {
      offset: pageOffset(window, found[0]?.rn, totalCount),
      totalCount,
      nodes: found.map(toStatementLine),
    });
    return results;
  }
  const rows = await readRows<LineDbRow & { kind: FlowKind; rn: number; total: number }>(
    db,
    linesOfStatementsSql(wanted, filter, window),
  );
  for (const [key, mine] of groupBy(rows, (r) => keyOf(fromDbKey(r)))) {
    const totalCount = mine[0]!.total;
    results.set(key, {
      offset: pageOffset(window, mine[0]!.rn, totalCount),
      totalCount,
      nodes: mine.map(toStatementLine),
    });
  }
  // A page past the end has no row to carry its total: count those statements, in one more statement. (Read ahead,
  // such a page is left to the field, which reads it here by its revision.)
  if ('revisions' in wanted && (window.start > 0 || window.end !== undefined)) {
    const unknown = wanted.revisions.filter((k) => !results.has(keyOf(k)));
    if (unknown.length > 0) {
      const counted = await readRows<RevisionDbKey & { n: number }>(
        db,
        countLinesOfSql({ revisions: unknown }, filter),
      );
      const byKey = new Map(counted.map((r) => [keyOf(fromDbKey(r)), r.n]));
      for (const k of unknown) {
        const totalCount = byKey.get(keyOf(k)) ?? 0;
        results.set(keyOf(k), { offset: pageOffset(window, undefined, totalCount), totalCount, nodes: [] });
      }
    }
  }
  return results;
}

const emptyPage = (window: Window): Page<StatementLineRow> => ({
  offset: pageOffset(window, undefined, 0),
  totalCount: 0,
  nodes: [],
});

export function createVoucherLoaders(db: SqlReader) {
  /** Statement lines of many statements with the same filter and window: one query per distinct filter. */
  const statementLines = new AheadLoader<LinesKey, Page<StatementLineRow>>(
    async (keys) => {
      const results = new Map<string, Page<StatementLineRow>>();
      for (const group of groupBy(keys, (k) => JSON.stringify([k.filter, k.window], bigintSafe)).values()) {
        const { filter, window } = group[0]!;
        const wanted = { revisions: group.map((k) => k.statement) };
        const pages = await linePages(db, wanted, filter, window, revisionKey);
        for (const k of group) results.set(linesKey(k), pages.get(revisionKey(k.statement)) ?? emptyPage(window));
      }
      return keys.map((k) => results.get(linesKey(k))!);
    },
    { ...BATCH_PER_TICK, cacheKeyFn: linesKey },
    (k) => monthKey(k.statement),
  );
  /**
   * Pages of months' current revisions, read ahead (`readAheadLines`); a month without a row to say its revision (a
   * filtered page past the end) is left out, and its `lines` field reads it as always.
   */
  const currentLines = new DataLoader<CurrentLinesKey, Page<StatementLineRow> | undefined, string>(
    async (keys) => {
      const results = new Map<string, Page<StatementLineRow> | undefined>();
      for (const group of groupBy(keys, (k) => JSON.stringify([k.filter, k.window], bigintSafe)).values()) {
        const { filter, window } = group[0]!;
        const pages = await linePages(db, { currentOf: group.map((k) => k.month) }, filter, window, monthKey);
        for (const k of group) results.set(currentLinesKey(k), pages.get(monthKey(k.month)));
      }
      return keys.map((k) => results.get(currentLinesKey(k)));
    },
    { ...BATCH_PER_TICK, cacheKeyFn: currentLinesKey },
  );
  return {
    statementLines,
    currentLines,
    voucherById: new DataLoader<{ villageId: number; id: number }, VoucherRow | undefined, string>(
      async (keys) => {
        const rows = await readRows<LineDbRow>(db, vouchersByIdSql(keys));
        const byKey = new Map(rows.map((r) => [`${r.village_id}:${r.id}`, toVoucher(r)]));
        return keys.map((k) => byKey.get(`${k.villageId}:${k.id}`));
      },
      { ...BATCH_PER_TICK, cacheKeyFn: (k) => `${k.villageId}:${k.id}` },
    ),
    voucherByNumber: new DataLoader<RevisionKey & { number: number }, VoucherRow | undefined, string>(
      async (keys) => {
        const rows = await readRows<LineDbRow>(db, vouchersByNumberSql(keys));
        const byKey = new Map(rows.map((r) => [`${revisionKey(toVoucher(r))}:${r.number}`, toVoucher(r)]));
        return keys.map((k) => byKey.get(`${revisionKey(k)}:${k.number}`));
      },
      { ...BATCH_PER_TICK, cacheKeyFn: (k) => `${revisionKey(k)}:${k.number}` },
    ),
    /** Vouchers by number within their month's current revision (`currentVoucher`). */
    voucherByCurrentNumber: new DataLoader<MonthKey & { number: number }, VoucherRow | undefined, string>(
      async (keys) => {
        const rows = await readRows<LineDbRow>(db, vouchersByCurrentNumberSql(keys));
        const byKey = new Map(rows.map((r) => [`${monthKey(toVoucher(r))}:${r.number}`, toVoucher(r)]));
        return keys.map((k) => byKey.get(`${monthKey(k)}:${k.number}`));
      },
      { ...BATCH_PER_TICK, cacheKeyFn: (k) => `${monthKey(k)}:${k.number}` },
    ),
    /** Supervisors' flags on vouchers of published months, by voucher number within its revision. */
    flagsOfVoucher: new DataLoader<
      RevisionKey & { number: number },
      { author: string; reason: string; createdAt: Date }[],
      string
    >(
      async (keys) => {
        const rows = await readRows<FlagDbRow>(db, flagsOfVouchersSql(keys));
        const byKey = groupBy(rows, (r) => r.key);
        return keys.map((k) =>
          (byKey.get(`${revisionKey(k)}:${k.number}`) ?? []).map((r) => ({
            author: r.author,
            reason: r.reason,
            createdAt: new Date(r.created_at),
          })),
        );
      },
      { ...BATCH_PER_TICK, cacheKeyFn: (k) => `${revisionKey(k)}:${k.number}` },
    ),
    linesOfVoucher: new DataLoader<{ villageId: number; id: number }, VoucherLineRow[], string>(
      async (keys) => {
        const rows = await readRows<LineDbRow>(db, linesOfVouchersSql(keys));
        const byVoucher = groupBy(rows.map(toLine), (l) => `${l.villageId}:${l.voucherId}`);
        return keys.map((k) => byVoucher.get(`${k.villageId}:${k.id}`) ?? []);
      },
      { ...BATCH_PER_TICK, cacheKeyFn: (k) => `${k.villageId}:${k.id}` },
    ),
  };
}

function bigintSafe(_: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

/**
 * Reads a month's lines page with the level above the `lines` field that shows it (graphql/execution/read-ahead.ts):
 * the given revision's page, or the current one's, primed under the revision `current` names (the statement read in
 * the same statement). Arguments the field would refuse read nothing ahead: the field reports them.
 */
export function readAheadLines(
  loaders: ReturnType<typeof createVoucherLoaders>,
  month: MonthKey,
  revision: number | undefined,
  current: Promise<number | undefined>,
  args: LineArgsShape & PageArgs,
  /** The field asks for no line's counterparty or payment method (`LineFilter.lean`). */
  lean: boolean,
): void {
  let filter: LineFilter;
  let window: Window;
  try {
    filter = { ...lineFilter(args), lean };
    window = pageWindow(args);
  } catch {
    return;
  }
  if (revision !== undefined) {
    loaders.statementLines.load({ statement: { ...month, revision }, filter, window }).catch(() => {});
    return;
  }
  loaders.statementLines.readAheadCurrent(
    monthKey(month),
    loaders.currentLines.load({ month, filter, window }),
    current,
    (found, r) =>
      found && loaders.statementLines.prime({ statement: { ...month, revision: r }, filter, window }, found),
  );
}

/**
 * A voucher by number in its month's current revision, and with it (`withLines`) its lines, in the same turn: both
 * go out in one statement (`mergeReads`), and the voucher's `lines` and `total` find `linesOfVoucher` primed. The
 * voucher page reads in two statements (the village, then this) instead of four (the month's revisions, the voucher,
 * its lines one level later each).
 */
export async function currentVoucher(
  db: SqlReader,
  loaders: Pick<ReturnType<typeof createVoucherLoaders>, 'voucherByCurrentNumber' | 'linesOfVoucher'>,
  key: MonthKey & { number: number },
  withLines: boolean,
): Promise<VoucherRow | undefined> {
  const lines = withLines ? readRows<LineDbRow>(db, linesOfCurrentVoucherSql(key)) : undefined;
  const [row, lineRows] = await Promise.all([loaders.voucherByCurrentNumber.load(key), lines]);
  if (row && lineRows) loaders.linesOfVoucher.prime({ villageId: row.villageId, id: row.id }, lineRows.map(toLine));
  return row;
}
