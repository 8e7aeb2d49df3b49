// The operator CLI's user administration: a role the operator grants waits for a township admin's confirmation,
// and admins act with `--as`, with exactly their permissions (the same services as the GraphQL mutations).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows, type DbHandle } from '@mingbai/db/client';
import { viewerByUsername } from '@mingbai/api/auth/auth.service';
import { aVillage } from '../support/builders.ts';
import { cli } from '../support/cli.ts';
import { openTestDb } from '../support/db.ts';
import { aUser } from '../support/users.ts';

describe('pnpm cli users', () => {
  const onServer = Boolean(inject('databaseUrl'));
  let handle: DbHandle | undefined;
  beforeAll(async () => {
    if (onServer) handle = await openTestDb();
  });
  afterAll(() => handle?.close());

  // PGlite serves one process: the CLI can only share the test's database on a PostgreSQL server.
  it.skipIf(!onServer)(
    'creates an accountant whose role waits until a township admin confirms it',
    async () => {
      // Setup
      const village = await aVillage(handle!.db);
      const [town] = await queryRows<{ slug: string }>(
        handle!.db,
        sql`select r.slug from villages v join regions r on r.id = v.town_id where v.id = ${village.id}`,
      );
      const admin = await aUser(handle!.db, ['township_admin', town!.slug]);
      const username = `cli-${process.pid}`;

      // Action: the operator creates the account; the admin lists and confirms its grant.
      const created = await cli(
        'users',
        'create',
        username,
        '--name',
        '王会计',
        '--password',
        'cli-password-1',
        '--grant',
        `accountant:${village.slug}`,
      );
      expect(created.report).toMatchObject({ ok: true, user: { pendingGrants: 1 } });
      expect((await viewerByUsername(handle!.db, username))!.roles).toEqual([]);
      const pending = await cli('users', 'pending', '--as', admin);
      const grant = (pending.report.grants as { id: number; username: string }[]).find((g) => g.username === username)!;
      expect(grant).toBeDefined();
      const confirmed = await cli('users', 'confirm', String(grant.id), '--as', admin);

      // Assertions
      expect(confirmed.report).toMatchObject({ ok: true });
      expect((await viewerByUsername(handle!.db, username))!.roles).toEqual([
        { role: 'accountant', villageId: village.id, regionId: null },
      ]);
      // The accountant themselves cannot disable another account: a coded refusal, exit status 1.
      const refused = await cli('users', 'disable', admin, '--as', username);
      expect(refused).toMatchObject({ failed: true, report: { ok: false, error: { code: 'FORBIDDEN' } } });
      const disabled = await cli('users', 'disable', username, '--as', admin, '--reason', '离任');
      expect(disabled.report).toMatchObject({ ok: true, disabled: true });
      expect(await viewerByUsername(handle!.db, username)).toBeNull();
    },
    120_000,
  );
  it.skipIf(!onServer)('reports a bad flag or an unknown user with its code, not as an internal error', async () => {
    // Action
    const badMonth = await cli('publish', '--as', 'fucun-zhuren', '--village', 'fucun', '--month', '2025-6x');
    const noUser = await cli('publish', '--as', `nobody-${process.pid}`, '--village', 'fucun', '--month', '2025-06');
    // Assertions
    expect(badMonth).toMatchObject({ failed: true, report: { ok: false, error: { code: 'BAD_USER_INPUT' } } });
    expect(noUser).toMatchObject({ failed: true, report: { ok: false, error: { code: 'NOT_FOUND' } } });
  });
});
