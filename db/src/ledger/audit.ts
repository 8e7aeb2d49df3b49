import { createHash } from 'node:crypto';
import { desc, eq, sql } from 'drizzle-orm';
import type { Tx } from '../client.ts';
import { auditLog } from '../schema/records.ts';

export interface AuditEntry {
  villageId: number;
  actor: string;
  action: string;
  entity: string;
  entityKey: string;
  importId?: number | undefined;
  reason?: string | undefined;
  details?: Record<string, unknown> | undefined;
}

/**
 * Appends to the village's audit log. Each entry's hash covers the previous entry's hash, so removing or
 * editing any entry (the table refuses it anyway) breaks every hash after it.
 */
export async function appendAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  // One writer per village at a time, so the chain never forks.
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_SPACE}, ${entry.villageId})`);
  const [last] = await tx
    .select({ hash: auditLog.hash })
    .from(auditLog)
    .where(eq(auditLog.villageId, entry.villageId))
    .orderBy(desc(auditLog.id))
    .limit(1);
  const at = new Date();
  const previousHash = last?.hash ?? null;
  const hash = auditHash(previousHash, at, entry);
  await tx.insert(auditLog).values({
    villageId: entry.villageId,
    at,
    actor: entry.actor,
    action: entry.action,
    entity: entry.entity,
    entityKey: entry.entityKey,
    importId: entry.importId ?? null,
    reason: entry.reason ?? null,
    details: entry.details ?? null,
    previousHash,
    hash,
  });
}
const AUDIT_LOCK_SPACE = 1;

export function auditHash(previousHash: string | null, at: Date, entry: AuditEntry): string {
  const canonical = JSON.stringify([
    previousHash,
    at.toISOString(),
    entry.villageId,
    entry.actor,
    entry.action,
    entry.entity,
    entry.entityKey,
    entry.importId ?? null,
    entry.reason ?? null,
    entry.details ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
