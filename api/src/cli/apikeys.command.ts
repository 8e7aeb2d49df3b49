import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { createApiKey, listApiKeys, revokeApiKey } from '../auth/api-keys.service.ts';
import { badInput } from '../errors.ts';
import { withDb } from './session.ts';

/**
 * `pnpm cli apikeys …`: the operator issues and revokes keys for third-party clients. Whoever can run the CLI against
 * the database is the administrator; the key is printed once and only its SHA-256 is kept.
 */
export function registerApiKeyCommands(program: Command): void {
  const apikeys = program.command('apikeys').description('issue, list and revoke API keys for third-party clients');
  apikeys
    .command('create')
    .requiredOption('--name <name>', 'who the key is for, e.g. 某某报 数据新闻组')
    .requiredOption('--contact <contact>', 'email or phone of the person responsible')
    .option('--points-per-hour <n>', 'hourly budget, instead of the default for keys')
    .option('--by <operator>', 'who issued it (default: the OS user)')
    .action((opts: { name: string; contact: string; pointsPerHour?: string; by?: string }) =>
      withDb(async ({ db }) => {
        const points = opts.pointsPerHour === undefined ? undefined : Number(opts.pointsPerHour);
        const issued = await createApiKey(db, {
          name: opts.name,
          contact: opts.contact,
          pointsPerHour: points,
          createdBy: opts.by ?? userInfo().username,
        });
        return { ok: true, apiKey: issued, note: '密钥只显示这一次，请立即交给对方 / The key is shown only once.' };
      }),
    );
  apikeys.command('list').action(() => withDb(async ({ db }) => ({ ok: true, apiKeys: await listApiKeys(db) })));
  apikeys
    .command('revoke <id>')
    .description('the key stops working at once')
    .action((id: string) =>
      withDb(async ({ db }) => {
        if (!/^[0-9]{1,9}$/.test(id)) throw badInput(`<id> 应是 apikeys list 列出的密钥编号，收到“${id}”`, 'id');
        return { ok: true, revoked: await revokeApiKey(db, Number(id)) };
      }),
    );
}
