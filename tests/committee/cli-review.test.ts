// The review from the operator's shell: `pnpm cli approve|return|answer` act as the named user with exactly their
// permissions (the same service as the GraphQL mutations), and `pnpm cli publish` waits for both, with codes.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { queryRows, type DbHandle } from '@mingbai/db/client';
import { changeReviewStatus, openPeriod } from '@mingbai/db/ledger/periods';
import { postVouchers } from '@mingbai/db/ledger/post';
import { aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { cli } from '../support/cli.ts';
import { openTestDb } from '../support/db.ts';
import { aUser } from '../support/users.ts';

describe('pnpm cli approve, return and answer', () => {
  const onServer = Boolean(inject('databaseUrl'));
  let handle: DbHandle | undefined;
  beforeAll(async () => {
    if (onServer) handle = await openTestDb();
  });
  afterAll(() => handle?.close());

  // PGlite serves one process: the CLI can only share the test's database on a PostgreSQL server.
  it.skipIf(!onServer)(
    'returns, approves and answers a submitted month, refuses the wrong people with codes, then lets it be published',
    async () => {
      // Setup: 2025-05, submitted, with a cash payment of ¥1,200 (CASH_OVER_LIMIT:2).
      const db = handle!.db;
      const village = await aVillage(db);
      const key = { villageId: village.id, year: 2025, month: 5 };
      const submit = () => db.transaction((tx) => changeReviewStatus(tx, { ...key, actor: 'test', to: 'submitted' }));
      await db.transaction(async (tx) => {
        const { revision } = await openPeriod(tx, { ...key, actor: 'test' });
        await postVouchers(tx, {
          ...key,
          revision,
          actor: 'test',
          vouchers: [
            aVoucher(1, '2025-05-02', '收到镇拨运转经费', debit('101', 500_000), credit('503', 500_000)),
            aVoucher(
              2,
              '2025-05-08',
              '支付张三劳务费',
              debit('51301', 120_000, { accountName: '劳务费' }),
              credit('101', 120_000, { paymentMethod: 'cash', counterparty: { name: '张三', isPerson: true } }),
            ),
          ],
        });
      });
      await submit();
      const supervisor = await aUser(db, ['supervisor', village.slug]);
      const accountant = await aUser(db, ['accountant', village.slug]);
      const director = await aUser(db, ['director', village.slug]);
      const month = ['--village', village.slug, '--month', '2025-05'];

      // Action and assertions: sent back with a reason, the month reopens; resubmitted, approved.
      const noReason = await cli('return', '--as', supervisor, ...month, '--reason', '  ');
      expect(noReason).toMatchObject({ failed: true, report: { ok: false, error: { code: 'BAD_USER_INPUT' } } });
      const returned = await cli('return', '--as', supervisor, ...month, '--reason', '第2号凭证缺少收据');
      expect(returned.report).toMatchObject({ ok: true, result: { decision: 'returned' } });
      const status = async () =>
        (
          await queryRows<{ status: string }>(
            db,
            sql`select status from periods where village_id = ${village.id} and year = 2025 and month = 5`,
          )
        )[0]!.status;
      expect(await status()).toBe('open');
      await submit();
      const byAccountant = await cli('approve', '--as', accountant, ...month);
      expect(byAccountant).toMatchObject({ failed: true, report: { ok: false, error: { code: 'FORBIDDEN' } } });
      const approved = await cli('approve', '--as', supervisor, ...month, '--note', '已核对');
      expect(approved.report).toMatchObject({ ok: true, result: { decision: 'approved' } });

      // Publishing waits for the answers; a supervisor cannot answer, an unknown flag is refused.
      const early = await cli('publish', '--as', director, ...month);
      expect(early).toMatchObject({ failed: true, report: { ok: false, error: { code: 'REVIEW_REQUIRED' } } });
      const bySupervisor = await cli(
        'answer',
        '--as',
        supervisor,
        ...month,
        '--flag',
        'CASH_OVER_LIMIT:2',
        '--body',
        'x',
      );
      expect(bySupervisor).toMatchObject({ failed: true, report: { error: { code: 'FORBIDDEN' } } });
      const unknown = await cli('answer', '--as', accountant, ...month, '--flag', 'CASH_OVER_LIMIT:9', '--body', 'x');
      expect(unknown).toMatchObject({ failed: true, report: { error: { code: 'FLAG_NOT_FOUND' } } });
      const flags = (early.report.error as { unanswered?: string[] }).unanswered ?? [];
      expect(flags).toContain('CASH_OVER_LIMIT:2');
      for (const flag of flags) {
        const answered = await cli('answer', '--as', accountant, ...month, '--flag', flag, '--body', '已附收据和签字');
        expect(answered.report).toMatchObject({ ok: true, result: { flagKey: flag } });
      }
      const published = await cli('publish', '--as', director, ...month);
      expect(published.report).toMatchObject({ ok: true });
      expect(await status()).toBe('published');
    },
    120_000,
  );
});
