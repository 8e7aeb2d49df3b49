/**
 * Signed checkpoints' pure part (issue 17): RFC 6962 Merkle hashing over villages' chain heads, the canonical leaf and
 * checkpoint texts, and Ed25519 signatures with node:crypto. No database: `pnpm verify` (api/src/verify/) shares this
 * file with the server, so both compute the very same bytes. docs/DIGEST.md ("Checkpoints") defines every byte.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export const CHECKPOINT_FORMAT = 'mingbai-checkpoint-v1';

/** One leaf: a village's chain as the checkpoint saw it. */
export interface CheckpointLeaf {
  /** 12-digit village code (the leaves are in this order). */
  code: string;
  /** Its URL name, to find its public files; not hashed (the files themselves carry the code). */
  slug: string;
  /** Chain length: the number of publications, 1…n. */
  length: number;
  /** The digest at position `length`: the chain's head. */
  head: string;
}

/** What the signature covers (the leaves only through `root`). */
export interface CheckpointHead {
  number: number;
  timestamp: string;
  treeSize: number;
  root: string;
}

const sha256 = (...parts: Buffer[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** `{code}\n{length}\n{head}\n`, UTF-8 (ASCII): code 12 digits, length decimal without leading zeros, head 64 hex. */
export function leafBytes(leaf: Pick<CheckpointLeaf, 'code' | 'length' | 'head'>): Buffer {
  return Buffer.from(`${leaf.code}\n${leaf.length}\n${leaf.head}\n`, 'utf8');
}

/** RFC 6962 §2.1: SHA-256(0x00 || leaf). */
export const leafHash = (bytes: Buffer): Buffer => sha256(Buffer.from([0]), bytes);
/** RFC 6962 §2.1: SHA-256(0x01 || left || right). */
export const nodeHash = (left: Buffer, right: Buffer): Buffer => sha256(Buffer.from([1]), left, right);

/** The largest power of two smaller than n (n ≥ 2): the RFC's split point. */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) over leaf hashes: SHA-256 of the empty string for no leaves. */
export function treeRoot(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) return sha256();
  if (hashes.length === 1) return hashes[0]!;
  const k = split(hashes.length);
  return nodeHash(treeRoot(hashes.slice(0, k)), treeRoot(hashes.slice(k)));
}

/** RFC 6962 §2.1.1 PATH(m, D[n]): the audit path of leaf m, bottom-up. */
export function inclusionPath(m: number, hashes: readonly Buffer[]): Buffer[] {
  if (m < 0 || m >= hashes.length) throw new RangeError(`leaf ${m} is not in a tree of ${hashes.length}`);
  if (hashes.length === 1) return [];
  const k = split(hashes.length);
  return m < k
    ? [...inclusionPath(m, hashes.slice(0, k)), treeRoot(hashes.slice(k))]
    : [...inclusionPath(m - k, hashes.slice(k)), treeRoot(hashes.slice(0, k))];
}

/**
 * Every leaf's audit path at once, in O(n log n) hashes rather than O(n) per leaf: the same tree built bottom-up (pairs
 * hashed, an odd last node carried up unchanged, which is RFC 6962's split at the largest power of two), each path the
 * siblings met on the way up. `auditPaths(h)[m]` equals `inclusionPath(m, h)`.
 */
export function auditPaths(hashes: readonly Buffer[]): Buffer[][] {
  const paths: Buffer[][] = hashes.map(() => []);
  // index[i]: the position, in the current level, of leaf i's ancestor.
  const index = hashes.map((_, i) => i);
  let level = [...hashes];
  while (level.length > 1) {
    for (let i = 0; i < paths.length; i++) {
      const sibling = index[i]! ^ 1;
      if (sibling < level.length) paths[i]!.push(level[sibling]!);
      index[i] = index[i]! >> 1;
    }
    const up: Buffer[] = [];
    for (let j = 0; j < level.length; j += 2)
      up.push(j + 1 < level.length ? nodeHash(level[j]!, level[j + 1]!) : level[j]!);
    level = up;
  }
  return paths;
}

/** The root an audit path leads to from leaf m of n, or null if the path has the wrong length for that position. */
export function rootFromPath(m: number, n: number, leaf: Buffer, path: readonly Buffer[]): Buffer | null {
  if (m < 0 || m >= n) return null;
  if (n === 1) return path.length === 0 ? leaf : null;
  if (path.length === 0) return null;
  const k = split(n);
  const top = path[path.length - 1]!;
  const rest = path.slice(0, -1);
  if (m < k) {
    const left = rootFromPath(m, k, leaf, rest);
    return left && nodeHash(left, top);
  }
  const right = rootFromPath(m - k, n - k, leaf, rest);
  return right && nodeHash(top, right);
}

/** The root of a checkpoint's leaves, hex. */
export function checkpointRoot(leaves: readonly Pick<CheckpointLeaf, 'code' | 'length' | 'head'>[]): string {
  return treeRoot(leaves.map((l) => leafHash(leafBytes(l)))).toString('hex');
}

/** The signed text: five lines, each ending in \n. */
export function checkpointText(head: CheckpointHead): string {
  return (
    `${CHECKPOINT_FORMAT}\n` +
    `number ${head.number}\n` +
    `time ${head.timestamp}\n` +
    `size ${head.treeSize}\n` +
    `root ${head.root}\n`
  );
}

/** Ed25519 over checkpointText, base64. */
export function signCheckpoint(head: CheckpointHead, privateKey: KeyObject): string {
  return sign(null, Buffer.from(checkpointText(head), 'utf8'), privateKey).toString('base64');
}

/** True only for a well-formed signature by `publicKey` over exactly this head; never throws. */
export function checkSignature(head: CheckpointHead, signature: string, publicKey: KeyObject): boolean {
  try {
    if (!/^[A-Za-z0-9+/]{86}==$/.test(signature)) return false;
    return verify(null, Buffer.from(checkpointText(head), 'utf8'), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** A PEM public key (SPKI) as published at /data/checkpoints/key.pub; throws on anything but an Ed25519 key. */
export function parsePublicKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`不是 Ed25519 公钥（是 ${key.asymmetricKeyType}）`);
  return key;
}

/** The key's short name: the first 16 hex of SHA-256 over its 32 raw bytes. */
export function keyId(publicKey: KeyObject): string {
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return sha256(raw).toString('hex').slice(0, 16);
}
