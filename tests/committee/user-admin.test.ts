// What an admin can do to a committee account when something goes wrong, and only in the villages they manage:
// disable it, remove a role, see and end one session or API token. Failed sign-ins are audited, never the password.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { useTestApi, type GraphQLResponse } from '../support/api.ts';
import { aVillage } from '../support/builders.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestApi();

function code(res: GraphQLResponse): string {
  return res.errors?.length ? String(res.errors[0]!.extensions?.code) : 'ok';
}

const ME = `{ me { username roles { role villageSlug } } }`;

async function setUp() {
  const village = await aVillage(t.handle.db);
  const [town] = await queryRows<{ slug: string }>(
    t.handle.db,
    sql`select r.slug from villages v join regions r on r.id = v.town_id where v.id = ${village.id}`,
  );
  const as = async (username: string) => t.api.as(await t.api.login(username, TEST_PASSWORD));
  const admin = await as(await aUser(t.handle.db, ['township_admin', town!.slug]));
  const elsewhere = await as(await aUser(t.handle.db, ['township_admin', 'jingwu']));
  const accountant = await aUser(t.handle.db, ['accountant', village.slug]);
  const director = await aUser(t.handle.db, ['director', village.slug]);
  return { village, as, admin, elsewhere, accountant, director };
}

async function auditOf(username: string) {
  return queryRows<{ actor: string; action: string; details: Record<string, unknown> | null }>(
    t.handle.db,
    sql`select actor, action, details from system_audit_log where entity_key = ${username} order by id`,
  );
}

describe('an admin disabling an account', () => {
  const DISABLE = `mutation ($u: String!) { disableVillageUser(username: $u, reason: "离任") }`;

  it('ends its sessions at once, keeps it from signing in, and audits who did it', async () => {
    const { admin, accountant } = await setUp();
    const token = await t.api.login(accountant, TEST_PASSWORD);

    expect(code(await admin(DISABLE, { u: accountant }))).toBe('ok');

    expect((await t.api.as(token)<{ me: unknown }>(ME)).data!.me).toBeNull();
    const again = await t.api.query(
      `mutation { login(username: "${accountant}", password: "${TEST_PASSWORD}") { token } }`,
    );
    expect(code(again)).toBe('LOGIN_FAILED');
    const entry = (await auditOf(accountant)).find((a) => a.action === 'user.disable')!;
    expect(entry.details).toMatchObject({ reason: '离任', sessionsEnded: 1 });
  });

  it('is refused to an admin of another town, to a director, to oneself and to the public, with codes', async () => {
    const { as, admin, elsewhere, accountant, director } = await setUp();
    expect(code(await elsewhere(DISABLE, { u: accountant }))).toBe('FORBIDDEN');
    expect(code(await (await as(director))(DISABLE, { u: accountant }))).toBe('FORBIDDEN');
    expect(code(await t.api.query(DISABLE, { u: accountant }))).toBe('UNAUTHENTICATED');
    const self = (await admin<{ me: { username: string } }>(ME)).data!.me.username;
    expect(code(await admin(DISABLE, { u: self }))).toBe('FORBIDDEN');
    expect(code(await admin(DISABLE, { u: 'nobody-at-all' }))).toBe('FORBIDDEN');
    expect(await t.api.login(accountant, TEST_PASSWORD)).toMatch(/^mb_/);
  });
});

describe('an admin removing a role', () => {
  const REMOVE = `mutation ($u: String!, $v: String!) { removeVillageRole(username: $u, villageSlug: $v, role: "director") }`;

  it('takes the power away from the next request on, and audits it', async () => {
    const { village, as, admin, director } = await setUp();
    const session = await as(director);
    expect((await session<{ me: { roles: unknown[] } }>(ME)).data!.me.roles).toHaveLength(1);

    expect(code(await admin(REMOVE, { u: director, v: village.slug }))).toBe('ok');

    expect((await session<{ me: { roles: unknown[] } }>(ME)).data!.me.roles).toEqual([]);
    const publish = `mutation ($v: String!) { publishMonth(villageSlug: $v, year: 2025, month: 6) { revision } }`;
    expect(code(await session(publish, { v: village.slug }))).toBe('FORBIDDEN');
    expect((await auditOf(director)).at(-1)).toMatchObject({
      action: 'role.remove',
      details: { role: 'director', village: village.slug, wasConfirmed: true },
    });
    expect(code(await admin(REMOVE, { u: director, v: village.slug }))).toBe('NOT_FOUND');
  });

  it('is refused outside the admin’s villages', async () => {
    const { village, elsewhere, director } = await setUp();
    expect(code(await elsewhere(REMOVE, { u: director, v: village.slug }))).toBe('FORBIDDEN');
    expect(code(await t.api.query(REMOVE, { u: director, v: village.slug }))).toBe('UNAUTHENTICATED');
  });
});

describe('an admin ending one session or token', () => {
  const SESSIONS = `query ($u: String!) { villageUserSessions(username: $u) { id kind label createdAt expiresAt } }`;
  const END = `mutation ($id: Int!) { endUserSession(id: $id) }`;

  it('lists the live sessions and tokens without secrets, and ends only the one chosen', async () => {
    const { admin, director } = await setUp();
    const phone = await t.api.login(director, TEST_PASSWORD);
    const laptop = await t.api.login(director, TEST_PASSWORD);

    const listed = await admin<{ villageUserSessions: { id: number; kind: string }[] }>(SESSIONS, { u: director });
    expect(listed.data!.villageUserSessions).toHaveLength(2);
    expect(JSON.stringify(listed.data)).not.toContain(phone);
    const [first] = listed.data!.villageUserSessions;
    expect(code(await admin(END, { id: first!.id }))).toBe('ok');

    expect((await t.api.as(phone)<{ me: unknown }>(ME)).data!.me).toBeNull();
    expect((await t.api.as(laptop)<{ me: { username: string } }>(ME)).data!.me.username).toBe(director);
    const after = await admin<{ villageUserSessions: unknown[] }>(SESSIONS, { u: director });
    expect(after.data!.villageUserSessions).toHaveLength(1);
    expect((await auditOf(String(first!.id))).map((a) => a.action)).toContain('session.end');
    expect(code(await admin(END, { id: first!.id }))).toBe('NOT_FOUND');
  });

  it('is refused to an admin of another town and to another committee member', async () => {
    const { as, elsewhere, accountant, director } = await setUp();
    await t.api.login(director, TEST_PASSWORD);
    expect(code(await elsewhere(SESSIONS, { u: director }))).toBe('FORBIDDEN');
    const [session] = await queryRows<{ id: number }>(
      t.handle.db,
      sql`select s.id from sessions s join users u on u.id = s.user_id where u.username = ${director} limit 1`,
    );
    expect(code(await elsewhere(END, { id: session!.id }))).toBe('FORBIDDEN');
    expect(code(await (await as(accountant))(END, { id: session!.id }))).toBe('FORBIDDEN');
    expect(code(await t.api.query(END, { id: session!.id }))).toBe('UNAUTHENTICATED');
  });
});

describe('failed sign-ins', () => {
  it('are written to the system audit log with the address, never the password', async () => {
    const { director } = await setUp();
    const secret = `wrong-${process.pid}-猜的密码`;
    const res = await fetch(t.api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.201' },
      body: JSON.stringify({
        query: `mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`,
        variables: { u: director, p: secret },
      }),
    });
    expect(((await res.json()) as GraphQLResponse).errors![0]!.extensions!.code).toBe('LOGIN_FAILED');

    const entries = (await auditOf(director)).filter((a) => a.action === 'session.login_failed');
    expect(entries).toHaveLength(1);
    expect(entries[0]!.details).toEqual({ source: 'ip:198.51.100.201' });
    const [leak] = await queryRows<{ n: number }>(
      t.handle.db,
      sql`select count(*)::int as n from system_audit_log where details::text like ${`%${secret}%`}`,
    );
    expect(leak!.n).toBe(0);
  });
});
