// Once per test run: a fresh database with the migrations and the demo villages, shared by every test file.
// DATABASE_URL set → a new database on that PostgreSQL server, dropped afterwards; unset → a PGlite template folder
// that each test file copies, since PGlite serves one process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { migrateDb, openDb } from '@mingbai/db/client';
import { seedDemo } from '@mingbai/db/demo/seed';
import { seedDemoUsers } from '@mingbai/api/auth/demo-users';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string | undefined;
    pgliteTemplateDir: string | undefined;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `mingbai_test_${Date.now()}_${process.pid}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const handle = await openDb({ databaseUrl: url.toString() });
    await migrateDb(handle);
    const report = await seedDemo(handle.db);
    await seedDemoUsers(handle.db);
    console.log(`test database ${name}: demo data in ${report.elapsedMs} ms`);
    await handle.close();
    project.provide('databaseUrl', url.toString());
    project.provide('pgliteTemplateDir', undefined);
    return async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'mingbai-template-'));
  const handle = await openDb({ pgliteDir: dir });
  await migrateDb(handle);
  const report = await seedDemo(handle.db);
  await seedDemoUsers(handle.db);
  console.log(`PGlite template ${dir}: demo data in ${report.elapsedMs} ms`);
  await handle.close();
  project.provide('databaseUrl', undefined);
  project.provide('pgliteTemplateDir', dir);
  return async () => rmSync(dir, { recursive: true, force: true });
}
