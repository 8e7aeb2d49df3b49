// The demo database a test run starts from: the migrations, the demo villages and the demo users. global-setup.ts
// makes it at the start of a run; CI makes both ahead, alongside the static checks, so that neither pass starts by
// seeding while a core waits (MINGBAI_TEST_PGLITE_TEMPLATE=<folder>, MINGBAI_TEST_DB_TEMPLATE=<database>):
//   node --import tsx tests/support/demo-template.ts pglite <empty folder>
//   node --import tsx tests/support/demo-template.ts postgres <URL of an empty database>
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { migrateDb, openDb, type DbHandle } from '@mingbai/db/client';
import { seedDemo } from '@mingbai/db/demo/seed';
import { seedDemoUsers } from '@mingbai/api/auth/demo-users';

/** Written last: a folder without it is a template that was never finished (a killed run), not one to copy. */
export const TEMPLATE_DONE = 'mingbai-template-done';

export function isPgliteTemplate(dir: string): boolean {
  return existsSync(join(dir, TEMPLATE_DONE));
}

/** Migrates the database and loads the demo villages and users into it; closes it. */
export async function seedDemoDatabase(handle: DbHandle): Promise<{ elapsedMs: number }> {
  try {
    await migrateDb(handle);
    const { elapsedMs } = await seedDemo(handle.db);
    await seedDemoUsers(handle.db);
    return { elapsedMs };
  } finally {
    await handle.close();
  }
}

/** A new PGlite database in `dir` (missing or empty), seeded, and marked done. */
export async function makePgliteTemplate(dir: string): Promise<{ elapsedMs: number }> {
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length > 0) throw new Error(`${dir}: not empty (a template is made in an empty folder)`);
  const report = await seedDemoDatabase(await openDb({ pgliteDir: dir }));
  // PostgreSQL ignores a file of another name in its data folder.
  writeFileSync(join(dir, TEMPLATE_DONE), '');
  return report;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [engine, where] = process.argv.slice(2);
  if (!where || (engine !== 'pglite' && engine !== 'postgres')) {
    console.error('usage: node --import tsx tests/support/demo-template.ts pglite <empty folder> | postgres <url>');
    process.exit(2);
  }
  const { elapsedMs } =
    engine === 'pglite'
      ? await makePgliteTemplate(resolve(where))
      : await seedDemoDatabase(await openDb({ databaseUrl: where }));
  console.log(
    `${engine} template ${engine === 'pglite' ? where : new URL(where).pathname}: demo data in ${elapsedMs} ms`,
  );
}
