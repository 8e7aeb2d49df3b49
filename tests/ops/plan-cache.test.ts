// Generic plans (issue 19): every connection of ours starts with plan_cache_mode = force_generic_plan, since
// PostgreSQL, left to choose, planned the month page's statement afresh on every request (db/src/client.ts,
// DEFAULT_PLAN_CACHE_MODE). The API's setting takes only PostgreSQL's three values, with a clear error otherwise.
import { PgDialect } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, inject, it } from 'vitest';
import { ConfigError, readConfig } from '@mingbai/api/config';
import { statementBundleSql } from '@mingbai/api/statements/statement.sql';
import { DEFAULT_PLAN_CACHE_MODE, openDb, queryRows, type DbHandle } from '@mingbai/db/client';

const databaseUrl = inject('databaseUrl');

async function planCacheMode(handle: DbHandle): Promise<string | undefined> {
  const [row] = await queryRows<{ plan_cache_mode: string }>(handle.db, sql`show plan_cache_mode`);
  return row?.plan_cache_mode;
}

describe('MINGBAI_PG_PLAN_CACHE_MODE', () => {
  it('takes force_generic_plan, auto or force_custom_plan, and nothing else', () => {
    expect(readConfig({}).planCacheMode).toBeUndefined();
    for (const mode of ['force_generic_plan', 'auto', 'force_custom_plan']) {
      expect(readConfig({ MINGBAI_PG_PLAN_CACHE_MODE: mode }).planCacheMode).toBe(mode);
    }
    for (const bad of ['generic', 'AUTO', 'force_generic_plan; drop table villages']) {
      expect(() => readConfig({ MINGBAI_PG_PLAN_CACHE_MODE: bad }), bad).toThrow(ConfigError);
    }
  });
});

describe.skipIf(!databaseUrl)('plan_cache_mode on PostgreSQL', () => {
  it('is force_generic_plan on every connection unless the handle is told otherwise, auto in transactions', async () => {
    expect(DEFAULT_PLAN_CACHE_MODE).toBe('force_generic_plan');
    const handle = await openDb({ databaseUrl: databaseUrl!, poolSize: 2 });
    const auto = await openDb({ databaseUrl: databaseUrl!, poolSize: 2, planCacheMode: 'auto' });
    try {
      // Two at once, so both connections of each pool answer.
      const modes = await Promise.all([planCacheMode(handle), planCacheMode(handle)]);
      expect(modes).toEqual(['force_generic_plan', 'force_generic_plan']);
      expect(await planCacheMode(auto)).toBe('auto');
      // Transactions (the writes) let PostgreSQL choose again, and only for themselves.
      const inside = await handle.db.transaction(async (tx) => {
        const [row] = await queryRows<{ plan_cache_mode: string }>(tx, sql`show plan_cache_mode`);
        return row?.plan_cache_mode;
      });
      expect(inside).toBe('auto');
      expect(await planCacheMode(handle)).toBe('force_generic_plan');
    } finally {
      await handle.close();
      await auto.close();
    }
  });

  it('makes the month page statement plan once per connection, where auto plans it afresh', async () => {
    // The month page's bundle for a demo month, as a named statement run 8 times on one connection in each mode.
    const [month] = await queryRowsOnce<{ village_id: number; year: number; month: number }>(
      `select village_id, year, month from periods where status = 'published' order by village_id, year, month
        limit 1`,
    );
    const key = { villageId: month!.village_id, year: month!.year, month: month!.month };
    const { sql: text, params } = new PgDialect().sqlToQuery(statementBundleSql([key], [key]));
    const plans: Record<string, { generic: number; custom: number }> = {};
    for (const mode of [DEFAULT_PLAN_CACHE_MODE, 'auto']) {
      const client = postgres(databaseUrl!, { max: 1, onnotice: () => {}, connection: { plan_cache_mode: mode } });
      try {
        for (let i = 0; i < 8; i++) await client.unsafe(text, params as never[], { prepare: true });
        const [row] = await client<{ generic: number; custom: number }[]>`
          select generic_plans::int as generic, custom_plans::int as custom from pg_prepared_statements
           where statement = ${text}`;
        plans[mode] = row!;
      } finally {
        await client.end();
      }
    }
    expect(plans[DEFAULT_PLAN_CACHE_MODE]).toEqual({ generic: 8, custom: 0 });
    // That one plan looks up each account's village name by key: it does not hash the whole chart table, whose size
    // grows with every village (what the generic plan did with a plain join: 2.7 of 4 ms on the district bench).
    const client = postgres(databaseUrl!, {
      max: 1,
      onnotice: () => {},
      connection: { plan_cache_mode: DEFAULT_PLAN_CACHE_MODE },
    });
    try {
      // Nested loops off: a plain join to the chart would now be hashed or merged even on the demo's small tables,
      // while a lookup by key for each rollup (a lateral subquery) has no other form.
      await client.unsafe('set enable_nestloop = off');
      await client.unsafe(`prepare bundle as ${text}`);
      const literal = (p: unknown) => (typeof p === 'number' ? String(p) : `'${String(p).replace(/'/g, "''")}'`);
      const plan = (await client.unsafe(`explain execute bundle(${params.map(literal).join(', ')})`))
        .map((r) => String(r['QUERY PLAN']))
        .join('\n');
      expect(plan).toContain('village_accounts');
      expect(plan, plan).not.toMatch(/(Hash|Merge) Cond: .*va\.village_id/);
    } finally {
      await client.end();
    }
    // Left to choose, PostgreSQL plans at least the first five executions afresh, and on the bench's data every one.
    expect(plans.auto!.custom).toBeGreaterThanOrEqual(5);
  });
});

async function queryRowsOnce<T>(text: string): Promise<T[]> {
  const client = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
  try {
    return (await client.unsafe(text)) as unknown as T[];
  } finally {
    await client.end();
  }
}
