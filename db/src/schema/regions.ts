import { sql } from 'drizzle-orm';
import { check, foreignKey, index, integer, pgTable, smallint, text, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * 区划 above the village: 市 → 区 → 镇/街道. Reference data, small, replicated to every shard on Citus.
 * `code` is the 12-digit 统计用区划代码; `slug` is the public URL name and never changes.
 */
export const regions = pgTable(
  'regions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    parentId: integer('parent_id'),
    level: text('level', { enum: ['city', 'district', 'town'] }).notNull(),
    code: text('code').notNull(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    /**
     * Days the committee has to answer a villager's question, set by a district or town for itself (a town's wins
     * over its district's; neither: MINGBAI_QUESTION_DUE_DAYS, default 10). A change applies to questions asked after.
     */
    questionDueDays: smallint('question_due_days'),
  },
  (t) => [
    foreignKey({ name: 'regions_parent_fk', columns: [t.parentId], foreignColumns: [t.id] }).onDelete('restrict'),
    uniqueIndex('regions_code_key').on(t.code),
    uniqueIndex('regions_slug_key').on(t.slug),
    index('regions_parent_idx').on(t.parentId),
    check('regions_code_format', sql`${t.code} ~ '^[0-9]{12}$'`),
    check('regions_slug_format', sql`${t.slug} ~ '^[a-z0-9]+(-[a-z0-9]+)*$'`),
    check('regions_level_valid', sql`${t.level} in ('city', 'district', 'town')`),
    check('regions_city_is_root', sql`(${t.level} = 'city') = (${t.parentId} is null)`),
    check(
      'regions_question_due_days_range',
      sql`${t.questionDueDays} is null or ${t.questionDueDays} between 1 and 60`,
    ),
  ],
);

/** 村 or 社区: the unit that owns a ledger, and the distribution key of every ledger table. */
export const villages = pgTable(
  'villages',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    townId: integer('town_id').notNull(),
    kind: text('kind', { enum: ['village', 'community'] }).notNull(),
    code: text('code').notNull(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
  },
  (t) => [
    foreignKey({ name: 'villages_town_fk', columns: [t.townId], foreignColumns: [regions.id] }).onDelete('restrict'),
    uniqueIndex('villages_code_key').on(t.code),
    uniqueIndex('villages_slug_key').on(t.slug),
    index('villages_town_idx').on(t.townId),
    check('villages_code_format', sql`${t.code} ~ '^[0-9]{12}$'`),
    check('villages_kind_valid', sql`${t.kind} in ('village', 'community')`),
    check('villages_slug_format', sql`${t.slug} ~ '^[a-z0-9]+(-[a-z0-9]+)*$'`),
  ],
);
