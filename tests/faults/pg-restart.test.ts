// PostgreSQL restarts under read and write load (pg_ctl restart -m fast, then -m immediate). The API process is never
// restarted: during the outage it answers every request quickly with a clean coded error, within 5 s of the database
// accepting connections again it answers correctly, and every write it confirmed is still there afterwards.
import { createHash } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freshDatabase,
  gql,
  IMPORT,
  ledgerFile,
  login,
  aFaultVillage,
  sleep,
  smallLedger,
  startApiChild,
  type Answer,
  type ApiChild,
} from './harness.ts';
import { startThrowawayPg, throwawayPgUnavailable, type ThrowawayPg } from '../support/throwaway-pg.ts';

const READERS = 4;
/** Lines of each large import: enough that its COPY takes a while. */
const BULK_LINES = 6_000;
/** No request may take longer than this, outage or not (the API's own execution limit is 10 s). */
const ANSWER_BOUND_MS = 15_000;
const RECOVERY_BOUND_MS = 5_000;
/** Codes a client may see while the database is away. */
const OUTAGE_CODES = ['DATABASE_UNAVAILABLE', 'QUERY_TIMEOUT'];
/** Uploads go to a village of the test's own: its 2025 months have ended and are free (the demo's are published). */
const VILLAGE = 'restart-test';
const READ = `{ village(slug: "fucun") { name latestStatement { year month closingBalance { fen } } } }`;

const unavailable = throwawayPgUnavailable();

interface Outcome {
  startedAt: number;
  endedAt: number;
  kind: 'read' | 'write';
  answer: Answer;
}

/** ok: data and no errors; coded: an outage error with a code we allow; bad: anything else. */
function classify(a: Answer): 'ok' | 'coded' | 'bad' {
  if (a.failure) return 'bad';
  if (a.status === 200 && a.data && !a.errors) return 'ok';
  const codes = (a.errors ?? []).map((e) => e.extensions?.code);
  if (codes.length > 0 && codes.every((c) => OUTAGE_CODES.includes(String(c))) && !a.text.includes('stack'))
    return 'coded';
  return 'bad';
}

describe.skipIf(unavailable !== undefined)(
  `PostgreSQL restarts under load ${unavailable ? `(skipped: ${unavailable})` : ''}`,
  () => {
    let pg: ThrowawayPg;
    let db: Awaited<ReturnType<typeof freshDatabase>>;
    let api: ApiChild;
    let token: string;

    beforeAll(async () => {
      pg = await startThrowawayPg();
      db = await freshDatabase(pg.url(), 'restart');
      api = await startApiChild(db.url);
      token = await login(api.url, 'fucun-kuaiji');
      await aFaultVillage(db.url, VILLAGE);
      const first = await gql(
        api.url,
        IMPORT,
        { v: VILLAGE, f: 'w-0.csv', c: smallLedger(2025, 1, 1, 100_00).toString('base64') },
        token,
      );
      expect(first.text).toContain('COMMITTED');
    });

    afterAll(async () => {
      await api?.kill();
      await db?.drop();
      await pg?.destroy();
    });

    // Found by this test: after a restart postgres.js let a transaction's late rollback onto a connection the pool had
    // already handed to another query, and every answer on it went to the query before (a read got another
    // statement's columns, or a COPY stream; the API once died of it). Fixed in patches/postgres@3.4.9.patch.
    it('recovers by itself within 5 s, answers coded errors meanwhile, loses no confirmed write', async () => {
      const outcomes: Outcome[] = [];
      const confirmed: { sha256: string; number: number }[] = [];
      let running = true;
      let writeNumber = 1;

      const reader = async () => {
        while (running) {
          const startedAt = Date.now();
          const answer = await gql(api.url, READ, {}, undefined, ANSWER_BOUND_MS);
          outcomes.push({ startedAt, endedAt: Date.now(), kind: 'read', answer });
          if (classify(answer) !== 'ok') await sleep(50);
        }
      };
      const writer = async () => {
        while (running) {
          const number = ++writeNumber;
          const file = smallLedger(2025, 1, number, number * 100);
          const startedAt = Date.now();
          const answer = await gql<{ importLedger: { status: string } }>(
            api.url,
            IMPORT,
            { v: VILLAGE, f: `w-${number}.csv`, c: file.toString('base64'), mode: 'APPEND' },
            token,
            ANSWER_BOUND_MS,
          );
          outcomes.push({ startedAt, endedAt: Date.now(), kind: 'write', answer });
          if (answer.data?.importLedger.status === 'COMMITTED')
            confirmed.push({ sha256: createHash('sha256').update(file).digest('hex'), number });
          else await sleep(50);
        }
      };
      // Large REPLACE imports into another month, so that restarts also land in the middle of a COPY. Every file has
      // BULK_LINES lines: afterwards the month holds exactly one of them, never a part or two.
      const confirmedBulk: string[] = [];
      let bulkSeed = 1;
      const bulkWriter = async () => {
        while (running) {
          const file = ledgerFile(BULK_LINES, 2025, 2, ++bulkSeed);
          const startedAt = Date.now();
          const answer = await gql<{ importLedger: { status: string } }>(
            api.url,
            IMPORT,
            { v: VILLAGE, f: `bulk-${bulkSeed}.csv`, c: file.toString('base64'), y: 2025, m: 2 },
            token,
            ANSWER_BOUND_MS,
          );
          outcomes.push({ startedAt, endedAt: Date.now(), kind: 'write', answer });
          if (answer.data?.importLedger.status === 'COMMITTED')
            confirmedBulk.push(createHash('sha256').update(file).digest('hex'));
          else await sleep(50);
        }
      };
      const load = Promise.all([...Array.from({ length: READERS }, reader), writer(), bulkWriter()]);

      /** Polls until a read and a write both succeed; how long after the database came back that took. */
      const recovery = async (upAt: number) => {
        for (;;) {
          const read = await gql(api.url, READ, {}, undefined, ANSWER_BOUND_MS);
          if (classify(read) === 'ok') return Date.now() - upAt;
          if (Date.now() - upAt > 30_000) return Infinity;
          await sleep(100);
        }
      };

      const report: string[] = [];
      const windows: { downAt: number; upAt: number; recoveredMs: number }[] = [];
      await sleep(2_000);
      for (const mode of ['fast', 'immediate', 'fast', 'immediate', 'fast'] as const) {
        const downAt = Date.now();
        await pg.restart(mode);
        const upAt = Date.now();
        const recoveredMs = await recovery(upAt);
        windows.push({ downAt, upAt, recoveredMs });
        report.push(`-m ${mode}: down ${upAt - downAt} ms, API answered ${recoveredMs} ms after`);
        expect(api.alive(), api.output()).toBe(true);
        // A different moment of the write cycle each time: some restarts land in the middle of a COPY.
        await sleep(1_000 + Math.floor(Math.random() * 1_500));
      }
      // The last check stands on confirmed writes: on a slow machine (an upload starts a parse worker), let the writer
      // reach three after the restarts, within a bound.
      const enough = Date.now() + 60_000;
      while (confirmed.length < 3 && Date.now() < enough) await sleep(200);
      running = false;
      await load;

      const byClass = { ok: 0, coded: 0, bad: 0 };
      const bad: string[] = [];
      expect(outcomes.length).toBeGreaterThan(0);
      for (const o of outcomes) {
        const c = classify(o.answer);
        byClass[c]++;
        // Outside the outages and their recovery bound, everything must succeed.
        const settled = windows.every((w) => o.endedAt < w.downAt || o.startedAt > w.upAt + RECOVERY_BOUND_MS);
        if (c === 'bad' || (settled && c !== 'ok'))
          bad.push(`${o.kind} ${o.answer.status} ${o.answer.failure ?? ''} ${o.answer.text.slice(0, 300)}`);
        expect(o.endedAt - o.startedAt).toBeLessThan(ANSWER_BOUND_MS);
      }
      console.log(
        `pg-restart: ${report.join('; ')}; ${outcomes.length} requests: ${byClass.ok} ok, ${byClass.coded} coded ` +
          `outage errors, ${byClass.bad} bad; ${confirmed.length} confirmed small writes, ` +
          `${confirmedBulk.length} confirmed ${BULK_LINES}-line imports`,
      );
      if (bad.length > 0 || windows.some((w) => w.recoveredMs >= RECOVERY_BOUND_MS)) console.log(api.output());
      expect(bad, bad.slice(0, 5).join('\n')).toEqual([]);
      expect(windows.length).toBeGreaterThan(0);
      for (const w of windows) expect(w.recoveredMs).toBeLessThan(RECOVERY_BOUND_MS);
      expect(byClass.coded).toBeGreaterThan(0); // the outage was seen

      // Every confirmed write is there: the file, its audit entry, its voucher.
      const sql = postgres(db.url, { max: 1, onnotice: () => {} });
      try {
        const files = await sql<{ sha256: string }[]>`
          select f.sha256 from imported_files f join villages v on v.id = f.village_id where v.slug = ${VILLAGE}`;
        const numbers = await sql<{ number: number }[]>`
          select w.number from vouchers w join villages v on v.id = w.village_id
          where v.slug = ${VILLAGE} and w.year = 2025 and w.month = 1`;
        const have = new Set(files.map((f) => f.sha256));
        const haveNumbers = new Set(numbers.map((n) => Number(n.number)));
        expect(confirmed.filter((c) => !have.has(c.sha256) || !haveNumbers.has(c.number))).toEqual([]);
        expect(confirmed.length).toBeGreaterThanOrEqual(3);

        const bulkFiles = await sql<{ sha256: string }[]>`
          select f.sha256 from imported_files f join villages v on v.id = f.village_id
           where v.slug = ${VILLAGE} and f.sha256 in ${sql(confirmedBulk)}`;
        expect(bulkFiles.length).toBe(confirmedBulk.length);
        const [bulk] = await sql<{ lines: string }[]>`
          select count(*)::text as lines from voucher_lines l join vouchers w on w.id = l.voucher_id
            join villages v on v.id = w.village_id
           where v.slug = ${VILLAGE} and w.year = 2025 and w.month = 2`;
        expect(confirmedBulk.length).toBeGreaterThanOrEqual(1);
        expect(Number(bulk!.lines)).toBe(BULK_LINES);
      } finally {
        await sql.end({ timeout: 5 });
      }
    }, 240_000);
  },
);
