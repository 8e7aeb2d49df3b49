// `pnpm restore` runs this after the database is back: does the checkpoint key restored beside it sign what the
// database says it signed? DATABASE_URL (or PGLITE_DIR) names the database, argv[2] the key file (PKCS#8 PEM).
// Prints one line to stderr (stdout stays the chain report's JSON); exits 1 when the key is unreadable or is not the
// key of the latest checkpoint: restoring it would make every mirror report KEY_CHANGED.
import { readFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { openDb } from '../db/src/client.ts';
import { checkpoint } from '../db/src/ledger/checkpoints.ts';
import { keyId } from '../db/src/ledger/merkle.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: checkpoint-key-check.ts KEYFILE');
let id: string;
try {
  const key = createPrivateKey(readFileSync(file, 'utf8'));
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`not an Ed25519 key (${key.asymmetricKeyType})`);
  id = keyId(createPublicKey(key));
} catch (error) {
  console.error(`checkpoint key ${file}: unreadable: ${(error as Error).message}`);
  process.exit(1);
}
const handle = await openDb({
  databaseUrl: process.env.DATABASE_URL?.trim() || undefined,
  pgliteDir: process.env.PGLITE_DIR?.trim() || undefined,
  poolSize: 1,
});
try {
  const latest = await checkpoint(handle.db);
  if (!latest) console.error(`checkpoint key ${file} (key id ${id}): the database has no checkpoint yet`);
  else if (latest.keyId === id) {
    console.error(`checkpoint key ${file} (key id ${id}) signed the latest checkpoint, number ${latest.number}`);
  } else {
    console.error(
      `checkpoint key ${file} (key id ${id}) is NOT the key of the latest checkpoint (number ${latest.number}, key id ` +
        `${latest.keyId}): the key and the database come from different backups or sites`,
    );
    process.exitCode = 1;
  }
} finally {
  await handle.close();
}
