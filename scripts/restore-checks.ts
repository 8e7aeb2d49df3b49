// `pnpm restore` runs this once the database is back (DATABASE_URL, else PGLITE_DIR), as one process so that PGlite
// opens once (a few seconds each time):
// 1. every village's digest chain recomputed from its vouchers: one JSON report on stdout; exit 1 when any is broken;
// 2. given the backup's checkpoint key (argv[2], PKCS#8 PEM), whether it signed the database's latest checkpoint: one
//    line on stderr; exit 1 when it is unreadable or did not, since restoring it would make every mirror report
//    KEY_CHANGED.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { openDb, type Db } from '../db/src/client.ts';
import { checkpoint } from '../db/src/ledger/checkpoints.ts';
import { keyId } from '../db/src/ledger/merkle.ts';
import { verifyVillageChain } from '../db/src/ledger/verify.ts';
import { villages } from '../db/src/schema/regions.ts';

/** Every village's chain; prints the report and says whether all were whole. */
async function chainsWhole(db: Db): Promise<boolean> {
  const all = (await db.select({ id: villages.id, slug: villages.slug }).from(villages)).sort((a, b) => a.id - b.id);
  let published = 0;
  const broken: { slug: string; breaks: unknown[] }[] = [];
  for (const village of all) {
    const report = await verifyVillageChain(db, village.id);
    published += report.checked;
    if (!report.ok) broken.push({ slug: village.slug, breaks: report.breaks });
  }
  console.log(JSON.stringify({ ok: broken.length === 0, villages: all.length, publishedRevisions: published, broken }));
  return broken.length === 0;
}

/** Whether the key in `file` signed the latest checkpoint (none yet counts as yes); says which on stderr. */
async function keySignedLatest(db: Db, file: string): Promise<boolean> {
  let id: string;
  try {
    const key = createPrivateKey(readFileSync(file, 'utf8'));
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`not an Ed25519 key (${key.asymmetricKeyType})`);
    id = keyId(createPublicKey(key));
  } catch (error) {
    console.error(`checkpoint key ${file}: unreadable: ${(error as Error).message}`);
    return false;
  }
  const latest = await checkpoint(db);
  if (!latest) console.error(`checkpoint key ${file} (key id ${id}): the database has no checkpoint yet`);
  else if (latest.keyId === id) {
    console.error(`checkpoint key ${file} (key id ${id}) signed the latest checkpoint, number ${latest.number}`);
  } else {
    console.error(
      `checkpoint key ${file} (key id ${id}) is NOT the key of the latest checkpoint (number ${latest.number}, key id ` +
        `${latest.keyId}): the key and the database come from different backups or sites`,
    );
    return false;
  }
  return true;
}

const keyFile = process.argv[2];
const handle = await openDb({
  databaseUrl: process.env.DATABASE_URL?.trim() || undefined,
  pgliteDir: process.env.PGLITE_DIR?.trim() || undefined,
  poolSize: 2,
});
try {
  const ok = (await chainsWhole(handle.db)) && (keyFile === undefined || (await keySignedLatest(handle.db, keyFile)));
  if (!ok) process.exitCode = 1;
} finally {
  await handle.close();
}
