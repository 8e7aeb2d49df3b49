import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { inject } from 'vitest';
import { migrateDb, openDb, type DbHandle } from '@mingbai/db/client';

/**
 * The test run's database with the demo villages. On PostgreSQL every file shares it (tests that write create
 * their own villages). On PGlite, which serves one process, a copy of the prepared template: the files of a shared
 * worker process (vitest.config.ts) share one copy in turn, as the files of a PostgreSQL run share its database, and
 * a file with a process of its own has its own.
 */
export async function openTestDb(): Promise<DbHandle> {
  const databaseUrl = inject('databaseUrl');
  if (databaseUrl) return openDb({ databaseUrl, poolSize: 4 });
  if (!inject('sharedWorker')) return openCopy(tmpdir());
  // Opened by the worker's first file and left open for the next ones (copying, opening and closing 100 MB took
  // seconds a file); Vitest ends the process with a signal, and the run's global teardown removes the copy.
  workerCopy ??= openCopy(inject('pgliteCopiesDir')!);
  return { ...(await workerCopy), close: async () => {} };
}

let workerCopy: Promise<DbHandle> | undefined;

/** A copy of the template in a new folder under `parent`, removed on close. */
async function openCopy(parent: string): Promise<DbHandle> {
  const dir = mkdtempSync(join(parent, 'mingbai-test-'));
  cpSync(inject('pgliteTemplateDir')!, dir, { recursive: true });
  const handle = await openDb({ pgliteDir: dir });
  return {
    ...handle,
    async close() {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A migrated database of the file's own, with no village: for files that load their own villages or change what the
 * run's database must keep (a rewritten chain, a half-loaded demo). On PostgreSQL a new database on the run's server,
 * dropped on close; on PGlite a new folder, removed on close. `name` shows whose it is in pg_stat_activity.
 */
export async function openEmptyDb(name: string, poolSize = 4): Promise<DbHandle> {
  const serverUrl = inject('databaseUrl');
  if (!serverUrl) {
    const dir = mkdtempSync(join(tmpdir(), `mingbai-${name}-`));
    const handle = await openDb({ pgliteDir: dir });
    await migrateDb(handle);
    return {
      ...handle,
      async close() {
        await handle.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const database = `mingbai_${name.replace(/\W/g, '_')}_${Date.now()}_${process.pid}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${database}`);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const handle = await openDb({ databaseUrl: url.toString(), poolSize });
  await migrateDb(handle);
  return {
    ...handle,
    async close() {
      await handle.close();
      await admin.unsafe(`drop database if exists ${database} with (force)`);
      await admin.end();
    },
  };
}

/** The SQLSTATE of a failed query, whichever driver wrapped it (postgres.js, PGlite, drizzle's wrapper). */
export async function sqlState(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
  } catch (error) {
    const e = error as { code?: string; cause?: { code?: string } };
    return e.cause?.code ?? e.code;
  }
  return undefined;
}
