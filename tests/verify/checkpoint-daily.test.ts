// Issue 17, the rest: which checkpoint a month names, and a checkpoint every day. A server of its own (two demo
// villages in a database of this file) gets a history of checkpoints in which 付村's chain grows: 1 signs its first
// 10 publications, 2 its first 20, 3 all of them (the heads are the real digests at those positions, so the history
// is honest). The API's `MonthlyStatement.checkpoint` and the print sheet then name the FIRST checkpoint covering each
// revision, and keep naming it after later (daily) checkpoints. With an injected clock: the same state is not signed
// twice in a day, is signed again (a new number, the same root) on the next day in China time, also by the API's timer.
// Both verifiers (`pnpm verify --checkpoints`, docs/verify_checkpoints.py) pass over that history with a mirror that
// kept checkpoint 1, and a stale latest checkpoint fails with --max-age.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asc, eq, isNotNull, and } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '@mingbai/db/client';
import { seedDemo } from '@mingbai/db/demo/seed';
import {
  chainHeads,
  checkpoint,
  checkpointDay,
  firstCheckpointCovering,
  makeCheckpoint,
} from '@mingbai/db/ledger/checkpoints';
import { checkpointRoot, checkSignature, signCheckpoint, type CheckpointLeaf } from '@mingbai/db/ledger/merkle';
import { checkpoints } from '@mingbai/db/schema/checkpoints';
import { periods } from '@mingbai/db/schema/ledger';
import { villages } from '@mingbai/db/schema/regions';
import { checkpointKey, startCheckpointTimer, useCheckpointKeyFile } from '@mingbai/api/checkpoints/checkpoints';
import { startTestApi, type TestApi } from '../support/api.ts';
import { openEmptyDb } from '../support/db.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { serverArgs } from '../../scripts/lib/server-build.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number;
  out: string;
}
function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: root, maxBuffer: 16 << 20, timeout: 180_000 }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: unknown }).code as number) : 0;
      resolve({ code: typeof code === 'number' ? code : -1, out: `${stdout}\n${stderr}` });
    });
  });
}
const verifyTs = (...args: string[]) => run(process.execPath, [...serverArgs('verify'), '--checkpoints', ...args]);
const verifyPy = (...args: string[]) => run('python3', ['docs/verify_checkpoints.py', ...args]);

interface Pub {
  year: number;
  month: number;
  revision: number;
  chainSeq: number;
  digest: string;
}

describe('the first checkpoint covering a month, and a checkpoint every day', () => {
  let handle: DbHandle;
  let api: TestApi;
  let portal: TestPortal;
  let data: string;
  const scratch: string[] = [];
  const temp = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    scratch.push(dir);
    return dir;
  };
  let chain: Pub[];
  let fucunCode: string;
  // The injected clock: 2026-11-03 10:00 in China.
  const day3 = new Date('2026-11-03T02:00:00.000Z');

  beforeAll(async () => {
    handle = await openEmptyDb('checkpoint-daily');
    await seedDemo(handle.db, { villages: ['fucun', 'tianli'] });
    useCheckpointKeyFile(join(temp('mingbai-cpday-key-'), 'checkpoint.pem'));
    api = await startTestApi(handle.db);
    portal = await startTestPortal(api.url);
    data = new URL('/data/', api.url).href;
    const [fucun] = await handle.db.select().from(villages).where(eq(villages.slug, 'fucun'));
    fucunCode = fucun!.code;
    const rows = await handle.db
      .select()
      .from(periods)
      .where(and(eq(periods.villageId, fucun!.id), isNotNull(periods.chainSeq)))
      .orderBy(asc(periods.chainSeq));
    chain = rows.map((r) => ({
      year: r.year,
      month: r.month,
      revision: r.revision,
      chainSeq: r.chainSeq!,
      digest: r.digest!,
    }));
  }, 240_000);

  afterAll(async () => {
    await portal?.close();
    await api?.close();
    await handle?.close();
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  /** Checkpoint `number` as the server would have signed it when 付村 had published `length` times. */
  async function signedWhenFucunHad(number: number, length: number, timestamp: string) {
    const leaves: CheckpointLeaf[] = (await chainHeads(handle.db)).map((l) =>
      l.code === fucunCode ? { ...l, length, head: chain[length - 1]!.digest } : l,
    );
    const head = { number, timestamp, treeSize: leaves.length, root: checkpointRoot(leaves) };
    const key = checkpointKey();
    await handle.db
      .insert(checkpoints)
      .values({ ...head, leaves, signature: signCheckpoint(head, key.privateKey), keyId: key.keyId });
  }

  const statementCheckpoint = async (p: Pub) => {
    const res = await api.query<{
      village: { statement: { checkpoint: { number: number; chainLength: number; chainHead: string } | null } };
    }>(
      `query ($y: Int!, $m: Int!, $r: Int) { village(slug: "fucun") { statement(year: $y, month: $m, revision: $r) {
         checkpoint { number timestamp keyId treeSize root chainLength chainHead } } } }`,
      { y: p.year, m: p.month, r: p.revision },
    );
    expect(res.errors, res.text).toBeUndefined();
    return res.data!.village.statement.checkpoint;
  };

  it('names, for each revision, the first checkpoint whose chain reaches it', async () => {
    expect(chain.length).toBeGreaterThan(21);
    expect(await statementCheckpoint(chain[0]!)).toBeNull();
    await signedWhenFucunHad(1, 10, '2026-11-01T02:00:00.000Z');
    await signedWhenFucunHad(2, 20, '2026-11-02T02:00:00.000Z');
    const third = await makeCheckpoint(handle.db, checkpointKey(), day3);
    expect(third.made).toBe(true);
    expect(third.checkpoint.number).toBe(3);
    const last = chain.length;
    const expected: [number, number][] = [
      [1, 1],
      [10, 1],
      [11, 2],
      [20, 2],
      [21, 3],
      [last, 3],
    ];
    for (const [position, number] of expected) {
      const cp = await statementCheckpoint(chain[position - 1]!);
      expect(cp?.number, `position ${position}`).toBe(number);
      expect(cp!.chainLength).toBeGreaterThanOrEqual(position);
      expect(cp!.chainHead).toBe(chain[cp!.chainLength - 1]!.digest);
    }
    expect(await firstCheckpointCovering(handle.db, fucunCode, last + 1)).toBeUndefined();
    expect(await firstCheckpointCovering(handle.db, '999999999999', 1)).toBeUndefined();
  });

  it('signs the same state again each new day in China time, never twice a day (injected clock)', async () => {
    expect(checkpointDay('2026-11-03T15:59:59.999Z')).toBe('2026-11-03');
    expect(checkpointDay('2026-11-03T16:00:00.000Z')).toBe('2026-11-04');
    const third = (await checkpoint(handle.db, 3))!;
    // Later the same day (18:00 in China): nothing new.
    const sameDay = await makeCheckpoint(handle.db, checkpointKey(), new Date('2026-11-03T10:00:00.000Z'));
    expect(sameDay).toMatchObject({ made: false, checkpoint: { number: 3 } });
    // 00:30 the next day in China: a new number over the same tree, with the new time.
    const nextDay = await makeCheckpoint(handle.db, checkpointKey(), new Date('2026-11-03T16:30:00.000Z'));
    expect(nextDay.made).toBe(true);
    expect(nextDay.checkpoint).toMatchObject({
      number: 4,
      root: third.root,
      treeSize: third.treeSize,
      timestamp: '2026-11-03T16:30:00.000Z',
    });
    expect(nextDay.checkpoint.leaves).toEqual(third.leaves);
    expect(checkSignature(nextDay.checkpoint, nextDay.checkpoint.signature, checkpointKey().publicKey)).toBe(true);
    expect(
      (await makeCheckpoint(handle.db, checkpointKey(), new Date('2026-11-04T08:00:00.000Z'))).made,
      'the same China day',
    ).toBe(false);
    // The API's hourly timer, with the clock a day later: it signs the day's checkpoint.
    const timer = startCheckpointTimer(handle.db, 0, () => new Date('2026-11-05T01:00:00.000Z'));
    await timer.first;
    timer.stop();
    const fifth = (await checkpoint(handle.db))!;
    expect(fifth).toMatchObject({ number: 5, root: third.root, timestamp: '2026-11-05T01:00:00.000Z' });
    // The months keep the checkpoint that first covered them, not the newest.
    expect((await statementCheckpoint(chain[chain.length - 1]!))?.number).toBe(3);
    expect((await statementCheckpoint(chain[14]!))?.number).toBe(2);
  });

  it('prints the first covering checkpoint on the notice sheet', async () => {
    for (const [position, number] of [
      [15, 2],
      [chain.length, 3],
    ] as const) {
      const p = chain[position - 1]!;
      const month = `${p.year}-${String(p.month).padStart(2, '0')}`;
      const res = await fetch(`${portal.url}/v/fucun/${month}/print?rev=${p.revision}`);
      expect(res.status).toBe(200);
      const sheet = await res.text();
      expect(sheet).toContain(`本月摘要前 16 位 <strong>${p.digest.slice(0, 16)}</strong>`);
      expect(sheet).toMatch(new RegExp(`签名检查点 <strong>第 ${number} 号</strong>`));
      expect(sheet).toContain(`第 ${number} 号检查点必须还在`);
    }
  });

  it('passes both verifiers over the grown history, with a mirror that kept checkpoint 1; a stale one fails', async () => {
    const mirror = temp('mingbai-cpday-mirror-');
    const ts = await verifyTs('--from', data, '--save', mirror);
    expect(ts.code, ts.out).toBe(0);
    // The mirror kept checkpoint 1 back then (fucun at 10 publications): 5 must extend it.
    mkdirSync(join(mirror, 'checkpoints'), { recursive: true });
    const first = await (await fetch(`${data}checkpoints/1.json`)).text();
    writeFileSync(join(mirror, 'checkpoints', '1.json'), first);
    const kept = await verifyTs('--from', data, '--saved', mirror);
    expect(kept.code, kept.out).toBe(0);
    expect(kept.out).toMatch(/保存的检查点 1、5 与之一致/);
    expect(kept.out).toMatch(/小时前签的/); // the clock said November: a note, not a failure
    const py = await verifyPy(data, '--saved', mirror);
    expect(py.code, py.out).toBe(0);
    expect(py.out).toContain('checkpoints: all hold');
    expect(py.out).not.toContain('NOT checked'); // openssl is on this machine: the signature was checked

    const staleTs = await verifyTs('--from', data, '--max-age', '26');
    expect(staleTs.code, staleTs.out).toBe(1);
    expect(staleTs.out).toMatch(/FAIL .*CHECKPOINT_STALE/);
    const stalePy = await verifyPy(data, '--max-age', '26');
    expect(stalePy.code, stalePy.out).toBe(1);
    expect(stalePy.out).toMatch(/FAIL .*CHECKPOINT_STALE/);

    // A checkpoint 1 that claims 付村's 10th publication had another digest: a fork the mirror kept.
    const forked = temp('mingbai-cpday-forked-');
    cpSync(mirror, forked, { recursive: true });
    const cp1 = JSON.parse(first) as { leaves: CheckpointLeaf[]; number: number; timestamp: string };
    const leaves = cp1.leaves.map((l) => (l.code === fucunCode ? { ...l, head: 'e'.repeat(64) } : l));
    const head = { number: 1, timestamp: cp1.timestamp, treeSize: leaves.length, root: checkpointRoot(leaves) };
    writeFileSync(
      join(forked, 'checkpoints', '1.json'),
      JSON.stringify({ ...cp1, ...head, leaves, signature: signCheckpoint(head, checkpointKey().privateKey) }),
    );
    for (const r of [await verifyTs('--from', data, '--saved', forked), await verifyPy(data, '--saved', forked)]) {
      expect(r.code, r.out).toBe(1);
      expect(r.out).toContain('HISTORY_FORKED');
      expect(r.out).toContain('HISTORY_REWRITTEN');
      expect(r.out).not.toMatch(/Traceback|\n\s+at .*\.ts:\d+/);
    }
    expect(readFileSync(join(mirror, 'checkpoints', 'key.pub'), 'utf8')).toBe(checkpointKey().publicPem);
  }, 300_000);
});
