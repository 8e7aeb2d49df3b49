// `pnpm cli …`: the operator's tool. It talks to the database directly and acts as the user named by --as, with
// exactly that user's permissions. Every command prints one JSON document on stdout and exits non-zero on failure.
import 'reflect-metadata';
import { Command, Option } from 'commander';
import { USER_ROLES, type UserRole } from '@mingbai/db/schema/users';
import { appendSystemAudit } from '@mingbai/db/ledger/audit';
import { createUser, grantRole, login, OPERATOR, setPassword, viewerByUsername } from '../auth/auth.service.ts';
import type { Db } from '@mingbai/db/client';
import type { Actor } from '../auth/village-access.ts';
import {
  publishMonth,
  reviseMonth,
  submitMonth,
  withdrawMonth,
  type MonthRef,
} from '../committee/committee.service.ts';
import { apiError, badInput } from '../errors.ts';
import { registerApiKeyCommands } from './apikeys.command.ts';
import { registerAttachmentCommands } from './attachments.command.ts';
import { registerImportCommand } from './import.command.ts';
import { registerQuestionCommands } from './questions.command.ts';
import { registerReviewCommands } from './review.command.ts';
import { actorAs, parseMonth, withDb } from './session.ts';
import { registerUserAdminCommands } from './users.command.ts';

const program = new Command('mingbai').description('明白账 operator CLI');

const users = program.command('users').description('create users, reset passwords, grant roles');
users
  .command('create <username>')
  .requiredOption('--name <displayName>', '显示名')
  .requiredOption('--password <password>', 'at least 8 characters')
  .option(
    '--grant <role:scope...>',
    `role and village/region slug, e.g. accountant:fucun (${USER_ROLES.join(', ')})`,
    [],
  )
  .action((username: string, opts: { name: string; password: string; grant: string[] }) =>
    withDb(async ({ db }) => {
      const grants = opts.grant.map(parseGrant);
      // Accountant and director roles wait for a township admin's `users confirm` (the operator is not the second person).
      const { id, pendingGrants } = await createUser(db, {
        username,
        displayName: opts.name,
        password: opts.password,
        grants,
      });
      return { ok: true, user: { id, username, grants, pendingGrants } };
    }),
  );
users
  .command('reset-password <username>')
  .requiredOption('--password <password>')
  .action((username: string, opts: { password: string }) =>
    withDb(async ({ db }) => {
      await setPassword(db, username, opts.password);
      return { ok: true, username, sessionsEnded: true };
    }),
  );
users.command('grant <username> <role:scope>').action((username: string, grant: string) =>
  withDb(async ({ db }) => {
    const viewer = await viewerByUsername(db, username);
    if (!viewer) throw apiError('NOT_FOUND', `没有用户“${username}”`);
    const granted = await db.transaction(async (tx) => {
      const row = await grantRole(tx as unknown as typeof db, viewer.userId, parseGrant(grant));
      if (row) {
        await appendSystemAudit(tx, {
          actor: OPERATOR,
          action: 'role.grant',
          entity: 'user',
          entityKey: viewer.username,
          details: { grantId: row.id, grant, pending: row.pending },
        });
      }
      return row;
    });
    return { ok: true, username, grant, pending: granted?.pending ?? false, grantId: granted?.id ?? null };
  }),
);
users
  .command('token <username>')
  .description('issue an API token (prints it once)')
  .requiredOption('--password <password>')
  .option('--label <label>')
  .action((username: string, opts: { password: string; label?: string }) =>
    withDb(async ({ db }) => {
      const { token, expiresAt } = await login(db, {
        username,
        password: opts.password,
        kind: 'api_token',
        label: opts.label,
      });
      return { ok: true, token, expiresAt };
    }),
  );

function parseGrant(text: string): { role: UserRole; scope: string } {
  const [role, scope] = text.split(':');
  if (!role || !scope || !(USER_ROLES as readonly string[]).includes(role)) {
    throw badInput(`--grant 应写成 角色:网址名，角色为 ${USER_ROLES.join('、')} 之一，收到“${text}”`, 'grant');
  }
  return { role: role as UserRole, scope };
}

function monthCommand(
  name: string,
  description: string,
  run: (db: Db, actor: Actor, ref: MonthRef, opts: { reason?: string }) => Promise<unknown>,
) {
  const cmd = program
    .command(name)
    .description(description)
    .requiredOption('--as <user>', 'act as this user')
    .requiredOption('--village <slug>')
    .requiredOption('--month <YYYY-MM>');
  if (name === 'revise')
    cmd.addOption(new Option('--reason <text>', 'why the published month is corrected').makeOptionMandatory());
  cmd.action((opts: { as: string; village: string; month: string; reason?: string }) =>
    withDb(async (handle) => {
      const actor = await actorAs(handle, opts.as);
      const ref = { villageSlug: opts.village, ...parseMonth(opts.month) };
      const result = (await run(handle.db, actor, ref, opts)) ?? null;
      return { ok: true, village: opts.village, month: opts.month, result };
    }),
  );
}
monthCommand('submit', 'hand an open month to the supervisors', (db, actor, ref) => submitMonth(db, actor, ref));
monthCommand('withdraw', 'take a submitted month back to open', (db, actor, ref) => withdrawMonth(db, actor, ref));
monthCommand('publish', 'publish a submitted month', async (db, actor, ref) => {
  const { revision, digest, afterCommit } = await publishMonth(db, actor, ref);
  // The month's open-data files are made after the commit: the pool stays open until they are.
  await afterCommit;
  return { revision, digest };
});
monthCommand('revise', 'open a correction of a published month', (db, actor, ref, opts) =>
  reviseMonth(db, actor, { ...ref, reason: opts.reason! }),
);
registerUserAdminCommands(users);
registerImportCommand(program);
registerReviewCommands(program);
registerQuestionCommands(program);
registerAttachmentCommands(program);
registerApiKeyCommands(program);

await program.parseAsync(process.argv);
