// What the statement fields read follows the query's selection (issue 19, "Only the SQL a query needs"): a query for
// a month's revision, digest, counts and lines reads the month's revisions and the lines page, never the bundle of
// rollups, previous month, year to date and changes that the month page needs.
import { PgDialect } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, DbHandle } from '@mingbai/db/client';
import { publishedRevisionsSql, statementSumsSql } from '@mingbai/api/statements/statement.sql';
import { VillagePage } from '../../portal/src/lib/queries.ts';
import { openTestDb } from '../support/db.ts';
import { startTestApi, type TestApi } from '../support/api.ts';

const dialect = new PgDialect();
/** SQL text of every statement the loaders send through `db.execute`, in order. */
const seen: string[] = [];

/** The test database, with `execute` recording the statement it is given. */
function recording(db: Db): Db {
  return new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== 'execute' || typeof value !== 'function') return value;
      return (query: SQL) => {
        seen.push(dialect.sqlToQuery(query).sql);
        return (value as (q: SQL) => unknown).call(target, query);
      };
    },
  });
}

let handle: DbHandle;
let api: TestApi;
beforeAll(async () => {
  handle = await openTestDb();
  api = await startTestApi(recording(handle.db));
});
afterAll(async () => {
  await api?.close();
  await handle?.close();
});

/** Runs the query twice: graphql-js answers a document's first run, graphql-jit's compiled form the next ones. */
async function run(query: string): Promise<{ count: number; texts: string[] }> {
  const runs: { count: number; texts: string[] }[] = [];
  for (let i = 0; i < 2; i++) {
    seen.length = 0;
    const res = await api.query(query);
    expect(res.errors).toBeUndefined();
    runs.push({ count: res.extensions!.sql!.statements, texts: [...seen] });
  }
  expect(runs[1]).toEqual(runs[0]);
  return runs[0]!;
}

const LINES_ONLY = `{ village(slug: "fucun") { statement(year: 2025, month: 8) { revision digest voucherCount lineCount
  lines(first: 50) { totalCount edges { node { kind amount { fen } account { code } } } } } } }`;

describe('SQL that follows the selection', () => {
  it('reads a month’s lines page without the bundle: the village, then the month’s revisions with the page', async () => {
    const { count, texts } = await run(LINES_ONLY);
    expect(count).toBeLessThanOrEqual(2);
    for (const text of texts) {
      expect(text).not.toMatch(/statement_rollups|statement_changes/);
    }
  });

  it('still reads the rollups, year to date and changes in one statement when the query shows them', async () => {
    const { texts } = await run(`{ village(slug: "fucun") { statement(year: 2025, month: 8) { revision
      income { fen } yearToDate { income { fen } } changes { voucherNumber } lines(first: 5) { totalCount } } } }`);
    expect(texts.filter((t) => /statement_rollups/.test(t))).toHaveLength(1);
  });

  it('reads the bundle when a fragment asks for the figures', async () => {
    const { texts } = await run(`{ village(slug: "fucun") { statement(year: 2025, month: 8) { ...F } } }
      fragment F on MonthlyStatement { revision ... on MonthlyStatement { spending { fen } } }`);
    expect(texts.filter((t) => /statement_rollups/.test(t))).toHaveLength(1);
  });

  it('reads each listed month’s revisions and figures with the list: the village page reads neither alone', async () => {
    // A loader's statement up to its first parameter: requests merge statements (mergeReads), which renumbers them.
    const prefix = (query: SQL) => {
      const text = dialect.sqlToQuery(query).sql;
      return text.slice(0, text.indexOf('$'));
    };
    const month = { villageId: 1, year: 2025, month: 1 };
    const alone = [prefix(publishedRevisionsSql([month])), prefix(statementSumsSql([{ ...month, revision: 1 }]))];
    seen.length = 0;
    const res = await api.query(VillagePage, { slug: 'fucun' });
    expect(res.errors).toBeUndefined();
    expect(seen.length).toBeGreaterThan(0);
    expect(alone.every((a) => a.length > 100)).toBe(true);
    expect(seen.filter((t) => alone.some((a) => t.includes(a)))).toEqual([]);
    // The village; its months, its latest month and the questions' record; that month's rollups and the red flags.
    expect(res.extensions!.sql!.statements).toBeLessThanOrEqual(3);
  });
});
