// The public read API over HTTP: exact money, only published months, masked persons, no N+1.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { maskName } from '@mingbai/db/ledger/privacy';
import { useTestApi } from '../support/api.ts';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';

const t = useTestApi();

const MONTH_PAGE = `query ($slug: String!, $year: Int!, $month: Int!, $first: Int) {
  village(slug: $slug) {
    name
    statement(year: $year, month: $month) {
      id revision digest openingBalance { fen yuan } closingBalance { fen yuan } income { fen yuan } spending { fen yuan }
      byCategory { code name kind amount { yuan } subAccounts { code name amount { yuan } } }
      previousMonth { income { yuan } spending { yuan } } yearToDate { income { yuan } spending { yuan } }
      reconciled revisions { revision reason }
      lines(first: $first) { totalCount edges { cursor node { date summary amount { yuan } kind
        counterparty { name isPerson } account { code name categoryName } paymentMethod voucher { number } } } }
    }
  }
}`;

describe('money', () => {
  it('keeps a month total above 2^53 fen exact from the database to the JSON response', async () => {
    const village = await aVillage(t.handle.db);
    const huge = 2n ** 53n - 1n; // each line fits, the month's total does not fit a double
    await aMonth(t.handle.db, village.id, 2025, 1, [
      aVoucher(1, '2025-01-05', '上级拨款', debit('102', huge), credit('503', huge)),
      aVoucher(2, '2025-01-06', '上级拨款', debit('102', huge), credit('503', huge)),
      aVoucher(3, '2025-01-07', '工程款', debit('514', huge + 2n), credit('102', huge + 2n)),
    ]);
    const res = await t.api.query<{
      village: {
        statement: {
          income: { fen: string; yuan: string };
          spending: { fen: string };
          closingBalance: { fen: string };
        };
      };
    }>(MONTH_PAGE, { slug: village.slug, year: 2025, month: 1 });
    expect(res.errors).toBeUndefined();
    const s = res.data!.village.statement;
    expect(s.income.fen).toBe((2n * huge).toString());
    expect(s.income.yuan).toBe('180143985094819.82');
    expect(s.spending.fen).toBe('9007199254740993'); // 2^53 + 1: a double would say …992
    expect(s.closingBalance.fen).toBe('9007199254740989');
    expect(res.text).not.toMatch(/1\.8\d*e\+?16/i);
  });
});

describe('visibility', () => {
  it('never shows an open (unpublished) month to the public', async () => {
    const village = await aVillage(t.handle.db);
    await aMonth(t.handle.db, village.id, 2025, 1, [
      aVoucher(1, '2025-01-05', '已公开', debit('513', 100), credit('102', 100)),
    ]);
    await aMonth(
      t.handle.db,
      village.id,
      2025,
      2,
      [aVoucher(1, '2025-02-05', '秘密草稿', debit('513', 777), credit('102', 777))],
      {
        publish: false,
      },
    );
    const [draft] = await queryRows<{ id: number }>(
      t.handle.db,
      sql`select id from vouchers where village_id = ${village.id} and year = 2025 and month = 2`,
    );
    const draftVoucherId = Buffer.from(`Voucher:${village.id}:${draft!.id}`).toString('base64url');
    const draftStatementId = Buffer.from(`MonthlyStatement:${village.id}:2025:2:1`).toString('base64url');
    const res = await t.api.query<{
      village: {
        statement: unknown;
        voucher: unknown;
        latestStatement: { month: number };
        periods: { totalCount: number; nodes: { month: number }[] };
      };
      s: unknown;
      v: unknown;
    }>(
      `query ($slug: String!, $sid: ID!, $vid: ID!) {
        village(slug: $slug) {
          statement(year: 2025, month: 2) { id }
          voucher(year: 2025, month: 2, number: 1) { id }
          latestStatement { month }
          periods { totalCount nodes { month } }
        }
        s: node(id: $sid) { id }
        v: node(id: $vid) { id }
      }`,
      { slug: village.slug, sid: draftStatementId, vid: draftVoucherId },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.village.statement).toBeNull();
    expect(res.data!.village.voucher).toBeNull();
    expect(res.data!.village.latestStatement.month).toBe(1);
    expect(res.data!.village.periods).toEqual({ totalCount: 1, nodes: [{ month: 1 }] });
    expect(res.data!.s).toBeNull();
    expect(res.data!.v).toBeNull();
    expect(res.text).not.toContain('秘密草稿');
  });
});

describe('privacy', () => {
  it('never returns a natural person’s full name, ID number, phone or card in public responses', async () => {
    const secrets = await queryRows<{ value: string }>(
      t.handle.db,
      sql`select distinct value from (
            select counterparty_name as value from voucher_lines where counterparty_is_person
            union select counterparty_id_number from voucher_lines
            union select counterparty_phone from voucher_lines
            union select counterparty_bank_account from voucher_lines
            union select preparer from vouchers union select reviewer from vouchers union select approver from vouchers
          ) s where value is not null and length(value) >= 2`,
    );
    expect(secrets.length).toBeGreaterThan(20);
    const fucun = await t.api.query(`{ village(slug: "fucun") { periods(first: 100) { nodes { year month } } } }`);
    const months = (fucun.data as { village: { periods: { nodes: { year: number; month: number }[] } } }).village
      .periods.nodes;
    const bodies: string[] = [];
    expect(months.length).toBeGreaterThan(0);
    for (const { year, month } of months) {
      const res = await t.api.query(
        `query ($year: Int!, $month: Int!) { village(slug: "fucun") { statement(year: $year, month: $month) {
          lines(first: 100) { nodes { summary counterparty { name } voucher { summary approvals { role name }
            lines { summary counterparty { name } } } } } } } }`,
        { year, month },
      );
      expect(res.errors).toBeUndefined();
      bodies.push(res.text);
    }
    const all = bodies.join('\n');
    expect(all).toContain('*');
    const leaked = secrets.map((s) => s.value).filter((value) => all.includes(value));
    expect(leaked).toEqual([]);
  });

  it('masks a person the village paid in an earlier month when a later 摘要 names them', async () => {
    const village = await aVillage(t.handle.db);
    await aMonth(t.handle.db, village.id, 2025, 1, [
      aVoucher(
        1,
        '2025-01-05',
        '发放低保金',
        debit('211', 50_000, { counterparty: { name: '钱秀英', isPerson: true } }),
        credit('102', 50_000),
      ),
    ]);
    await aMonth(t.handle.db, village.id, 2025, 2, [
      aVoucher(1, '2025-02-05', '补发钱秀英1月低保金差额', debit('211', 1_000), credit('102', 1_000)),
    ]);
    const res = await t.api.query(MONTH_PAGE, { slug: village.slug, year: 2025, month: 2 });
    expect(res.text).toContain('补发钱*英1月低保金差额');
    expect(res.text).not.toContain('钱秀英');
  });

  it('masks a person named only inside the 摘要 along with numbers there', async () => {
    const village = await aVillage(t.handle.db);
    await aMonth(t.handle.db, village.id, 2025, 1, [
      aVoucher(
        1,
        '2025-01-05',
        '退还欧阳娜娜押金 电话13900001111 卡号6228480012345678901',
        debit('211', 50_000, { counterparty: { name: '欧阳娜娜', isPerson: true, idNumber: '120111199001011234' } }),
        credit('102', 50_000, { paymentMethod: 'bank' }),
      ),
    ]);
    const res = await t.api.query(MONTH_PAGE, { slug: village.slug, year: 2025, month: 1 });
    expect(res.text).toContain(maskName('欧阳娜娜'));
    for (const secret of ['欧阳娜娜', '13900001111', '6228480012345678901', '120111199001011234']) {
      expect(res.text).not.toContain(secret);
    }
  });
});

describe('SQL statements per request (no N+1)', () => {
  async function statementsFor(query: string, variables: Record<string, unknown>): Promise<number> {
    const res = await t.api.query(query, variables);
    expect(res.errors).toBeUndefined();
    return res.extensions!.sql!.statements;
  }

  it('runs the same number of statements for a month of 10 lines and of 1,000 lines', async () => {
    const small = await aVillage(t.handle.db);
    const large = await aVillage(t.handle.db);
    const month = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        aVoucher(
          i + 1,
          '2025-03-10',
          `支付第${i + 1}笔`,
          debit('51301', 1_000 + i, { accountName: '办公费' }),
          credit('102', 1_000 + i),
        ),
      );
    await aMonth(t.handle.db, small.id, 2025, 3, month(10));
    await aMonth(t.handle.db, large.id, 2025, 3, month(1_000));
    const a = await statementsFor(MONTH_PAGE, { slug: small.slug, year: 2025, month: 3, first: 100 });
    const b = await statementsFor(MONTH_PAGE, { slug: large.slug, year: 2025, month: 3, first: 100 });
    expect(a).toBe(b);
    expect(a).toBeLessThanOrEqual(10);
  });

  it('runs the same number of statements for 1 and for 15 villages with their latest statements and lines', async () => {
    const query = `query ($first: Int!) { villages(first: $first) { nodes { name town { name } district { name }
      latestStatement { income { yuan } spending { yuan } closingBalance { yuan } byCategory { name }
        lines(first: 5) { totalCount nodes { summary amount { yuan } voucher { lines { amount { yuan } } } } } } } } }`;
    const one = await statementsFor(query, { first: 1 });
    const fifteen = await statementsFor(query, { first: 15 });
    expect(fifteen).toBe(one);
  });
});

describe('relay', () => {
  it('pages villages with opaque cursors, totalCount and first ≤ 100', async () => {
    const first = await t.api.query<{
      villages: {
        totalCount: number;
        edges: { cursor: string; node: { id: string; slug: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    }>(`{ villages(first: 5) { totalCount edges { cursor node { id slug } } pageInfo { hasNextPage endCursor } } }`);
    const page1 = first.data!.villages;
    expect(page1.edges).toHaveLength(5);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const next = await t.api.query<{ villages: { edges: { node: { slug: string } }[] } }>(
      `query ($after: String) { villages(first: 5, after: $after) { edges { node { slug } } } }`,
      { after: page1.pageInfo.endCursor },
    );
    const slugs1 = page1.edges.map((e) => e.node.slug);
    expect(next.data!.villages.edges.length).toBeGreaterThan(0);
    for (const e of next.data!.villages.edges) expect(slugs1).not.toContain(e.node.slug);

    const node = await t.api.query<{ node: { __typename: string; slug: string } }>(
      `query ($id: ID!) { node(id: $id) { __typename ... on Village { slug } } }`,
      { id: page1.edges[0]!.node.id },
    );
    expect(node.data!.node).toEqual({ __typename: 'Village', slug: slugs1[0] });

    const tooMany = await t.api.query(`{ villages(first: 101) { totalCount } }`);
    expect(tooMany.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(tooMany.errors![0]!.message).toMatch(/first/);
    const badCursor = await t.api.query(`{ villages(after: "garbage") { totalCount } }`);
    expect(badCursor.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('resolves every node type by its global ID', async () => {
    const res = await t.api.query<{
      village: {
        id: string;
        town: { id: string };
        statement: { id: string; lines: { nodes: { voucher: { id: string } }[] } };
      };
    }>(
      `{ village(slug: "fucun") { id town { id } statement(year: 2025, month: 6) { id lines(first: 1) { nodes { voucher { id } } } } } }`,
    );
    const v = res.data!.village;
    for (const [id, type] of [
      [v.id, 'Village'],
      [v.town.id, 'Region'],
      [v.statement.id, 'MonthlyStatement'],
      [v.statement.lines.nodes[0]!.voucher.id, 'Voucher'],
    ]) {
      const node = await t.api.query<{ node: { __typename: string; id: string } }>(
        `query ($id: ID!) { node(id: $id) { __typename id } }`,
        { id },
      );
      expect(node.data!.node).toEqual({ __typename: type, id });
    }
    const bad = await t.api.query(`{ node(id: "!!!") { id } }`);
    expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });
});

describe('GraphQL over HTTP', () => {
  it('answers a plain GET, refuses a mutation over GET, and ignores cookies', async () => {
    const get = (query: string, headers: Record<string, string> = {}) =>
      fetch(`${t.api.url}?query=${encodeURIComponent(query)}`, { headers });
    const ok = await get('{ village(slug: "fucun") { name } }');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ data: { village: { name: '付村' } } });
    const mutation = await get('mutation { logout(token: "x") }');
    expect(mutation.status).toBe(405);
    const token = await t.api.login('fucun-kuaiji', 'mingbai-demo');
    const withCookie = await get('{ me { username } }', { cookie: `mingbai_session=${token}` });
    expect(await withCookie.json()).toMatchObject({ data: { me: null } });
  });
});

describe('bad input', () => {
  it('answers bad arguments with a coded Chinese error and no data change', async () => {
    const cases: [string, string][] = [
      [`{ village(slug: "fucun") { statement(year: 2025, month: 13) { id } } }`, 'month'],
      [`{ village(slug: "fucun") { statement(year: 1800, month: 1) { id } } }`, 'year'],
      [
        `{ village(slug: "fucun") { statement(year: 2025, month: 6) { lines(minYuan: "1.234") { totalCount } } } }`,
        'minYuan',
      ],
      [
        `{ village(slug: "fucun") { statement(year: 2025, month: 6) { lines(category: "514' or 1=1 --") { totalCount } } } }`,
        'category',
      ],
      [`{ villages(regionSlug: "nowhere") { totalCount } }`, 'regionSlug'],
    ];
    for (const [query, argument] of cases) {
      const res = await t.api.query(query);
      expect(res.errors?.[0]?.extensions, query).toMatchObject({ code: 'BAD_USER_INPUT', argument });
      expect(res.errors![0]!.message).toMatch(/[\u4e00-\u9fff]/);
      expect(res.text).not.toContain('stacktrace');
    }
    const invalid = await t.api.query(`{ village(slug: "fucun") { noSuchField } }`);
    expect(invalid.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(invalid.text).not.toContain('stacktrace');
  });

  it('filters lines by category, amount range and text, with LIKE wildcards taken literally', async () => {
    const res = await t.api.query<{
      village: {
        statement: {
          all: { totalCount: number };
          road: { totalCount: number; nodes: { account: { code: string } }[] };
          big: { nodes: { amount: { fen: string } }[] };
          pct: { totalCount: number };
        };
      };
    }>(
      `{ village(slug: "fucun") { statement(year: 2025, month: 6) {
          all: lines { totalCount }
          road: lines(category: "514", first: 100) { totalCount nodes { account { code } } }
          big: lines(minYuan: "1000", orderBy: AMOUNT_DESC, first: 100) { nodes { amount { fen } } }
          pct: lines(search: "%") { totalCount } } } }`,
    );
    expect(res.errors).toBeUndefined();
    const s = res.data!.village.statement;
    expect(s.all.totalCount).toBeGreaterThan(s.road.totalCount);
    expect(s.road.nodes.length).toBeGreaterThan(0);
    for (const n of s.road.nodes) expect(n.account.code.startsWith('514')).toBe(true);
    const amounts = s.big.nodes.map((n) => BigInt(n.amount.fen));
    expect(amounts.length).toBeGreaterThan(0);
    for (const a of amounts) expect(a >= 100_000n).toBe(true);
    expect([...amounts].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).toEqual(amounts);
    expect(s.pct.totalCount).toBe(0);
  });
});
