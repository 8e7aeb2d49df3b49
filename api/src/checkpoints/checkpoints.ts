/**
 * Signed checkpoints in the API process (db/src/ledger/checkpoints.ts makes them): the key file, one checkpoint after
 * each publication (the API's and the CLI's after-commit hook) and a timer, so the state is signed at least daily
 * even if a hook failed. A checkpoint is never made twice for the same state: the ledger compares with the latest.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '@mingbai/db/client';
import { loadOrCreateCheckpointKey, makeCheckpoint, type CheckpointKey } from '@mingbai/db/ledger/checkpoints';

/** The repository's .data/checkpoint-ed25519.pem: the default when MINGBAI_CHECKPOINT_KEY_FILE is not set. */
export const DEFAULT_CHECKPOINT_KEY_FILE = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../.data/checkpoint-ed25519.pem',
);

let keyFile = DEFAULT_CHECKPOINT_KEY_FILE;
let key: CheckpointKey | undefined;

/** Sets the key file (api/src/main.ts from config, tests a scratch file) and forgets any key read before. */
export function useCheckpointKeyFile(file: string): void {
  keyFile = resolve(file);
  key = undefined;
}

/** The key pair, read (or made, mode 0600) on first use. */
export function checkpointKey(): CheckpointKey {
  key ??= loadOrCreateCheckpointKey(keyFile);
  return key;
}

/** After a publication commits: sign the new state. Failures are logged by publishMonth's hook runner. */
export async function checkpointAfterPublish(db: Db): Promise<void> {
  await makeCheckpoint(db, checkpointKey());
}

/** Checks every `hours` (default 1, so a day never passes unsigned) and at once; stop() ends it. */
export function startCheckpointTimer(db: Db, hours = 1): { stop(): void; first: Promise<void> } {
  const tick = async () => {
    try {
      const { checkpoint, made } = await makeCheckpoint(db, checkpointKey());
      if (made) console.log(`已签发检查点 ${checkpoint.number} / checkpoint ${checkpoint.number} signed`);
    } catch (error) {
      console.error('making a checkpoint failed', error);
    }
  };
  const first = tick();
  const timer = hours > 0 ? setInterval(() => void tick(), hours * 3_600_000) : undefined;
  timer?.unref();
  return { stop: () => clearInterval(timer), first };
}
