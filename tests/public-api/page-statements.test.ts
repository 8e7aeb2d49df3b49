// Issue 19, "only the SQL a query needs": the portal's month page in at most 2 SQL statements and the village page in
// at most 3, the same answer whichever executor runs the document; and every batched key lookup one statement text
// whatever the batch size, so PostgreSQL keeps one prepared statement and can reuse its plan.
import { PgDialect } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { publishedAttachmentsSql } from '@mingbai/api/attachments/attachment.sql';
import { questionsOfMonthsSql } from '@mingbai/api/questions/question.sql';
import { flagsOfRevisionsSql } from '@mingbai/api/review/red-flag.sql';
import {
  latestPeriodsSql,
  publishedRevisionsSql,
  revisionChangesSql,
  rollupsSql,
  statementBundleSql,
  statementSumsSql,
  yearToDateSql,
} from '@mingbai/api/statements/statement.sql';
import { villagesByIdSql, villagesBySlugSql } from '@mingbai/api/villages/village.sql';
import {
  flagsOfVouchersSql,
  linesOfStatementsSql,
  linesOfVouchersSql,
  vouchersByCurrentNumberSql,
  vouchersByIdSql,
  vouchersByNumberSql,
} from '@mingbai/api/vouchers/voucher.sql';
import { MonthPage, VillagePage } from '../../portal/src/lib/queries.ts';
import { useTestApi } from '../support/api.ts';

const t = useTestApi();

/** Runs the query twice: graphql-js answers a document's first run, graphql-jit's compiled form the next ones. */
async function twice(query: string, variables: Record<string, unknown>) {
  const runs = [];
  for (let i = 0; i < 2; i++) {
    const res = await t.api.query(query, variables);
    expect(res.errors).toBeUndefined();
    runs.push({ statements: res.extensions!.sql!.statements, data: res.data });
  }
  expect(runs[1]).toEqual(runs[0]);
  return runs[0]!;
}

describe('statements per page', () => {
  it('reads the month page in at most 2 statements: the village, then the month with everything it shows', async () => {
    // 付村 2025-08 is a correction (changes), with questions, red flags and attachments in the demo data.
    const { statements, data } = await twice(MonthPage, { slug: 'fucun', year: 2025, month: 8, first: 50 });
    const s = (data as { village: { statement: Record<string, unknown[] | unknown> } }).village.statement;
    expect((s.changes as unknown[]).length).toBeGreaterThan(0);
    expect((s.lines as { edges: unknown[] }).edges.length).toBeGreaterThan(0);
    expect(statements).toBeLessThanOrEqual(2);
  });

  it('reads a filtered month page and an older revision in at most 2 statements too', async () => {
    const filtered = await twice(MonthPage, {
      slug: 'fucun',
      year: 2025,
      month: 8,
      first: 10,
      orderBy: 'AMOUNT_DESC',
      minYuan: '1',
    });
    expect(filtered.statements).toBeLessThanOrEqual(2);
    const older = await twice(MonthPage, { slug: 'fucun', year: 2025, month: 8, revision: 1, first: 50 });
    expect(older.statements).toBeLessThanOrEqual(2);
    expect((older.data as { village: { statement: { revision: number } } }).village.statement.revision).toBe(1);
  });

  it('reads the village page in at most 3 statements', async () => {
    const { statements, data } = await twice(VillagePage, { slug: 'fucun' });
    const v = (data as { village: { periods: { nodes: unknown[] }; latestStatement: unknown } }).village;
    expect(v.periods.nodes.length).toBeGreaterThan(1);
    expect(v.latestStatement).not.toBeNull();
    expect(statements).toBeLessThanOrEqual(3);
  });
});

describe('statements per shape of the peer comparison (bench/suite/peer.ts)', () => {
  const VOUCHER = `query Voucher($slug: String!, $year: Int!, $month: Int!, $number: Int!, $revision: Int) {
    village(slug: $slug) { voucher(year: $year, month: $month, number: $number, revision: $revision) {
      number date summary revision total { fen }
      lines { lineNo side amount { fen } summary account { code name } counterparty { name } paymentMethod } } } }`;

  it('reads a voucher with its lines in 2 statements: the village, then the voucher and its lines', async () => {
    const current = await twice(VOUCHER, { slug: 'fucun', year: 2025, month: 8, number: 1 });
    const v = (current.data as { village: { voucher: { revision: number; lines: unknown[] } } }).village.voucher;
    expect(v.lines.length).toBeGreaterThan(1);
    expect(current.statements).toBe(2);
    // The same voucher asked by its revision (the month's revisions read first, then the voucher, then its lines).
    const byRevision = await twice(VOUCHER, { slug: 'fucun', year: 2025, month: 8, number: 1, revision: v.revision });
    expect(byRevision.data).toEqual(current.data);
    // A month not published, or a number the month has not: null, as before.
    const none = await twice(VOUCHER, { slug: 'fucun', year: 2025, month: 8, number: 99999 });
    expect((none.data as { village: { voucher: unknown } }).village.voucher).toBeNull();
  });

  it("reads a village's months in 2 statements, and each month's revisions only when its statement is asked", async () => {
    const months = await twice(
      `query Village($slug: String!) { village(slug: $slug) { name code
        periods(first: 24) { totalCount nodes { year month revision publishedAt } } } }`,
      { slug: 'fucun' },
    );
    expect(months.statements).toBe(2);
    // With the months' statements: every revision of a corrected month, and none read again for them.
    const statements = await twice(
      `query Village($slug: String!) { village(slug: $slug) {
        periods(first: 24) { nodes { year month revision statement { revision revisions { revision } } } } } }`,
      { slug: 'fucun' },
    );
    type Month = { year: number; month: number; revision: number; statement: { revisions: { revision: number }[] } };
    const nodes = (statements.data as { village: { periods: { nodes: Month[] } } }).village.periods.nodes;
    const corrected = nodes.find((m) => m.year === 2025 && m.month === 8)!;
    expect(corrected.statement.revisions.length).toBeGreaterThan(1);
    expect(corrected.statement.revisions[0]!.revision).toBe(corrected.revision);
    expect(statements.statements).toBe(2);
  });

  it('reads the publication feed with its villages in 2 statements, and its revisions only when asked', async () => {
    const FEED = `query Feed($year: Int!, $month: Int!) { statements(year: $year, month: $month, last: 20) {
      nodes { year month revision publishedAt digest village { slug name } } } }`;
    const feed = await twice(FEED, { year: 2025, month: 8 });
    const nodes = (feed.data as { statements: { nodes: { village: { slug: string } }[] } }).statements.nodes;
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.every((n) => n.village.slug)).toBe(true);
    expect(feed.statements).toBe(2);
    const withRevisions = await twice(
      `query Feed($year: Int!, $month: Int!) { statements(year: $year, month: $month, last: 20) {
        nodes { revision isCurrent revisions { revision } village { slug } } } }`,
      { year: 2025, month: 8 },
    );
    type Node = { revision: number; isCurrent: boolean; revisions: { revision: number }[] };
    const all = (withRevisions.data as { statements: { nodes: Node[] } }).statements.nodes;
    // 付村 2025-08 was corrected: its first revision is in the feed and is not current.
    expect(all.some((n) => !n.isCurrent && n.revisions.length > 1)).toBe(true);
    for (const n of all) expect(n.isCurrent).toBe(n.revisions[0]!.revision === n.revision);
    expect(withRevisions.statements).toBe(2);
  });

  it('reads a lines page without counterparties in 2 statements, each line the same as with them', async () => {
    const LINES = (extra: string) => `query Lines($slug: String!, $year: Int!, $month: Int!, $kind: FlowKind) {
      village(slug: $slug) { statement(year: $year, month: $month) { revision digest voucherCount lineCount
        lines(first: 50, kind: $kind, orderBy: DATE_ASC) { totalCount
          nodes { date kind voucherNumber amount { fen } account { code } ${extra} } } } } }`;
    type Lines = { village: { statement: { lines: { nodes: Record<string, unknown>[] } } } };
    for (const kind of [null, 'SPENDING', 'INCOME']) {
      const vars = { slug: 'fucun', year: 2025, month: 8, kind };
      const lean = await twice(LINES(''), vars);
      expect(lean.statements).toBe(2);
      const full = await twice(LINES('counterparty { name } paymentMethod'), vars);
      const nodes = (full.data as Lines).village.statement.lines.nodes;
      expect(nodes.length).toBeGreaterThan(0);
      const stripped = nodes.map(({ counterparty: _c, paymentMethod: _p, ...rest }) => rest);
      expect(stripped).toEqual((lean.data as Lines).village.statement.lines.nodes);
    }
  });
});

describe('batched lookups', () => {
  it('find villages by several slugs in one batch, quotes and backslashes in a slug matched literally', async () => {
    const res = await t.api.query<Record<string, { name: string } | null>>(
      `{ a: village(slug: "fucun") { name } b: village(slug: "fu\\"cun") { name } c: village(slug: "fu\\\\cun") { name } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.a!.name).toBeTruthy();
    expect(res.data!.b).toBeNull();
    expect(res.data!.c).toBeNull();
    expect(res.extensions!.sql!.statements).toBe(1);
  });
});

describe('one statement text per batched lookup', () => {
  const dialect = new PgDialect();
  const text = (query: SQL) => dialect.sqlToQuery(query).sql;
  const months = [1, 2, 3].map((m) => ({ villageId: 7, year: 2025, month: m }));
  const revisions = months.map((m) => ({ ...m, revision: 1 }));
  const vouchers = revisions.map((r, i) => ({ ...r, number: i + 1, id: i + 1 }));
  const filter = { sort: 'date_asc' as const };
  const builders: [string, (n: number) => SQL][] = [
    ['publishedRevisionsSql', (n) => publishedRevisionsSql(months.slice(0, n))],
    ['latestPeriodsSql', (n) => latestPeriodsSql([1, 2, 3].slice(0, n))],
    ['rollupsSql', (n) => rollupsSql(revisions.slice(0, n))],
    ['yearToDateSql', (n) => yearToDateSql(months.slice(0, n))],
    ['statementSumsSql', (n) => statementSumsSql(revisions.slice(0, n))],
    ['revisionChangesSql', (n) => revisionChangesSql(revisions.slice(0, n))],
    ['statementBundleSql', (n) => statementBundleSql(months.slice(0, n), months.slice(0, n))],
    ['villagesBySlugSql', (n) => villagesBySlugSql(['a', 'b"c', 'd\\e'].slice(0, n))],
    ['villagesByIdSql', (n) => villagesByIdSql([1, 2, 3].slice(0, n))],
    [
      'linesOfStatementsSql',
      (n) =>
        linesOfStatementsSql({ revisions: revisions.slice(0, n) }, filter, {
          start: 0,
          end: undefined,
          take: 50,
          fromEnd: false,
        }),
    ],
    ['vouchersByIdSql', (n) => vouchersByIdSql(vouchers.slice(0, n))],
    ['vouchersByNumberSql', (n) => vouchersByNumberSql(vouchers.slice(0, n))],
    ['vouchersByCurrentNumberSql', (n) => vouchersByCurrentNumberSql(vouchers.slice(0, n))],
    ['flagsOfVouchersSql', (n) => flagsOfVouchersSql(vouchers.slice(0, n))],
    ['linesOfVouchersSql', (n) => linesOfVouchersSql(vouchers.slice(0, n))],
    ['flagsOfRevisionsSql', (n) => flagsOfRevisionsSql({ revisions: revisions.slice(0, n) })],
    ['publishedAttachmentsSql', (n) => publishedAttachmentsSql({ revisions: revisions.slice(0, n) })],
    ['questionsOfMonthsSql', (n) => questionsOfMonthsSql(months.slice(0, n))],
  ];
  // One key (the common case) as equalities, which PostgreSQL plans once and then reuses (generic plan); several as
  // arrays, one text whatever their number (an array parameter is planned on every run: see sql-helpers.ts).
  it.each(builders)('%s sends the same text for 2 keys and for 3, and equalities for 1', (_, build) => {
    expect(text(build(3))).toBe(text(build(2)));
    expect(text(build(2))).toMatch(/::(int|text)\[\]/);
    expect(text(build(1))).not.toMatch(/::(int|text)\[\]/);
  });
});
