import DataLoader from 'dataloader';
import type { FlowKind } from '@mingbai/db/ledger/flows';
import { BATCH_PER_TICK } from '../batching.ts';
import { pageOffset, type Page, type Window } from '../graphql/relay/connection.ts';
import { groupBy, readRows, type SqlReader } from '../sql-helpers.ts';
import { fromDbKey, revisionKey, type RevisionDbKey, type RevisionKey } from '../statements/period-keys.ts';
import {
  countLinesOfSql,
  datePageSql,
  flagsOfVouchersSql,
  isPlainDateOrder,
  linesOfVouchersSql,
  linesOfStatementsSql,
  toLine,
  toStatementLine,
  toVoucher,
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

async function countLinesOf(
  db: SqlReader,
  statements: RevisionKey[],
  filter: LineFilter,
): Promise<Map<string, number>> {
  const rows = await readRows<RevisionDbKey & { n: number }>(db, countLinesOfSql(statements, filter));
  return new Map(rows.map((r) => [revisionKey(fromDbKey(r)), r.n]));
}

const linesKey = (k: LinesKey) => JSON.stringify([revisionKey(k.statement), k.filter, k.window], bigintSafe);

export function createVoucherLoaders(db: SqlReader) {
  return {
    /** Statement lines of many statements with the same filter and window: one query per distinct filter. */
    statementLines: new DataLoader<LinesKey, Page<StatementLineRow>, string>(
      async (keys) => {
        const results = new Map<string, Page<StatementLineRow>>();
        const byFilter = groupBy(keys, (k) => JSON.stringify([k.filter, k.window], bigintSafe));
        for (const group of byFilter.values()) {
          const { filter, window } = group[0]!;
          if (group.length === 1 && isPlainDateOrder(filter)) {
            const k = group[0]!;
            const rows = await readRows<
              { total: number } & ((LineDbRow & { kind: FlowKind; rn: number }) | { rn: null })
            >(db, datePageSql(k.statement, window));
            const found = rows.filter(
              (r): r is { total: number } & LineDbRow & { kind: FlowKind; rn: number } => r.rn !== null,
            );
            const totalCount = rows[0]?.total ?? 0;
            results.set(linesKey(k), {
              offset: pageOffset(window, found[0]?.rn, totalCount),
              totalCount,
              nodes: found.map(toStatementLine),
            });
            continue;
          }
          const rows = await readRows<LineDbRow & { kind: FlowKind; rn: number; total: number }>(
            db,
            linesOfStatementsSql(
              group.map((k) => k.statement),
              filter,
              window,
            ),
          );
          const byStatement = groupBy(rows, (r) => revisionKey(fromDbKey(r)));
          // A page past the end has no row to carry its total: count those statements, in one more statement.
          const unknown =
            window.start > 0 || window.end !== undefined
              ? group.filter((k) => !byStatement.has(revisionKey(k.statement)))
              : [];
          const counted =
            unknown.length > 0
              ? await countLinesOf(
                  db,
                  unknown.map((k) => k.statement),
                  filter,
                )
              : new Map<string, number>();
          for (const k of group) {
            const mine = byStatement.get(revisionKey(k.statement)) ?? [];
            const totalCount = mine[0]?.total ?? counted.get(revisionKey(k.statement)) ?? 0;
            results.set(linesKey(k), {
              offset: pageOffset(window, mine[0]?.rn, totalCount),
              totalCount,
              nodes: mine.map(toStatementLine),
            });
          }
        }
        return keys.map((k) => results.get(linesKey(k))!);
      },
      { ...BATCH_PER_TICK, cacheKeyFn: linesKey },
    ),
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
