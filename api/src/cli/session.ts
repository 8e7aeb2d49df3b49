// What every command shares: a migrated database for one command, the JSON report on stdout, and acting as a user.
// The commands import this module, never main.ts, which only lists them.
import { once } from 'node:events';
import { useFilesDir } from '@mingbai/db/files/store';
import { migrateDb, openDb, type DbHandle } from '@mingbai/db/client';
import { closeImagePool } from '../attachments/process-in-worker.ts';
import { viewerByUsername } from '../auth/auth.service.ts';
import { actorAt, type Actor } from '../auth/village-access.ts';
import { useCheckpointKeyFile } from '../checkpoints/checkpoints.ts';
import { readConfig } from '../config.ts';
import { apiError, badInput, toGraphQLError } from '../errors.ts';

export interface CliIo {
  print(value: unknown): Promise<void>;
}

const io: CliIo = { print: (value) => printJson(value) };

/**
 * `JSON.stringify(value, bigintJson, 2)` and a line break, made a piece at a time as UTF-8 bytes: an import's report
 * lists every red flag (some 80,000 for a million-line month, 17 MB of text), and the whole text as one string (twice
 * its bytes, Chinese being two-byte in V8) was the import's peak of memory. The bytes are the same. Never strings on
 * the way out: a pipe's queue keeps them on the heap, and a slow reader ran the CLI out of its 128 MB.
 */
export async function printJson(value: unknown): Promise<void> {
  const pieces: Buffer[] = [];
  let pending = '';
  const out = (text: string) => {
    pending += text;
    if (pending.length >= 64 * 1024) {
      pieces.push(Buffer.from(pending));
      pending = '';
    }
  };
  writeJson(bigintJson('', value), '', 0, out);
  pieces.push(Buffer.from(pending + '\n'));
  for (const piece of pieces) if (!process.stdout.write(piece)) await once(process.stdout, 'drain');
}

/** Objects and arrays of the first levels member by member; below, each member is one `JSON.stringify`. */
function writeJson(value: unknown, indent: string, depth: number, out: (text: string) => void): void {
  const plain = typeof value === 'object' && value !== null && !('toJSON' in value);
  if (depth >= 2 || !plain) {
    out((JSON.stringify(value, bigintJson, 2) ?? 'null').replaceAll('\n', `\n${indent}`));
    return;
  }
  const inner = `${indent}  `;
  const members: [string | undefined, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [undefined, bigintJson(String(i), v) ?? null])
    : Object.entries(value)
        .map(([k, v]): [string, unknown] => [k, bigintJson(k, v)])
        .filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol');
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (members.length === 0) {
    out(open + close);
    return;
  }
  out(`${open}\n`);
  members.forEach(([key, member], i) => {
    out(key === undefined ? inner : `${inner}${JSON.stringify(key)}: `);
    writeJson(member, inner, depth + 1, out);
    out(i < members.length - 1 ? ',\n' : '\n');
  });
  out(indent + close);
}

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
    if (result !== undefined) await io.print(result);
  } catch (error) {
    const coded = toGraphQLError(error);
    if (coded.extensions.code === 'INTERNAL_SERVER_ERROR') console.error(error);
    // The error's details as the API's extensions carry them (REVIEW_REQUIRED's `unanswered`, a flag's `flagKey`).
    await io.print({ ok: false, error: { ...coded.extensions, code: coded.extensions.code, message: coded.message } });
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
