/**
 * Signed checkpoints (issue 17): every village's chain head (village code, chain length, head digest) as the leaves of
 * an RFC 6962 Merkle tree in village-code order, its root signed with Ed25519. One is made after each publication
 * (the API's and the CLI's after-commit hook) and by the API's timer: never two for the same state on the same day,
 * and at least one each day (China time), re-signing an unchanged tree with the day's time, so a mirror can tell a
 * live log from a frozen one. Hashing, texts and signatures are in merkle.ts, shared with `pnpm verify`;
 * docs/DIGEST.md ("Checkpoints") says what a checkpoint proves and why daily.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { and, desc, eq, sql } from 'drizzle-orm';
import { queryRows, type Db, type DbOrTx } from '../client.ts';
import { checkpoints } from '../schema/checkpoints.ts';
import { periods } from '../schema/ledger.ts';
import { villages } from '../schema/regions.ts';
import {
  auditPaths,
  CHECKPOINT_FORMAT,
  checkpointRoot,
  checkpointText,
  inclusionPath,
  keyId,
  leafBytes,
  leafHash,
  signCheckpoint,
  type CheckpointLeaf,
} from './merkle.ts';

/** The server's key pair. */
export interface CheckpointKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as served at /data/checkpoints/key.pub (PEM, SPKI). */
  publicPem: string;
  keyId: string;
}

/**
 * Reads the PKCS#8 PEM private key at `file`, or makes one there (mode 0600, its folder created) when there is none.
 * Back it up with the database: a lost key means a new one, and mirrors would then see checkpoints by a key they
 * were not told about.
 */
export function loadOrCreateCheckpointKey(file: string): CheckpointKey {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const pair = generateKeyPairSync('ed25519');
    pem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    mkdirSync(dirname(file), { recursive: true });
    // Written whole to a file of our own, then linked into place: link() fails if the key exists, so two processes
    // starting at once never overwrite each other's key, and the loser never reads a half-written one.
    const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(tmp, pem, { mode: 0o600 });
    try {
      linkSync(tmp, file);
    } catch (raced) {
      if ((raced as NodeJS.ErrnoException).code !== 'EEXIST') throw raced;
      pem = readFileSync(file, 'utf8');
    } finally {
      unlinkSync(tmp);
    }
  }
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 private key`);
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    keyId: keyId(publicKey),
  };
}

/** A stored checkpoint, as /data/checkpoints/{N}.json serves it. */
export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  number: number;
  timestamp: string;
  treeSize: number;
  root: string;
  keyId: string;
  signature: string;
  /** The signed text, for readers who check the signature with another tool. */
  text: string;
  leaves: CheckpointLeaf[];
}

/** Every village that published, its chain length and head, in village-code order: the leaves of now. */
export async function chainHeads(db: DbOrTx): Promise<CheckpointLeaf[]> {
  const rows = await queryRows<{ code: string; slug: string; length: number; head: string }>(
    db,
    sql`
    select distinct on (v.code) v.code, v.slug, p.chain_seq as length, p.digest as head
    from ${periods} p join ${villages} v on v.id = p.village_id
    where p.chain_seq is not null
    order by v.code, p.chain_seq desc`,
  );
  return rows
    .map((r) => ({ code: r.code, slug: r.slug, length: Number(r.length), head: r.head }))
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** Lock space of pg_advisory_xact_lock (see questions.ts for the others): one checkpoint is made at a time. */
const CHECKPOINT_LOCK_SPACE = 17;

/** The day a checkpoint belongs to: the calendar day in China (UTC+8, no daylight saving), `YYYY-MM-DD`. */
export function checkpointDay(time: Date | string): string {
  return new Date(new Date(time).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * Signs a checkpoint of the chains as they are now, unless the latest one already covers exactly this state and was
 * signed the same day (China time, `checkpointDay`): then that one is returned with `made: false`. An unchanged state
 * on a new day is signed again, as the next number with the new time: the daily proof that the log is alive (see
 * docs/DIGEST.md). Numbers follow on without gaps, across processes (an advisory lock). `now` is the clock (tests
 * inject one).
 */
export async function makeCheckpoint(
  db: Db,
  key: CheckpointKey,
  now: Date = new Date(),
): Promise<{ checkpoint: Checkpoint; made: boolean }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CHECKPOINT_LOCK_SPACE}, 0)`);
    const leaves = await chainHeads(tx);
    const root = checkpointRoot(leaves);
    const [last] = await tx.select().from(checkpoints).orderBy(desc(checkpoints.number)).limit(1);
    if (
      last &&
      last.root === root &&
      last.treeSize === leaves.length &&
      last.keyId === key.keyId &&
      checkpointDay(now) <= checkpointDay(last.timestamp)
    ) {
      return { checkpoint: served(last), made: false };
    }
    const head = {
      number: (last?.number ?? 0) + 1,
      // Never before the previous one, whatever the clock says.
      timestamp: new Date(Math.max(now.getTime(), last ? Date.parse(last.timestamp) : 0)).toISOString(),
      treeSize: leaves.length,
      root,
    };
    const row = { ...head, leaves, signature: signCheckpoint(head, key.privateKey), keyId: key.keyId };
    await tx.insert(checkpoints).values(row);
    return { checkpoint: served(row), made: true };
  });
}

type Row = typeof checkpoints.$inferSelect;

function served(row: Row): Checkpoint {
  const head = { number: row.number, timestamp: row.timestamp, treeSize: row.treeSize, root: row.root };
  return {
    format: CHECKPOINT_FORMAT,
    ...head,
    keyId: row.keyId,
    signature: row.signature,
    text: checkpointText(head),
    leaves: row.leaves as CheckpointLeaf[],
  };
}

/** Checkpoint N, or the latest when `number` is undefined; undefined when there is none. */
export async function checkpoint(db: DbOrTx, number?: number): Promise<Checkpoint | undefined> {
  const [row] =
    number === undefined
      ? await db.select().from(checkpoints).orderBy(desc(checkpoints.number)).limit(1)
      : await db.select().from(checkpoints).where(eq(checkpoints.number, number));
  return row ? served(row) : undefined;
}

/** RFC 6962 audit path of a village's leaf in checkpoint N. */
export interface InclusionProof {
  checkpoint: number;
  treeSize: number;
  root: string;
  leafIndex: number;
  leaf: CheckpointLeaf;
  /** The leaf's bytes as hashed (docs/DIGEST.md), for readers with other tools. */
  leafText: string;
  /** Sibling hashes, bottom-up, 64 hex each. */
  path: string[];
}

export function inclusionProof(cp: Checkpoint, code: string): InclusionProof | undefined {
  const index = cp.leaves.findIndex((l) => l.code === code);
  if (index < 0) return undefined;
  const hashes = cp.leaves.map((l) => leafHash(leafBytes(l)));
  const leaf = cp.leaves[index]!;
  return {
    checkpoint: cp.number,
    treeSize: cp.treeSize,
    root: cp.root,
    leafIndex: index,
    leaf,
    leafText: leafBytes(leaf).toString('utf8'),
    path: inclusionPath(index, hashes).map((h) => h.toString('hex')),
  };
}

/**
 * Checkpoint N extends M (M < N): for every village of M, its head in M is at M's length in the chain N signs. Given
 * as both audit paths and the stored digests from M's length to N's: each is linked to the one before by its
 * previous_digest in the public files (statements.csv), which `pnpm verify --checkpoints` recomputes.
 */
export interface ConsistencyProof {
  from: number;
  to: number;
  villages: {
    code: string;
    slug: string;
    from: InclusionProof;
    to: InclusionProof | null;
    /** Digests at positions from.length … to.length of the village's chain now. */
    chain: string[];
  }[];
}

export async function consistencyProof(db: DbOrTx, older: Checkpoint, newer: Checkpoint): Promise<ConsistencyProof> {
  // Every audit path of both trees at once (O(n log n)), and every village's digests in one query: at thousands of
  // villages, a path and a query per village would be O(n²) hashes and thousands of round trips per request.
  const proofs = (cp: Checkpoint) => {
    const paths = auditPaths(cp.leaves.map((l) => leafHash(leafBytes(l))));
    return new Map(
      cp.leaves.map((leaf, i): [string, InclusionProof] => [
        leaf.code,
        {
          checkpoint: cp.number,
          treeSize: cp.treeSize,
          root: cp.root,
          leafIndex: i,
          leaf,
          leafText: leafBytes(leaf).toString('utf8'),
          path: paths[i]!.map((h) => h.toString('hex')),
        },
      ]),
    );
  };
  const from = proofs(older);
  const to = proofs(newer);
  const ranges = older.leaves.map((l) => ({ code: l.code, lo: l.length, hi: to.get(l.code)?.leaf.length ?? l.length }));
  const rows = await queryRows<{ code: string; digest: string }>(
    db,
    sql`select v.code, p.digest
        from jsonb_to_recordset(${JSON.stringify(ranges)}::jsonb) as r(code text, lo int, hi int)
        join ${villages} v on v.code = r.code
        join ${periods} p on p.village_id = v.id and p.chain_seq between r.lo and r.hi
        order by v.code, p.chain_seq`,
  );
  const chains = new Map<string, string[]>();
  for (const r of rows) {
    const list = chains.get(r.code) ?? [];
    list.push(r.digest);
    chains.set(r.code, list);
  }
  return {
    from: older.number,
    to: newer.number,
    villages: older.leaves.map((leaf) => ({
      code: leaf.code,
      slug: leaf.slug,
      from: from.get(leaf.code)!,
      to: to.get(leaf.code) ?? null,
      chain: chains.get(leaf.code) ?? [],
    })),
  };
}

/** What the print sheet and the month's page name: the checkpoint, without its leaves, and this village's leaf in it. */
export interface CheckpointCovering {
  number: number;
  timestamp: string;
  treeSize: number;
  root: string;
  keyId: string;
  /** The village's leaf in it: its chain up to `length` (≥ the revision's position) is signed. */
  leaf: CheckpointLeaf;
}

/** The village's chain length in checkpoint N (0 when the village is not in it, or there is no N). */
async function lengthIn(db: DbOrTx, number: number, code: string): Promise<number> {
  const [row] = await queryRows<{ length: number | null }>(
    db,
    sql`select (jsonb_path_query_first(${checkpoints.leaves}, '$[*] ? (@.code == $c)', jsonb_build_object('c', ${code}::text))
                  ->> 'length')::int as length
        from ${checkpoints} where ${checkpoints.number} = ${number}`,
  );
  return Number(row?.length ?? 0);
}

/**
 * The FIRST checkpoint that signed a village's chain at a length ≥ `chainSeq`: the one that first covered the
 * publication at that position. It never changes once made (later checkpoints, daily ones included, cover it too), so
 * a sheet printed the day after publication and the site read years later name the same number. A village's length
 * never shrinks from one checkpoint to the next (a chain is only appended to; a rewrite keeps its length), so a
 * binary search over the numbers finds it with about log2(checkpoints) probes of one leaf each. Undefined when no
 * checkpoint covers it yet.
 */
export async function firstCheckpointCovering(
  db: DbOrTx,
  code: string,
  chainSeq: number,
): Promise<CheckpointCovering | undefined> {
  const [top] = await db
    .select({ number: checkpoints.number })
    .from(checkpoints)
    .orderBy(desc(checkpoints.number))
    .limit(1);
  if (!top || (await lengthIn(db, top.number, code)) < chainSeq) return undefined;
  let lo = 1;
  let hi = top.number; // covers
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await lengthIn(db, mid, code)) >= chainSeq) hi = mid;
    else lo = mid + 1;
  }
  const [row] = await queryRows<{
    number: number;
    timestamp: string;
    tree_size: number;
    root: string;
    key_id: string;
    leaf: CheckpointLeaf;
  }>(
    db,
    sql`select number, timestamp, tree_size, root, key_id,
               jsonb_path_query_first(leaves, '$[*] ? (@.code == $c)', jsonb_build_object('c', ${code}::text)) as leaf
        from ${checkpoints} where number = ${hi}`,
  );
  if (!row) return undefined;
  return {
    number: Number(row.number),
    timestamp: row.timestamp,
    treeSize: Number(row.tree_size),
    root: row.root,
    keyId: row.key_id,
    leaf: typeof row.leaf === 'string' ? (JSON.parse(row.leaf) as CheckpointLeaf) : row.leaf,
  };
}

/** A published revision's place: its village's code and its position in the chain; undefined if not published. */
export async function chainPosition(
  db: DbOrTx,
  key: { villageId: number; year: number; month: number; revision: number },
): Promise<{ code: string; chainSeq: number } | undefined> {
  const [row] = await db
    .select({ code: villages.code, chainSeq: periods.chainSeq })
    .from(periods)
    .innerJoin(villages, eq(villages.id, periods.villageId))
    .where(
      and(
        eq(periods.villageId, key.villageId),
        eq(periods.year, key.year),
        eq(periods.month, key.month),
        eq(periods.revision, key.revision),
      ),
    );
  return row?.chainSeq == null ? undefined : { code: row.code, chainSeq: Number(row.chainSeq) };
}
