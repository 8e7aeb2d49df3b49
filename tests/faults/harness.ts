// What the fault tests share: a database of their own (on the shared server or a private cluster), the API as a child
// process that can be SIGKILLed and restarted, GraphQL over HTTP with a bound on every request, and the ledger's
// state read straight from the database.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { migrateDb, openDb } from '@mingbai/db/client';
import { seedDemo } from '@mingbai/db/demo/seed';
import { seedDemoUsers, DEMO_PASSWORD } from '@mingbai/api/auth/demo-users';
import { voucherCsv } from '../../bench/import/make-csv.ts';
import { freePort } from '../support/throwaway-pg.ts';
import { serverArgs } from '../../scripts/lib/server-build.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export { DEMO_PASSWORD };

/** The demo villages a fault test's database holds unless it names others: the demo users need both. */
const FAULT_VILLAGES = ['fucun', 'liugangzhuang'];

/**
 * A new database on `serverUrl` with the migrations, demo villages (付村 and 刘岗庄村 by default: the demo users need
 * both) and the demo users. With the default villages, when the run's demo database was made ahead as a template on
 * that server (MINGBAI_TEST_DB_TEMPLATE, as CI does), it is a copy of that one, in a second instead of seeding the
 * two villages again (ten seconds of a core): the same migrations and users, the other demo villages besides.
 */
export async function freshDatabase(
  serverUrl: string,
  tag: string,
  villages: string[] = FAULT_VILLAGES,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `mingbai_${tag}_${Date.now()}_${process.pid}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  if (!(villages === FAULT_VILLAGES && (await copyOfRunTemplate(admin, name)))) {
    await admin.unsafe(`create database ${name}`);
    const handle = await openDb({ databaseUrl: url.toString(), poolSize: 4 });
    try {
      await migrateDb(handle);
      await seedDemo(handle.db, { villages });
      await seedDemoUsers(handle.db);
    } finally {
      await handle.close();
    }
  }
  return {
    url: url.toString(),
    name,
    async drop() {
      try {
        await admin.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await admin.end({ timeout: 5 });
      }
    },
  };
}

/**
 * Creates `name` as a copy of the run's demo template (tests/support/global-setup.ts) when it is on this server and
 * nobody is connected to it; false when there is none to copy.
 */
async function copyOfRunTemplate(admin: postgres.Sql, name: string): Promise<boolean> {
  const template = process.env.MINGBAI_TEST_DB_TEMPLATE?.trim();
  if (!template || !/^[a-z_][a-z0-9_]*$/.test(template)) return false;
  const [found] = await admin`select 1 as found from pg_database where datname = ${template}`;
  if (!found) return false;
  try {
    await admin.unsafe(`create database ${name} template ${template}`);
    return true;
  } catch {
    return false; // someone is connected to the template: seed instead
  }
}

export interface ApiChild {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr. */
  output(): string;
  /** True while the process runs. */
  alive(): boolean;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Resident set size in bytes, from /proc (Linux). */
  rssBytes(): number;
}

/** The built API (`node .build/server/main.mjs`) on a free port; resolves once it says it is ready. */
export async function startApiChild(databaseUrl: string, env: Record<string, string> = {}): Promise<ApiChild> {
  const port = await freePort();
  const child = spawn(process.execPath, serverArgs('main'), {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      API_PORT: String(port),
      API_HOST: '127.0.0.1',
      MINGBAI_SEED_DEMO: 'false',
      MINGBAI_RATE_LIMIT_ANONYMOUS: '1000000000',
      MINGBAI_RATE_LIMIT_API_KEY: '1000000000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exited = false;
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const stopOnExit = () => child.kill('SIGKILL');
  process.once('exit', stopOnExit);
  exit.then(() => process.removeListener('exit', stopOnExit));
  const started = Date.now();
  while (!output.includes('GraphQL API ready')) {
    if (exited) throw new Error(`API exited before it was ready:\n${output}`);
    if (Date.now() - started > 90_000) {
      child.kill('SIGKILL');
      throw new Error(`API not ready after 90 s:\n${output}`);
    }
    await sleep(50);
  }
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    port,
    child,
    output: () => output,
    alive: () => !exited,
    async kill(signal = 'SIGKILL') {
      if (exited) return;
      child.kill(signal);
      await exit;
    },
    rssBytes() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb * 1024;
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Answer<T = Record<string, unknown>> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } & Record<string, unknown> }[];
  text: string;
  /** Network failure or our own deadline: no HTTP answer at all. */
  failure?: string;
}

/** POST a GraphQL request; never throws, never waits longer than timeoutMs. */
export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  timeoutMs = 30_000,
): Promise<Answer<T>> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed: Partial<Answer<T>> = {};
    try {
      parsed = JSON.parse(text) as Partial<Answer<T>>;
    } catch {
      // not JSON: the caller sees status and text
    }
    return { status: response.status, text, ...parsed };
  } catch (error) {
    return { status: 0, text: '', failure: (error as Error).name + ': ' + (error as Error).message };
  }
}

/**
 * A village of its own in 付村's town, with the demo accountant as its accountant (confirmed, a bootstrap like the
 * demo's), so a fault test uploads into months that have ended (only those can be uploaded) without meeting the demo's
 * published months. Returns its slug.
 */
export async function aFaultVillage(databaseUrl: string, slug: string, username = 'fucun-kuaiji'): Promise<string> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const code = `1299999${String([...slug].reduce((n, c) => (n * 31 + c.charCodeAt(0)) % 100_000, 7)).padStart(5, '0')}`;
    const [village] = await sql<{ id: number }[]>`
      insert into villages (town_id, kind, code, slug, name)
      select town_id, 'village', ${code}, ${slug}, ${`故障测试村 ${slug}`} from villages where slug = 'fucun'
      returning id`;
    await sql`
      insert into user_roles (user_id, role, village_id, granted_by, confirmed_by, confirmed_at)
      select id, 'accountant', ${village!.id}, 'fault-test', 'bootstrap', now() from users where username = ${username}`;
    return slug;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function login(url: string, username: string, password = DEMO_PASSWORD): Promise<string> {
  const res = await gql<{ login: { token: string } }>(
    url,
    `mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`,
    { u: username, p: password },
  );
  if (!res.data) throw new Error(`login ${username} failed: ${res.status} ${res.text} ${res.failure ?? ''}`);
  return res.data.login.token;
}

export const IMPORT = `mutation ($v: String!, $f: String!, $c: String!, $y: Int, $m: Int, $mode: ImportMode! = REPLACE) {
  importLedger(villageSlug: $v, filename: $f, contentBase64: $c, year: $y, month: $m, mode: $mode) {
    status sha256 revision rows problems { code message }
  }
}`;
export const SUBMIT = `mutation ($v: String!, $y: Int!, $m: Int!) {
  submitMonth(villageSlug: $v, year: $y, month: $m) { status }
}`;
export const PUBLISH = `mutation ($v: String!, $y: Int!, $m: Int!) {
  publishMonth(villageSlug: $v, year: $y, month: $m) { __typename }
}`;

/** The deterministic voucher CSV of bench/import/make-csv.ts, in memory, as UTF-8. */
export function ledgerFile(lines: number, year: number, month: number, seed = 1): Buffer {
  return Buffer.from([...voucherCsv({ lines, year, month, seed })].join(''), 'utf8');
}

/** A seeded PRNG (the demo data's mulberry32): the same seed gives the same fault points in every run. */
export { mulberry32 as seededRandom } from '@mingbai/db/demo/random';

export interface MonthState {
  vouchers: number;
  lines: number;
  files: number;
  audits: number;
  /** Audit entries of import.commit whose import_id has no imported file, or files with no audit entry. */
  orphans: number;
  status: string | null;
}

/** What the database holds for one village month and one file (by SHA-256). */
export async function monthState(
  sql: postgres.Sql,
  slug: string,
  year: number,
  month: number,
  sha256: string,
): Promise<MonthState> {
  const [row] = await sql<MonthState[]>`
    with v as (select id from villages where slug = ${slug})
    select
      (select count(*) from vouchers where village_id = (select id from v) and year = ${year} and month = ${month})::int
        as vouchers,
      (select count(*) from voucher_lines l join vouchers w on w.village_id = l.village_id and w.id = l.voucher_id
         where w.village_id = (select id from v) and w.year = ${year} and w.month = ${month})::int as lines,
      (select count(*) from imported_files where village_id = (select id from v) and sha256 = ${sha256})::int as files,
      (select count(*) from audit_log a where a.village_id = (select id from v) and a.action = 'import.commit'
         and a.details->>'sha256' = ${sha256})::int as audits,
      (select count(*) from audit_log a where a.village_id = (select id from v) and a.action = 'import.commit'
         and not exists (select 1 from imported_files f where f.village_id = a.village_id and f.id = a.import_id))::int
        + (select count(*) from imported_files f where f.village_id = (select id from v) and not exists
         (select 1 from audit_log a where a.village_id = f.village_id and a.import_id = f.id))::int as orphans,
      (select status from periods where village_id = (select id from v) and year = ${year} and month = ${month}
         order by revision desc limit 1) as status`;
  return row!;
}

/** A one-voucher month file in our own layout: money in from the township, numbered so appends never collide. */
export function smallLedger(year: number, month: number, number: number, fen: number): Buffer {
  const date = `${year}-${String(month).padStart(2, '0')}-01`;
  const yuan = (fen / 100).toFixed(2);
  return Buffer.from(
    '凭证号,日期,摘要,科目编码,科目名称,借方金额,贷方金额,收付款人\n' +
      `${number},${date},收到镇政府拨付运转经费,102,,${yuan},,\n` +
      `${number},${date},收到镇政府拨付运转经费,503,,,${yuan},\n`,
    'utf8',
  );
}
