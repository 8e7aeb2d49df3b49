import { randomBytes } from 'node:crypto';
import { desc, eq, isNull, and } from 'drizzle-orm';
import type { Db } from '@mingbai/db/client';
import { appendSystemAudit } from '@mingbai/db/ledger/audit';
import { apiKeys } from '@mingbai/db/schema/api-keys';
import { apiError } from '../errors.ts';
import { hashToken, OPERATOR } from './auth.service.ts';

/** API keys start with this, so the server tells them from committee session tokens without a lookup. */
export const API_KEY_PREFIX = 'mbk_';

/** The client behind a request that presented a valid API key. */
export interface ApiClient {
  keyId: number;
  name: string;
  /** Null: the server's default for keys. */
  pointsPerHour: number | null;
}

export interface IssuedApiKey {
  id: number;
  name: string;
  contact: string;
  keyPrefix: string;
  pointsPerHour: number | null;
  /** The secret itself: shown once, never stored. */
  key: string;
}

export function isApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

export async function createApiKey(
  db: Db,
  input: { name: string; contact: string; pointsPerHour?: number | undefined; createdBy: string },
): Promise<IssuedApiKey> {
  const name = input.name.trim();
  const contact = input.contact.trim();
  if (!name || name.length > 200)
    throw apiError('BAD_USER_INPUT', '名称不能为空，且不超过 200 字', { argument: 'name' });
  if (!contact || contact.length > 200) {
    throw apiError('BAD_USER_INPUT', '联系方式不能为空，且不超过 200 字', { argument: 'contact' });
  }
  const points = input.pointsPerHour;
  if (points !== undefined && (!Number.isSafeInteger(points) || points < 1 || points > 2_000_000_000)) {
    throw apiError('BAD_USER_INPUT', '每小时点数必须是正整数', { argument: 'pointsPerHour' });
  }
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const keyPrefix = key.slice(0, API_KEY_PREFIX.length + 6);
  const id = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({
        name,
        contact,
        keyHash: hashToken(key),
        keyPrefix,
        pointsPerHour: points ?? null,
        createdBy: input.createdBy,
      })
      .returning({ id: apiKeys.id });
    await appendSystemAudit(tx, {
      actor: input.createdBy,
      action: 'apikey.create',
      entity: 'api_key',
      entityKey: String(row!.id),
      details: { name, keyPrefix, pointsPerHour: points ?? null },
    });
    return row!.id;
  });
  return { id, name, contact, keyPrefix, pointsPerHour: points ?? null, key };
}

/** Revoking is immediate: the next request with the key is refused (401 INVALID_API_KEY). */
export async function revokeApiKey(
  db: Db,
  id: number,
  actor: string = OPERATOR,
): Promise<{ id: number; revokedAt: Date }> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id, revokedAt: apiKeys.revokedAt });
    if (!row?.revokedAt) throw apiError('NOT_FOUND', `没有编号为 ${id} 的有效 API 密钥`);
    await appendSystemAudit(tx, { actor, action: 'apikey.revoke', entity: 'api_key', entityKey: String(id) });
    return { id: row.id, revokedAt: row.revokedAt };
  });
}

export async function listApiKeys(db: Db) {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      contact: apiKeys.contact,
      keyPrefix: apiKeys.keyPrefix,
      pointsPerHour: apiKeys.pointsPerHour,
      createdAt: apiKeys.createdAt,
      createdBy: apiKeys.createdBy,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .orderBy(desc(apiKeys.id));
}

/** The client for a presented key, or null when it is unknown or revoked. */
export async function authenticateApiKey(db: Db, key: string): Promise<ApiClient | null> {
  const [row] = await db
    .select({ keyId: apiKeys.id, name: apiKeys.name, pointsPerHour: apiKeys.pointsPerHour })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hashToken(key)), isNull(apiKeys.revokedAt)));
  return row ?? null;
}
