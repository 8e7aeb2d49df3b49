import { sql } from 'drizzle-orm';
import { check, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * Signed checkpoints (issue 17, db/src/ledger/checkpoints.ts): after each publish and on the API's timer, every
 * village's chain head as an RFC 6962 Merkle tree, its root signed with the server's Ed25519 key. Append-only: a
 * number, once served at /data/checkpoints/{N}.json, never changes, and mirrors keep copies to prove it.
 */
export const checkpoints = pgTable(
  'checkpoints',
  {
    /** N: 1, 2, 3… */
    number: integer('number').primaryKey(),
    /** When it was signed, as the signed text says it (ISO 8601 UTC with milliseconds). */
    timestamp: text('timestamp').notNull(),
    treeSize: integer('tree_size').notNull(),
    /** RFC 6962 root over the leaves, 64 hex. */
    root: text('root').notNull(),
    /** [{code, slug, length, head}] in village-code order: the leaves, as signed (through the root). */
    leaves: jsonb('leaves').notNull(),
    /** Ed25519 over the checkpoint text, base64. */
    signature: text('signature').notNull(),
    /** First 16 hex of SHA-256 over the raw public key. */
    keyId: text('key_id').notNull(),
  },
  (t) => [
    check('checkpoints_number_positive', sql`${t.number} > 0`),
    check('checkpoints_root_hex', sql`${t.root} ~ '^[0-9a-f]{64}$'`),
    check(
      'checkpoints_timestamp_iso',
      sql`${t.timestamp} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$'`,
    ),
  ],
);
