import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  customType,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { villages } from './regions.ts';

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });

/** Every uploaded file, byte for byte. The same bytes twice (same SHA-256) are one file. */
export const importedFiles = pgTable(
  'imported_files',
  {
    villageId: integer('village_id').notNull(),
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity(),
    sha256: text('sha256').notNull(),
    content: bytea('content').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    filename: text('filename').notNull(),
    mediaType: text('media_type'),
    uploadedBy: text('uploaded_by').notNull(),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'imported_files_pkey', columns: [t.villageId, t.id] }),
    foreignKey({ name: 'imported_files_village_fk', columns: [t.villageId], foreignColumns: [villages.id] }).onDelete(
      'restrict',
    ),
    uniqueIndex('imported_files_sha256_key').on(t.villageId, t.sha256),
    check('imported_files_sha256_format', sql`${t.sha256} ~ '^[0-9a-f]{64}$'`),
    check('imported_files_size_matches', sql`${t.sizeBytes} = octet_length(${t.content})`),
  ],
);

/** Append-only (triggers refuse UPDATE and DELETE) and hash-chained per village. */
export const auditLog = pgTable(
  'audit_log',
  {
    villageId: integer('village_id').notNull(),
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityKey: text('entity_key').notNull(),
    importId: bigint('import_id', { mode: 'number' }),
    reason: text('reason'),
    details: jsonb('details').$type<Record<string, unknown>>(),
    previousHash: text('previous_hash'),
    hash: text('hash').notNull(),
  },
  (t) => [
    primaryKey({ name: 'audit_log_pkey', columns: [t.villageId, t.id] }),
    foreignKey({ name: 'audit_log_village_fk', columns: [t.villageId], foreignColumns: [villages.id] }).onDelete(
      'restrict',
    ),
    index('audit_log_entity_idx').on(t.villageId, t.entity, t.entityKey),
  ],
);

/**
 * What happens outside any one village: accounts created, passwords reset or changed, sign-ins and sign-outs, API
 * keys issued and revoked. Append-only (triggers refuse UPDATE, DELETE and TRUNCATE) and hash-chained like
 * audit_log, in one chain; a reference table when the village tables are sharded.
 */
export const systemAuditLog = pgTable(
  'system_audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityKey: text('entity_key').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>(),
    previousHash: text('previous_hash'),
    hash: text('hash').notNull(),
  },
  (t) => [index('system_audit_log_entity_idx').on(t.entity, t.entityKey)],
);
