// Once per test run: a fresh database with the migrations and the demo villages, shared by every test file.
// DATABASE_URL set → a new database on that PostgreSQL server, dropped afterwards; unset → a PGlite template folder
// that each test file copies, since PGlite serves one process. Meanwhile the portal is built into portal/dist, once,
// for the browser tests (tests/support/portal.ts) and the start test (which then skips its own build), and the server
// build (.build/server) for the tests' API, CLI and verifier processes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openDb } from '@mingbai/db/client';
import { buildServer } from '../../scripts/lib/server-build.ts';
import { isPgliteTemplate, makePgliteTemplate, seedDemoDatabase } from './demo-template.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string | undefined;
    pgliteTemplateDir: string | undefined;
    /** On PGlite: the folder of the shared workers' copies of the template (tests/support/db.ts), removed at the end. */
    pgliteCopiesDir: string | undefined;
    /** Whether the file's worker process runs other files too (vitest.config.ts: a project's `provide`). */
    sharedWorker: boolean;
    /** The failed portal build's output; only the tests that serve the portal fail on it. */
    portalBuildError: string | undefined;
  }
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const PORTAL_BUILD_MS = 300_000;

/** `astro build --root portal` into portal/dist. Resolves to undefined when it built, else to why not. */
function buildPortal(): Promise<string | undefined> {
  const started = Date.now();
  const astro = join(root, 'portal/node_modules/.bin/astro');
  const child = spawn(astro, ['build', '--root', 'portal'], {
    cwd: root,
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const timer = setTimeout(() => child.kill('SIGKILL'), PORTAL_BUILD_MS);
  return new Promise((resolve) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve(`${astro}: ${error.message}`);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        console.log(`portal built in ${Date.now() - started} ms`);
        resolve(undefined);
      } else {
        const why = `astro build exited with ${signal ?? `code ${code}`}:\n${output}`;
        console.error(`portal build failed: ${why}`);
        resolve(why);
      }
    });
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The build runs alongside the seeding, as another process; it never rejects, so it cannot go unhandled.
  // MINGBAI_TEST_SKIP_PORTAL_BUILD=1 keeps the portal/dist already built: for API-only runs, and for several runs at
  // once on one checkout, which would otherwise build into the same folder together.
  const portalBuild = process.env.MINGBAI_TEST_SKIP_PORTAL_BUILD === '1' ? Promise.resolve(undefined) : buildPortal();
  // The API, CLI and verifier that tests start as processes run from the server build, as `pnpm start` and `pnpm cli`
  // do (scripts/lib/server-build.ts): built here once, before any file starts one. Under a second: always rebuilt.
  const serverStarted = Date.now();
  const changed = await buildServer();
  console.log(`server built in ${Date.now() - serverStarted} ms (${changed.length} files changed)`);
  // Publishing makes open-data fragments on disk: the run's own folder (inherited by workers and the API processes
  // tests start), not the machine's default one, which would fill with every run's files.
  const openData = process.env.MINGBAI_OPENDATA_DIR ? undefined : mkdtempSync(join(tmpdir(), 'mingbai-test-opendata-'));
  if (openData) process.env.MINGBAI_OPENDATA_DIR = openData;
  try {
    const dropDatabase = await prepareDatabase(project);
    return async () => {
      await dropDatabase();
      if (openData) rmSync(openData, { recursive: true, force: true });
    };
  } finally {
    project.provide('portalBuildError', await portalBuild);
  }
}

async function prepareDatabase(project: TestProject): Promise<() => Promise<void>> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `mingbai_test_${Date.now()}_${process.pid}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    // MINGBAI_TEST_DB_TEMPLATE=<name>: the run's database is a copy of that one (seeded by the first run that names
    // it), in a second instead of seeding for 20–40 s: for a test run in a loop, as when chasing a flaky test.
    // Drop it when the schema or the demo data change.
    const template = process.env.MINGBAI_TEST_DB_TEMPLATE?.trim();
    if (template && !/^[a-z_][a-z0-9_]*$/.test(template)) throw new Error('MINGBAI_TEST_DB_TEMPLATE: a plain name');
    const [existing] = template
      ? await admin`select 1 as found from pg_database where datname = ${template}`
      : [undefined];
    if (template && existing) {
      await admin.unsafe(`create database ${name} template ${template}`);
      console.log(`test database ${name}: a copy of ${template}`);
    } else {
      await admin.unsafe(`create database ${name}`);
      const report = await seedDemoDatabase(await openDb({ databaseUrl: url.toString() }));
      console.log(`test database ${name}: demo data in ${report.elapsedMs} ms`);
      if (template) await admin.unsafe(`create database ${template} template ${name}`);
    }
    project.provide('databaseUrl', url.toString());
    project.provide('pgliteTemplateDir', undefined);
    project.provide('pgliteCopiesDir', undefined);
    return async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
  }
  project.provide('databaseUrl', undefined);
  const copies = mkdtempSync(join(tmpdir(), 'mingbai-test-copies-'));
  project.provide('pgliteCopiesDir', copies);
  const dropCopies = () => rmSync(copies, { recursive: true, force: true });
  // MINGBAI_TEST_PGLITE_TEMPLATE=<folder>: the template made ahead (CI makes it alongside the static checks, with
  // tests/support/demo-template.ts), or made there by the first run that names it and kept: like
  // MINGBAI_TEST_DB_TEMPLATE, for runs in a loop; delete the folder when the schema or the demo data change.
  const named = process.env.MINGBAI_TEST_PGLITE_TEMPLATE?.trim();
  if (named && isPgliteTemplate(named)) {
    console.log(`PGlite template ${named}: made ahead`);
    project.provide('pgliteTemplateDir', named);
    return async () => dropCopies();
  }
  const dir = named || mkdtempSync(join(tmpdir(), 'mingbai-template-'));
  const { elapsedMs } = await makePgliteTemplate(dir);
  console.log(`PGlite template ${dir}: demo data in ${elapsedMs} ms`);
  project.provide('pgliteTemplateDir', dir);
  return async () => {
    dropCopies();
    if (!named) rmSync(dir, { recursive: true, force: true });
  };
}
