import { createHash } from 'node:crypto';
import { asc, desc, eq, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../client.ts';
import { auditLog, systemAuditLog } from '../schema/records.ts';

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
export async function appendAudit(tx: Tx, written: AuditEntry): Promise<void> {
  const entry = storable(written);
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

/**
 * The entry as PostgreSQL will store it, so that the hash covers the stored text and the chain verifies from the
 * rows: text cannot hold a lone surrogate (the driver writes U+FFFD) nor NUL (refused), and a sign-in typed by
 * anyone may carry either.
 */
function storable<T>(value: T): T {
  if (typeof value === 'string') {
    return value
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
      .replaceAll('\u0000', '\uFFFD') as T;
  }
  if (Array.isArray(value)) return value.map(storable) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storable(v)])) as T;
  }
  return value;
}
const SYSTEM_AUDIT_LOCK_SPACE = 2;

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
    sortedKeys(entry.details ?? null),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export interface SystemAuditEntry {
  /** Who did it: a username, or the operator behind the CLI. */
  actor: string;
  action: string;
  entity: string;
  entityKey: string;
  details?: Record<string, unknown> | undefined;
}

/**
 * Appends to the system audit log: what happens outside any one village (accounts, passwords, sign-ins, API keys).
 * One chain for the whole system, hashed like a village's.
 */
export async function appendSystemAudit(tx: Tx, written: SystemAuditEntry): Promise<void> {
  const entry = storable(written);
  await tx.execute(sql`select pg_advisory_xact_lock(${SYSTEM_AUDIT_LOCK_SPACE}, 0)`);
  const [last] = await tx
    .select({ hash: systemAuditLog.hash })
    .from(systemAuditLog)
    .orderBy(desc(systemAuditLog.id))
    .limit(1);
  const at = new Date();
  const previousHash = last?.hash ?? null;
  await tx.insert(systemAuditLog).values({
    at,
    actor: entry.actor,
    action: entry.action,
    entity: entry.entity,
    entityKey: entry.entityKey,
    details: entry.details ?? null,
    previousHash,
    hash: systemAuditHash(previousHash, at, entry),
  });
}

export function systemAuditHash(previousHash: string | null, at: Date, entry: SystemAuditEntry): string {
  const canonical = JSON.stringify([
    previousHash,
    at.toISOString(),
    entry.actor,
    entry.action,
    entry.entity,
    entry.entityKey,
    sortedKeys(entry.details ?? null),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export interface AuditChainReport {
  ok: boolean;
  checked: number;
  /** The first entry whose hash or link does not match, when one does not. */
  brokenAt: number | null;
}

/** Recomputes a village's audit chain (or, for `'system'`, the system's) from the rows as stored now. */
export async function verifyAuditChain(db: DbOrTx, scope: number | 'system'): Promise<AuditChainReport> {
  const rows =
    scope === 'system'
      ? (await db.select().from(systemAuditLog).orderBy(asc(systemAuditLog.id))).map((r) => ({
          ...r,
          hashOf: (previous: string | null) =>
            systemAuditHash(previous, r.at, { ...r, details: r.details ?? undefined }),
        }))
      : (await db.select().from(auditLog).where(eq(auditLog.villageId, scope)).orderBy(asc(auditLog.id))).map((r) => ({
          ...r,
          hashOf: (previous: string | null) =>
            auditHash(previous, r.at, {
              ...r,
              importId: r.importId ?? undefined,
              reason: r.reason ?? undefined,
              details: r.details ?? undefined,
            }),
        }));
  let previous: string | null = null;
  for (const row of rows) {
    if (row.previousHash !== previous || row.hashOf(previous) !== row.hash) {
      return { ok: false, checked: rows.length, brokenAt: row.id };
    }
    previous = row.hash;
  }
  return { ok: true, checked: rows.length, brokenAt: null };
}

/**
 * The value with every object's keys sorted: jsonb stores keys in its own order, so a hash must not depend on the
 * order they were written in, or a chain could not be checked from the stored rows.
 */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
