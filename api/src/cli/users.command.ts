import type { Command } from 'commander';
import {
  confirmGrant,
  disableUser,
  endSession,
  pendingGrants,
  refuseGrant,
  removeRole,
  userSessions,
} from '../auth/user-admin.service.ts';
import { actorAs, withDb } from './session.ts';

/**
 * `pnpm cli users …` for admins: the same services and permission checks as the GraphQL mutations, acting as the
 * township admin named by `--as`. Confirming a grant takes an admin other than the one who granted it: the operator
 * (who grants with `users create`/`users grant`) is never the second person.
 */
export function registerUserAdminCommands(users: Command): void {
  const asAdmin = (name: string, description: string) =>
    users.command(name).description(description).requiredOption('--as <admin>', 'act as this township admin');

  asAdmin('pending', 'grants waiting for a second admin in the villages the admin manages').action(
    (opts: { as: string }) =>
      withDb(async (handle) => ({ ok: true, grants: await pendingGrants(handle.db, await actorAs(handle, opts.as)) })),
  );
  asAdmin('confirm <grantId>', 'confirm a grant another admin (or the operator) made').action(
    (grantId: string, opts: { as: string }) =>
      withDb(async (handle) => ({
        ok: true,
        grant: await confirmGrant(handle.db, await actorAs(handle, opts.as), Number(grantId)),
      })),
  );
  asAdmin('refuse <grantId>', 'refuse a pending grant')
    .option('--reason <text>')
    .action((grantId: string, opts: { as: string; reason?: string }) =>
      withDb(async (handle) => {
        await refuseGrant(handle.db, await actorAs(handle, opts.as), Number(grantId), opts.reason);
        return { ok: true, refused: Number(grantId) };
      }),
    );
  asAdmin('remove-role <username> <role:village>', 'take one village role away').action(
    (username: string, grant: string, opts: { as: string }) =>
      withDb(async (handle) => {
        const [role = '', villageSlug = ''] = grant.split(':');
        await removeRole(handle.db, await actorAs(handle, opts.as), { username, villageSlug, role });
        return { ok: true, username, removed: grant };
      }),
  );
  asAdmin('disable <username>', 'disable an account and end its sessions and tokens')
    .option('--reason <text>')
    .action((username: string, opts: { as: string; reason?: string }) =>
      withDb(async (handle) => {
        await disableUser(handle.db, await actorAs(handle, opts.as), username, opts.reason);
        return { ok: true, username, disabled: true };
      }),
    );
  asAdmin('sessions <username>', 'list the live sessions and API tokens of an account').action(
    (username: string, opts: { as: string }) =>
      withDb(async (handle) => ({
        ok: true,
        sessions: await userSessions(handle.db, await actorAs(handle, opts.as), username),
      })),
  );
  asAdmin('end-session <sessionId>', 'end one session or API token').action((sessionId: string, opts: { as: string }) =>
    withDb(async (handle) => {
      await endSession(handle.db, await actorAs(handle, opts.as), Number(sessionId));
      return { ok: true, ended: Number(sessionId) };
    }),
  );
}
