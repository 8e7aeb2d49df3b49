// The database connection dropped in the middle of an import's commit (pg_terminate_backend of the importing backend,
// from another connection, the moment it sends COMMIT) or earlier in its transaction: nothing partial remains, the
// client gets a coded error, and the same file imports cleanly afterwards.
import { createHash } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  freshDatabase,
  gql,
  IMPORT,
  ledgerFile,
  login,
  aFaultVillage,
  monthState,
  seededRandom,
  sleep,
  startApiChild,
  type ApiChild,
} from './harness.ts';
import { startThrowawayPg, throwawayPgUnavailable, type ThrowawayPg } from '../support/throwaway-pg.ts';

const ROUNDS = 6;
/** A village of the test's own: its 2025 months have ended and are free (the demo's are published). */
const VILLAGE = 'drop-test';
const LINES = 3_000;

const sharedUrl = inject('databaseUrl');
const noServer = sharedUrl ? undefined : throwawayPgUnavailable();

describe.skipIf(noServer !== undefined)(
  `connection dropped mid-commit ${noServer ? `(skipped: ${noServer})` : ''}`,
  () => {
    let pg: ThrowawayPg | undefined;
    let db: Awaited<ReturnType<typeof freshDatabase>>;
    let api: ApiChild;
    let admin: postgres.Sql;
    let token: string;

    beforeAll(async () => {
      let serverUrl: string;
      if (sharedUrl) {
        const url = new URL(sharedUrl);
        url.pathname = '/postgres';
        serverUrl = url.toString();
      } else {
        pg = await startThrowawayPg();
        serverUrl = pg.url();
      }
      db = await freshDatabase(serverUrl, 'drop');
      admin = postgres(db.url, { max: 2, onnotice: () => {} });
      api = await startApiChild(db.url);
      token = await login(api.url, 'fucun-kuaiji');
      await aFaultVillage(db.url, VILLAGE);
    });

    afterAll(async () => {
      await api?.kill();
      await admin?.end({ timeout: 5 });
      await db?.drop();
      await pg?.destroy();
    });

    /** Waits for the importing backend to reach `phase` and terminates it; which query it was running then. */
    async function terminateWhen(
      phase: 'commit' | 'any',
      afterMs: number,
      finished: () => boolean,
    ): Promise<string | undefined> {
      const deadline = Date.now() + 60_000;
      const started = Date.now();
      while (Date.now() < deadline && !finished()) {
        const [backend] = await admin<{ pid: number; query: string }[]>`
        select pid, query from pg_stat_activity
         where datname = current_database() and application_name = 'mingbai' and pid <> pg_backend_pid()
           and xact_start is not null and state = 'active'
           and (${phase} = 'any' or query ilike 'commit%')
         order by xact_start limit 1`;
        if (backend && Date.now() - started >= afterMs) {
          await admin`select pg_terminate_backend(${backend.pid})`;
          return backend.query.slice(0, 40);
        }
        await sleep(phase === 'commit' ? 1 : 10);
      }
      return undefined;
    }

    const upload = (file: Buffer, round: number) =>
      gql<{ importLedger: { status: string } }>(
        api.url,
        IMPORT,
        { v: VILLAGE, f: `drop-${round}.csv`, c: file.toString('base64') },
        token,
        120_000,
      );

    it(`leaves nothing partial after ${ROUNDS} dropped connections`, async () => {
      const random = seededRandom(7);
      const hits: string[] = [];
      const outcomes: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const phase = round % 2 === 0 ? 'commit' : 'any';
        const file = ledgerFile(LINES, 2025, round + 1, 50 + round);
        const sha256 = createHash('sha256').update(file).digest('hex');
        const pending = gql<{ importLedger: { status: string } }>(
          api.url,
          IMPORT,
          { v: VILLAGE, f: `drop-${round}.csv`, c: file.toString('base64') },
          token,
          120_000,
        );
        let answered = false;
        void pending.then(() => (answered = true));
        const killed = await terminateWhen(phase, phase === 'any' ? Math.round(random() * 1_500) : 0, () => answered);
        const answer = await pending;
        hits.push(
          `${phase}: ${killed ?? 'missed'} → ${answer.data?.importLedger.status ?? answer.errors?.[0]?.extensions?.code}`,
        );

        const before = await monthState(admin, VILLAGE, 2025, round + 1, sha256);
        const status = answer.data?.importLedger.status;
        if (status !== 'COMMITTED') {
          // Told it failed, with a code a client can act on (try again), never an internal error.
          expect(answer.errors?.[0]?.extensions?.code, answer.text).toMatch(/^[A-Z_]+$/);
          expect(answer.errors?.[0]?.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
        }
        if (before.vouchers === 0) {
          expect(status).not.toBe('COMMITTED');
          expect(before, `round ${round}: partial import`).toMatchObject({ lines: 0, files: 0, audits: 0, orphans: 0 });
        } else {
          // Whole: the import committed (terminated after the commit record was written, the answer lost on the way
          // back, as with any database); the retry then finds it by its SHA-256 and adds nothing.
          expect(before, `round ${round}: partial import`).toMatchObject({ files: 1, audits: 1, orphans: 0 });
        }
        outcomes.push(before.vouchers === 0 ? 'absent' : status === 'COMMITTED' ? 'whole' : 'whole, answer lost');
        // The client retries as the 503 asks (Retry-After: 1): the pool may still be replacing the dropped connection.
        let retry = await upload(file, round);
        for (let i = 0; i < 5 && retry.errors?.[0]?.extensions?.code === 'DATABASE_UNAVAILABLE'; i++) {
          await sleep(1_000);
          retry = await upload(file, round);
        }
        expect(['COMMITTED', 'ALREADY_IMPORTED'], retry.text).toContain(retry.data?.importLedger.status);
        const after = await monthState(admin, VILLAGE, 2025, round + 1, sha256);
        expect(after.vouchers).toBeGreaterThan(0);
        expect(after).toMatchObject({ files: 1, audits: 1, orphans: 0 });
        if (before.vouchers > 0) expect(after).toEqual(before);
      }
      console.log(`commit-drop: ${hits.join('; ')}`);
      expect(api.alive()).toBe(true);
      expect(hits.filter((h) => h.startsWith('commit') && !h.includes('missed')).length).toBeGreaterThan(0);
    }, 300_000);
  },
);
