import { sql } from 'drizzle-orm';
import { check, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * Keys for third parties of the public API (journalists, researchers, civic apps): a higher rate limit than
 * anonymous clients and a contact for when something goes wrong. Issued and revoked by the operator with the CLI;
 * only the SHA-256 of the key is stored, so the key is shown once.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    name: text('name').notNull(),
    contact: text('contact').notNull(),
    keyHash: text('key_hash').notNull(),
    /** The key's first characters, so an operator can tell keys apart without the secret. */
    keyPrefix: text('key_prefix').notNull(),
    /** Points per hour; null takes the server's default for API keys. */
    pointsPerHour: integer('points_per_hour'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: text('created_by').notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('api_keys_key_hash_key').on(t.keyHash),
    check('api_keys_name_present', sql`length(btrim(${t.name})) > 0`),
    check('api_keys_points_positive', sql`${t.pointsPerHour} is null or ${t.pointsPerHour} > 0`),
  ],
);
