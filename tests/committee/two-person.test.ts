// No one publishes alone: a role that can upload or publish works only once a second admin confirms it, and whoever
// prepared a revision's current content (uploaded it, or opened the correction nobody uploaded into) cannot publish it.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { useTestApi, type GraphQLResponse } from '../support/api.ts';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { reviewOverApi } from '../support/review.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestApi();

const MONTH = `($v: String!, $y: Int!, $m: Int!)`;
const ARGS = `villageSlug: $v, year: $y, month: $m`;
const IMPORT = `mutation ($v: String!, $f: String!, $c: String!, $mode: ImportMode = REPLACE) {
  importLedger(villageSlug: $v, filename: $f, contentBase64: $c, mode: $mode) { status revision }
}`;
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function code(res: GraphQLResponse): string {
  return res.errors?.length ? String(res.errors[0]!.extensions?.code) : 'ok';
}

/** One voucher of office spending in 2025-06, numbered and priced as asked. */
function juneCsv(number: number, yuan: string): string {
  return [
    '凭证号,日期,摘要,科目编码,科目名称,借方金额,贷方金额,收付款人',
    `${number},2025-06-10,购买办公用品,513,,${yuan},,`,
    `${number},2025-06-10,购买办公用品,102,,,${yuan},`,
  ].join('\n');
}

/** A test village with its town and district slugs, and a way to sign in as anyone. */
async function aCommittee() {
  const village = await aVillage(t.handle.db);
  const [regions] = await queryRows<{ town: string; district: string }>(
    t.handle.db,
    sql`select town.slug as town, district.slug as district
          from villages v join regions town on town.id = v.town_id join regions district on district.id = town.parent_id
         where v.id = ${village.id}`,
  );
  const as = async (username: string) => t.api.as(await t.api.login(username, TEST_PASSWORD));
  return { village, town: regions!.town, district: regions!.district, as };
}

describe('granting a role that can upload or publish', () => {
  const CREATE = `mutation ($v: String!, $u: String!, $r: String!) {
    createVillageUser(villageSlug: $v, username: $u, displayName: "新主任", password: "${TEST_PASSWORD}", role: $r)
  }`;
  const PENDING = `{ pendingRoleGrants { id username role villageSlug grantedBy confirmed mayConfirm } }`;
  let fresh = 0;

  it('gives a director created by one township admin no power until another admin confirms it', async () => {
    // Setup: the village already has an accountant who uploaded and submitted June.
    const { village, town, district, as } = await aCommittee();
    const accountant = await aUser(t.handle.db, ['accountant', village.slug]);
    const granter = await as(await aUser(t.handle.db, ['township_admin', town]));
    const districtAdmin = await as(await aUser(t.handle.db, ['township_admin', district]));
    const elsewhere = await as(await aUser(t.handle.db, ['township_admin', 'jingwu']));
    await (
      await as(accountant)
    )(IMPORT, { v: village.slug, f: 'june.csv', c: b64(juneCsv(1, '100.00')) });
    await (
      await as(accountant)
    )(`mutation ${MONTH} { submitMonth(${ARGS}) { status } }`, {
      v: village.slug,
      y: 2025,
      m: 6,
    });

    // Action: one admin creates a director account.
    const director = `two-${process.pid}-${fresh++}`;
    expect(code(await granter(CREATE, { v: village.slug, u: director, r: 'director' }))).toBe('ok');

    // Assertions: the director can sign in but do nothing a director does.
    const lone = await as(director);
    const me = await lone<{ me: { roles: unknown[]; pendingRoles: unknown[] } }>(
      `{ me { roles { role } pendingRoles { role villageSlug } } }`,
    );
    expect(me.data!.me.roles).toEqual([]);
    expect(me.data!.me.pendingRoles).toEqual([{ role: 'director', villageSlug: village.slug }]);
    const publish = `mutation ${MONTH} { publishMonth(${ARGS}) { revision } }`;
    expect(code(await lone(publish, { v: village.slug, y: 2025, m: 6 }))).toBe('FORBIDDEN');

    // The pending grant is listed for the admins above the village, not for an admin elsewhere.
    const listed = await granter<{ pendingRoleGrants: { id: number; username: string; mayConfirm: boolean }[] }>(
      PENDING,
    );
    const mine = listed.data!.pendingRoleGrants.find((g) => g.username === director)!;
    expect(mine).toMatchObject({ role: 'director', villageSlug: village.slug, confirmed: false, mayConfirm: false });
    const seenAbove = await districtAdmin<{ pendingRoleGrants: { id: number; mayConfirm: boolean }[] }>(PENDING);
    expect(seenAbove.data!.pendingRoleGrants.find((g) => g.id === mine.id)).toMatchObject({ mayConfirm: true });
    const seenElsewhere = await elsewhere<{ pendingRoleGrants: { id: number }[] }>(PENDING);
    expect(seenElsewhere.data!.pendingRoleGrants.some((g) => g.id === mine.id)).toBe(false);

    // The granter cannot confirm their own grant, nor can an admin of another town, nor the director themselves.
    const confirm = `mutation ($id: Int!) { confirmRoleGrant(id: $id) { confirmed } }`;
    expect(code(await granter(confirm, { id: mine.id }))).toBe('SECOND_ADMIN_REQUIRED');
    expect(code(await elsewhere(confirm, { id: mine.id }))).toBe('FORBIDDEN');
    expect(code(await lone(confirm, { id: mine.id }))).toBe('FORBIDDEN');
    expect(code(await t.api.query(confirm, { id: mine.id }))).toBe('UNAUTHENTICATED');
    expect(code(await lone(publish, { v: village.slug, y: 2025, m: 6 }))).toBe('FORBIDDEN');

    // The district admin, a second person, confirms: from then on the director may publish.
    const confirmed = await districtAdmin<{ confirmRoleGrant: { confirmed: boolean } }>(confirm, { id: mine.id });
    expect(confirmed.data!.confirmRoleGrant.confirmed).toBe(true);
    // A supervisor approves and the committee answers every flag: publishing needs the review.
    await reviewOverApi(t, { villageSlug: village.slug, year: 2025, month: 6 });
    expect(code(await lone(publish, { v: village.slug, y: 2025, m: 6 }))).toBe('ok');
    expect(code(await districtAdmin(confirm, { id: mine.id }))).toBe('NOT_FOUND');

    const audit = await queryRows<{ actor: string; action: string; details: Record<string, unknown> }>(
      t.handle.db,
      sql`select actor, action, details from system_audit_log where entity = 'user' and entity_key = ${director}
           order by id`,
    );
    expect(audit.map((a) => a.action)).toEqual(['user.create', 'role.confirm']);
    expect(audit[1]!.details).toMatchObject({ grantId: mine.id, role: 'director', village: village.slug });
    expect(audit[1]!.actor).not.toBe(audit[0]!.actor);
  });

  it('lets a second admin refuse a grant: it is gone, and the refusal is audited', async () => {
    const { village, town, district, as } = await aCommittee();
    const granter = await as(await aUser(t.handle.db, ['township_admin', town]));
    const second = await as(await aUser(t.handle.db, ['township_admin', district]));
    const accountant = `two-${process.pid}-${fresh++}`;
    await granter(CREATE, { v: village.slug, u: accountant, r: 'accountant' });
    const { id } = (
      await second<{ pendingRoleGrants: { id: number; username: string }[] }>(PENDING)
    ).data!.pendingRoleGrants.find((g) => g.username === accountant)!;

    const refused = await second(`mutation ($id: Int!) { refuseRoleGrant(id: $id, reason: "此人不是村委会成员") }`, {
      id,
    });

    expect(code(refused)).toBe('ok');
    const [left] = await queryRows<{ n: number }>(
      t.handle.db,
      sql`select count(*)::int as n from user_roles where id = ${id}`,
    );
    expect(left!.n).toBe(0);
    const [entry] = await queryRows<{ action: string; details: { reason: string; role: string } }>(
      t.handle.db,
      sql`select action, details from system_audit_log where entity_key = ${accountant} and action = 'role.refuse'`,
    );
    expect(entry!.details).toMatchObject({ reason: '此人不是村委会成员', role: 'accountant' });
    const import_ = await (await as(accountant))(IMPORT, { v: village.slug, f: 'a.csv', c: b64(juneCsv(1, '1.00')) });
    expect(code(import_)).toBe('FORBIDDEN');
  });

  it('gives a supervisor, who can neither upload nor publish, the role at once', async () => {
    const { village, town, as } = await aCommittee();
    const admin = await as(await aUser(t.handle.db, ['township_admin', town]));
    const supervisor = `two-${process.pid}-${fresh++}`;
    await admin(CREATE, { v: village.slug, u: supervisor, r: 'supervisor' });
    const me = await (await as(supervisor))<{ me: { roles: { role: string }[] } }>(`{ me { roles { role } } }`);
    expect(me.data!.me.roles).toEqual([{ role: 'supervisor' }]);
  });

  it('refuses the pending list to anyone who is not a township admin', async () => {
    const { village, as } = await aCommittee();
    const director = await as(await aUser(t.handle.db, ['director', village.slug]));
    expect(code(await director(PENDING))).toBe('FORBIDDEN');
    expect(code(await t.api.query(PENDING))).toBe('UNAUTHENTICATED');
  });
});

describe('who may publish: not whoever prepared the current content', () => {
  const publish = `mutation ${MONTH} { publishMonth(${ARGS}) { revision } }`;
  const june = (v: string) => ({ v, y: 2025, m: 6 });

  /** A village whose June is published (revision 1), with a director, a second director and an accountant. */
  async function aPublishedJune() {
    const { village, as } = await aCommittee();
    await aMonth(t.handle.db, village.id, 2025, 6, [
      aVoucher(1, '2025-06-10', '购买办公用品', debit('513', 10_000), credit('102', 10_000)),
    ]);
    const names = {
      director: await aUser(t.handle.db, ['director', village.slug]),
      accountant: await aUser(t.handle.db, ['accountant', village.slug]),
      // 会计兼主任: holds both roles, so only the preparer rule can stop them.
      both: await aUser(t.handle.db, ['accountant', village.slug], ['director', village.slug]),
    };
    return { village, names, as };
  }

  it('refuses a director who opened a correction alone, submitted and tried to publish it', async () => {
    const { village, names, as } = await aPublishedJune();
    const director = await as(names.director);

    await director(`mutation ${MONTH} { reviseMonth(${ARGS}, reason: "核对发票") { revision } }`, june(village.slug));
    await director(`mutation ${MONTH} { submitMonth(${ARGS}) { status } }`, june(village.slug));
    const res = await director(publish, june(village.slug));

    expect(code(res)).toBe('UPLOADER_CANNOT_PUBLISH');
    expect(res.errors![0]!.message).toMatch(/另一位负责人/);
    // Another director, who did not open it, may.
    const other = await as(await aUser(t.handle.db, ['director', village.slug]));
    await reviewOverApi(t, { villageSlug: village.slug, year: 2025, month: 6 });
    expect(code(await other(publish, june(village.slug)))).toBe('ok');
  });

  it('lets the director publish once the accountant has replaced the file the director uploaded', async () => {
    const { village, names, as } = await aPublishedJune();
    const director = await as(names.director);
    const accountant = await as(names.accountant);
    await director(`mutation ${MONTH} { reviseMonth(${ARGS}, reason: "金额有误") { revision } }`, june(village.slug));
    expect(code(await director(IMPORT, { v: village.slug, f: 'd.csv', c: b64(juneCsv(1, '120.00')) }))).toBe('ok');
    await director(`mutation ${MONTH} { submitMonth(${ARGS}) { status } }`, june(village.slug));
    expect(code(await director(publish, june(village.slug)))).toBe('UPLOADER_CANNOT_PUBLISH');
    await director(`mutation ${MONTH} { withdrawMonth(${ARGS}) { status } }`, june(village.slug));

    const replaced = await accountant<{ importLedger: { status: string; revision: number } }>(IMPORT, {
      v: village.slug,
      f: 'a.csv',
      c: b64(juneCsv(1, '121.00')),
    });
    expect(replaced.data!.importLedger).toEqual({ status: 'COMMITTED', revision: 2 });
    await accountant(`mutation ${MONTH} { submitMonth(${ARGS}) { status } }`, june(village.slug));

    await reviewOverApi(t, { villageSlug: village.slug, year: 2025, month: 6 });
    expect(code(await director(publish, june(village.slug)))).toBe('ok');
  });

  it('refuses a person holding both roles who uploaded the month', async () => {
    const { village, names, as } = await aPublishedJune();
    const both = await as(names.both);
    await both(`mutation ${MONTH} { reviseMonth(${ARGS}, reason: "补录") { revision } }`, june(village.slug));
    const accountant = await as(names.accountant);
    // The accountant's upload is replaced by the one holding both roles: now it is theirs.
    await accountant(IMPORT, { v: village.slug, f: 'a.csv', c: b64(juneCsv(1, '130.00')) });
    await both(IMPORT, { v: village.slug, f: 'b.csv', c: b64(juneCsv(1, '131.00')) });
    await both(`mutation ${MONTH} { submitMonth(${ARGS}) { status } }`, june(village.slug));

    expect(code(await both(publish, june(village.slug)))).toBe('UPLOADER_CANNOT_PUBLISH');
    expect(code(await accountant(publish, june(village.slug)))).toBe('FORBIDDEN');
    await reviewOverApi(t, { villageSlug: village.slug, year: 2025, month: 6 });
    expect(code(await (await as(names.director))(publish, june(village.slug)))).toBe('ok');
  });

  it('refuses both people who appended uploads to the same month', async () => {
    const { village, names, as } = await aPublishedJune();
    const both = await as(names.both);
    const director = await as(names.director);
    await both(`mutation ${MONTH} { reviseMonth(${ARGS}, reason: "漏记两笔") { revision } }`, june(village.slug));
    const append = { v: village.slug, mode: 'APPEND' };
    expect(code(await both(IMPORT, { ...append, f: 'b.csv', c: b64(juneCsv(2, '5.00')) }))).toBe('ok');
    expect(code(await director(IMPORT, { ...append, f: 'd.csv', c: b64(juneCsv(3, '6.00')) }))).toBe('ok');
    await director(`mutation ${MONTH} { submitMonth(${ARGS}) { status } }`, june(village.slug));

    expect(code(await both(publish, june(village.slug)))).toBe('UPLOADER_CANNOT_PUBLISH');
    expect(code(await director(publish, june(village.slug)))).toBe('UPLOADER_CANNOT_PUBLISH');
    // Someone who did neither may.
    const third = await as(await aUser(t.handle.db, ['director', village.slug]));
    await reviewOverApi(t, { villageSlug: village.slug, year: 2025, month: 6 });
    expect(code(await third(publish, june(village.slug)))).toBe('ok');
  });
});
