// Accountability: every write leaves a hash-chained audit entry with who and when; no API path and no plain SQL
// from the application can change history; tampering behind the triggers' back is caught by the chains.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { verifyAuditChain } from '@mingbai/db/ledger/audit';
import { createApiKey, revokeApiKey } from '@mingbai/api/auth/api-keys.service';
import { auditFailedSignIn } from '@mingbai/api/auth/auth.service';
import { useTestApi } from '../support/api.ts';
import { sqlState } from '../support/db.ts';
import { aMonth, approveForPublication, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestApi();

const MONTH = `($v: String!, $y: Int!, $m: Int!)`;
const ARGS = `villageSlug: $v, year: $y, month: $m`;
const IMPORT = `mutation ($v: String!, $c: String!) { importLedger(villageSlug: $v, filename: "六月.csv", contentBase64: $c) { status } }`;

function csv(month: string, summary: string, yuan: string): string {
  return [
    '凭证号,日期,摘要,科目编码,科目名称,借方金额,贷方金额,收付款人',
    `1,${month}-03,${summary},513,,${yuan},,`,
    `1,${month}-03,${summary},102,,,${yuan},`,
  ].join('\n');
}
const b64 = (text: string) => Buffer.from(text).toString('base64');

interface AuditRow {
  id: number;
  actor: string;
  action: string;
  at: Date;
  entity_key: string;
}
const villageAudit = (villageId: number) =>
  queryRows<AuditRow>(
    t.handle.db,
    sql`select id, actor, action, at, entity_key from audit_log where village_id = ${villageId} order by id`,
  );
const systemAudit = (entity: 'user' | 'api_key', key: string) =>
  queryRows<AuditRow>(
    t.handle.db,
    sql`select id, actor, action, at, entity_key from system_audit_log where entity = ${entity} and entity_key = ${key} order by id`,
  );

/** A village with its committee, signed in. */
async function committee() {
  const db = t.handle.db;
  const village = await aVillage(db, '审计村');
  const [town] = await queryRows<{ slug: string }>(
    db,
    sql`select r.slug from villages v join regions r on r.id = v.town_id where v.id = ${village.id}`,
  );
  const names = {
    accountant: await aUser(db, ['accountant', village.slug]),
    director: await aUser(db, ['director', village.slug]),
    supervisor: await aUser(db, ['supervisor', village.slug]),
    admin: await aUser(db, ['township_admin', town!.slug]),
  };
  const tokens = {
    accountant: await t.api.login(names.accountant, TEST_PASSWORD),
    director: await t.api.login(names.director, TEST_PASSWORD),
    supervisor: await t.api.login(names.supervisor, TEST_PASSWORD),
    admin: await t.api.login(names.admin, TEST_PASSWORD),
  };
  const as = (who: keyof typeof tokens) => t.api.as(tokens[who]);
  return { village, names, tokens, as };
}

/** Every row of the village's ledger and history, as one string. */
async function history(villageId: number): Promise<string> {
  const [row] = await queryRows<{ sum: string }>(
    t.handle.db,
    sql`select concat_ws('|',
      (select md5(string_agg(p::text, ',' order by p.year, p.month, p.revision)) from periods p where p.village_id = ${villageId} and p.status = 'published'),
      (select md5(string_agg(v::text, ',' order by v.id)) from vouchers v join periods p using (village_id, year, month, revision) where v.village_id = ${villageId} and p.status = 'published'),
      (select md5(string_agg(l::text, ',' order by l.voucher_id, l.line_no)) from voucher_lines l join vouchers v on v.village_id = l.village_id and v.id = l.voucher_id join periods p on p.village_id = v.village_id and p.year = v.year and p.month = v.month and p.revision = v.revision where l.village_id = ${villageId} and p.status = 'published'),
      (select md5(string_agg(a::text, ',' order by a.id)) from audit_log a where a.village_id = ${villageId})
    ) as sum`,
  );
  return row!.sum;
}

describe('the audit log', () => {
  it('records every write of the month workflow with its actor and time, in an unbroken chain', async () => {
    const { village, names, as } = await committee();
    const started = Date.now();
    const vars = { v: village.slug, y: 2025, m: 6 };
    const ok = async (res: Promise<{ errors?: unknown[] }>) => expect((await res).errors).toBeUndefined();
    await ok(as('accountant')(IMPORT, { v: village.slug, c: b64(csv('2025-06', '购买办公用品', '120.00')) }));
    await ok(as('accountant')(`mutation ${MONTH} { submitMonth(${ARGS}) { status } }`, vars));
    await ok(as('accountant')(`mutation ${MONTH} { withdrawMonth(${ARGS}) { status } }`, vars));
    await ok(as('accountant')(`mutation ${MONTH} { submitMonth(${ARGS}) { status } }`, vars));
    await ok(as('supervisor')(`mutation ${MONTH} { commentOnMonth(${ARGS}, body: "请附发票") { status } }`, vars));
    await ok(
      as('supervisor')(`mutation ${MONTH} { flagVoucher(${ARGS}, number: 1, reason: "单价偏高") { status } }`, vars),
    );
    const answered = await approveForPublication(
      t.handle.db,
      { villageId: village.id, year: 2025, month: 6 },
      { supervisor: names.supervisor, committee: names.director },
    );
    await ok(as('director')(`mutation ${MONTH} { publishMonth(${ARGS}) { revision } }`, vars));
    await ok(as('director')(`mutation ${MONTH} { reviseMonth(${ARGS}, reason: "金额有误") { status } }`, vars));

    const rows = await villageAudit(village.id);
    const by = (action: string) => rows.filter((r) => r.action === action).map((r) => r.actor);
    expect(by('import.commit')).toEqual([names.accountant]);
    expect(by('vouchers.post')).toEqual([names.accountant]);
    expect(by('period.submit')).toEqual([names.accountant, names.accountant]);
    expect(by('period.withdraw')).toEqual([names.accountant]);
    expect(by('period.comment')).toEqual([names.supervisor]);
    expect(by('voucher.flag')).toEqual([names.supervisor]);
    expect(by('period.approve')).toEqual([names.supervisor]);
    expect(by('flag.answer')).toEqual(answered.map(() => names.director));
    expect(answered.some((k) => k.startsWith('supervisor:'))).toBe(true);
    expect(by('period.publish')).toEqual([names.director]);
    expect(by('period.revise')).toEqual([names.director]);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.actor).toBeTruthy();
      expect(new Date(row.at).getTime()).toBeGreaterThanOrEqual(started - 60_000);
      expect(new Date(row.at).getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
    }
    expect(await verifyAuditChain(t.handle.db, village.id)).toMatchObject({ ok: true, checked: rows.length });
  });

  it('records user administration, password changes, sign-ins and API keys in the system chain', async () => {
    const { village, names, tokens, as } = await committee();
    const newcomer = `audit-new-${process.pid}`;
    const created = await as('admin')(
      `mutation ($v: String!, $u: String!) { createVillageUser(villageSlug: $v, username: $u, displayName: "新会计", password: "first-password-1", role: "accountant") }`,
      { v: village.slug, u: newcomer },
    );
    expect(created.errors).toBeUndefined();
    expect((await systemAudit('user', newcomer)).map((r) => [r.action, r.actor])).toEqual([
      ['user.create', names.admin],
    ]);

    const reset = await as('admin')(
      `mutation ($u: String!) { resetVillageUserPassword(username: $u, password: "second-password-2") }`,
      { u: newcomer },
    );
    expect(reset.errors).toBeUndefined();
    const changed = await t.api.as(await t.api.login(newcomer, 'second-password-2'))(
      `mutation { changePassword(currentPassword: "second-password-2", newPassword: "third-password-3") }`,
    );
    expect(changed.errors).toBeUndefined();
    expect((await systemAudit('user', newcomer)).map((r) => [r.action, r.actor])).toEqual([
      ['user.create', names.admin],
      ['user.password_reset', names.admin],
      ['user.password_change', newcomer],
    ]);

    await t.api.query(`mutation ($t: String!) { logout(token: $t) }`, { t: tokens.supervisor });
    const [sessions] = await queryRows<{ logins: number; logouts: number }>(
      t.handle.db,
      sql`select count(*) filter (where action = 'session.login')::int as logins,
                 count(*) filter (where action = 'session.logout')::int as logouts
            from system_audit_log where actor = ${names.supervisor}`,
    );
    expect(sessions).toEqual({ logins: 1, logouts: 1 });

    const key = await createApiKey(t.handle.db, { name: '审计测试', contact: 'a@example.org', createdBy: 'ops-wang' });
    await revokeApiKey(t.handle.db, key.id, 'ops-li');
    expect((await systemAudit('api_key', String(key.id))).map((r) => [r.action, r.actor])).toEqual([
      ['apikey.create', 'ops-wang'],
      ['apikey.revoke', 'ops-li'],
    ]);
    // Nothing secret is written into the log.
    const [secrets] = await queryRows<{ n: number }>(
      t.handle.db,
      sql`select count(*)::int as n from system_audit_log
           where details::text like ${'%' + key.key + '%'} or details::text like '%third-password-3%'`,
    );
    expect(secrets!.n).toBe(0);
    expect(await verifyAuditChain(t.handle.db, 'system')).toMatchObject({ ok: true, brokenAt: null });
  });
});

describe('history cannot be rewritten', () => {
  it('through any mutation: a published month and the audit log stay as they were', async () => {
    const { village, tokens, names } = await committee();
    await aMonth(t.handle.db, village.id, 2025, 3, [
      aVoucher(1, '2025-03-05', '电费', debit('513', 10_000), credit('102', 10_000)),
    ]);
    const auditBefore = await villageAudit(village.id);
    const before = await history(village.id);
    const vars = { v: village.slug, y: 2025, m: 3 };
    const attempts: [string, string, Record<string, unknown>][] = [
      ['importLedger', IMPORT, { v: village.slug, c: b64(csv('2025-03', '电费', '999.00')) }],
      [
        'importLedger APPEND',
        `mutation ($v: String!, $c: String!) { importLedger(villageSlug: $v, filename: "a.csv", contentBase64: $c, mode: APPEND, year: 2025, month: 3) { status } }`,
        { v: village.slug, c: b64(csv('2025-03', '追加', '1.00')) },
      ],
      ['submitMonth', `mutation ${MONTH} { submitMonth(${ARGS}) { status } }`, vars],
      ['withdrawMonth', `mutation ${MONTH} { withdrawMonth(${ARGS}) { status } }`, vars],
      ['publishMonth', `mutation ${MONTH} { publishMonth(${ARGS}) { revision } }`, vars],
    ];
    for (const who of ['accountant', 'director', 'supervisor', 'admin'] as const) {
      for (const [name, query, variables] of attempts) {
        const res = await t.api.as(tokens[who])(query, variables);
        const status = (res.data as { importLedger?: { status: string } } | undefined)?.importLedger?.status;
        expect(res.errors?.length || status === 'REJECTED', `${name} by ${who}: ${res.text}`).toBeTruthy();
      }
    }
    expect(await history(village.id)).toBe(before);
    // A correction is a new revision beside the old one, which stays exactly as published.
    const revised = await t.api.as(tokens.director)(
      `mutation ${MONTH} { reviseMonth(${ARGS}, reason: "金额有误") { revision status } }`,
      vars,
    );
    expect(revised.data).toEqual({ reviseMonth: { revision: 2, status: 'OPEN' } });
    const [published] = await queryRows<{ n: number }>(
      t.handle.db,
      sql`select count(*)::int as n from periods where village_id = ${village.id} and revision = 1 and status = 'published'`,
    );
    expect(published!.n).toBe(1);
    const auditAfter = await villageAudit(village.id);
    expect(auditAfter.slice(0, auditBefore.length)).toEqual(auditBefore);
    expect(names.director).toBeTruthy();
  });

  it('through SQL from the application: the triggers refuse UPDATE, DELETE and TRUNCATE with MB* codes', async () => {
    const { village, names } = await committee();
    await aMonth(t.handle.db, village.id, 2025, 4, [
      aVoucher(1, '2025-04-05', '电费', debit('513', 10_000), credit('102', 10_000)),
    ]);
    const db = t.handle.db;
    const v = village.id;
    const before = await history(v);
    // TRUNCATE locks the whole table before its trigger refuses: wait a bounded time for other tests' writes.
    const truncate = (table: 'audit_log' | 'system_audit_log') =>
      db.transaction(async (tx) => {
        await tx.execute(sql`set local lock_timeout = '60s'`);
        await tx.execute(sql.raw(`truncate ${table}`));
      });
    const refused: [string, () => Promise<unknown>, string][] = [
      ['update audit_log', () => db.execute(sql`update audit_log set actor = 'x' where village_id = ${v}`), 'MBI01'],
      ['delete audit_log', () => db.execute(sql`delete from audit_log where village_id = ${v}`), 'MBI01'],
      [
        'update system_audit_log',
        () => db.execute(sql`update system_audit_log set actor = 'x' where entity_key = ${names.director}`),
        'MBI01',
      ],
      [
        'delete system_audit_log',
        () => db.execute(sql`delete from system_audit_log where entity_key = ${names.director}`),
        'MBI01',
      ],
      ['truncate audit_log', () => truncate('audit_log'), 'MBI01'],
      ['truncate system_audit_log', () => truncate('system_audit_log'), 'MBI01'],
      [
        'update published period',
        () => db.execute(sql`update periods set reason = 'x' where village_id = ${v}`),
        'MBI01',
      ],
      ['delete published period', () => db.execute(sql`delete from periods where village_id = ${v}`), 'MBI01'],
      [
        'update published voucher',
        () => db.execute(sql`update vouchers set summary = 'x' where village_id = ${v}`),
        'MBI01',
      ],
      ['delete published voucher', () => db.execute(sql`delete from vouchers where village_id = ${v}`), 'MBP01'],
      [
        'update an amount',
        () => db.execute(sql`update voucher_lines set amount_fen = amount_fen + 1 where village_id = ${v}`),
        'MBI01',
      ],
      ['delete published lines', () => db.execute(sql`delete from voucher_lines where village_id = ${v}`), 'MBP01'],
    ];
    for (const [what, work, code] of refused) expect(await sqlState(work()), what).toBe(code);
    expect(await history(v)).toBe(before);
  });

  it('behind the triggers’ back: a changed amount breaks the digest chain, a changed audit entry the audit chain', async (ctx) => {
    const { village } = await committee();
    for (const month of [1, 2]) {
      await aMonth(t.handle.db, village.id, 2025, month, [
        aVoucher(1, `2025-0${month}-05`, '电费', debit('513', 10_000), credit('102', 10_000)),
      ]);
    }
    const verify = async () =>
      (
        await t.api.query<{ verifyChain: { ok: boolean; breaks: { year: number; month: number; problem: string }[] } }>(
          `query ($v: String!) { verifyChain(villageSlug: $v) { ok breaks { year month problem } } }`,
          { v: village.slug },
        )
      ).data!.verifyChain;
    expect(await verify()).toEqual({ ok: true, breaks: [] });
    expect((await verifyAuditChain(t.handle.db, village.id)).ok).toBe(true);
    try {
      await t.handle.db.transaction(async (tx) => {
        // Only a superuser can switch the triggers off; PGlite runs as one too.
        await tx.execute(sql`set local session_replication_role = replica`);
        await tx.execute(sql`update voucher_lines set amount_fen = amount_fen * 10
                              where village_id = ${village.id}
                                and voucher_id in (select id from vouchers where village_id = ${village.id} and month = 2)`);
        await tx.execute(sql`update audit_log set actor = 'someone-else'
                              where id = (select min(id) from audit_log where village_id = ${village.id} and action = 'period.publish')
                                and village_id = ${village.id}`);
      });
    } catch (error) {
      ctx.skip(`this database does not let the test switch triggers off: ${String(error)}`);
    }
    expect(await verify()).toEqual({ ok: false, breaks: [{ year: 2025, month: 2, problem: 'CONTENT' }] });
    const audit = await verifyAuditChain(t.handle.db, village.id);
    expect(audit.ok).toBe(false);
    expect(audit.brokenAt).not.toBeNull();
  });
});

describe('an audit entry with text PostgreSQL cannot store as written', () => {
  it('hashes what is stored, so the chain still verifies (a lone surrogate or NUL typed as a username)', async () => {
    // Setup: a failed sign-in under names no database text can hold.
    for (const username of ['\uD800', 'fucun\u0000', '\uDC00ab\uD83D']) {
      // Action
      await auditFailedSignIn(t.handle.db, username, '192.0.2.9');
    }
    // Assertions
    expect(await verifyAuditChain(t.handle.db, 'system')).toMatchObject({ ok: true, brokenAt: null });
  });
});
