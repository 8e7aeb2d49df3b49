/**
 * Signed checkpoints in the API process (db/src/ledger/checkpoints.ts makes them): the key file, one checkpoint after
 * each publication (the API's and the CLI's after-commit hook) and an hourly timer, so every day (China time) has a
 * checkpoint, a new number re-signing the same tree when nothing was published, even if a hook failed. Within a day
 * the same state is never signed twice: the ledger compares with the latest.
 */
import { resolve } from 'node:path';
import { REPO_ROOT } from '@mingbai/db/repo-root';
import type { Db } from '@mingbai/db/client';
import { loadOrCreateCheckpointKey, makeCheckpoint, type CheckpointKey } from '@mingbai/db/ledger/checkpoints';

/** The repository's .data/checkpoint-ed25519.pem: the default when MINGBAI_CHECKPOINT_KEY_FILE is not set. */
export const DEFAULT_CHECKPOINT_KEY_FILE = resolve(REPO_ROOT, '.data/checkpoint-ed25519.pem');

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
export async function checkpointAfterPublish(db: Db, now: () => Date = () => new Date()): Promise<void> {
  await makeCheckpoint(db, checkpointKey(), now());
}

/**
 * Checks every `hours` (default 1: the first tick after midnight, China time, signs the day's checkpoint) and at once;
 * stop() ends it. `now` is the clock (tests inject one; the ledger decides by its day whether to sign again).
 */
export function startCheckpointTimer(
  db: Db,
  hours = 1,
  now: () => Date = () => new Date(),
): { stop(): void; first: Promise<void> } {
  const tick = async () => {
    try {
      const { checkpoint, made } = await makeCheckpoint(db, checkpointKey(), now());
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
