import { sql } from 'drizzle-orm';
import { check, foreignKey, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { regions, villages } from './regions.ts';

export const USER_ROLES = ['accountant', 'director', 'supervisor', 'township_admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** People who sign in: committee members, supervisors, township staff. Reference data (not per village). */
export const users = pgTable(
  'users',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    /** argon2id, PHC string format. */
    passwordHash: text('password_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Sessions and tokens issued before this instant are no longer valid. */
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }).notNull().defaultNow(),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('users_username_key').on(t.username),
    check('users_username_format', sql`${t.username} ~ '^[a-z0-9][a-z0-9._-]{1,39}$'`),
  ],
);

/** Roles that can put a month's books in or make them public: granting one takes a second person (see below). */
export const CONFIRMED_ROLES: readonly UserRole[] = ['accountant', 'director'];

/**
 * What a user may do, and where: a village role (accountant, director, supervisor: one row per village) or a
 * township admin over a region. A role that can upload or publish gives no power until a second admin, not the one
 * who granted it, confirms it (`confirmed_at`); other roles are confirmed when granted.
 */
export const userRoles = pgTable(
  'user_roles',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    userId: integer('user_id').notNull(),
    role: text('role', { enum: USER_ROLES }).notNull(),
    villageId: integer('village_id'),
    regionId: integer('region_id'),
    /** Who granted the role: an admin's username, `operator` (the CLI) or `demo-seed`. */
    grantedBy: text('granted_by').notNull().default('operator'),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
    /** The second admin who confirmed it; `bootstrap` for the demo seed and grants made before the rule. */
    confirmedBy: text('confirmed_by'),
    /** Null while the grant waits for its second person: the role gives no power until then. */
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  },
  (t) => [
    foreignKey({ name: 'user_roles_user_fk', columns: [t.userId], foreignColumns: [users.id] }).onDelete('cascade'),
    foreignKey({ name: 'user_roles_village_fk', columns: [t.villageId], foreignColumns: [villages.id] }).onDelete(
      'restrict',
    ),
    foreignKey({ name: 'user_roles_region_fk', columns: [t.regionId], foreignColumns: [regions.id] }).onDelete(
      'restrict',
    ),
    uniqueIndex('user_roles_assignment_key').on(t.userId, t.role, t.villageId, t.regionId),
    index('user_roles_village_idx').on(t.villageId),
    check('user_roles_second_person', sql`${t.confirmedBy} is null or ${t.confirmedBy} <> ${t.grantedBy}`),
    check('user_roles_role_valid', sql`${t.role} in ('accountant', 'director', 'supervisor', 'township_admin')`),
    check(
      'user_roles_scope',
      sql`case when ${t.role} = 'township_admin' then ${t.regionId} is not null and ${t.villageId} is null
               else ${t.villageId} is not null and ${t.regionId} is null end`,
    ),
  ],
);

export const SESSION_KINDS = ['session', 'api_token'] as const;

/** Portal sessions and API bearer tokens. Only the SHA-256 of the secret is stored. */
export const sessions = pgTable(
  'sessions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    userId: integer('user_id').notNull(),
    kind: text('kind', { enum: SESSION_KINDS }).notNull(),
    tokenHash: text('token_hash').notNull(),
    label: text('label'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    foreignKey({ name: 'sessions_user_fk', columns: [t.userId], foreignColumns: [users.id] }).onDelete('cascade'),
    uniqueIndex('sessions_token_hash_key').on(t.tokenHash),
    index('sessions_user_idx').on(t.userId),
    check('sessions_kind_valid', sql`${t.kind} in ('session', 'api_token')`),
  ],
);
