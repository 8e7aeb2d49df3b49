// A month still running cannot be uploaded or published: 2026-12 was once published on 6 December. "Ended" means
// ended in China (Asia/Shanghai, UTC+8), at the instant asked, whatever the server's own time zone.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import {
  assertMonthEnded,
  monthEndsAt,
  monthHasEnded,
  openPeriod,
  changeReviewStatus,
} from '@mingbai/db/ledger/periods';
import { postVouchers } from '@mingbai/db/ledger/post';
import { publishPeriod } from '@mingbai/db/ledger/publish';
import { LedgerError } from '@mingbai/db/ledger/errors';
import { useTestApi, type GraphQLResponse } from '../support/api.ts';
import { aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { reviewOverApi } from '../support/review.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestApi();

function code(res: GraphQLResponse): string {
  return res.errors?.length ? String(res.errors[0]!.extensions?.code) : 'ok';
}

/** The month after the one running now in Beijing: whenever the test runs, it has not ended. */
function nextMonthInChina(): { year: number; month: number } {
  const beijing = new Date(Date.now() + 8 * 3600_000);
  const [y, m] = [beijing.getUTCFullYear(), beijing.getUTCMonth() + 1];
  return m === 12 ? { year: y + 1, month: 1 } : { year: y, month: m + 1 };
}

describe('monthHasEnded', () => {
  it('ends a month at midnight Beijing time, which is 16:00 UTC the day before', () => {
    expect(monthEndsAt(2026, 12).toISOString()).toBe('2026-12-31T16:00:00.000Z');
    expect(monthEndsAt(2024, 2).toISOString()).toBe('2024-02-29T16:00:00.000Z');
    expect(monthHasEnded(2026, 12, new Date('2026-12-31T15:59:59.999Z'))).toBe(false);
    expect(monthHasEnded(2026, 12, new Date('2026-12-31T16:00:00.000Z'))).toBe(true);
    // 6 December 2026, the day 2026-12 was published: not ended; 2026-11 has.
    const sixth = new Date('2026-12-06T10:00:00+08:00');
    expect(monthHasEnded(2026, 12, sixth)).toBe(false);
    expect(monthHasEnded(2026, 11, sixth)).toBe(true);
    // 30 November 20:00 UTC is already 1 December in Beijing: November is over there, though not in UTC.
    expect(monthHasEnded(2026, 11, new Date('2026-11-30T20:00:00Z'))).toBe(true);
  });

  it('refuses with MONTH_NOT_ENDED and a Chinese message that says when', () => {
    let error: unknown;
    try {
      assertMonthEnded({ year: 2026, month: 12 }, new Date('2026-12-06T02:00:00Z'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LedgerError);
    expect((error as LedgerError).code).toBe('MONTH_NOT_ENDED');
    expect((error as LedgerError).message).toMatch(/2026年12月还没有结束.*2027年1月1日/);
    expect((error as LedgerError).details).toMatchObject({ endsAt: '2026-12-31T16:00:00.000Z' });
  });
});

describe('a month that has not ended', () => {
  const IMPORT = `mutation ($v: String!, $c: String!, $y: Int, $m: Int, $dry: Boolean!) {
    importLedger(villageSlug: $v, filename: "early.csv", contentBase64: $c, year: $y, month: $m, dryRun: $dry) { status }
  }`;

  function csv(ym: { year: number; month: number }): string {
    const d = `${ym.year}-${String(ym.month).padStart(2, '0')}-01`;
    return [
      '凭证号,日期,摘要,科目编码,科目名称,借方金额,贷方金额,收付款人',
      `1,${d},电费,513,,10.00,,`,
      `1,${d},电费,102,,,10.00,`,
    ].join('\n');
  }

  it('cannot be imported, named or taken from the file, and nothing is written', async () => {
    const village = await aVillage(t.handle.db);
    const accountant = t.api.as(
      await t.api.login(await aUser(t.handle.db, ['accountant', village.slug]), TEST_PASSWORD),
    );
    const next = nextMonthInChina();
    const c = Buffer.from(csv(next)).toString('base64');

    const named = await accountant(IMPORT, { v: village.slug, c, y: next.year, m: next.month, dry: true });
    const fromFile = await accountant(IMPORT, { v: village.slug, c, dry: false });

    expect(code(named)).toBe('MONTH_NOT_ENDED');
    expect(named.errors![0]!.message).toMatch(/还没有结束/);
    expect(code(fromFile)).toBe('MONTH_NOT_ENDED');
    // Nothing opened, nothing kept.
    const [left] = await queryRows<{ n: number }>(
      t.handle.db,
      sql`select (select count(*) from periods where village_id = ${village.id})
               + (select count(*) from imported_files where village_id = ${village.id}) as n`,
    );
    expect(Number(left!.n)).toBe(0);
  });

  it('cannot be published, even when it was opened and submitted (by a clock that lied)', async () => {
    const village = await aVillage(t.handle.db);
    const next = nextMonthInChina();
    const key = { villageId: village.id, ...next };
    const date = `${next.year}-${String(next.month).padStart(2, '0')}-02`;
    // Setup: a month opened as if it were already over (the clock is a parameter of the rule).
    const later = new Date(monthEndsAt(next.year, next.month).getTime() + 1);
    await t.handle.db.transaction(async (tx) => {
      const { revision } = await openPeriod(tx, { ...key, actor: 'accountant', now: later });
      await postVouchers(tx, {
        ...key,
        revision,
        actor: 'accountant',
        vouchers: [aVoucher(1, date, '电费', debit('513', 1_000), credit('102', 1_000))],
      });
      await changeReviewStatus(tx, { ...key, actor: 'accountant', to: 'submitted' });
    });
    const director = t.api.as(await t.api.login(await aUser(t.handle.db, ['director', village.slug]), TEST_PASSWORD));
    // The review is done, so only the calendar stands in the way.
    await reviewOverApi(t, { villageSlug: village.slug, ...next });

    const res = await director(
      `mutation ($v: String!, $y: Int!, $m: Int!) { publishMonth(villageSlug: $v, year: $y, month: $m) { revision } }`,
      { v: village.slug, y: next.year, m: next.month },
    );

    expect(code(res)).toBe('MONTH_NOT_ENDED');
    // The ledger's own publish refuses too, so no other path (CLI, loaders) can do it either.
    await expect(
      t.handle.db.transaction((tx) => publishPeriod(tx, { ...key, actor: 'someone-else' })),
    ).rejects.toMatchObject({ code: 'MONTH_NOT_ENDED' });
    // And once the month is over, the same call goes through.
    const published = await t.handle.db.transaction((tx) =>
      publishPeriod(tx, { ...key, actor: 'someone-else', now: later }),
    );
    expect(published.revision).toBe(1);
  });
});
