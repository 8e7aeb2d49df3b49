/** Which signed checkpoint covers a published revision (db/src/ledger/checkpoints.ts does the search). */
import type { DbOrTx } from '@mingbai/db/client';
import { chainPosition, firstCheckpointCovering } from '@mingbai/db/ledger/checkpoints';
import type { SignedCheckpoint } from './checkpoint.type.ts';

/**
 * The FIRST checkpoint whose tree holds the village's chain at a length ≥ the revision's position: the one a sheet
 * printed at the time named, and still the one named years later. Null when no checkpoint covers it yet.
 */
export async function coveringCheckpoint(
  db: DbOrTx,
  revision: { villageId: number; year: number; month: number; revision: number },
): Promise<SignedCheckpoint | null> {
  const at = await chainPosition(db, revision);
  if (!at) return null;
  const cp = await firstCheckpointCovering(db, at.code, at.chainSeq);
  if (!cp) return null;
  const { leaf, ...head } = cp;
  return { ...head, chainLength: leaf.length, chainHead: leaf.head };
}
