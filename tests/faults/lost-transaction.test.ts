// A transaction whose connection is lost (PostgreSQL restarted, the backend killed) must not run another statement
// anywhere. Unpatched postgres.js 3.4.9 sent the transaction's later statements to whichever session the pool had
// meanwhile opened on the same connection object: outside the transaction, committed at once, and with every later
// answer on that connection going to the query before (tests/faults/pg-restart.test.ts saw reads come back with
// another statement's columns). patches/postgres@3.4.9.patch fixes it; this test fails without the patch.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { sleep } from './harness.ts';

const databaseUrl = inject('databaseUrl');

describe.skipIf(!databaseUrl)('a lost transaction (PostgreSQL only: PGlite has no connections to lose)', () => {
  const table = `lost_tx_probe_${process.pid}`;
  let admin: postgres.Sql;

  beforeAll(async () => {
    admin = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create table ${table} (n int not null)`);
  });
  afterAll(async () => {
    await admin?.unsafe(`drop table if exists ${table}`);
    await admin?.end({ timeout: 5 });
  });

  it('runs none of its later statements, and the pool answers every other query with its own rows', async () => {
    // One connection and no reconnect delay: the pool reuses the very connection object the transaction held.
    const pool = postgres(databaseUrl!, { max: 1, backoff: () => 0, onnotice: () => {} });
    try {
      let late: unknown;
      const transaction = pool
        .begin(async (tx) => {
          const [row] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
          await admin`select pg_terminate_backend(${row!.pid})`;
          // Meanwhile other queries make the pool reconnect this connection.
          await sleep(400);
          try {
            late = await tx.unsafe(`insert into ${table} (n) values (1) returning n`);
          } catch (error) {
            late = (error as { code?: string }).code;
          }
        })
        .then(
          () => 'committed',
          (error: { code?: string }) => error.code,
        );

      await sleep(100);
      const answers: unknown[] = [];
      for (let i = 0; i < 6; i++) {
        answers.push(await pool`select ${i}::int as n, 'own' as mine`.catch((e: { code?: string }) => e.code));
        await sleep(60);
      }

      expect(await transaction).not.toBe('committed');
      expect(late).toBe('CONNECTION_CLOSED');
      const [count] = await admin<{ n: number }[]>`select count(*)::int as n from ${admin(table)}`;
      expect(count!.n).toBe(0);
      // Every query that answered got its own columns.
      for (const [i, answer] of answers.entries())
        if (Array.isArray(answer)) expect([...answer]).toEqual([{ n: i, mine: 'own' }]);
      expect(answers.filter(Array.isArray).length).toBeGreaterThanOrEqual(4);
    } finally {
      await pool.end({ timeout: 5 });
    }
  });
});
