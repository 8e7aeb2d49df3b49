// The API's shape, checked over the whole schema: every connection pages the same way, every Node round-trips
// through node(id:), IDs survive corrections, and a region's lines are exactly the database's.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows, type Db } from '@mingbai/db/client';
import { openPeriod } from '@mingbai/db/ledger/periods';
import { postVouchers } from '@mingbai/db/ledger/post';
import { publishPeriod } from '@mingbai/db/ledger/publish';
import { useTestApi } from '../support/api.ts';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestApi();

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}
interface IntrospectedField {
  name: string;
  args: { name: string; type: TypeRef }[];
  type: TypeRef;
}
interface IntrospectedType {
  kind: string;
  name: string;
  fields: IntrospectedField[] | null;
  possibleTypes: { name: string }[] | null;
}

const TYPE_REF = `kind name ofType { kind name ofType { kind name ofType { kind name } } }`;
const INTROSPECTION = `{ __schema { types { kind name possibleTypes { name }
  fields { name args { name type { ${TYPE_REF} } } type { ${TYPE_REF} } } } } }`;

const named = (ref: TypeRef): string => (ref.name ?? (ref.ofType ? named(ref.ofType) : ''))!;

async function schemaTypes(): Promise<IntrospectedType[]> {
  const res = await t.api.query<{ __schema: { types: IntrospectedType[] } }>(INTROSPECTION);
  expect(res.errors).toBeUndefined();
  return res.data!.__schema.types;
}

/** How to reach an object of each type that has connection fields, from the demo data. */
const REACH: Record<string, (field: string) => string> = {
  Query: (f) => `{ ${f} }`,
  Region: (f) => `{ region(slug: "xiqing") { ${f} } }`,
  Village: (f) => `{ village(slug: "fucun") { ${f} } }`,
  MonthlyStatement: (f) => `{ village(slug: "fucun") { latestStatement { ${f} } } }`,
  CommitteeMonth: (f) => `{ committeeMonth(villageSlug: "fucun", year: 2025, month: 8) { ${f} } }`,
};

/** Types only the committee and supervisors see: asked as a supervisor of 付村. */
const SIGNED_IN: ReadonlySet<string> = new Set(['CommitteeMonth']);

/** Values for required arguments, by name. */
const REQUIRED: Record<string, string> = { year: '2025' };

interface ConnectionField {
  parent: string;
  field: IntrospectedField;
}

function connectionFields(types: IntrospectedType[]): ConnectionField[] {
  return types.flatMap((type) =>
    type.kind === 'OBJECT' && !type.name.startsWith('__')
      ? (type.fields ?? [])
          .filter((f) => named(f.type).endsWith('Connection'))
          .map((field) => ({ parent: type.name, field }))
      : [],
  );
}

function connectionQuery(c: ConnectionField, paging: string): string {
  const required = c.field.args
    .filter((a) => a.type.kind === 'NON_NULL')
    .map((a) => `${a.name}: ${REQUIRED[a.name] ?? 'MISSING'}`);
  const args = [...required, paging].filter(Boolean).join(', ');
  const selection = `${c.field.name}${args ? `(${args})` : ''} {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor } nodes { __typename } }`;
  return REACH[c.parent]!(selection);
}

type ConnectionResult = {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: { cursor: string }[];
};

/** The connection object inside a response, whatever the path to it. */
function dig(data: unknown, field: string): ConnectionResult {
  let node = data as Record<string, unknown>;
  while (!(field in node)) node = Object.values(node)[0] as Record<string, unknown>;
  return node[field] as ConnectionResult;
}

describe('connections', () => {
  it('every connection of the schema takes first/after and last/before, 1–100, and refuses the rest', async () => {
    const fields = connectionFields(await schemaTypes());
    expect(fields.length).toBeGreaterThanOrEqual(6);
    const supervisor = t.api.as(await t.api.login(await aUser(t.handle.db, ['supervisor', 'fucun']), TEST_PASSWORD));
    for (const c of fields) {
      const where = `${c.parent}.${c.field.name}`;
      const ask = SIGNED_IN.has(c.parent) ? supervisor : t.api.query;
      expect(REACH[c.parent], `add a path to a ${c.parent} in REACH for ${where}`).toBeDefined();
      const argNames = c.field.args.map((a) => a.name);
      expect(argNames, where).toEqual(expect.arrayContaining(['first', 'after', 'last', 'before']));
      for (const a of c.field.args.filter((x) => x.type.kind === 'NON_NULL')) {
        expect(REQUIRED[a.name], `add a value for required argument ${a.name} of ${where}`).toBeDefined();
      }

      const all = await ask(connectionQuery(c, 'first: 100'));
      expect(all.errors, where).toBeUndefined();
      const whole = dig(all.data, c.field.name);
      for (const paging of ['first: 1', 'last: 1', 'first: 100', 'last: 100']) {
        const res = await ask(connectionQuery(c, paging));
        expect(res.errors, `${where}(${paging})`).toBeUndefined();
        const page = dig(res.data, c.field.name);
        // Other test files publish into the shared database meanwhile: public lists only ever grow.
        expect(page.totalCount, `${where}(${paging})`).toBeGreaterThanOrEqual(whole.totalCount);
        expect(page.edges.length).toBe(Math.min(Number(paging.split(': ')[1]), page.totalCount));
        if (paging === 'first: 1' && whole.totalCount > 1) {
          expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
        }
        if (paging === 'last: 1' && whole.totalCount > 1) {
          expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
        }
      }
      for (const paging of ['first: 0', 'first: 101', 'last: 0', 'last: 101', 'first: -1', 'first: 1, last: 1']) {
        const res = await ask(connectionQuery(c, paging));
        expect(res.errors?.[0]?.extensions?.code, `${where}(${paging})`).toBe('BAD_USER_INPUT');
        expect(res.errors?.[0]?.message).toMatch(/[\u4e00-\u9fff]/);
      }
    }
  });

  it('pages forward and backward over a positional connection to the same list', async () => {
    const QUERY = `query ($first: Int, $after: String, $last: Int, $before: String) {
      village(slug: "fucun") { periods(first: $first, after: $after, last: $last, before: $before) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { year month } } } }`;
    type R = {
      village: {
        periods: {
          totalCount: number;
          pageInfo: ConnectionResult['pageInfo'];
          nodes: { year: number; month: number }[];
        };
      };
    };
    const whole = (await t.api.query<R>(QUERY, { first: 100 })).data!.village.periods;
    expect(whole.totalCount).toBeGreaterThan(5);
    const key = (n: { year: number; month: number }) => `${n.year}-${n.month}`;

    const forward: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: R['village']['periods'] = (await t.api.query<R>(QUERY, { first: 5, after })).data!.village.periods;
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      forward.push(...page.nodes.map(key));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    const backward: string[] = [];
    let before: string | null = null;
    for (;;) {
      const page: R['village']['periods'] = (await t.api.query<R>(QUERY, { last: 5, before })).data!.village.periods;
      expect(page.pageInfo.hasNextPage).toBe(before !== null);
      backward.unshift(...page.nodes.map(key));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }

    expect(forward).toEqual(whole.nodes.map(key));
    expect(backward).toEqual(whole.nodes.map(key));
    const past = await t.api.query<R>(QUERY, { first: 5, after: after === null ? null : after });
    expect(past.data!.village.periods.totalCount).toBe(whole.totalCount);
  });
});

interface NodeIds {
  Region: string;
  Village: string;
  MonthlyStatement: string;
  Voucher: string;
}

describe('a page past the end', () => {
  it('still tells the total, on a statement’s lines and on villages', async () => {
    const QUERY = `query ($after: String) { village(slug: "fucun") { latestStatement {
      lines(first: 100, after: $after) { totalCount edges { cursor } pageInfo { hasNextPage hasPreviousPage } } } }
      villages(first: 100, after: $after) { totalCount edges { cursor } } }`;
    type R = {
      village: { latestStatement: { lines: { totalCount: number; pageInfo: { hasPreviousPage: boolean } } } };
      villages: { totalCount: number };
    };
    const whole = (await t.api.query<R>(QUERY)).data!;
    const far = Buffer.from('c1:5000').toString('base64url');
    const past = await t.api.query<R>(QUERY, { after: far });
    expect(past.errors).toBeUndefined();
    expect(past.data!.village.latestStatement.lines.totalCount).toBe(whole.village.latestStatement.lines.totalCount);
    expect(past.data!.village.latestStatement.lines.pageInfo.hasPreviousPage).toBe(true);
    expect(past.data!.villages.totalCount).toBeGreaterThanOrEqual(whole.villages.totalCount); // others add villages
  });
});

describe('node(id:)', () => {
  it('round-trips every Node type of the schema', async () => {
    const types = await schemaTypes();
    const implementors = types.find((x) => x.name === 'Node')!.possibleTypes!.map((p) => p.name);
    const res = await t.api.query<{
      region: { id: string };
      village: { id: string; latestStatement: { id: string; lines: { nodes: { voucher: { id: string } }[] } } };
    }>(`{ region(slug: "xiqing") { id }
          village(slug: "fucun") { id latestStatement { id lines(first: 1) { nodes { voucher { id } } } } } }`);
    expect(res.errors).toBeUndefined();
    const ids: NodeIds = {
      Region: res.data!.region.id,
      Village: res.data!.village.id,
      MonthlyStatement: res.data!.village.latestStatement.id,
      Voucher: res.data!.village.latestStatement.lines.nodes[0]!.voucher.id,
    };
    expect(implementors.sort()).toEqual(Object.keys(ids).sort());

    for (const [type, id] of Object.entries(ids)) {
      const back = await t.api.query<{ node: { __typename: string; id: string } | null }>(
        `query ($id: ID!) { node(id: $id) { __typename id } }`,
        { id },
      );
      expect(back.errors, type).toBeUndefined();
      expect(back.data!.node, type).toEqual({ __typename: type, id });
    }
    const missing = await t.api.query<{ node: null }>(
      `{ node(id: "${Buffer.from('Village:999999999').toString('base64url')}") { id } }`,
    );
    expect(missing.data!.node).toBeNull();
    const garbage = await t.api.query(`{ node(id: "not an id") { id } }`);
    expect(garbage.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('keeps every ID after a correction publishes revision 2', async () => {
    // Setup
    const db = t.handle.db;
    const v = await aVillage(db, '编号村');
    await aMonth(db, v.id, 2025, 5, [
      aVoucher(1, '2025-05-03', '修路', debit('51401', 50_000, { accountName: '道路维修' }), credit('102', 50_000)),
    ]);
    const QUERY = `query ($slug: String!, $revision: Int) { village(slug: $slug) { id
      statement(year: 2025, month: 5, revision: $revision) { id revision lines(first: 10) { nodes { voucher { id } } } } } }`;
    type R = {
      village: {
        id: string;
        statement: { id: string; revision: number; lines: { nodes: { voucher: { id: string } }[] } };
      };
    };
    const before = (await t.api.query<R>(QUERY, { slug: v.slug })).data!.village;

    // Action
    await db.transaction(async (tx) => {
      const { revision } = await openPeriod(tx, {
        villageId: v.id,
        year: 2025,
        month: 5,
        actor: 'test',
        reason: '补记',
      });
      await postVouchers(tx, {
        villageId: v.id,
        year: 2025,
        month: 5,
        revision,
        actor: 'test',
        vouchers: [
          aVoucher(2, '2025-05-09', '路灯', debit('51402', 9_000, { accountName: '路灯照明' }), credit('102', 9_000)),
        ],
      });
      await publishPeriod(tx, { villageId: v.id, year: 2025, month: 5, actor: 'test-director' });
    });
    const after = (await t.api.query<R>(QUERY, { slug: v.slug })).data!.village;
    const first = (await t.api.query<R>(QUERY, { slug: v.slug, revision: 1 })).data!.village;

    // Assertions: the village keeps its ID, revision 1 keeps its ID and content, revision 2 is a new object.
    expect(after.id).toBe(before.id);
    expect(first.statement).toEqual(before.statement);
    expect(after.statement.revision).toBe(2);
    expect(after.statement.id).not.toBe(before.statement.id);
    for (const id of [before.statement.id, before.statement.lines.nodes[0]!.voucher.id, before.id]) {
      const back = await t.api.query<{ node: { id: string } | null }>(`query ($id: ID!) { node(id: $id) { id } }`, {
        id,
      });
      expect(back.data!.node?.id).toBe(id);
    }
  });
});

interface LineNode {
  date: string;
  voucherNumber: number;
  amount: { fen: string };
  account: { code: string };
  kind: string;
  village: { slug: string };
}

const REGION_LINES = `query ($slug: String!, $year: Int!, $category: String, $after: String) {
  region(slug: $slug) { lines(year: $year, category: $category, kind: SPENDING, first: 100, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { date voucherNumber amount { fen } account { code } kind village { slug } } } } }`;

const lineKey = (l: { slug: string; date: string; number: number; code: string; fen: string }) =>
  `${l.slug} ${l.date} #${l.number} ${l.code} ${l.fen}`;

/** 公益支出 debit lines of the current revision of every published month under a region, straight from the tables. */
async function publicWelfareInDb(db: Db, regionSlug: string, year: number): Promise<string[]> {
  const rows = await queryRows<{ slug: string; date: string; number: number; code: string; fen: string }>(
    db,
    sql`with region as (select id from regions where slug = ${regionSlug}),
         current as (
           select distinct on (p.village_id, p.month) p.village_id, p.year, p.month, p.revision
             from periods p where p.status = 'published' and p.year = ${year}
            order by p.village_id, p.month, p.revision desc)
        select vi.slug, v.date::text as date, v.number, l.account_code as code, l.amount_fen::text as fen
          from current c
          join villages vi on vi.id = c.village_id
          join regions t on t.id = vi.town_id
          join regions d on d.id = t.parent_id
          join vouchers v on v.village_id = c.village_id and v.year = c.year and v.month = c.month
                         and v.revision = c.revision
          join voucher_lines l on l.village_id = v.village_id and l.voucher_id = v.id
         where (t.id in (select id from region) or d.id in (select id from region) or d.parent_id in (select id from region))
           and l.account_code like '514%' and l.side = 'debit'`,
  );
  return rows.map(lineKey).sort();
}

async function regionLinesFromApi(slug: string, year: number): Promise<{ keys: string[]; statements: number[] }> {
  const keys: string[] = [];
  const statements: number[] = [];
  let after: string | null = null;
  for (;;) {
    const res: Awaited<
      ReturnType<
        typeof t.api.query<{
          region: { lines: { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: LineNode[] } };
        }>
      >
    > = await t.api.query(REGION_LINES, { slug, year, category: '514', after });
    expect(res.errors).toBeUndefined();
    statements.push(res.extensions!.sql!.statements);
    const page = res.data!.region.lines;
    keys.push(
      ...page.nodes.map((n) =>
        lineKey({
          slug: n.village.slug,
          date: n.date,
          number: n.voucherNumber,
          code: n.account.code,
          fen: n.amount.fen,
        }),
      ),
    );
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return { keys: keys.sort(), statements };
}

describe('Region.lines', () => {
  it('returns exactly the 公益支出 lines the database has for a district and year, current revisions only', async () => {
    // Setup: two villages of a district of our own; a correction, an open month and an older year that must not count.
    const db = t.handle.db;
    const a = await aVillage(db, '公益甲村');
    const b = await aVillage(db, '公益乙村');
    const welfare = (n: number, date: string, code: string, name: string, fen: number) =>
      aVoucher(n, date, name, debit(code, fen, { accountName: name }), credit('102', fen));
    await aMonth(db, a.id, 2025, 1, [
      welfare(1, '2025-01-04', '51401', '道路维修', 120_000),
      aVoucher(2, '2025-01-05', '办公用品', debit('51301', 3_000, { accountName: '办公费' }), credit('102', 3_000)),
      welfare(3, '2025-01-06', '51403', '环境卫生', 8_000),
    ]);
    await aMonth(db, b.id, 2025, 2, [welfare(1, '2025-02-10', '514', '公益支出', 45_000)]);
    await aMonth(db, b.id, 2025, 3, [welfare(1, '2025-03-10', '51402', '路灯照明', 7_500)], { publish: false });
    await aMonth(db, a.id, 2024, 12, [welfare(1, '2024-12-10', '51401', '道路维修', 99_900)]);
    await db.transaction(async (tx) => {
      const { revision } = await openPeriod(tx, {
        villageId: a.id,
        year: 2025,
        month: 1,
        actor: 'test',
        reason: '补记',
      });
      await postVouchers(tx, {
        villageId: a.id,
        year: 2025,
        month: 1,
        revision,
        actor: 'test',
        vouchers: [welfare(4, '2025-01-20', '51405', '绿化', 30_000)],
      });
      await publishPeriod(tx, { villageId: a.id, year: 2025, month: 1, actor: 'test-director' });
    });
    const district = (
      await t.api.query<{ village: { district: { slug: string } } }>(
        `{ village(slug: "${a.slug}") { district { slug } } }`,
      )
    ).data!.village.district.slug;

    // Action
    const mine = await regionLinesFromApi(district, 2025);
    const demo = await regionLinesFromApi('xiqing', 2025);

    // Assertions
    expect(mine.keys).toEqual(await publicWelfareInDb(db, district, 2025));
    expect(mine.keys.filter((k) => k.startsWith(a.slug) || k.startsWith(b.slug))).toHaveLength(4);
    expect(demo.keys).toEqual(await publicWelfareInDb(db, 'xiqing', 2025));
    expect(demo.keys.length).toBeGreaterThan(100); // more than one page
    expect(new Set(demo.statements).size).toBe(1); // the same statements for every page
    expect(demo.statements[0]).toBeLessThanOrEqual(3);
  });
});
