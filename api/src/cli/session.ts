// What every command shares: a migrated database for one command, the JSON report on stdout, and acting as a user.
// The commands import this module, never main.ts, which only lists them.
import { useFilesDir } from '@mingbai/db/files/store';
import { migrateDb, openDb, type DbHandle } from '@mingbai/db/client';
import { closeImagePool } from '../attachments/process-in-worker.ts';
import { viewerByUsername } from '../auth/auth.service.ts';
import { actorAt, type Actor } from '../auth/village-access.ts';
import { useCheckpointKeyFile } from '../checkpoints/checkpoints.ts';
import { readConfig } from '../config.ts';
import { apiError, badInput, toGraphQLError } from '../errors.ts';

export interface CliIo {
  print(value: unknown): void;
}

const io: CliIo = { print: (value) => process.stdout.write(JSON.stringify(value, bigintJson, 2) + '\n') };

function bigintJson(_: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Runs one command with a migrated database, printing a coded error (code, message, details) as JSON when it fails. */
export async function withDb(work: (handle: DbHandle) => Promise<unknown>): Promise<void> {
  const config = readConfig();
  if (config.filesDir) useFilesDir(config.filesDir);
  if (config.checkpointKeyFile) useCheckpointKeyFile(config.checkpointKeyFile);
  const handle = await openDb({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir, poolSize: 2 });
  try {
    await migrateDb(handle);
    const result = await work(handle);
    if (result !== undefined) io.print(result);
  } catch (error) {
    const coded = toGraphQLError(error);
    if (coded.extensions.code === 'INTERNAL_SERVER_ERROR') console.error(error);
    // The error's details as the API's extensions carry them (REVIEW_REQUIRED's `unanswered`, a flag's `flagKey`).
    io.print({ ok: false, error: { ...coded.extensions, code: coded.extensions.code, message: coded.message } });
    process.exitCode = 1;
  } finally {
    await closeImagePool();
    await handle.close();
  }
}

/** The actor for `--as <user>`: the same services and permission checks as a signed-in API call. */
export async function actorAs(handle: DbHandle, username: string): Promise<Actor> {
  const viewer = await viewerByUsername(handle.db, username);
  if (!viewer) throw apiError('NOT_FOUND', `没有用户“${username}”`);
  return actorAt(handle.db, viewer);
}

/** "2025-06" → { year: 2025, month: 6 }. */
export function parseMonth(text: string): { year: number; month: number } {
  const match = /^(\d{4})-(\d{1,2})$/.exec(text.trim());
  if (!match) throw badInput(`--month 应写成 2025-06 这样的年-月，收到“${text}”`, 'month');
  return { year: Number(match[1]), month: Number(match[2]) };
}
