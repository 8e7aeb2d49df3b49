// Migration 0019: a voucher's period (was the foreign key vouchers_period_fk, checked per row) is checked once per
// statement. The same rows are refused with the same SQLSTATEs on both engines, and nothing of the refused
// transaction stays.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type DbHandle } from '@mingbai/db/client';
import { openPeriod } from '@mingbai/db/ledger/periods';
import { postVouchers } from '@mingbai/db/ledger/post';
import { aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { openTestDb, sqlState } from '../support/db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await openTestDb();
});
afterAll(() => handle.close());

async function count(table: 'vouchers' | 'periods' | 'voucher_lines', villageId: number): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    handle.db,
    sql`select count(*)::int as n from ${sql.identifier(table)} where village_id = ${villageId}`,
  );
  return row!.n;
}

/** One voucher into a month, bypassing the code's checks as any writer could. */
function insertVoucher(villageId: number, year: number, month: number) {
  const date = `${year}-${String(month).padStart(2, '0')}-02`;
  return sql`insert into vouchers (village_id, year, month, revision, number, date, summary, summary_public, created_by)
             values (${villageId}, ${year}, ${month}, 1, 1, ${date}, '凭证', '凭证', 'test')`;
}

describe('a voucher’s period, checked per statement (migration 0019)', () => {
  it('refuses a voucher into a month that was never opened (23503), and keeps nothing of it', async () => {
    const village = await aVillage(handle.db);
    const state = await sqlState(
      handle.db.transaction(async (tx) => {
        await openPeriod(tx, { villageId: village.id, year: 2025, month: 3, actor: 'test' });
        // 2025-03 is open; 2025-04 has no period at all.
        await tx.execute(insertVoucher(village.id, 2025, 4));
      }),
    );
    expect(state).toBe('23503');
    expect(await count('vouchers', village.id)).toBe(0);
    expect(await count('periods', village.id)).toBe(0);
  });

  it('refuses a voucher into a month submitted for review (MBP01)', async () => {
    const village = await aVillage(handle.db);
    await handle.db.transaction(async (tx) => {
      await openPeriod(tx, { villageId: village.id, year: 2025, month: 3, actor: 'test' });
      await tx.execute(
        sql`update periods set status = 'submitted' where village_id = ${village.id} and year = 2025 and month = 3`,
      );
    });
    const state = await sqlState(handle.db.execute(insertVoucher(village.id, 2025, 3)));
    expect(state).toBe('MBP01');
    expect(await count('vouchers', village.id)).toBe(0);
  });

  it('refuses to delete an open month that still has vouchers (23503, was ON DELETE RESTRICT)', async () => {
    const village = await aVillage(handle.db);
    await handle.db.transaction(async (tx) => {
      await openPeriod(tx, { villageId: village.id, year: 2025, month: 3, actor: 'test' });
      await postVouchers(tx, {
        villageId: village.id,
        year: 2025,
        month: 3,
        revision: 1,
        actor: 'test',
        vouchers: [aVoucher(1, '2025-03-02', '凭证', debit('513', 100), credit('102', 100))],
      });
    });
    const state = await sqlState(
      handle.db.execute(sql`delete from periods where village_id = ${village.id} and year = 2025 and month = 3`),
    );
    expect(state).toBe('23503');
    const moved = await sqlState(
      handle.db.execute(
        sql`update periods set month = 4 where village_id = ${village.id} and year = 2025 and month = 3`,
      ),
    );
    expect(moved).toBe('23503');
    expect(await count('periods', village.id)).toBe(1);
    expect(await count('vouchers', village.id)).toBe(1);
    expect(await count('voucher_lines', village.id)).toBe(2);
  });
});
