/**
 * `pnpm verify --checkpoints`: the server's signed checkpoints checked from public files alone. The latest one's
 * signature (by a key the caller trusts: `--key`, or the one a saved mirror kept, not only the one the server sends
 * now), its root recomputed from its leaves, each leaf's village chain recomputed from the bulk files (chain.ts) with
 * the head at the stated length, and each head's inclusion proof. Then every checkpoint a mirror saved earlier
 * (`--saved DIR`): signed by the trusted key, the same on the server now, and still true of the chains the server
 * publishes now: each of its heads at its length. A month rewritten after it was saved, however carefully every later
 * digest was recomputed, changes that digest: the village and month are named. Never throws for anything a file holds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { KeyObject } from 'node:crypto';
import {
  checkpointRoot,
  checkSignature,
  keyId,
  leafBytes,
  leafHash,
  parsePublicKey,
  rootFromPath,
  type CheckpointLeaf,
} from '@mingbai/db/ledger/merkle';
import { verifyVillage, type Publication, type VillageReport } from './chain.ts';
import { openSource, type Source } from './source.ts';

export type CheckpointProblemCode =
  | 'KEY_UNREADABLE'
  | 'KEY_CHANGED'
  | 'CHECKPOINT_MISSING'
  | 'CHECKPOINT_DAMAGED'
  | 'BAD_SIGNATURE'
  | 'ROOT_MISMATCH'
  | 'CHAIN_INVALID'
  | 'HEAD_MISMATCH'
  | 'INCLUSION_FAILED'
  | 'HISTORY_FORKED'
  | 'HISTORY_REWRITTEN'
  | 'CONSISTENCY_FAILED'
  | 'CHECKPOINT_STALE';

export interface CheckpointProblem {
  code: CheckpointProblemCode;
  /** The checkpoint concerned: `latest`, `3`, `saved 3`. */
  checkpoint: string;
  village: string | null;
  month: string | null;
  message: string;
}

export interface CheckpointsReport {
  ok: boolean;
  latest: number | null;
  keyId: string | null;
  /** Where the trusted key came from. */
  keyFrom: string | null;
  villages: number;
  saved: number[];
  problems: CheckpointProblem[];
  notes: string[];
}

interface Parsed {
  number: number;
  timestamp: string;
  treeSize: number;
  root: string;
  signature: string;
  leaves: CheckpointLeaf[];
}

const HEX64 = /^[0-9a-f]{64}$/;

class Bad extends Error {}

/** A checkpoint's JSON, checked field by field: anything off is Bad with the reason, never a crash later. */
function parseCheckpoint(text: string, where: string): Parsed {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Bad(`${where} 不是完整的 JSON（文件损坏或被截断）：${(error as Error).message}`);
  }
  const o = raw as Record<string, unknown>;
  if (!o || typeof o !== 'object') throw new Bad(`${where} 不是检查点对象`);
  const int = (k: string) => {
    if (!Number.isSafeInteger(o[k]) || (o[k] as number) < 0) throw new Bad(`${where}：${k} 应为非负整数`);
    return o[k] as number;
  };
  const str = (k: string, re: RegExp) => {
    if (typeof o[k] !== 'string' || !re.test(o[k])) throw new Bad(`${where}：${k} 格式不对`);
    return o[k];
  };
  const parsed: Parsed = {
    number: int('number'),
    timestamp: str('timestamp', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    treeSize: int('treeSize'),
    root: str('root', HEX64),
    signature: str('signature', /^[A-Za-z0-9+/=]+$/),
    leaves: [],
  };
  if (!Array.isArray(o.leaves)) throw new Bad(`${where}：leaves 应为数组`);
  parsed.leaves = o.leaves.map((l, i) => {
    const leaf = l as Record<string, unknown>;
    const ok =
      leaf &&
      typeof leaf.code === 'string' &&
      /^\d{12}$/.test(leaf.code) &&
      typeof leaf.slug === 'string' &&
      /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(leaf.slug) &&
      Number.isSafeInteger(leaf.length) &&
      (leaf.length as number) >= 1 &&
      typeof leaf.head === 'string' &&
      HEX64.test(leaf.head);
    if (!ok) throw new Bad(`${where}：leaves[${i}] 格式不对`);
    return { code: leaf.code, slug: leaf.slug, length: leaf.length, head: leaf.head } as CheckpointLeaf;
  });
  if (parsed.leaves.length !== parsed.treeSize) {
    throw new Bad(`${where}：treeSize ${parsed.treeSize} 与 ${parsed.leaves.length} 个叶子不符`);
  }
  return parsed;
}

/** Signature and root; the problems it has. */
function checkHead(cp: Parsed, key: KeyObject, label: string, problem: (p: CheckpointProblem) => void): boolean {
  let ok = true;
  if (!checkSignature(cp, cp.signature, key)) {
    problem({
      code: 'BAD_SIGNATURE',
      checkpoint: label,
      village: null,
      month: null,
      message: `第 ${cp.number} 号检查点的签名不对：不是所信任的公钥签的，或签名后内容被改过`,
    });
    ok = false;
  }
  const root = checkpointRoot(cp.leaves);
  if (root !== cp.root) {
    problem({
      code: 'ROOT_MISMATCH',
      checkpoint: label,
      village: null,
      month: null,
      message: `第 ${cp.number} 号检查点的树根与它的叶子算出的不同（应为 ${root}）`,
    });
    ok = false;
  }
  return ok;
}

const monthOf = (p: Publication) => `${p.month} r${p.revision}`;

export async function verifyCheckpoints(
  source: Source,
  options: { key?: string | undefined; saved?: string | undefined; maxAgeHours?: number | undefined; now?: Date },
): Promise<CheckpointsReport> {
  const report: CheckpointsReport = {
    ok: false,
    latest: null,
    keyId: null,
    keyFrom: null,
    villages: 0,
    saved: [],
    problems: [],
    notes: [],
  };
  const problem = (p: CheckpointProblem) => report.problems.push(p);
  const fail = (code: CheckpointProblemCode, message: string, checkpoint = 'latest') =>
    problem({ code, checkpoint, village: null, month: null, message });

  // The key the caller trusts, then the one the server sends.
  let trusted: KeyObject | undefined;
  const keyFile = options.key ?? (options.saved ? join(resolve(options.saved), 'checkpoints', 'key.pub') : undefined);
  if (keyFile) {
    try {
      trusted = parsePublicKey(readFileSync(keyFile, 'utf8'));
      report.keyFrom = keyFile;
    } catch (error) {
      fail('KEY_UNREADABLE', `读不了公钥 ${keyFile}：${(error as Error).message}`, '-');
    }
  }
  const served = await source.read('checkpoints/key.pub');
  let serverKey: KeyObject | undefined;
  if (served.ok) {
    try {
      serverKey = parsePublicKey(served.text);
    } catch (error) {
      fail('KEY_UNREADABLE', `服务器的 checkpoints/key.pub 不是有效的 Ed25519 公钥：${(error as Error).message}`, '-');
    }
  } else if (!trusted) fail('KEY_UNREADABLE', `读不到服务器的公钥：${served.why}`, '-');
  if (trusted && serverKey && keyId(trusted) !== keyId(serverKey)) {
    fail(
      'KEY_CHANGED',
      `服务器现在给出的公钥（${keyId(serverKey)}）不是所信任的公钥（${keyId(trusted)}）：换了钥匙，或不是同一个网站`,
      '-',
    );
  }
  if (!trusted && serverKey) {
    report.notes.push('只用了服务器自己给出的公钥：请用 --key 或 --saved 给出早先保存的公钥，才能防止连钥匙一起被换');
  }
  const key = trusted ?? serverKey;
  if (!key) return done(report);
  report.keyId = keyId(key);

  // The latest checkpoint, against the chains as published now.
  const got = await source.read('checkpoints/latest.json');
  if (!got.ok) {
    fail(got.missing ? 'CHECKPOINT_MISSING' : 'CHECKPOINT_DAMAGED', `读不到最新检查点：${got.why}`);
    return done(report);
  }
  let latest: Parsed;
  try {
    latest = parseCheckpoint(got.text, 'checkpoints/latest.json');
  } catch (error) {
    fail('CHECKPOINT_DAMAGED', (error as Error).message);
    return done(report);
  }
  report.latest = latest.number;
  report.villages = latest.leaves.length;
  checkHead(latest, key, `${latest.number}`, problem);
  // A live site signs at least one checkpoint a day (docs/DIGEST.md): an old latest one means the log stopped, or
  // this mirror is being shown a frozen view.
  const age = ((options.now ?? new Date()).getTime() - Date.parse(latest.timestamp)) / 3_600_000;
  if (options.maxAgeHours !== undefined && age > options.maxAgeHours) {
    fail(
      'CHECKPOINT_STALE',
      `最新的第 ${latest.number} 号检查点是 ${age.toFixed(1)} 小时前签的，超过 ${options.maxAgeHours} 小时：本站每天至少签一个，检查点停了`,
      `${latest.number}`,
    );
  } else if (age > 25) {
    report.notes.push(
      `最新的第 ${latest.number} 号检查点是 ${age.toFixed(1)} 小时前签的：正常运行的网站每天至少签一个`,
    );
  }

  const chains = new Map<string, VillageReport>();
  const chainOf = async (slug: string) => {
    let chain = chains.get(slug);
    if (!chain) {
      try {
        chain = await verifyVillage(source, slug);
      } catch (error) {
        chain = { village: slug, ok: false, publications: [], bytes: 0, problems: [] };
        chain.problems.push({ code: 'FILE_DAMAGED', month: null, message: (error as Error).message });
      }
      chains.set(slug, chain);
    }
    return chain;
  };
  for (const leaf of latest.leaves) {
    const label = `${latest.number}`;
    const chain = await chainOf(leaf.slug);
    for (const p of chain.problems) {
      problem({
        code: 'CHAIN_INVALID',
        checkpoint: label,
        village: leaf.slug,
        month: p.month,
        message: `${p.code} ${p.message}`,
      });
    }
    const at = chain.publications.find((p) => p.chainSeq === leaf.length);
    if (!at || at.digest !== leaf.head) {
      problem({
        code: 'HEAD_MISMATCH',
        checkpoint: label,
        village: leaf.slug,
        month: at ? monthOf(at) : null,
        message: at
          ? `检查点记的链头（第 ${leaf.length} 位）是 ${leaf.head.slice(0, 16)}…，公开文件里是 ${at.digest.slice(0, 16)}…`
          : `公开文件里没有链上第 ${leaf.length} 位的月份`,
      });
    }
    if (chain.publications.some((p) => p.chainSeq > leaf.length)) {
      report.notes.push(`${leaf.slug}：第 ${leaf.length} 位之后的公开还没有被检查点覆盖（下一个检查点会签）`);
    }
    await checkInclusion(source, latest, leaf, problem);
  }

  // Saved checkpoints: the same on the server, and still true of today's chains.
  if (options.saved) {
    const dir = join(resolve(options.saved), 'checkpoints');
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => /^\d+\.json$/.test(n) || n === 'latest.json');
    } catch (error) {
      fail('CHECKPOINT_MISSING', `读不了保存的检查点文件夹 ${dir}：${(error as Error).message}`, 'saved');
    }
    const seen = new Set<number>();
    for (const name of names.sort()) {
      let saved: Parsed;
      try {
        saved = parseCheckpoint(readFileSync(join(dir, name), 'utf8'), join(dir, name));
      } catch (error) {
        fail('CHECKPOINT_DAMAGED', (error as Error).message, `saved ${name}`);
        continue;
      }
      if (seen.has(saved.number)) continue;
      seen.add(saved.number);
      report.saved.push(saved.number);
      await checkSaved(source, options.saved, saved, latest, key, chainOf, problem, report.notes);
    }
    report.saved.sort((a, b) => a - b);
  }
  return done(report);
}

function done(report: CheckpointsReport): CheckpointsReport {
  report.ok = report.problems.length === 0;
  return report;
}

async function checkInclusion(
  source: Source,
  cp: Parsed,
  leaf: CheckpointLeaf,
  problem: (p: CheckpointProblem) => void,
): Promise<void> {
  const base = { checkpoint: `${cp.number}`, village: leaf.slug, month: null };
  const path = `checkpoints/${cp.number}/inclusion/${leaf.code}`;
  const got = await source.read(path);
  if (!got.ok) {
    problem({ ...base, code: 'INCLUSION_FAILED', message: `读不到包含证明：${got.why}` });
    return;
  }
  try {
    const proof = JSON.parse(got.text) as { leafIndex?: unknown; path?: unknown };
    const hashes = proof.path;
    if (!Number.isSafeInteger(proof.leafIndex) || !Array.isArray(hashes) || !hashes.every((h) => HEX64.test(h))) {
      throw new Bad('格式不对');
    }
    const root = rootFromPath(
      proof.leafIndex as number,
      cp.treeSize,
      leafHash(leafBytes(leaf)),
      (hashes as string[]).map((h) => Buffer.from(h, 'hex')),
    );
    if (root?.toString('hex') !== cp.root) {
      problem({ ...base, code: 'INCLUSION_FAILED', message: `包含证明算不回第 ${cp.number} 号检查点的树根` });
    }
  } catch (error) {
    problem({ ...base, code: 'INCLUSION_FAILED', message: `${path} 损坏：${(error as Error).message}` });
  }
}

async function checkSaved(
  source: Source,
  savedDir: string,
  saved: Parsed,
  latest: Parsed,
  key: KeyObject,
  chainOf: (slug: string) => Promise<VillageReport>,
  problem: (p: CheckpointProblem) => void,
  notes: string[],
): Promise<void> {
  const label = `saved ${saved.number}`;
  const fail = (
    code: CheckpointProblemCode,
    message: string,
    village: string | null = null,
    month: string | null = null,
  ) => problem({ code, checkpoint: label, village, month, message });
  if (!checkHead(saved, key, label, problem)) return;
  if (saved.number > latest.number) {
    fail(
      'HISTORY_FORKED',
      `保存的第 ${saved.number} 号检查点比服务器最新的第 ${latest.number} 号还新：服务器的历史被回退了`,
    );
    return;
  }
  // The server's copy of the same number must be the very same checkpoint.
  const got = await source.read(`checkpoints/${saved.number}.json`);
  if (!got.ok) fail('HISTORY_FORKED', `服务器上没有第 ${saved.number} 号检查点了：${got.why}`);
  else {
    try {
      const there = parseCheckpoint(got.text, `checkpoints/${saved.number}.json`);
      if (there.root !== saved.root || there.timestamp !== saved.timestamp || there.treeSize !== saved.treeSize) {
        fail(
          'HISTORY_FORKED',
          `服务器上的第 ${saved.number} 号检查点与保存的不同（树根 ${there.root.slice(0, 16)}… ≠ ${saved.root.slice(0, 16)}…）：同一个编号签了两段历史`,
        );
      }
    } catch (error) {
      fail('CHECKPOINT_DAMAGED', (error as Error).message);
    }
  }
  // Each saved head is still at its position in the chains the server publishes now.
  const savedSource = openSource(savedDir);
  for (const leaf of saved.leaves) {
    const now = latest.leaves.find((l) => l.code === leaf.code);
    if (!now || now.length < leaf.length) {
      fail(
        'HISTORY_REWRITTEN',
        now
          ? `链变短了：保存时有 ${leaf.length} 个公开，现在的检查点只有 ${now.length} 个`
          : '这个村不在服务器最新的检查点里了',
        leaf.slug,
      );
      continue;
    }
    const chain = await chainOf(leaf.slug);
    const at = chain.publications.find((p) => p.chainSeq === leaf.length);
    if (at && at.digest === leaf.head) continue;
    // Which month changed: the first position where the mirror's saved files and today's differ.
    let month = at ? monthOf(at) : null;
    let detail = '';
    try {
      const before = await verifyVillage(savedSource, leaf.slug);
      const old = new Map(before.publications.map((p) => [p.chainSeq, p]));
      const first = chain.publications
        .filter((p) => p.chainSeq <= leaf.length)
        .sort((a, b) => a.chainSeq - b.chainSeq)
        .find((p) => old.has(p.chainSeq) && old.get(p.chainSeq)!.digest !== p.digest);
      if (first) {
        month = monthOf(first);
        detail = `；最早不同的是链上第 ${first.chainSeq} 位 ${month}：保存时 ${old.get(first.chainSeq)!.digest.slice(0, 16)}…，现在 ${first.digest.slice(0, 16)}…`;
      }
    } catch {
      // No saved files of the village: the position is all that can be named.
    }
    fail(
      'HISTORY_REWRITTEN',
      `第 ${saved.number} 号检查点签过的链头（第 ${leaf.length} 位 ${leaf.head.slice(0, 16)}…）不在服务器现在公开的链上：之后有月份被改写${detail}`,
      leaf.slug,
      month,
    );
  }
  // The server's own consistency proof, checked too.
  if (saved.number < latest.number) {
    const proof = await source.read(`checkpoints/${latest.number}/consistency/${saved.number}`);
    if (!proof.ok) {
      fail('CONSISTENCY_FAILED', `读不到一致性证明：${proof.why}`);
      return;
    }
    try {
      const p = JSON.parse(proof.text) as {
        villages?: {
          code: string;
          from: { leafIndex: number; path: string[] };
          to: { leafIndex: number; path: string[] } | null;
          chain: string[];
        }[];
      };
      for (const leaf of saved.leaves) {
        const v = p.villages?.find((x) => x.code === leaf.code);
        const now = latest.leaves.find((l) => l.code === leaf.code);
        const fromRoot =
          v &&
          rootFromPath(
            v.from.leafIndex,
            saved.treeSize,
            leafHash(leafBytes(leaf)),
            v.from.path.map((h) => Buffer.from(h, 'hex')),
          );
        const toRoot =
          v?.to &&
          now &&
          rootFromPath(
            v.to.leafIndex,
            latest.treeSize,
            leafHash(leafBytes(now)),
            v.to.path.map((h) => Buffer.from(h, 'hex')),
          );
        const ok =
          fromRoot?.toString('hex') === saved.root &&
          toRoot?.toString('hex') === latest.root &&
          v!.chain[0] === leaf.head &&
          v!.chain[v!.chain.length - 1] === now!.head;
        if (!ok)
          fail(
            'CONSISTENCY_FAILED',
            `服务器给的从第 ${saved.number} 号到第 ${latest.number} 号的一致性证明不成立`,
            leaf.slug,
          );
      }
    } catch (error) {
      fail('CONSISTENCY_FAILED', `一致性证明损坏：${(error as Error).message}`);
    }
  } else notes.push(`保存的第 ${saved.number} 号就是服务器最新的检查点`);
}
