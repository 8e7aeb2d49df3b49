// SIGKILL of the API (and of the operator CLI) in the middle of a large import, at 20 seeded random moments: after a
// restart every import is all there or not there at all, the file and its audit entry with it, and a retry succeeds.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  ROOT,
  seededRandom,
  sleep,
  startApiChild,
  type ApiChild,
  type MonthState,
} from './harness.ts';
import { startThrowawayPg, throwawayPgUnavailable, type ThrowawayPg } from '../support/throwaway-pg.ts';

const KILLS = 20;
/** Uploads go to a village of the test's own: its months 2024-01 … 2025-12 have ended and are free. */
const VILLAGE = 'kill-test';
/** Every 4th kill hits the CLI instead of the API. */
const CLI_EVERY = 4;
/** Lines per file: one import takes a second or two here, long enough to land kills inside it. */
const LINES = 1_500;
const SEED = 20_260_707;

const sharedUrl = inject('databaseUrl');
const noServer = sharedUrl ? undefined : throwawayPgUnavailable();

describe.skipIf(noServer !== undefined)(`SIGKILL during an import ${noServer ? `(skipped: ${noServer})` : ''}`, () => {
  let pg: ThrowawayPg | undefined;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let api: ApiChild;
  /**
   * The API that serves after the next kill: a new process, started while the current one works so that twenty
   * restarts do not cost twenty start-ups in a row.
   */
  let spare: Promise<ApiChild>;
  let sql: postgres.Sql;
  let token: string;
  let dir: string;

  beforeAll(async () => {
    // The shared server when there is one (a database of our own on it); else a private cluster.
    let serverUrl: string;
    if (sharedUrl) {
      const url = new URL(sharedUrl);
      url.pathname = '/postgres';
      serverUrl = url.toString();
    } else {
      pg = await startThrowawayPg();
      serverUrl = pg.url();
    }
    db = await freshDatabase(serverUrl, 'kill');
    sql = postgres(db.url, { max: 2, onnotice: () => {} });
    api = await startApiChild(db.url);
    spare = startApiChild(db.url);
    token = await login(api.url, 'fucun-kuaiji');
    await aFaultVillage(db.url, VILLAGE);
    dir = mkdtempSync(join(tmpdir(), 'mingbai-kill-'));
  });

  afterAll(async () => {
    await api?.kill();
    await (await spare.catch(() => undefined))?.kill();
    await sql?.end({ timeout: 5 });
    await db?.drop();
    await pg?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const viaApi = (file: Buffer, name: string) =>
    gql<{ importLedger: { status: string } }>(
      api.url,
      IMPORT,
      { v: VILLAGE, f: name, c: file.toString('base64') },
      token,
      120_000,
    );

  /** `pnpm cli import …` without pnpm in between, so the signal reaches the process doing the work. */
  const viaCli = (path: string, month: string) =>
    spawn(
      process.execPath,
      ['--import', 'tsx', 'api/src/cli/main.ts', 'import', '--as', 'fucun-kuaiji', '--village', VILLAGE].concat([
        '--file',
        path,
        '--month',
        month,
      ]),
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url, INIT_CWD: ROOT }, stdio: 'ignore' },
    );

  it(`leaves every import whole or absent after ${KILLS} kills, and each retry succeeds`, async () => {
    const random = seededRandom(SEED);
    // Calibrate: how long one import takes here, through each door.
    const t0 = Date.now();
    const first = await viaApi(ledgerFile(LINES, 2024, 1, 1), 'calibrate.csv');
    expect(first.data?.importLedger.status, first.text).toBe('COMMITTED');
    const apiMs = Date.now() - t0;
    const cliMs = apiMs + 2_500; // the CLI also starts Node and tsx first

    const outcomes: { round: number; door: string; delayMs: number; before: 'whole' | 'absent' }[] = [];
    for (let round = 0; round < KILLS; round++) {
      const door = round % CLI_EVERY === CLI_EVERY - 1 ? 'cli' : 'api';
      const year = 2024 + Math.floor((round + 1) / 12);
      const month = ((round + 1) % 12) + 1;
      const file = ledgerFile(LINES, year, month, round + 2);
      const sha256 = createHash('sha256').update(file).digest('hex');
      const name = `round-${round}.csv`;
      const delayMs = Math.round(random() * (door === 'api' ? apiMs * 1.1 : cliMs));

      if (door === 'api') {
        const pending = viaApi(file, name);
        await sleep(delayMs);
        await api.kill('SIGKILL');
        await pending; // a failure, or the answer if it finished first
        api = await spare;
        spare = startApiChild(db.url);
      } else {
        const path = join(dir, name);
        writeFileSync(path, file);
        const child = viaCli(path, `${year}-${String(month).padStart(2, '0')}`);
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        await sleep(delayMs);
        child.kill('SIGKILL');
        await exited;
      }

      const before = await monthState(sql, VILLAGE, year, month, sha256);
      const retry = await viaApi(file, name);
      expect(['COMMITTED', 'ALREADY_IMPORTED'], retry.text).toContain(retry.data?.importLedger.status);
      const after = await monthState(sql, VILLAGE, year, month, sha256);
      expect(after.vouchers).toBeGreaterThan(0);
      expect(after).toMatchObject({ files: 1, audits: 1, orphans: 0 });
      const whole = (s: MonthState) => ({ ...s, status: null });
      if (before.vouchers === 0) {
        expect(before, `round ${round}: partial import left behind`).toMatchObject({
          lines: 0,
          files: 0,
          audits: 0,
          orphans: 0,
        });
        expect(retry.data?.importLedger.status).toBe('COMMITTED');
      } else {
        expect(whole(before), `round ${round}: partial import left behind`).toEqual(whole(after));
        expect(retry.data?.importLedger.status).toBe('ALREADY_IMPORTED');
      }
      outcomes.push({ round, door, delayMs, before: before.vouchers === 0 ? 'absent' : 'whole' });
    }
    const absent = outcomes.filter((o) => o.before === 'absent').length;
    console.log(
      `kill-import: ${KILLS} kills survived (${outcomes.filter((o) => o.door === 'cli').length} of the CLI), ` +
        `${absent} left the month absent, ${KILLS - absent} whole; one import ${apiMs} ms`,
    );
    // The kills must have landed inside imports, not all after them.
    expect(absent).toBeGreaterThanOrEqual(KILLS / 4);
  }, 600_000);
});
