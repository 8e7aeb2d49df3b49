// Out of one machine, for real (issue 19; docs/SCALING.md): a primary and a streaming replica of the test's own (temp
// clusters on free ports; the shared server on 5432 is never touched), two API processes and two portals behind the
// front (scripts/cluster/front.ts). The public's reads are served by the replica, writes by the primary, a publish is
// seen through every process within a second, and reads go on while the primary is stopped.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDb, openDb, queryRows, READ_APPLICATION_NAME, type DbHandle } from '@mingbai/db/client';
import { regions, villages } from '@mingbai/db/schema/regions';
import { startPrimary, startReplica, type Cluster } from '../../scripts/cluster/pg.ts';
import { pgRun, pgToolsUnavailable } from '../../scripts/lib/postgres-tools.ts';
import { freePort, waitUntil } from '../../scripts/lib/processes.ts';
import { startFront, type RunningFront } from '../../scripts/cluster/front.ts';
import { aMonth, aVoucher, credit, debit } from '../support/builders.ts';
import { serverArgs } from '../../scripts/lib/server-build.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DATABASE = 'mingbai_scaling';
const PORTAL_SECRET = 'scaling-test-portal-secret-0123456789';
const SLUG = 'scaling-cun';
const VILLAGE_NAME = '扩展测试村';
const unavailable = pgToolsUnavailable() !== undefined || !existsSync(join(root, 'portal/dist/server/entry.mjs'));

interface Answer<T> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function graphql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<Answer<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(5_000),
  });
  return { status: res.status, ...((await res.json()) as object) };
}

const LATEST = `query Latest($slug: String!) { village(slug: $slug) { name latestStatement { year month } } }`;
type Latest = { village: { name: string; latestStatement: { year: number; month: number } | null } | null };

function sqlState(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

describe.skipIf(unavailable)('two APIs and two portals behind one address, public reads on a streaming replica', () => {
  let primary: Cluster | undefined;
  let replica: Cluster | undefined;
  let handle: DbHandle | undefined;
  let front: RunningFront | undefined;
  const children: ChildProcess[] = [];
  const output: string[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'mingbai-scaling-'));
  let apiUrls: string[] = [];
  let villageId = 0;
  // One prefix for both processes (they share it), of this run only (other runs share the Redis).
  const redisPrefix = `scaling-test-${process.pid}-${Date.now()}:`;

  function run(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): void {
    const child = spawn(command, args, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => output.push(`[${name}] ${d.toString()}`));
    child.stderr!.on('data', (d: Buffer) => output.push(`[${name}] ${d.toString()}`));
    children.push(child);
  }

  beforeAll(async () => {
    try {
      // The test's own primary, its database migrated and one village with a published month; then the replica.
      primary = await startPrimary();
      await pgRun('createdb', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', DATABASE]);
      handle = await openDb({ databaseUrl: primary.url(DATABASE), poolSize: 2 });
      await migrateDb(handle);
      const db = handle.db;
      const [city] = await db
        .insert(regions)
        .values({ level: 'city', code: '129900000000', slug: 'scaling-city', name: '扩展市' })
        .returning();
      const [district] = await db
        .insert(regions)
        .values({ parentId: city!.id, level: 'district', code: '129901000000', slug: 'scaling-qu', name: '扩展区' })
        .returning();
      const [town] = await db
        .insert(regions)
        .values({ parentId: district!.id, level: 'town', code: '129901001000', slug: 'scaling-zhen', name: '扩展镇' })
        .returning();
      const [village] = await db
        .insert(villages)
        .values({ townId: town!.id, kind: 'village', code: '129901001001', slug: SLUG, name: VILLAGE_NAME })
        .returning();
      villageId = village!.id;
      await aMonth(db, villageId, 2025, 1, [
        aVoucher(1, '2025-01-05', '上级拨款', debit('102', 10_000), credit('503', 10_000)),
      ]);
      replica = await startReplica(primary.port);

      // Two APIs (primary + replica) and two portals (reading through the front), behind the front.
      const [apiPorts, portalPorts] = [
        [await freePort(), await freePort()],
        [await freePort(), await freePort()],
      ];
      front = await startFront({
        port: 0,
        api: apiPorts.map((p) => `http://127.0.0.1:${p}`),
        portal: portalPorts.map((p) => `http://127.0.0.1:${p}`),
        healthIntervalMs: 300,
      });
      apiUrls = apiPorts.map((p) => `http://127.0.0.1:${p}/graphql`);
      const common: NodeJS.ProcessEnv = {
        ...process.env,
        MINGBAI_PORTAL_SECRET: PORTAL_SECRET,
        MINGBAI_PUBLIC_URL: front.url,
        ASTRO_TELEMETRY_DISABLED: '1',
      };
      apiPorts.forEach((port, i) =>
        run(`api${i + 1}`, process.execPath, serverArgs('main'), {
          ...common,
          DATABASE_URL: primary!.url(DATABASE),
          DATABASE_READ_URL: replica!.url(DATABASE),
          API_PORT: String(port),
          MINGBAI_SEED_DEMO: 'false',
          MINGBAI_OPENDATA_DIR: join(scratch, 'opendata'),
          MINGBAI_FILES_DIR: join(scratch, 'files'),
          MINGBAI_CHECKPOINT_KEY_FILE: join(scratch, 'checkpoint.pem'),
          MINGBAI_FILES_SWEEP_HOURS: '0',
          MINGBAI_IMAGE_WORKERS: '1',
          MINGBAI_QUERY_WATCHDOG_MS: '0',
          // Shared limits (issue 19, `shared-state`): both processes use one Redis under a key prefix of this test's.
          MINGBAI_REDIS_URL: 'redis://127.0.0.1:6379',
          MINGBAI_REDIS_PREFIX: redisPrefix,
          MINGBAI_RATE_LIMIT_ANONYMOUS: '100000',
        }),
      );
      portalPorts.forEach((port, i) =>
        run(`portal${i + 1}`, process.execPath, ['portal/dist/server/entry.mjs'], {
          ...common,
          PORT: String(port),
          HOST: '127.0.0.1',
          MINGBAI_API_URL: `${front!.url}/graphql`,
          MINGBAI_PORTAL_BEHIND_PROXY: 'true',
        }),
      );
      await waitUntil('every upstream healthy behind the front', Date.now() + 45_000, async () => {
        const res = await fetch(`${front!.url}/__front`);
        const pools = (await res.json()) as { api: { healthy: boolean }[]; portal: { healthy: boolean }[] };
        return [...pools.api, ...pools.portal].every((u) => u.healthy) ? true : undefined;
      });
    } catch (error) {
      console.error(output.join(''));
      throw error;
    }
  }, 58_000);

  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await front?.close();
    await handle?.close().catch(() => {});
    await replica?.destroy();
    await primary?.destroy();
    rmSync(scratch, { recursive: true, force: true });
    // The shared-state keys of this run (best effort: they expire anyway).
    spawnSync('sh', ['-c', `redis-cli --scan --pattern '${redisPrefix}*' | xargs -r redis-cli del`], {
      timeout: 5_000,
    });
  }, 30_000);

  it('serves the public from the replica, through both API processes and both portals', async () => {
    const before = front!.pools.api.map((u) => u.served);
    for (let i = 0; i < 4; i++) {
      const res = await graphql<Latest>(`${front!.url}/graphql`, LATEST, { slug: SLUG });
      expect(res.errors).toBeUndefined();
      expect(res.data!.village).toEqual({ name: VILLAGE_NAME, latestStatement: { year: 2025, month: 1 } });
    }
    // Round robin: each API process answered some of them.
    front!.pools.api.forEach((u, i) => expect(u.served).toBeGreaterThan(before[i]!));
    // The replica answers them: with its replay paused, a month published on the primary stays unseen through every
    // process until replay resumes.
    const replicaSql = postgres(replica!.url(DATABASE), { max: 1, onnotice: () => {} });
    try {
      expect((await replicaSql<{ r: boolean }[]>`select pg_is_in_recovery() as r`)[0]!.r).toBe(true);
      const connections = await replicaSql<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity
         where datname = ${DATABASE} and application_name = ${READ_APPLICATION_NAME}`;
      expect(connections[0]!.n).toBeGreaterThan(0);
      await replicaSql`select pg_wal_replay_pause()`;
      await aMonth(handle!.db, villageId, 2025, 2, [
        aVoucher(1, '2025-02-03', '上级拨款', debit('102', 20_000), credit('503', 20_000)),
      ]);
      const onPrimary = await queryRows<{ month: number }>(
        handle!.db,
        sql`select max(month)::int as month from periods where village_id = ${villageId} and published_at is not null`,
      );
      expect(onPrimary[0]!.month).toBe(2);
      await new Promise((r) => setTimeout(r, 300));
      for (const url of [...apiUrls, `${front!.url}/graphql`]) {
        const res = await graphql<Latest>(url, LATEST, { slug: SLUG });
        expect(res.data!.village!.latestStatement).toEqual({ year: 2025, month: 1 });
      }
      await replicaSql`select pg_wal_replay_resume()`;
      await waitUntil('2025-02 after replay resumed', Date.now() + 5_000, async () => {
        const res = await graphql<Latest>(`${front!.url}/graphql`, LATEST, { slug: SLUG });
        return res.data?.village?.latestStatement?.month === 2 ? true : undefined;
      });
    } finally {
      await replicaSql`select pg_wal_replay_resume()`.catch(() => {});
      await replicaSql.end();
    }
    for (let i = 0; i < 2; i++) {
      const page = await fetch(`${front!.url}/v/${SLUG}`, { signal: AbortSignal.timeout(10_000) });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(VILLAGE_NAME);
    }
    front!.pools.portal.forEach((u) => expect(u.served).toBeGreaterThan(0));
  });

  it('sends writes to the primary, and the read handle refuses them', async () => {
    const asked = await graphql<{ askQuestion: { number: string } }>(
      `${front!.url}/graphql`,
      `
        mutation Ask($input: AskQuestionInput!) {
          askQuestion(input: $input) {
            number
          }
        }
      `,
      { input: { villageSlug: SLUG, year: 2025, month: 1, body: '一月的上级拨款用在哪里了？' } },
    );
    expect(asked.errors).toBeUndefined();
    const rows = await queryRows<{ n: number }>(
      handle!.db,
      sql`select count(*)::int as n from questions where village_id = ${villageId}`,
    );
    expect(rows[0]!.n).toBe(1);
    // What DATABASE_READ_URL opens is read-only even on the primary: a write sent there by mistake fails everywhere.
    const readOnly = await openDb({
      databaseUrl: primary!.url(DATABASE),
      readDatabaseUrl: primary!.url(DATABASE),
      poolSize: 2,
    });
    try {
      const refused = await readOnly.readDb
        .update(villages)
        .set({ name: '改名' })
        .where(eq(villages.id, villageId))
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      // read_only_sql_transaction, under drizzle's wrapper
      expect(sqlState(refused)).toBe('25006');
      await readOnly.db.update(villages).set({ name: VILLAGE_NAME }).where(eq(villages.id, villageId));
    } finally {
      await readOnly.close();
    }
  });

  it('shows a publish through every API process within a second', async () => {
    await aMonth(handle!.db, villageId, 2025, 3, [
      aVoucher(1, '2025-03-03', '上级拨款', debit('102', 30_000), credit('503', 30_000)),
    ]);
    const published = Date.now();
    const seenAfter = await Promise.all(
      apiUrls.map((url) =>
        waitUntil(
          `2025-02 through ${url}`,
          Date.now() + 5_000,
          async () => {
            // When the request started, not when a loaded machine answered it.
            const startedAfter = Date.now() - published;
            const res = await graphql<Latest>(url, LATEST, { slug: SLUG });
            return res.data?.village?.latestStatement?.month === 3 ? startedAfter : undefined;
          },
          25,
        ),
      ),
    );
    for (const ms of seenAfter) expect(ms).toBeLessThanOrEqual(1_000);
  });

  it('keeps serving reads from the replica while the primary is stopped', async () => {
    await primary!.stop('fast');
    const before = front!.pools.api.map((u) => u.served);
    for (let i = 0; i < 4; i++) {
      const res = await graphql<Latest>(`${front!.url}/graphql`, LATEST, { slug: SLUG });
      expect(res.errors).toBeUndefined();
      expect(res.data!.village!.latestStatement).toEqual({ year: 2025, month: 3 });
    }
    front!.pools.api.forEach((u, i) => expect(u.served).toBeGreaterThan(before[i]!));
    for (const path of [`/v/${SLUG}`, `/v/${SLUG}/2025-03`]) {
      const page = await fetch(`${front!.url}${path}`, { signal: AbortSignal.timeout(10_000) });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(VILLAGE_NAME);
    }
    // A write has nowhere to go: it is refused as "try again shortly", not lost nor sent to the replica.
    const asked = await graphql(
      `${front!.url}/graphql`,
      `mutation { askQuestion(input: { villageSlug: "${SLUG}", body: "二月呢？" }) { number } }`,
    );
    expect(asked.status).toBe(503);
    expect(asked.errors?.[0]?.extensions?.code).toBe('DATABASE_UNAVAILABLE');
  });

  // The processes above share one Redis (MINGBAI_REDIS_URL, one MINGBAI_REDIS_PREFIX): points spent through one
  // process are spent for the other, and a persisted query registered through one is known to the other.
  it('shares one rate budget and one persisted-query cache between the API processes (Redis)', async () => {
    const visitor = '203.0.113.19';
    const ask = async (url: string, body: Record<string, unknown>) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': visitor },
        body: JSON.stringify(body),
      });
      return {
        remaining: Number(res.headers.get('x-ratelimit-remaining')),
        body: (await res.json()) as Answer<Latest>,
      };
    };
    // Two different documents: the second must not be a response-cache hit of the first.
    const first = await ask(apiUrls[0]!, { query: 'query First { __typename }' });
    const second = await ask(apiUrls[1]!, { query: 'query Second { __typename }' });
    // Apart, the second process would start from the full budget and show the first's remaining again.
    expect(second.remaining).toBeLessThan(first.remaining);
    const { createHash } = await import('node:crypto');
    const sha256Hash = createHash('sha256').update(LATEST).digest('hex');
    const persisted = { extensions: { persistedQuery: { version: 1, sha256Hash } }, variables: { slug: SLUG } };
    expect((await ask(apiUrls[0]!, { ...persisted, query: LATEST })).body.errors).toBeUndefined();
    const byHash = await ask(apiUrls[1]!, persisted);
    expect(byHash.body.errors).toBeUndefined();
    expect(byHash.body.data!.village!.name).toBe(VILLAGE_NAME);
  });
});
