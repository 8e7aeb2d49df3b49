import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { openDb, type DbHandle } from '@mingbai/db/client';

/**
 * The test run's database with the demo villages. On PostgreSQL every file shares it (tests that write create
 * their own villages); on PGlite each file gets its own copy of the prepared template.
 */
export async function openTestDb(): Promise<DbHandle> {
  const databaseUrl = inject('databaseUrl');
  if (databaseUrl) return openDb({ databaseUrl, poolSize: 4 });
  const dir = mkdtempSync(join(tmpdir(), 'mingbai-test-'));
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
