// The demo database a test run starts from: the migrations, the demo villages and the demo users. global-setup.ts
// makes it at the start of a run; CI makes both ahead, alongside the static checks, so that neither pass starts by
// seeding while a core waits (MINGBAI_TEST_PGLITE_TEMPLATE=<folder>, MINGBAI_TEST_DB_TEMPLATE=<database>):
//   node --import tsx tests/support/demo-template.ts pglite <empty folder>
//   node --import tsx tests/support/demo-template.ts postgres <URL of an empty database>
//   node --import tsx tests/support/demo-template.ts pglite <empty folder> --from <URL of a seeded database>
// The last copies a PostgreSQL template's rows into PGlite instead of seeding there (WASM ran the seed 2–3× slower
// than the server, ~110 s of a CI core): CI's PGlite pass then reads the very rows its PostgreSQL pass read. Seeding
// on PGlite is still proven whole by tests/ops/start.test.ts (`pnpm start` on an empty folder).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { migrateDb, openDb, transactionWithConnection, type DbHandle } from '@mingbai/db/client';
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

/**
 * A new PGlite database in `dir` with the rows of the seeded PostgreSQL database at `databaseUrl`: migrated here by
 * the same migrations, every table emptied of what migrations put in, then each table's rows from `pg_dump
 * --data-only` loaded by COPY with triggers off (the rows were checked by them once, on the server) and the sequences
 * set. Every table's row count is compared before the folder is marked done.
 */
export async function makePgliteTemplateFrom(databaseUrl: string, dir: string): Promise<{ elapsedMs: number }> {
  const started = performance.now();
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length > 0) throw new Error(`${dir}: not empty (a template is made in an empty folder)`);
  const { stdout: dump } = await promisify(execFile)(
    'pg_dump',
    ['--data-only', '--exclude-schema=drizzle', '--no-owner', '--no-privileges', '--dbname', databaseUrl],
    { maxBuffer: 1024 * 1024 * 1024, encoding: 'utf8' },
  );
  const handle = await openDb({ pgliteDir: dir });
  const server = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await migrateDb(handle);
    await transactionWithConnection(handle.db, async (_tx, connection) => {
      await connection.query('set local session_replication_role = replica');
      const tables = (await connection.query(USER_TABLES)).map((r) => String(r.name));
      await connection.query(`truncate ${tables.join(', ')}`);
      for (const statement of dumpStatements(dump)) {
        if (statement.kind === 'copy') await connection.copyFrom(statement.target, '', oneChunk(statement.rows));
        else await connection.query(statement.sql);
      }
    });
    const [pgliteCounts, serverCounts] = [await rowCounts(handle), await rowCounts(server)];
    if (JSON.stringify(pgliteCounts) !== JSON.stringify(serverCounts))
      throw new Error(`row counts differ: ${JSON.stringify({ pglite: pgliteCounts, postgres: serverCounts })}`);
  } finally {
    await server.end();
    await handle.close();
  }
  writeFileSync(join(dir, TEMPLATE_DONE), '');
  return { elapsedMs: Math.round(performance.now() - started) };
}

/** Every table of the application's schemas, schema-qualified and quoted (the migrations' own table left out). */
const USER_TABLES = `select format('%I.%I', schemaname, tablename) as name from pg_tables
  where schemaname not in ('pg_catalog', 'information_schema', 'drizzle') order by 1`;

async function rowCounts(on: DbHandle | postgres.Sql): Promise<Record<string, number>> {
  const query = async (text: string) =>
    'db' in on
      ? await transactionWithConnection(on.db, (_tx, connection) => connection.query(text))
      : ((await on.unsafe(text)) as Record<string, unknown>[]);
  const tables = (await query(USER_TABLES)).map((r) => String(r.name));
  const counts: Record<string, number> = {};
  for (const table of tables) counts[table] = Number((await query(`select count(*) as n from ${table}`))[0]!.n);
  return counts;
}

type DumpStatement = { kind: 'copy'; target: string; rows: string } | { kind: 'sql'; sql: string };

/**
 * The statements of a plain data-only dump that matter here: each `COPY … FROM stdin;` with its rows, and the
 * sequences' `setval`. Session settings (`SET`, `set_config`, psql's `\restrict`) are left out: they would outlive
 * the load in PGlite's one session. Anything else is a dump this function does not know, and fails.
 */
function* dumpStatements(dump: string): Generator<DumpStatement> {
  const lines = dump.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const copy = /^COPY (.+) FROM stdin;$/.exec(line);
    if (copy) {
      const end = lines.indexOf('\\.', i + 1);
      if (end < 0) throw new Error(`dump: no end to ${line}`);
      yield {
        kind: 'copy',
        target: copy[1]!,
        rows: lines
          .slice(i + 1, end)
          .map((row) => `${row}\n`)
          .join(''),
      };
      i = end;
    } else if (/^SELECT pg_catalog\.setval\(/.test(line)) {
      yield { kind: 'sql', sql: line };
    } else if (!(line === '' || line.startsWith('--') || line.startsWith('\\') || /^SET |set_config\(/.test(line))) {
      throw new Error(`dump: a statement this copy does not know: ${line.slice(0, 120)}`);
    }
  }
}

async function* oneChunk(text: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text, 'utf8');
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [engine, where, fromFlag, from] = process.argv.slice(2);
  const copying = fromFlag === '--from' && engine === 'pglite' && from;
  if (!where || (engine !== 'pglite' && engine !== 'postgres') || (fromFlag !== undefined && !copying)) {
    console.error(
      'usage: node --import tsx tests/support/demo-template.ts pglite <empty folder> [--from <url>] | postgres <url>',
    );
    process.exit(2);
  }
  const { elapsedMs } = copying
    ? await makePgliteTemplateFrom(from, resolve(where))
    : engine === 'pglite'
      ? await makePgliteTemplate(resolve(where))
      : await seedDemoDatabase(await openDb({ databaseUrl: where }));
  console.log(
    `${engine} template ${engine === 'pglite' ? where : new URL(where).pathname}: ` +
      `demo data ${copying ? `copied from ${new URL(from).pathname} ` : ''}in ${elapsedMs} ms`,
  );
}
