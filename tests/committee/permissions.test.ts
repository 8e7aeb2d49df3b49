// Who may do what, where: every mutation (and the private queries) × every kind of caller × own or other village,
// each cell a real call over HTTP; a refusal must change nothing. Then sessions, throttling and user enumeration.
import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { changeReviewStatus } from '@mingbai/db/ledger/periods';
import { askerKeyOf, askQuestion } from '@mingbai/db/ledger/questions';
import { regions, villages } from '@mingbai/db/schema/regions';
import { createApiKey } from '@mingbai/api/auth/api-keys.service';
import { hashToken, setPassword } from '@mingbai/api/auth/auth.service';
import { LOGIN_THROTTLE } from '@mingbai/api/auth/login-throttle';
import { useTestApi, type GraphQLResponse } from '../support/api.ts';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { reviewOverApi } from '../support/review.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestApi();

const ACTORS = [
  'accountant',
  'director',
  'supervisor',
  'townAdmin',
  'otherTownAdmin',
  'otherAccountant',
  'apiKey',
  'anonymous',
  'expired',
  'loggedOut',
  'beforePasswordChange',
] as const;
type Actor = (typeof ACTORS)[number];
type Where = 'own' | 'other';
/** 'ok', or the refusal's code. */
type Expected = 'ok' | 'UNAUTHENTICATED' | 'FORBIDDEN';

/** Callers with no live session: refused as strangers whatever their role. */
const DEAD: Actor[] = ['anonymous', 'expired', 'loggedOut', 'beforePasswordChange'];

/**
 * The rules, from DESIGN.md: the committee (accountant, director) uploads and moves its month; only the director
 * publishes and corrects; supervisors review (approve or return), comment and flag, and the committee answers the
 * flags; township admins read their towns' months and manage
 * their villages' accounts but never publish or change a village's ledger (DESIGN.md gives them no part in it).
 */
const ALLOWED: Record<string, Actor[]> = {
  importLedger: ['accountant', 'director'],
  submitMonth: ['accountant', 'director'],
  withdrawMonth: ['accountant', 'director'],
  publishMonth: ['director'],
  reviseMonth: ['director'],
  commentOnMonth: ['accountant', 'director', 'supervisor'],
  flagVoucher: ['supervisor'],
  approveMonth: ['supervisor'],
  returnMonth: ['supervisor'],
  answerFlag: ['accountant', 'director'],
  committeeMonth: ['accountant', 'director', 'supervisor', 'townAdmin'],
  createVillageUser: ['townAdmin'],
  resetVillageUserPassword: ['townAdmin'],
  // Villagers' questions (issue 15): the committee answers, a supervisor hides, both read what was asked.
  answerQuestion: ['accountant', 'director'],
  hideQuestion: ['supervisor'],
  committeeQuestions: ['accountant', 'director', 'supervisor'],
};

function expected(operation: string, actor: Actor, where: Where): Expected {
  if (actor === 'apiKey') return 'FORBIDDEN';
  if (DEAD.includes(actor)) return 'UNAUTHENTICATED';
  return where === 'own' && ALLOWED[operation]!.includes(actor) ? 'ok' : 'FORBIDDEN';
}

const MONTH_VARS = '$v: String!, $y: Int!, $m: Int!';
const ARGS = 'villageSlug: $v, year: $y, month: $m';

interface Target {
  id: number;
  slug: string;
}
interface Cell {
  year: number;
  month: number;
}

let V: Target;
let W: Target;
const tokens = new Map<Actor, string | undefined>();
let cellCounter = 0;

/**
 * A fresh month for each cell, so no cell sees another's state: from 2025-12 backwards, because a month may be
 * published only when no earlier month of the village is published and its previous one not, and only once it has
 * ended (so not from the future, as it once was).
 */
function nextCell(): Cell {
  const k = cellCounter++;
  return { year: 2025 - Math.floor(k / 12), month: 12 - (k % 12) };
}

/** 管理费用 is 513 in the 2023 chart and 541 in the 2004 chart, which months before 2024 keep. */
const adminExpense = (year: number) => (year < 2024 ? '541' : '513');

const voucher = (n: number, year: number) =>
  aVoucher(n, '', '购买办公用品', debit(adminExpense(year), 12_000), credit('102', 12_000));

async function monthIn(target: Target, cell: Cell, state: 'none' | 'open' | 'submitted' | 'published') {
  if (state === 'none') return;
  const date = `${cell.year}-${String(cell.month).padStart(2, '0')}-05`;
  await aMonth(t.handle.db, target.id, cell.year, cell.month, [{ ...voucher(1, cell.year), date }], {
    publish: state === 'published',
  });
  if (state === 'submitted') {
    await t.handle.db.transaction((tx) =>
      changeReviewStatus(tx, { villageId: target.id, ...cell, actor: 'test', to: 'submitted' }),
    );
  }
}

function ledgerCsv(cell: Cell, summary: string): string {
  const d = `${cell.year}-${String(cell.month).padStart(2, '0')}-03`;
  return [
    '凭证号,日期,摘要,科目编码,科目名称,借方金额,贷方金额,收付款人',
    `1,${d},${summary},${adminExpense(cell.year)},,100.00,,`,
    `1,${d},${summary},102,,,100.00,`,
  ].join('\n');
}

/** Everything a refused call might have touched in the village, as one string. */
async function checksum(villageId: number): Promise<string> {
  const [row] = await queryRows<{ sum: string }>(
    t.handle.db,
    sql`select concat_ws('|',
      (select md5(coalesce(string_agg(p::text, ',' order by p.year, p.month, p.revision), '')) from periods p where p.village_id = ${villageId}),
      (select md5(coalesce(string_agg(v::text, ',' order by v.id), '')) from vouchers v where v.village_id = ${villageId}),
      (select md5(coalesce(string_agg(l::text, ',' order by l.voucher_id, l.line_no), '')) from voucher_lines l where l.village_id = ${villageId}),
      (select count(*) from audit_log where village_id = ${villageId}),
      (select count(*) from imported_files where village_id = ${villageId}),
      (select count(*) from period_comments where village_id = ${villageId}),
      (select count(*) from voucher_flags where village_id = ${villageId}),
      (select count(*) from period_reviews where village_id = ${villageId}),
      (select md5(coalesce(string_agg(a::text, ',' order by a.flag_key), '')) from flag_answers a where a.village_id = ${villageId}),
      (select md5(coalesce(string_agg(q::text, ',' order by q.id), '')) from questions q where q.village_id = ${villageId}),
      (select md5(coalesce(string_agg(u.username || u.password_hash || u.password_changed_at::text, ',' order by u.id), ''))
         from users u where u.id in (select user_id from user_roles where village_id = ${villageId}))
    ) as sum`,
  );
  return row!.sum;
}

function send(actor: Actor) {
  return actor === 'anonymous' ? t.api.query : t.api.as(tokens.get(actor)!);
}

/** A village in a town and district of its own, outside every region role held here. */
async function aFarVillage(): Promise<Target> {
  const [city] = await t.handle.db.select().from(regions).where(eq(regions.slug, 'tianjin'));
  const tag = `${process.pid}${Date.now() % 1000}`.slice(-5).padStart(5, '0');
  const [district] = await t.handle.db
    .insert(regions)
    .values({
      parentId: city!.id,
      level: 'district',
      code: `1298${tag}000`,
      slug: `perm-d-${tag}`,
      name: `权限区${tag}`,
    })
    .returning({ id: regions.id });
  const [town] = await t.handle.db
    .insert(regions)
    .values({
      parentId: district!.id,
      level: 'town',
      code: `1298${tag}001`,
      slug: `perm-t-${tag}`,
      name: `权限镇${tag}`,
    })
    .returning({ id: regions.id });
  const [row] = await t.handle.db
    .insert(villages)
    .values({ townId: town!.id, kind: 'village', code: `1298${tag}002`, slug: `perm-w-${tag}`, name: `远村${tag}` })
    .returning({ id: villages.id, slug: villages.slug });
  return row!;
}

beforeAll(async () => {
  const db = t.handle.db;
  V = await aVillage(db, '本村');
  W = await aFarVillage();
  const [town] = await queryRows<{ slug: string }>(
    db,
    sql`select r.slug from villages v join regions r on r.id = v.town_id where v.id = ${V.id}`,
  );
  const users: Partial<Record<Actor, string>> = {
    accountant: await aUser(db, ['accountant', V.slug]),
    director: await aUser(db, ['director', V.slug]),
    supervisor: await aUser(db, ['supervisor', V.slug]),
    townAdmin: await aUser(db, ['township_admin', town!.slug]),
    otherTownAdmin: await aUser(db, ['township_admin', 'jingwu']),
    otherAccountant: await aUser(db, ['accountant', (await aVillage(db, '邻村')).slug]),
    expired: await aUser(db, ['director', V.slug]),
    loggedOut: await aUser(db, ['director', V.slug]),
    beforePasswordChange: await aUser(db, ['director', V.slug]),
  };
  for (const [actor, username] of Object.entries(users) as [Actor, string][]) {
    tokens.set(actor, await t.api.login(username, TEST_PASSWORD));
  }
  tokens.set(
    'apiKey',
    (await createApiKey(db, { name: '权限测试', contact: 'test@example.org', createdBy: 'test' })).key,
  );
  await db.execute(
    sql`update sessions set expires_at = now() - interval '1 second' where token_hash = ${hashToken(tokens.get('expired')!)}`,
  );
  await t.api.query(`mutation ($t: String!) { logout(token: $t) }`, { t: tokens.get('loggedOut') });
  await setPassword(db, users.beforePasswordChange!, 'a-changed-password-9');
});

interface Operation {
  name: string;
  /** The month's state the call needs to succeed. */
  state: 'none' | 'open' | 'submitted' | 'published';
  /** The call concerns no month: it takes none of the months counted back from 2025-12 (there are only so many). */
  noMonth?: true;
  /** Anything else the call needs, made before the village's checksum is taken. */
  prepare?(target: Target, cell: Cell): Promise<string>;
  call(actor: Actor, target: Target, cell: Cell, prepared: string): Promise<GraphQLResponse>;
}

let unique = 0;

/** A villager's question in the village (about the village in general), its number without the village's name. */
async function aQuestion(target: Target): Promise<string> {
  const asked = await t.handle.db.transaction((tx) =>
    askQuestion(tx, {
      villageId: target.id,
      body: `权限测试提问 ${unique++}`,
      askerKey: askerKeyOf(`permissions-${unique}`, 'permissions-test'),
      defaultDueDays: 10,
      limits: { perAddressHour: 1000, perVillageHour: 1000 },
    }),
  );
  return `${asked.numberYear}-${String(asked.seq).padStart(4, '0')}`;
}

const OPERATIONS: Operation[] = [
  {
    name: 'importLedger',
    state: 'none',
    call: (actor, target, cell) =>
      send(actor)(
        `mutation ($v: String!, $c: String!) { importLedger(villageSlug: $v, filename: "a.csv", contentBase64: $c) { status } }`,
        { v: target.slug, c: Buffer.from(ledgerCsv(cell, `办公用品${unique++}`)).toString('base64') },
      ),
  },
  ...(
    [
      'submitMonth',
      'withdrawMonth',
      'publishMonth',
      'reviseMonth',
      'commentOnMonth',
      'flagVoucher',
      'approveMonth',
      'returnMonth',
      'answerFlag',
    ] as const
  ).map((name): Operation => ({
    name,
    // Publishing needs the review done: a supervisor's approval and an answer to every flag.
    ...(name === 'publishMonth'
      ? {
          prepare: async (target: Target, cell: Cell) =>
            (await reviewOverApi(t, { villageSlug: target.slug, ...cell })).join(','),
        }
      : {}),
    state: (
      {
        submitMonth: 'open',
        withdrawMonth: 'submitted',
        publishMonth: 'submitted',
        reviseMonth: 'published',
        commentOnMonth: 'open',
        flagVoucher: 'submitted',
        approveMonth: 'submitted',
        returnMonth: 'submitted',
        answerFlag: 'submitted',
      } as const
    )[name],
    call: (actor, target, cell) => {
      const extra = {
        reviseMonth: ', reason: "金额有误"',
        commentOnMonth: ', body: "请附发票"',
        flagVoucher: ', number: 1, reason: "单价偏高"',
        returnMonth: ', reason: "缺少发票"',
        // Every month here is published long after the 10th of the next month: the whole-month flag is there.
        answerFlag: ', flagKey: "LATE_PUBLICATION:month", body: "补录历史账目"',
      }[name as string];
      const selection = name === 'publishMonth' ? '{ revision }' : '{ status }';
      return send(actor)(`mutation (${MONTH_VARS}) { ${name}(${ARGS}${extra ?? ''}) ${selection} }`, {
        v: target.slug,
        y: cell.year,
        m: cell.month,
      });
    },
  })),
  {
    name: 'committeeMonth',
    state: 'open',
    call: (actor, target, cell) =>
      send(actor)(`query (${MONTH_VARS}) { committeeMonth(${ARGS}) { status } }`, {
        v: target.slug,
        y: cell.year,
        m: cell.month,
      }),
  },
  {
    name: 'answerQuestion',
    state: 'none',
    noMonth: true,
    prepare: aQuestion,
    call: (actor, target, _cell, number) =>
      send(actor)(
        `mutation ($v: String!, $n: String!) { answerQuestion(villageSlug: $v, number: $n, body: "已在村务公开栏说明") { status } }`,
        { v: target.slug, n: number },
      ),
  },
  {
    name: 'hideQuestion',
    state: 'none',
    noMonth: true,
    prepare: aQuestion,
    call: (actor, target, _cell, number) =>
      send(actor)(
        `mutation ($v: String!, $n: String!) { hideQuestion(villageSlug: $v, number: $n, reason: "与账目无关的广告") { status } }`,
        { v: target.slug, n: number },
      ),
  },
  {
    name: 'committeeQuestions',
    state: 'none',
    noMonth: true,
    prepare: aQuestion,
    call: (actor, target) =>
      send(actor)(`query ($v: String!) { committeeQuestions(villageSlug: $v) { bodyAsked } }`, { v: target.slug }),
  },
  {
    name: 'createVillageUser',
    state: 'none',
    call: (actor, target) =>
      send(actor)(
        `mutation ($v: String!, $u: String!) { createVillageUser(villageSlug: $v, username: $u, displayName: "新会计", password: "new-password-1", role: "accountant") }`,
        { v: target.slug, u: `perm-new-${process.pid}-${unique++}` },
      ),
  },
  {
    name: 'resetVillageUserPassword',
    state: 'none',
    prepare: (target) => aUser(t.handle.db, ['accountant', target.slug]),
    call: (actor, _target, _cell, victim) => {
      return send(actor)(
        `mutation ($u: String!) { resetVillageUserPassword(username: $u, password: "reset-password-1") }`,
        {
          u: victim,
        },
      );
    },
  },
];

function outcome(res: GraphQLResponse): string {
  if (!res.errors?.length) return 'ok';
  return String(res.errors[0]!.extensions?.code);
}

describe('the permission matrix', () => {
  it('allows each mutation and the private query to exactly the callers the rules name, and a refusal changes nothing', async () => {
    const failures: string[] = [];
    let cells = 0;
    for (const operation of OPERATIONS) {
      for (const actor of ACTORS) {
        for (const where of ['own', 'other'] as const) {
          const target = where === 'own' ? V : W;
          const cell = operation.noMonth ? { year: 0, month: 0 } : nextCell();
          await monthIn(target, cell, operation.state);
          const prepared = (await operation.prepare?.(target, cell)) ?? '';
          const before = await checksum(target.id);
          const res = await operation.call(actor, target, cell, prepared);
          const want = expected(operation.name, actor, where);
          const got = outcome(res);
          cells++;
          if (got !== want)
            failures.push(
              `${operation.name} × ${actor} × ${where}: expected ${want}, got ${got} ${res.text.slice(0, 200)}`,
            );
          if (want !== 'ok' && (await checksum(target.id)) !== before) {
            failures.push(`${operation.name} × ${actor} × ${where}: refused, yet the village changed`);
          }
        }
      }
    }
    // Mutations with no village: signing in and out is for anyone but an API key; changing a password needs a session.
    const selfService: [string, (actor: Actor) => Promise<GraphQLResponse>, (actor: Actor) => Expected][] = [
      [
        'login',
        async (actor) => {
          const who = await aUser(t.handle.db);
          return send(actor)(`mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, {
            u: who,
            p: TEST_PASSWORD,
          });
        },
        (actor) => (actor === 'apiKey' ? 'FORBIDDEN' : 'ok'),
      ],
      [
        'changePassword',
        async (actor) => {
          // A user of the same standing, so the shared sessions above stay alive.
          const live = !DEAD.includes(actor) && actor !== 'apiKey';
          const own = live
            ? await t.api.login(await aUser(t.handle.db, ['accountant', V.slug]), TEST_PASSWORD)
            : undefined;
          const q = `mutation { changePassword(currentPassword: "${TEST_PASSWORD}", newPassword: "changed-password-2") }`;
          return own ? t.api.as(own)(q) : send(actor)(q);
        },
        (actor) => (actor === 'apiKey' ? 'FORBIDDEN' : DEAD.includes(actor) ? 'UNAUTHENTICATED' : 'ok'),
      ],
      [
        'logout',
        (actor) => send(actor)(`mutation ($t: String!) { logout(token: $t) }`, { t: 'mb_not-a-live-token' }),
        (actor) => (actor === 'apiKey' ? 'FORBIDDEN' : 'ok'),
      ],
    ];
    for (const [name, call, want] of selfService) {
      for (const actor of ACTORS) {
        const got = outcome(await call(actor));
        cells++;
        if (got !== want(actor)) failures.push(`${name} × ${actor}: expected ${want(actor)}, got ${got}`);
      }
    }
    console.log(
      `permission matrix: ${cells} cells (${OPERATIONS.length} village operations × ${ACTORS.length} callers × 2 villages + ${selfService.length} account operations × ${ACTORS.length} callers)`,
    );
    expect(failures).toEqual([]);
    expect(cells).toBe(OPERATIONS.length * ACTORS.length * 2 + selfService.length * ACTORS.length);
  }, 600_000);

  it('never lets the uploader publish their own month', async () => {
    const director = await aUser(t.handle.db, ['director', V.slug]);
    const as = t.api.as(await t.api.login(director, TEST_PASSWORD));
    const cell = nextCell();
    const imported = await as(
      `mutation ($v: String!, $c: String!) { importLedger(villageSlug: $v, filename: "a.csv", contentBase64: $c) { status } }`,
      { v: V.slug, c: Buffer.from(ledgerCsv(cell, '自己上传')).toString('base64') },
    );
    expect(imported.errors).toBeUndefined();
    const vars = { v: V.slug, y: cell.year, m: cell.month };
    expect((await as(`mutation (${MONTH_VARS}) { submitMonth(${ARGS}) { status } }`, vars)).errors).toBeUndefined();
    const before = await checksum(V.id);
    const res = await as(`mutation (${MONTH_VARS}) { publishMonth(${ARGS}) { revision } }`, vars);
    expect(outcome(res)).toBe('UPLOADER_CANNOT_PUBLISH');
    expect(await checksum(V.id)).toBe(before);
  });

  it('lets a township admin reset only committee accounts, never an account holding a region role', async () => {
    const [town] = await queryRows<{ slug: string }>(
      t.handle.db,
      sql`select r.slug from villages v join regions r on r.id = v.town_id where v.id = ${V.id}`,
    );
    const admin = t.api.as(await t.api.login(await aUser(t.handle.db, ['township_admin', town!.slug]), TEST_PASSWORD));
    // A fellow admin elsewhere who also sits on this village's committee: resetting them would take over their town.
    const wider = await aUser(t.handle.db, ['accountant', V.slug], ['township_admin', 'jingwu']);
    const res = await admin(
      `mutation ($u: String!) { resetVillageUserPassword(username: $u, password: "taken-over-1") }`,
      {
        u: wider,
      },
    );
    expect(outcome(res)).toBe('FORBIDDEN');
    expect(await t.api.login(wider, TEST_PASSWORD)).toMatch(/^mb_/);
  });
});

describe('sessions', () => {
  const me = `{ me { username } }`;
  const username = async (token: string) =>
    (await t.api.as(token)<{ me: { username: string } | null }>(me)).data?.me?.username;

  it('refuses a session past its expiry, after logout, and every session from before a password change', async () => {
    const user = await aUser(t.handle.db, ['accountant', V.slug]);
    const [a, b, c] = [
      await t.api.login(user, TEST_PASSWORD),
      await t.api.login(user, TEST_PASSWORD),
      await t.api.login(user, TEST_PASSWORD),
    ];
    expect(await username(a)).toBe(user);

    await t.handle.db.execute(
      sql`update sessions set expires_at = now() - interval '1 second' where token_hash = ${hashToken(a)}`,
    );
    expect(await username(a)).toBeUndefined();
    expect(await username(b)).toBe(user);

    await t.api.query(`mutation ($t: String!) { logout(token: $t) }`, { t: b });
    expect(await username(b)).toBeUndefined();
    expect(await username(c)).toBe(user);

    const changed = await t.api.as(c)(
      `mutation { changePassword(currentPassword: "${TEST_PASSWORD}", newPassword: "brand-new-pass-3") }`,
    );
    expect(changed.errors).toBeUndefined();
    expect(await username(c)).toBeUndefined();
    const refused = await t.api.query(
      `mutation { login(username: "${user}", password: "${TEST_PASSWORD}") { token } }`,
    );
    expect(outcome(refused)).toBe('LOGIN_FAILED');
    expect(await username(await t.api.login(user, 'brand-new-pass-3'))).toBe(user);
  });

  it('issues sessions that expire within a day', async () => {
    const res = await t.api.query<{ login: { expiresAt: string } }>(
      `mutation { login(username: "${await aUser(t.handle.db)}", password: "${TEST_PASSWORD}") { expiresAt } }`,
    );
    const ms = Date.parse(res.data!.login.expiresAt) - Date.now();
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThanOrEqual(24 * 60 * 60 * 1000);
  });
});

describe('signing in', () => {
  const LOGIN = `mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`;
  /** A login from a given visitor address, as the portal forwards it. */
  async function loginFrom(address: string, u: string, p: string): Promise<GraphQLResponse> {
    const response = await fetch(t.api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ query: LOGIN, variables: { u, p } }),
    });
    const text = await response.text();
    return { status: response.status, text, ...JSON.parse(text) };
  }

  it('throttles a username from one address after repeated failures, with the wait, even for the right password', async () => {
    const user = await aUser(t.handle.db);
    const limit = LOGIN_THROTTLE.perUsernameAndAddress.failures;
    for (let i = 0; i < limit; i++)
      expect(outcome(await loginFrom('198.51.100.1', user, 'wrong-password'))).toBe('LOGIN_FAILED');
    const throttled = await loginFrom('198.51.100.1', user, TEST_PASSWORD);
    expect(outcome(throttled)).toBe('LOGIN_THROTTLED');
    expect(throttled.errors![0]!.message).toMatch(/请.*后再试/);
    expect(throttled.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    // Another address is not held up by this one's failures.
    expect(outcome(await loginFrom('198.51.100.2', user, TEST_PASSWORD))).toBe('ok');
  });

  it('lets the real user in from their own address after 50 wrong passwords from a few others', async () => {
    const user = await aUser(t.handle.db, ['director', V.slug]);
    expect(outcome(await loginFrom('198.51.100.30', user, TEST_PASSWORD))).toBe('ok'); // their own office
    const attackers = ['203.0.113.31', '203.0.113.32', '203.0.113.33', '203.0.113.34', '203.0.113.35'];
    for (let i = 0; i < 50; i++) await loginFrom(attackers[i % attackers.length]!, user, `guess-${i}`);
    expect(outcome(await loginFrom(attackers[0]!, user, TEST_PASSWORD))).toBe('LOGIN_THROTTLED');
    expect(outcome(await loginFrom('198.51.100.30', user, TEST_PASSWORD))).toBe('ok');
    const [failed] = await queryRows<{ n: number }>(
      t.handle.db,
      sql`select count(*)::int as n from system_audit_log where action = 'session.login_failed' and entity_key = ${user}`,
    );
    expect(failed!.n).toBeGreaterThanOrEqual(5 * LOGIN_THROTTLE.perUsernameAndAddress.failures);
  }, 120_000);

  it('throttles one address guessing across many usernames, known or not', async () => {
    const limit = LOGIN_THROTTLE.perAddress.failures;
    for (let i = 0; i < limit; i++) {
      expect(outcome(await loginFrom('198.51.100.9', `nobody-${process.pid}-${i}`, 'wrong-password'))).toBe(
        'LOGIN_FAILED',
      );
    }
    const user = await aUser(t.handle.db);
    expect(outcome(await loginFrom('198.51.100.9', user, TEST_PASSWORD))).toBe('LOGIN_THROTTLED');
    expect(outcome(await loginFrom('198.51.100.10', user, TEST_PASSWORD))).toBe('ok');
  }, 120_000);

  it('answers an unknown user exactly like a wrong password, in similar time, and throttles both alike', async () => {
    const user = await aUser(t.handle.db);
    const unknown = `nobody-${process.pid}-x`;
    const timed = async (u: string, address: string) => {
      const start = performance.now();
      const res = await loginFrom(address, u, 'wrong-password');
      return { res, ms: performance.now() - start };
    };
    await timed(user, '198.51.100.20'); // warm up the hashing on both paths
    await timed(unknown, '198.51.100.21');
    const known: number[] = [];
    const nobody: number[] = [];
    for (let i = 0; i < 4; i++) {
      const a = await timed(user, '198.51.100.20');
      const b = await timed(unknown, '198.51.100.21');
      expect(b.res.errors![0]).toEqual(a.res.errors![0]);
      expect(b.res.status).toBe(a.res.status);
      known.push(a.ms);
      nobody.push(b.ms);
    }
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[1]!;
    // Both verify an argon2 hash; a missing hash would answer many times faster. Loose: the machine is busy.
    expect(median(nobody)).toBeGreaterThan(median(known) / 4);
    // Both have now failed 5 times from their address: both are throttled the same way.
    const [a, b] = [await timed(user, '198.51.100.20'), await timed(unknown, '198.51.100.21')];
    expect(outcome(a.res)).toBe('LOGIN_THROTTLED');
    expect(outcome(b.res)).toBe('LOGIN_THROTTLED');
  });
});
