// Mixed /data downloads (some abandoned half way) and API reads on a loop against a real API on PostgreSQL, with a
// small pool so they share connections, while pg_stat_activity is watched: no backend of the API may stay 'active'
// in ClientRead (a statement parsed and never executed) for more than a second, and every request must be answered.
// This is how the hang showed: a small COPY left its connection's socket paused (see
// copy-paused-socket.test.ts), and the next query on that connection waited forever. Stops by itself after LOAD_MS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDb, type DbHandle } from '@mingbai/db/client';
import { startApiServer, type RunningApi } from '@mingbai/api/server';
import { sleep } from './harness.ts';

const databaseUrl = inject('databaseUrl');
const APPLICATION = `mingbai-load-${process.pid}`;
const LOAD_MS = 15_000;
const WORKERS = { data: 4, api: 3 };
/** A request unanswered this long is a hung one (the hung for 20 minutes). */
const REQUEST_MS = 10_000;
const CLIENT_READ_LIMIT_MS = 1_000;

describe.skipIf(!databaseUrl)('mixed /data and API reads under load (PostgreSQL only)', () => {
  let handle: DbHandle;
  let api: RunningApi;
  let admin: postgres.Sql;
  let openDataDir: string;
  const previousDir = process.env.MINGBAI_OPENDATA_DIR;

  beforeAll(async () => {
    // A cache folder of this file's own, empty: every file is made from the database at least once.
    openDataDir = mkdtempSync(join(tmpdir(), 'mingbai-load-opendata-'));
    process.env.MINGBAI_OPENDATA_DIR = openDataDir;
    handle = await openDb({ databaseUrl, poolSize: 3, applicationName: APPLICATION });
    api = await startApiServer({
      db: handle.db,
      port: 0,
      rateLimits: { anonymousPointsPerHour: 1_000_000_000 },
    });
    admin = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    // Keep-alive sockets of the load would hold close() for the server's keep-alive timeout.
    api?.server.closeAllConnections();
    await api?.close();
    await handle?.close();
    await admin?.end({ timeout: 5 });
    if (previousDir === undefined) delete process.env.MINGBAI_OPENDATA_DIR;
    else process.env.MINGBAI_OPENDATA_DIR = previousDir;
    rmSync(openDataDir, { recursive: true, force: true });
  });

  it('leaves no backend waiting in ClientRead and answers every request', async () => {
    const base = new URL('/', api.url);
    // Village months that exist (other test files add villages with months of their own to the shared database), and
    // for regions and the country the demo's months, which every demo town has.
    const listed = (await (
      await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `{ villages(first: 50) { nodes { slug periods(first: 24) { nodes { year month } } } }
                    fucun: village(slug: "fucun") { periods(first: 24) { nodes { year month } } } }`,
        }),
      })
    ).json()) as {
      data: {
        villages: { nodes: { slug: string; periods: { nodes: { year: number; month: number }[] } }[] };
        fucun: { periods: { nodes: { year: number; month: number }[] } };
      };
    };
    const ym = (p: { year: number; month: number }) => `${p.year}-${String(p.month).padStart(2, '0')}`;
    const villageMonths = listed.data.villages.nodes.flatMap((v) => v.periods.nodes.map((p) => `v/${v.slug}/${ym(p)}`));
    expect(new Set(villageMonths.map((m) => m.split('/')[1])).size).toBeGreaterThan(10);
    const months = listed.data.fucun.periods.nodes.map(ym);
    expect(months.length).toBeGreaterThan(12);
    const files = ['lines.csv', 'lines.jsonl', 'statements.csv'];
    // Mostly village months: each is a fresh COPY of 16–64 KB the first time (then a file), the size that arrives
    // whole in one socket read and left the old driver's connection deaf; regions and the country now and then.
    const wider = ['months', 'r/xiqing', 'r/jingwu'];
    let seed = 12;
    const pick = <T>(xs: readonly T[]): T => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return xs[seed % xs.length]!;
    };

    const stuck = new Map<number, { waitedMs: number; query: string }>();
    const outcomes = { data: 0, abandoned: 0, api: 0, failed: [] as string[] };
    const deadline = Date.now() + LOAD_MS;

    async function timed(what: string, work: (signal: AbortSignal) => Promise<void>) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error('no answer')), REQUEST_MS);
      try {
        await work(controller.signal);
      } catch (error) {
        outcomes.failed.push(`${what}: ${(error as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    }

    async function dataWorker(n: number) {
      for (let i = 0; Date.now() < deadline; i++) {
        const scope = i % 8 === 7 ? `${pick(wider)}/${pick(months)}` : pick(villageMonths);
        const path = `/data/${scope}/${pick(files)}`;
        const abandon = (i + n) % 4 === 0;
        await timed(path, async (signal) => {
          const res = await fetch(new URL(path, base), { signal });
          if (res.status !== 200) throw new Error(`status ${res.status}`);
          if (abandon) {
            // Read a little, then hang up: the API must let go of its COPY and its connection.
            const reader = res.body!.getReader();
            await reader.read();
            await reader.cancel();
            outcomes.abandoned++;
          } else {
            await res.arrayBuffer();
            outcomes.data++;
          }
        });
      }
    }

    const queries = [
      `{ village(slug: "fucun") { name periods(first: 12) { nodes { year month } } } }`,
      `{ village(slug: "no-such-village") { name } }`,
      `{ village(slug: "fucun") { statement(year: 2025, month: 6) { spending { yuan } lines(first: 20) { totalCount } } } }`,
    ];
    async function apiWorker() {
      while (Date.now() < deadline) {
        const query = pick(queries);
        await timed(query, async (signal) => {
          const res = await fetch(api.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query }),
            signal,
          });
          const body = (await res.json()) as { errors?: unknown[] };
          if (res.status !== 200 || body.errors) throw new Error(`status ${res.status} ${JSON.stringify(body)}`);
          outcomes.api++;
        });
      }
    }

    async function watch() {
      while (Date.now() < deadline + REQUEST_MS) {
        const rows = await admin<{ pid: number; waited_ms: number; query: string }[]>`
          select pid, (extract(epoch from now() - state_change) * 1000)::int as waited_ms, left(query, 200) as query
            from pg_stat_activity
           where datname = current_database() and application_name = ${APPLICATION}
             and state = 'active' and wait_event = 'ClientRead'
             and now() - state_change > ${CLIENT_READ_LIMIT_MS} * interval '1 millisecond'`;
        for (const row of rows) stuck.set(row.pid, { waitedMs: row.waited_ms, query: row.query });
        if (Date.now() >= deadline && outcomes.failed.length + outcomes.api + outcomes.data > 0 && finished) return;
        await sleep(100);
      }
    }

    let finished = false;
    const watching = watch();
    await Promise.all([
      ...Array.from({ length: WORKERS.data }, (_, n) => dataWorker(n)),
      ...Array.from({ length: WORKERS.api }, () => apiWorker()),
    ]);
    finished = true;
    await watching;

    expect([...stuck.values()]).toEqual([]);
    expect(outcomes.failed).toEqual([]);
    expect(outcomes.data).toBeGreaterThan(0);
    expect(outcomes.abandoned).toBeGreaterThan(0);
    expect(outcomes.api).toBeGreaterThan(0);
  }, 60_000);
});
