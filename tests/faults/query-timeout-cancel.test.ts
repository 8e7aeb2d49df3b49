// A request answered QUERY_TIMEOUT stops its SQL too. Before, the answer went out and the statement kept running (or
// waiting) in PostgreSQL, holding one of the pool's connections for as long as it took: the 8 requests of 30
// aliased verifyChain slowed every other query for half a minute after they had all been answered.
//
// The statement is made to wait on a lock this test holds, so it runs exactly as long as the test wants and no
// clock decides the outcome: the backend either leaves 'active' once the request is answered, or stays until the
// lock is released.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDb, type DbHandle } from '@mingbai/db/client';
import { startApiServer, type RunningApi } from '@mingbai/api/server';
import { sleep } from './harness.ts';

const databaseUrl = inject('databaseUrl');
const APPLICATION = `mingbai-timeout-${process.pid}`;

describe.skipIf(!databaseUrl)('a request that times out (PostgreSQL only: PGlite has no backends to cancel)', () => {
  let handle: DbHandle;
  let api: RunningApi;
  let admin: postgres.Sql;

  beforeAll(async () => {
    handle = await openDb({ databaseUrl, poolSize: 2, applicationName: APPLICATION });
    api = await startApiServer({
      db: handle.db,
      port: 0,
      executionTimeoutMs: 300,
      openDataDeadlines: { totalMs: 60_000, stallMs: 300 },
    });
    admin = postgres(databaseUrl!, { max: 2, onnotice: () => {} });
  });
  afterAll(async () => {
    await api?.close();
    await handle?.close();
    await admin?.end({ timeout: 5 });
  });

  /** The API's backends running a statement now. */
  const activeBackends = () =>
    admin<{ pid: number; wait_event_type: string | null; query: string }[]>`
      select pid, wait_event_type, query from pg_stat_activity
       where datname = current_database() and application_name = ${APPLICATION} and state = 'active'`;

  it('leaves no backend running its SQL once it is answered', async () => {
    let answered: { status: number; code: unknown } | undefined;
    let waiting: unknown[] = [];
    let stillActive: unknown[] = [];
    await admin.begin(async (tx) => {
      // Every read of the villages waits for this lock until the transaction ends.
      await tx`lock table villages in access exclusive mode`;
      const request = fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ villages(first: 3) { nodes { name } } }' }),
      });
      // The request's statement reaches PostgreSQL and waits for the lock.
      for (let i = 0; i < 50 && waiting.length === 0; i++) {
        waiting = (await activeBackends()).filter((b) => b.wait_event_type === 'Lock');
        if (waiting.length === 0) await sleep(20);
      }
      const res = await request;
      const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
      answered = { status: res.status, code: body.errors?.[0]?.extensions?.code };
      // A cancel request travels on a connection of its own: give it a moment to arrive, then look.
      for (let i = 0; i < 30; i++) {
        stillActive = await activeBackends();
        if (stillActive.length === 0) break;
        await sleep(100);
      }
    });
    expect(waiting).toHaveLength(1);
    expect(answered).toEqual({ status: 503, code: 'QUERY_TIMEOUT' });
    expect(stillActive).toEqual([]);
    // And the pool is whole: the next request is answered normally.
    const next = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ villages(first: 1) { nodes { name } } }' }),
    });
    expect(next.status).toBe(200);
  });

  it('a /data download that sends nothing is cut off at its deadline, its SQL cancelled', async () => {
    let waiting: unknown[] = [];
    let answered: { status: number; code: unknown } | undefined;
    let stillActive: unknown[] = [];
    await admin.begin(async (tx) => {
      // Finding what the URL names reads the periods: it waits for this lock, so no byte is ever sent.
      await tx`lock table periods in access exclusive mode`;
      const request = fetch(new URL('/data/months/2025-06/statements.csv', api.url));
      for (let i = 0; i < 50 && waiting.length === 0; i++) {
        waiting = (await activeBackends()).filter((b) => b.wait_event_type === 'Lock');
        if (waiting.length === 0) await sleep(20);
      }
      const res = await request;
      const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
      answered = { status: res.status, code: body.errors?.[0]?.extensions?.code };
      for (let i = 0; i < 30; i++) {
        stillActive = await activeBackends();
        if (stillActive.length === 0) break;
        await sleep(100);
      }
    });
    expect(waiting).toHaveLength(1);
    expect(answered).toEqual({ status: 503, code: 'QUERY_TIMEOUT' });
    expect(stillActive).toEqual([]);
    const next = await fetch(new URL('/data/months/2025-06/statements.csv', api.url));
    expect(next.status).toBe(200);
    expect((await next.text()).split('\n').length).toBeGreaterThan(2);
  });
});
