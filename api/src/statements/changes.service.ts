import { sumFen } from '@mingbai/db/ledger/money';
import type { Db } from '@mingbai/db/client';
import type { DigestVoucher } from '@mingbai/db/ledger/digest';
import { publicLedger } from '@mingbai/db/ledger/publish';
import type { RevisionKey } from './statement.service.ts';

export interface VoucherChange {
  number: number;
  kind: 'added' | 'removed' | 'changed';
  before: DigestVoucher | undefined;
  after: DigestVoucher | undefined;
}

/**
 * What a correction changed: the vouchers of this revision against the one before, by number, as the public sees
 * them. Only revisions after the first have anything to compare.
 */
export async function revisionChanges(db: Db, key: RevisionKey): Promise<VoucherChange[]> {
  if (key.revision <= 1) return [];
  const [before, after] = await Promise.all([
    publicLedger(db, { ...key, revision: key.revision - 1 }),
    publicLedger(db, key),
  ]);
  const old = new Map(before.map((v) => [v.number, v]));
  const now = new Map(after.map((v) => [v.number, v]));
  const numbers = [...new Set([...old.keys(), ...now.keys()])].sort((a, b) => a - b);
  const changes: VoucherChange[] = [];
  for (const number of numbers) {
    const b = old.get(number);
    const a = now.get(number);
    if (!b) changes.push({ number, kind: 'added', before: undefined, after: a });
    else if (!a) changes.push({ number, kind: 'removed', before: b, after: undefined });
    else if (fingerprint(a) !== fingerprint(b)) changes.push({ number, kind: 'changed', before: b, after: a });
  }
  return changes;
}

function fingerprint(v: DigestVoucher): string {
  return JSON.stringify(v, (_, value) => (typeof value === 'bigint' ? value.toString() : value));
}

export function voucherTotalFen(v: DigestVoucher): bigint {
  return sumFen(v.lines.flatMap((l) => (l.side === 'debit' ? [l.amountFen] : [])));
}
