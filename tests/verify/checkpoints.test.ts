// Issue 17, second half: signed checkpoints. The RFC 6962 hashes against values computed by hand here, Ed25519
// signatures, audit paths that verify and fail when tampered; then a real server (its own PostgreSQL database with
// three demo villages of a year each, so the rewrite below touches no other test file) signs checkpoints, serves them
// under /data/checkpoints, and `pnpm verify --checkpoints` passes; a mirror keeps checkpoint N, the operator rewrites a
// published month and recomputes every later digest, and the verifier with `--saved` names the village and month.
// Bad signature, wrong key, truncated file and a forked history each give exit 1 with the reason, never a crash.
import { execFile, execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, asc, eq, gte, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '@mingbai/db/client';
import { seedDemo } from '@mingbai/db/demo/seed';
import {
  chainHeads,
  checkpoint,
  loadOrCreateCheckpointKey,
  makeCheckpoint,
  type Checkpoint,
} from '@mingbai/db/ledger/checkpoints';
import {
  auditPaths,
  checkpointRoot,
  checkSignature,
  inclusionPath,
  leafBytes,
  leafHash,
  nodeHash,
  rootFromPath,
  signCheckpoint,
  treeRoot,
} from '@mingbai/db/ledger/merkle';
import { recomputedDigest, verifyVillageChain } from '@mingbai/db/ledger/verify';
import { periods } from '@mingbai/db/schema/ledger';
import { villages } from '@mingbai/db/schema/regions';
import { checkpointKey, startCheckpointTimer, useCheckpointKeyFile } from '@mingbai/api/checkpoints/checkpoints';
import { startTestApi, type TestApi } from '../support/api.ts';
import { openEmptyDb } from '../support/db.ts';
import { serverArgs } from '../../scripts/lib/server-build.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const sha = (...parts: Buffer[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

interface Run {
  code: number;
  out: string;
}
function verify(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...serverArgs('verify'), '--checkpoints', ...args],
      { cwd: root, maxBuffer: 16 << 20, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: unknown }).code as number) : 0;
        resolve({ code: typeof code === 'number' ? code : -1, out: `${stdout}\n${stderr}` });
      },
    );
  });
}
/** docs/verify_checkpoints.py, the standard-library Python check; `env` replaces the environment (PATH without openssl). */
function verifyPy(args: string[], env?: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      // The interpreter itself, not a shim on PATH (pyenv's is a bash script), when PATH is taken away.
      env ? execFileSync('python3', ['-c', 'import sys; print(sys.executable)']).toString().trim() : 'python3',
      ['docs/verify_checkpoints.py', ...args],
      { cwd: root, maxBuffer: 16 << 20, timeout: 120_000, ...(env ? { env } : {}) },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: unknown }).code as number) : 0;
        resolve({ code: typeof code === 'number' ? code : -1, out: `${stdout}\n${stderr}` });
      },
    );
  });
}
const noCrash = (r: Run) => expect(r.out).not.toMatch(/\n\s+at .*\.ts:\d+|Traceback/);

describe('RFC 6962 hashing, by hand', () => {
  const d = ['a', 'b', 'c'].map((s) => Buffer.from(s));
  const l = d.map((x) => sha(Buffer.from([0]), x));

  it('gives the RFC values for the empty tree and 1–3 leaves', () => {
    expect(treeRoot([]).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(leafHash(d[0]!)).toEqual(l[0]);
    expect(treeRoot([l[0]!])).toEqual(l[0]);
    const n01 = sha(Buffer.from([1]), l[0]!, l[1]!);
    expect(nodeHash(l[0]!, l[1]!)).toEqual(n01);
    expect(treeRoot(l.slice(0, 2))).toEqual(n01);
    // Three leaves: the split is at 2, so the root is node(node(a, b), c), never node(a, node(b, c)).
    expect(treeRoot(l)).toEqual(sha(Buffer.from([1]), n01, l[2]!));
    // RFC 6962 §2.1.3's example tree: seven leaves, d6 alone on the right of the right subtree.
    const seven = Array.from({ length: 7 }, (_, i) => leafHash(Buffer.from([i])));
    const k = (a: number, b: number) => nodeHash(seven[a]!, seven[b]!);
    const expected = nodeHash(nodeHash(k(0, 1), k(2, 3)), nodeHash(k(4, 5), seven[6]!));
    expect(treeRoot(seven)).toEqual(expected);
    // The leaf text of DIGEST.md.
    expect(leafBytes({ code: '120111102201', length: 36, head: 'f'.repeat(64) }).toString()).toBe(
      `120111102201\n36\n${'f'.repeat(64)}\n`,
    );
  });

  it('audit paths verify, and fail when a hash, the position or the leaf is changed', () => {
    const rootHash = treeRoot(l);
    expect(inclusionPath(2, l)).toEqual([nodeHash(l[0]!, l[1]!)]);
    expect(inclusionPath(0, l)).toEqual([l[1], l[2]]);
    for (let n = 1; n <= 9; n++) {
      const leaves = Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
      const r = treeRoot(leaves);
      for (let m = 0; m < n; m++) {
        const path = inclusionPath(m, leaves);
        expect(rootFromPath(m, n, leaves[m]!, path)).toEqual(r);
        if (n > 1) {
          expect(rootFromPath((m + 1) % n, n, leaves[m]!, path)?.equals(r) ?? false).toBe(false);
          const bent = path.map((h, i) => (i === 0 ? sha(h) : h));
          expect(rootFromPath(m, n, leaves[m]!, bent)?.equals(r)).toBe(false);
        }
        expect(rootFromPath(m, n, sha(leaves[m]!), path)?.equals(r)).toBe(false);
      }
    }
    // All paths at once (the bench and the consistency proofs use it) equal one at a time, for every size to 40.
    for (let n = 1; n <= 40; n++) {
      const leaves = Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
      expect(auditPaths(leaves), `n = ${n}`).toEqual(leaves.map((_, m) => inclusionPath(m, leaves)));
    }
    expect(rootFromPath(2, 3, l[2]!, [])).toBeNull();
    expect(rootFromPath(2, 3, l[2]!, [nodeHash(l[0]!, l[1]!)])).toEqual(rootHash);
  });

  it('signs and verifies the checkpoint text; another key, a changed root or garbage fail', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const other = generateKeyPairSync('ed25519').publicKey;
    const head = { number: 3, timestamp: '2026-12-07T07:00:00.000Z', treeSize: 2, root: 'a'.repeat(64) };
    const signature = signCheckpoint(head, privateKey);
    expect(checkSignature(head, signature, publicKey)).toBe(true);
    expect(checkSignature(head, signature, other)).toBe(false);
    expect(checkSignature({ ...head, root: 'b'.repeat(64) }, signature, publicKey)).toBe(false);
    expect(checkSignature({ ...head, number: 4 }, signature, publicKey)).toBe(false);
    expect(checkSignature(head, 'not a signature', publicKey)).toBe(false);
    expect(checkSignature(head, '', publicKey)).toBe(false);
  });
});

describe('checkpoints of a real server', () => {
  let handle: DbHandle;
  let api: TestApi;
  let data: string;
  const scratch: string[] = [];
  const temp = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    scratch.push(dir);
    return dir;
  };
  let mirror: string;
  let keyFile: string;
  let first: Checkpoint;

  beforeAll(async () => {
    handle = await openEmptyDb('checkpoints');
    // Three villages (an odd tree: its proofs take the unbalanced paths), a year each: the chains the verifier
    // recomputes on every run below (the whole 36 months made this file the slowest on PGlite).
    await seedDemo(handle.db, { villages: ['fucun', 'tianli', 'liutai'], months: 12 });
    keyFile = join(temp('mingbai-cp-key-'), 'sub', 'checkpoint.pem');
    useCheckpointKeyFile(keyFile);
    api = await startTestApi(handle.db);
    data = new URL('/data/', api.url).href;
    mirror = temp('mingbai-cp-mirror-');
  }, 180_000);

  afterAll(async () => {
    await api?.close();
    await handle?.close();
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  it('makes the key on first use (mode 0600) and one checkpoint per state', async () => {
    const key = checkpointKey();
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(loadOrCreateCheckpointKey(keyFile).keyId).toBe(key.keyId);

    const made = await makeCheckpoint(handle.db, key);
    expect(made.made).toBe(true);
    first = made.checkpoint;
    expect(first.number).toBe(1);
    expect(first.leaves.map((l) => l.slug).sort()).toEqual(['fucun', 'liutai', 'tianli']);
    expect(first.leaves.map((l) => l.length)).toEqual([12, 12, 12]);
    expect(first.leaves.map((l) => l.code)).toEqual([...first.leaves.map((l) => l.code)].sort());
    expect(first.root).toBe(checkpointRoot(await chainHeads(handle.db)));
    expect(checkSignature(first, first.signature, key.publicKey)).toBe(true);
    // The API's timer, and the same state again: no second checkpoint.
    const timer = startCheckpointTimer(handle.db, 0);
    await timer.first;
    timer.stop();
    expect((await checkpoint(handle.db))?.number).toBe(1);
    // (The same day: a new day re-signs it, tests/verify/checkpoint-daily.test.ts.)
    const again = await makeCheckpoint(handle.db, key, new Date(first.timestamp));
    expect(again.made).toBe(false);
    expect(again.checkpoint.number).toBe(1);
  });

  it('serves the key, latest, every number and the proofs under /data/checkpoints', async () => {
    const pub = await fetch(`${data}checkpoints/key.pub`);
    expect(pub.status).toBe(200);
    expect(await pub.text()).toBe(checkpointKey().publicPem);
    const latest = (await (await fetch(`${data}checkpoints/latest.json`)).json()) as Checkpoint;
    expect(latest).toEqual(first);
    expect(latest.text).toContain(`root ${first.root}\n`);
    expect(await (await fetch(`${data}checkpoints/1.json`)).json()).toEqual(first);
    expect((await fetch(`${data}checkpoints/2.json`)).status).toBe(404);
    const fucun = first.leaves.find((l) => l.slug === 'fucun')!;
    const proof = (await (await fetch(`${data}checkpoints/1/inclusion/${fucun.code}`)).json()) as {
      leafIndex: number;
      path: string[];
    };
    const got = rootFromPath(
      proof.leafIndex,
      first.treeSize,
      leafHash(leafBytes(fucun)),
      proof.path.map((h) => Buffer.from(h, 'hex')),
    );
    expect(got?.toString('hex')).toBe(first.root);
    expect((await fetch(`${data}checkpoints/1/inclusion/999999999999`)).status).toBe(404);
    expect((await fetch(`${data}checkpoints/1/consistency/1`)).status).toBe(404);
  });

  it('passes pnpm verify --checkpoints over HTTP, saving a mirror, and offline from that mirror', async () => {
    const online = await verify('--from', data, '--save', mirror);
    expect(online.code, online.out).toBe(0);
    expect(online.out).toContain('全部相符');
    expect(online.out).not.toContain('FAIL');
    expect(readFileSync(join(mirror, 'checkpoints', 'key.pub'), 'utf8')).toBe(checkpointKey().publicPem);
    const offline = await verify('--from', mirror);
    expect(offline.code, offline.out).toBe(0);
    // A key of one's own, read from the mirror (the key is read the same whatever the source; the server's reads are
    // proven by the first run).
    const trusted = await verify('--from', mirror, '--key', join(mirror, 'checkpoints', 'key.pub'));
    expect(trusted.code, trusted.out).toBe(0);
    expect(trusted.out).not.toContain('只用了服务器自己给出的公钥');

    // The standard-library Python check agrees, over HTTP and offline; the signature through openssl.
    for (const args of [[data], [mirror], [mirror, '--key', join(mirror, 'checkpoints', 'key.pub')]]) {
      const py = await verifyPy(args);
      expect(py.code, py.out).toBe(0);
      expect(py.out).toContain('checkpoints: all hold');
      expect(py.out).not.toContain('NOT checked');
    }
    // Without openssl it checks the rest and says plainly that the signature was not checked.
    const noOpenssl = await verifyPy([mirror], { PATH: '/nonexistent' });
    expect(noOpenssl.code, noOpenssl.out).toBe(0);
    expect(noOpenssl.out).toMatch(/NOTE signature of checkpoint \d+ NOT checked: needs openssl/);
  }, 300_000);

  // From copies of the mirror: the verifiers read a mirror and the server through one interface (source.ts,
  // urllib or open()), so what is damaged, not where it is read from, decides each outcome.
  it('fails with the reason on a bad signature, a wrong key, a truncated file and a forked number', async () => {
    const bad = temp('mingbai-cp-bad-');
    cpSync(mirror, bad, { recursive: true });
    const file = join(bad, 'checkpoints', 'latest.json');
    const cp = JSON.parse(readFileSync(file, 'utf8')) as Checkpoint;
    const sig = Buffer.from(cp.signature, 'base64');
    sig[5]! ^= 1;
    writeFileSync(file, JSON.stringify({ ...cp, signature: sig.toString('base64') }));
    const badSig = await verify('--from', bad);
    expect(badSig.code, badSig.out).toBe(1);
    expect(badSig.out).toMatch(/FAIL .*BAD_SIGNATURE.*签名不对/);
    noCrash(badSig);
    const badSigPy = await verifyPy([bad]);
    expect(badSigPy.code, badSigPy.out).toBe(1);
    expect(badSigPy.out).toMatch(/FAIL \(checkpoint\) BAD_SIGNATURE/);
    noCrash(badSigPy);

    const wrong = join(temp('mingbai-cp-wrong-'), 'other.pub');
    writeFileSync(wrong, generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }));
    const wrongKey = await verify('--from', mirror, '--key', wrong);
    expect(wrongKey.code, wrongKey.out).toBe(1);
    expect(wrongKey.out).toContain('KEY_CHANGED');
    expect(wrongKey.out).toContain('BAD_SIGNATURE');
    noCrash(wrongKey);
    const wrongKeyPy = await verifyPy([mirror, '--key', wrong]);
    expect(wrongKeyPy.code, wrongKeyPy.out).toBe(1);
    expect(wrongKeyPy.out).toContain('KEY_CHANGED');
    expect(wrongKeyPy.out).toContain('BAD_SIGNATURE');
    noCrash(wrongKeyPy);
    writeFileSync(wrong, 'not a key');
    const garbageKey = await verify('--from', mirror, '--key', wrong);
    expect(garbageKey.code).toBe(1);
    expect(garbageKey.out).toContain('KEY_UNREADABLE');
    noCrash(garbageKey);
    const garbageKeyPy = await verifyPy([mirror, '--key', wrong]);
    expect(garbageKeyPy.code, garbageKeyPy.out).toBe(1);
    expect(garbageKeyPy.out).toContain('KEY_UNREADABLE');
    noCrash(garbageKeyPy);

    const cut = temp('mingbai-cp-cut-');
    cpSync(mirror, cut, { recursive: true });
    const text = readFileSync(join(cut, 'checkpoints', 'latest.json'));
    writeFileSync(join(cut, 'checkpoints', 'latest.json'), text.subarray(0, text.length >> 1));
    const truncated = await verify('--from', cut);
    expect(truncated.code, truncated.out).toBe(1);
    expect(truncated.out).toMatch(/CHECKPOINT_DAMAGED.*被截断/);
    noCrash(truncated);
    const truncatedPy = await verifyPy([cut]);
    expect(truncatedPy.code, truncatedPy.out).toBe(1);
    expect(truncatedPy.out).toMatch(/CHECKPOINT_DAMAGED .*truncated/);
    noCrash(truncatedPy);

    // The server's key signs a second history under the same number: a mirror that kept it sees the fork.
    const fork = temp('mingbai-cp-fork-');
    cpSync(mirror, fork, { recursive: true });
    const head = { number: 1, timestamp: first.timestamp, treeSize: first.treeSize, root: 'c'.repeat(64) };
    const forged = { ...first, root: head.root, signature: signCheckpoint(head, checkpointKey().privateKey) };
    forged.leaves = first.leaves.map((l, i) => (i === 0 ? { ...l, head: '0'.repeat(64) } : l));
    forged.root = checkpointRoot(forged.leaves);
    forged.signature = signCheckpoint({ ...head, root: forged.root }, checkpointKey().privateKey);
    writeFileSync(join(fork, 'checkpoints', 'latest.json'), JSON.stringify(forged));
    const forked = await verify('--from', mirror, '--saved', fork);
    expect(forked.code, forked.out).toBe(1);
    expect(forked.out).toContain('HISTORY_FORKED');
    noCrash(forked);
    const forkedPy = await verifyPy([mirror, '--saved', fork]);
    expect(forkedPy.code, forkedPy.out).toBe(1);
    expect(forkedPy.out).toContain('HISTORY_FORKED');
    noCrash(forkedPy);
  }, 300_000);

  it('detects a month rewritten after a mirror kept checkpoint 1, every later digest recomputed', async () => {
    const db = handle.db;
    const [village] = await db.select({ id: villages.id }).from(villages).where(eq(villages.slug, 'fucun'));
    const [target] = await db
      .select()
      .from(periods)
      .where(and(eq(periods.villageId, village!.id), eq(periods.chainSeq, 3)));
    const month = `${target!.year}-${String(target!.month).padStart(2, '0')} r${target!.revision}`;
    // What an operator with the database could do: change a published voucher behind the API's back (its triggers
    // off), then recompute that digest and every later one, with the links, so the chain checks out again.
    await db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(sql`
        update vouchers set summary_public = summary_public || '（已改）'
        where village_id = ${village!.id} and year = ${target!.year} and month = ${target!.month}
          and revision = ${target!.revision}
          and number = (select min(number) from vouchers where village_id = ${village!.id} and year = ${target!.year}
                        and month = ${target!.month} and revision = ${target!.revision})`);
      // From the changed month on, in chain order: its digest recomputed, the next one's link set to it.
      const later = await tx
        .select({ year: periods.year, month: periods.month, revision: periods.revision })
        .from(periods)
        .where(and(eq(periods.villageId, village!.id), gte(periods.chainSeq, 3)))
        .orderBy(asc(periods.chainSeq));
      let previous: string | undefined;
      for (const p of later) {
        const at = sql`village_id = ${village!.id} and year = ${p.year} and month = ${p.month} and revision = ${p.revision}`;
        if (previous) await tx.execute(sql`update periods set previous_digest = ${previous} where ${at}`);
        previous = await recomputedDigest(tx, { villageId: village!.id, ...p });
        await tx.execute(sql`update periods set digest = ${previous} where ${at}`);
      }
      expect((await verifyVillageChain(tx, village!.id)).ok).toBe(true);
    });
    const after = await makeCheckpoint(db, checkpointKey());
    expect(after.made).toBe(true);
    expect(after.checkpoint.number).toBe(2);
    expect((await checkpoint(db, 1))?.root).toBe(first.root);

    // The server's consistency proof from 1 to 2: an untouched village's paths lead to both roots; for 付村 the
    // digest now at checkpoint 1's length is not checkpoint 1's head.
    const proof = (await (await fetch(`${data}checkpoints/2/consistency/1`)).json()) as {
      villages: {
        slug: string;
        from: { leafIndex: number; path: string[] };
        to: { leafIndex: number; path: string[] };
        chain: string[];
      }[];
    };
    const second = after.checkpoint;
    const leafOf = (cp: Checkpoint, slug: string) => cp.leaves.find((l) => l.slug === slug)!;
    const rootVia = (cp: Checkpoint, slug: string, p: { leafIndex: number; path: string[] }) =>
      rootFromPath(
        p.leafIndex,
        cp.treeSize,
        leafHash(leafBytes(leafOf(cp, slug))),
        p.path.map((h) => Buffer.from(h, 'hex')),
      )?.toString('hex');
    const tianli = proof.villages.find((v) => v.slug === 'tianli')!;
    expect(rootVia(first, 'tianli', tianli.from)).toBe(first.root);
    expect(rootVia(second, 'tianli', tianli.to)).toBe(second.root);
    expect(tianli.chain).toEqual([leafOf(first, 'tianli').head]);
    const fucunProof = proof.villages.find((v) => v.slug === 'fucun')!;
    expect(fucunProof.chain[0]).not.toBe(leafOf(first, 'fucun').head);
    expect(rootVia(first, 'fucun', fucunProof.from)).toBe(first.root);
    const bent = fucunProof.from.path.map((h, k) => (k === 0 ? h.replace(/^./, (c) => (c === '0' ? '1' : '0')) : h));
    expect(rootVia(first, 'fucun', { ...fucunProof.from, path: bent })).not.toBe(first.root);

    // The server alone looks fine: its new checkpoint is signed and matches its (rewritten) chains.
    const alone = await verify('--from', data);
    expect(alone.code, alone.out).toBe(0);
    // A mirror that kept checkpoint 1 does not.
    const kept = await verify('--from', data, '--saved', mirror);
    expect(kept.code, kept.out).toBe(1);
    expect(kept.out).toMatch(new RegExp(`FAIL  fucun ${month} HISTORY_REWRITTEN`));
    expect(kept.out).toContain(`最早不同的是链上第 3 位 ${month}`);
    noCrash(kept);
    expect((await verifyPy([data])).code).toBe(0);
    const keptPy = await verifyPy([data, '--saved', mirror]);
    expect(keptPy.code, keptPy.out).toBe(1);
    expect(keptPy.out).toContain(`FAIL fucun ${month} HISTORY_REWRITTEN`);
    noCrash(keptPy);
  }, 300_000);
});
