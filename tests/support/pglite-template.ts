// The PGlite template of a test run without DATABASE_URL: a data folder with the migrations, the demo villages and
// the demo users, which each test file copies (tests/support/db.ts). global-setup.ts makes it; CI makes it ahead,
// alongside the static checks, and names it in MINGBAI_TEST_PGLITE_TEMPLATE, so that the PGlite pass does not start
// by seeding on one core while the other waits:
//   node --import tsx tests/support/pglite-template.ts <folder>
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { migrateDb, openDb } from '@mingbai/db/client';
import { seedDemo } from '@mingbai/db/demo/seed';
import { seedDemoUsers } from '@mingbai/api/auth/demo-users';

/** Written last: a folder without it is a template that was never finished (a killed run), not one to copy. */
export const TEMPLATE_DONE = 'mingbai-template-done';

export function isTemplate(dir: string): boolean {
  return existsSync(join(dir, TEMPLATE_DONE));
}

/** Migrates and seeds a new PGlite database in `dir` (missing or empty), and marks it done. */
export async function makePgliteTemplate(dir: string): Promise<{ elapsedMs: number }> {
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length > 0) throw new Error(`${dir}: not empty (a template is made in an empty folder)`);
  const handle = await openDb({ pgliteDir: dir });
  let elapsedMs: number;
  try {
    await migrateDb(handle);
    elapsedMs = (await seedDemo(handle.db)).elapsedMs;
    await seedDemoUsers(handle.db);
  } finally {
    await handle.close();
  }
  // PostgreSQL ignores a file of its own name in its data folder.
  writeFileSync(join(dir, TEMPLATE_DONE), '');
  return { elapsedMs };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node --import tsx tests/support/pglite-template.ts <empty folder>');
    process.exit(2);
  }
  const { elapsedMs } = await makePgliteTemplate(resolve(dir));
  console.log(`PGlite template ${dir}: demo data in ${elapsedMs} ms`);
}
