// The database itself enforces the ledger's rules, whatever code writes to it.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type DbHandle } from '@mingbai/db/client';
import { LedgerError } from '@mingbai/db/ledger/errors';
import { openPeriod } from '@mingbai/db/ledger/periods';
import { maskText } from '@mingbai/db/ledger/privacy';
import { postVouchers } from '@mingbai/db/ledger/post';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { openTestDb, sqlState } from '../support/db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await openTestDb();
});
afterAll(() => handle.close());

async function rowCount(table: string, villageId: number): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    handle.db,
    sql`select count(*)::int as n from ${sql.identifier(table)} where village_id = ${villageId}`,
  );
  return row!.n;
}

describe('double entry', () => {
  it('refuses an unbalanced voucher in code, with a coded Chinese error, and writes nothing', async () => {
    const village = await aVillage(handle.db);
    const attempt = aMonth(handle.db, village.id, 2025, 3, [
      aVoucher(1, '2025-03-02', '购买办公用品', debit('513', 10_000), credit('102', 9_999)),
    ]);
    await expect(attempt).rejects.toMatchObject({ code: 'VOUCHER_UNBALANCED' });
    await expect(attempt).rejects.toThrow(/借贷不平/);
    expect(await rowCount('vouchers', village.id)).toBe(0);
    expect(await rowCount('periods', village.id)).toBe(0);
  });

  it('refuses an unbalanced voucher in the database even when code is bypassed', async () => {
    const village = await aVillage(handle.db);
    const state = await sqlState(
      handle.db.transaction(async (tx) => {
        await openPeriod(tx, { villageId: village.id, year: 2025, month: 3, actor: 'test' });
        await postVouchers(tx, {
          villageId: village.id,
          year: 2025,
          month: 3,
          revision: 1,
          actor: 'test',
          vouchers: [aVoucher(1, '2025-03-02', '正常凭证', debit('513', 100), credit('102', 100))],
        });
        await tx.execute(sql`insert into voucher_lines (village_id, voucher_id, line_no, standard, account_code, side, amount_fen)
          select village_id, id, 3, '2023', '513', 'debit', 1 from vouchers where village_id = ${village.id}`);
      }),
    );
    expect(state).toBe('MBV01');
    expect(await rowCount('vouchers', village.id)).toBe(0);
  });

  it('refuses a voucher with no lines at commit', async () => {
    const village = await aVillage(handle.db);
    const state = await sqlState(
      handle.db.transaction(async (tx) => {
        await openPeriod(tx, { villageId: village.id, year: 2025, month: 3, actor: 'test' });
        await tx.execute(sql`insert into vouchers (village_id, year, month, revision, number, date, summary, summary_public, created_by)
          values (${village.id}, 2025, 3, 1, 1, '2025-03-02', '空凭证', '空凭证', 'test')`);
      }),
    );
    expect(state).toBe('MBV01');
  });

  it('refuses zero and negative amounts, and lines that are neither debit nor credit', async () => {
    const village = await aVillage(handle.db);
    await expect(
      aMonth(handle.db, village.id, 2025, 3, [aVoucher(1, '2025-03-02', '零金额', debit('513', 0), credit('102', 0))]),
    ).rejects.toMatchObject({ code: 'AMOUNT_NOT_POSITIVE' });
    for (const [side, amount] of [
      ['debit', 0],
      ['debit', -5],
      ['both', 5],
    ] as const) {
      const state = await sqlState(
        handle.db.transaction(async (tx) => {
          await openPeriod(tx, { villageId: village.id, year: 2025, month: 4, actor: 'test' });
          await postVouchers(tx, {
            villageId: village.id,
            year: 2025,
            month: 4,
            revision: 1,
            actor: 'test',
            vouchers: [aVoucher(1, '2025-04-02', '凭证', debit('513', 100), credit('102', 100))],
          });
          await tx.execute(sql`insert into voucher_lines (village_id, voucher_id, line_no, standard, account_code, side, amount_fen)
            select village_id, id, 3, '2023', '513', ${side}, ${amount} from vouchers where village_id = ${village.id}`);
        }),
      );
      expect(state, `${side} ${amount}`).toBe('23514'); // check_violation
    }
  });
});

describe('lines belong to a voucher and to the village’s chart (statement triggers of migration 0009)', () => {
  async function oneVoucher(villageId: number, tx: Parameters<Parameters<DbHandle['db']['transaction']>[0]>[0]) {
    await openPeriod(tx, { villageId, year: 2025, month: 3, actor: 'test' });
    await postVouchers(tx, {
      villageId,
      year: 2025,
      month: 3,
      revision: 1,
      actor: 'test',
      vouchers: [aVoucher(1, '2025-03-02', '正常凭证', debit('513', 100), credit('102', 100))],
    });
  }

  it('refuses balanced lines of a voucher that does not exist, or on an account the village does not have', async () => {
    const village = await aVillage(handle.db);
    const noVoucher = await sqlState(
      handle.db.transaction(async (tx) => {
        await oneVoucher(village.id, tx);
        await tx.execute(sql`insert into voucher_lines (village_id, voucher_id, line_no, standard, account_code, side, amount_fen)
          values (${village.id}, -1, 1, '2023', '513', 'debit', 5), (${village.id}, -1, 2, '2023', '102', 'credit', 5)`);
      }),
    );
    expect(noVoucher).toBe('23503'); // foreign_key_violation
    const noAccount = await sqlState(
      handle.db.transaction(async (tx) => {
        await oneVoucher(village.id, tx);
        await tx.execute(sql`insert into voucher_lines (village_id, voucher_id, line_no, standard, account_code, side, amount_fen)
          select village_id, id, 3, '2023', '51398', 'debit', 5 from vouchers where village_id = ${village.id}
          union all select village_id, id, 4, '2023', '102', 'credit', 5 from vouchers where village_id = ${village.id}`);
      }),
    );
    expect(noAccount).toBe('23503');
    expect(await rowCount('vouchers', village.id)).toBe(0);
  });

  it('deletes a voucher’s lines with it, and keeps an account in the chart while a line uses it', async () => {
    const village = await aVillage(handle.db);
    const state = await sqlState(
      handle.db.transaction(async (tx) => {
        await oneVoucher(village.id, tx);
        await tx.execute(sql`delete from village_accounts where village_id = ${village.id} and code = '513'`);
      }),
    );
    expect(state).toBe('23503');
    const left = await handle.db.transaction(async (tx) => {
      await oneVoucher(village.id, tx);
      await tx.execute(sql`delete from vouchers where village_id = ${village.id}`);
      const [row] = await queryRows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from voucher_lines where village_id = ${village.id}`,
      );
      return row!.n;
    });
    expect(left).toBe(0);
  });
});

describe('accounts are (standard, code)', () => {
  it('refuses a code the period’s chart does not have: 2023 has no 541', async () => {
    const village = await aVillage(handle.db);
    await expect(
      aMonth(handle.db, village.id, 2025, 3, [
        aVoucher(1, '2025-03-02', '管理费', debit('541', 100), credit('102', 100)),
      ]),
    ).rejects.toMatchObject({ code: 'ACCOUNT_UNKNOWN' });
  });

  it('accepts 541 管理费用 in a 2023 month, which keeps the 2004 chart', async () => {
    const village = await aVillage(handle.db);
    await aMonth(handle.db, village.id, 2023, 12, [
      aVoucher(1, '2023-12-02', '管理费', debit('541', 100), credit('102', 100)),
    ]);
    const [row] = await queryRows<{ standard: string }>(
      handle.db,
      sql`select standard from voucher_lines where village_id = ${village.id} and account_code = '541'`,
    );
    expect(row!.standard).toBe('2004');
  });

  it('needs a name the first time a sub-account is used', async () => {
    const village = await aVillage(handle.db);
    await expect(
      aMonth(handle.db, village.id, 2025, 3, [
        aVoucher(1, '2025-03-02', '办公费', debit('51399', 100), credit('102', 100)),
      ]),
    ).rejects.toMatchObject({ code: 'ACCOUNT_NAME_REQUIRED' });
  });
});

describe('periods', () => {
  it('never changes a published month: vouchers, lines and the period row are refused', async () => {
    const village = await aVillage(handle.db);
    await aMonth(handle.db, village.id, 2025, 5, [
      aVoucher(1, '2025-05-02', '电费', debit('513', 100), credit('102', 100)),
    ]);
    const attempts = [
      sql`update vouchers set summary = '改过' where village_id = ${village.id}`,
      sql`delete from vouchers where village_id = ${village.id}`,
      sql`update voucher_lines set amount_fen = 1 where village_id = ${village.id}`,
      sql`insert into vouchers (village_id, year, month, revision, number, date, summary, summary_public, created_by)
          values (${village.id}, 2025, 5, 1, 2, '2025-05-03', '补录', '补录', 'test')`,
      sql`update periods set digest = 'x' where village_id = ${village.id}`,
      sql`delete from periods where village_id = ${village.id}`,
    ];
    for (const attempt of attempts) {
      expect(await sqlState(handle.db.execute(attempt)), String(attempt.queryChunks[0])).toMatch(/^MB[IP]01$/);
    }
    const late = handle.db.transaction((tx) =>
      postVouchers(tx, {
        villageId: village.id,
        year: 2025,
        month: 5,
        revision: 1,
        actor: 'test',
        vouchers: [aVoucher(2, '2025-05-03', '补录', debit('513', 1), credit('102', 1))],
      }),
    );
    await expect(late).rejects.toBeInstanceOf(LedgerError);
    await expect(late).rejects.toMatchObject({ code: 'PERIOD_NOT_OPEN' });
  });

  it('corrects a published month only through a new revision with a reason; the old one stays readable', async () => {
    const village = await aVillage(handle.db);
    await aMonth(
      handle.db,
      village.id,
      2025,
      6,
      [aVoucher(1, '2025-06-02', '电费', debit('513', 185_000), credit('102', 185_000))],
      {
        opening: [
          { accountCode: '102', balanceFen: 1_000_000n },
          { accountCode: '301', balanceFen: -1_000_000n },
        ],
      },
    );
    await expect(
      handle.db.transaction((tx) => openPeriod(tx, { villageId: village.id, year: 2025, month: 6, actor: 'test' })),
    ).rejects.toMatchObject({ code: 'REASON_REQUIRED' });
    const { revision } = await handle.db.transaction((tx) =>
      openPeriod(tx, {
        villageId: village.id,
        year: 2025,
        month: 6,
        actor: 'test',
        reason: ' 金额录入错误，经办人电话13812345678，身份证110101199003077777 ',
      }),
    );
    expect(revision).toBe(2);
    // The reason is public (month page, statements.csv, digest): stored with its personal data masked.
    const [stored] = await queryRows<{ reason: string }>(
      handle.db,
      sql`select reason from periods where village_id = ${village.id} and year = 2025 and month = 6 and revision = 2`,
    );
    expect(stored!.reason).toBe(maskText('金额录入错误，经办人电话13812345678，身份证110101199003077777'));
    expect(stored!.reason).toMatch(/^金额录入错误，经办人电话138\*{4}5678，身份证/);
    expect(stored!.reason).not.toMatch(/13812345678|110101199003077777/);
    const counts = await queryRows<{ revision: number; n: number }>(
      handle.db,
      sql`select revision, count(*)::int as n from vouchers where village_id = ${village.id} group by revision order by revision`,
    );
    expect(counts).toEqual([
      { revision: 1, n: 1 },
      { revision: 2, n: 1 },
    ]);
  });

  it('refuses to publish a month before the month ahead of it is published', async () => {
    const village = await aVillage(handle.db);
    await aMonth(handle.db, village.id, 2025, 1, [
      aVoucher(1, '2025-01-02', '电费', debit('513', 100), credit('102', 100)),
    ]);
    await expect(
      aMonth(handle.db, village.id, 2025, 3, [
        aVoucher(1, '2025-03-02', '电费', debit('513', 100), credit('102', 100)),
      ]),
    ).rejects.toMatchObject({ code: 'PERIOD_OUT_OF_ORDER' });
  });

  it('refuses a voucher dated outside its month', async () => {
    const village = await aVillage(handle.db);
    await expect(
      aMonth(handle.db, village.id, 2025, 3, [
        aVoucher(1, '2025-04-01', '电费', debit('513', 100), credit('102', 100)),
      ]),
    ).rejects.toMatchObject({ code: 'DATE_OUTSIDE_PERIOD' });
  });
});

describe('accountability', () => {
  it('records every write in an append-only, hash-chained audit log', async () => {
    const village = await aVillage(handle.db);
    await aMonth(handle.db, village.id, 2025, 7, [
      aVoucher(1, '2025-07-02', '电费', debit('513', 100), credit('102', 100)),
    ]);
    const entries = await queryRows<{ action: string; actor: string; previous_hash: string | null; hash: string }>(
      handle.db,
      sql`select action, actor, previous_hash, hash from audit_log where village_id = ${village.id} order by id`,
    );
    expect(entries.map((e) => e.action)).toEqual(['period.open', 'vouchers.post', 'period.publish']);
    expect(entries.at(-1)!.actor).toBe('test-director');
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.previous_hash).toBe(entries[i - 1]!.hash);
    expect(
      await sqlState(handle.db.execute(sql`update audit_log set actor = 'x' where village_id = ${village.id}`)),
    ).toBe('MBI01');
    expect(await sqlState(handle.db.execute(sql`delete from audit_log where village_id = ${village.id}`))).toBe(
      'MBI01',
    );
  });
});
