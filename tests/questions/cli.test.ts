// Villagers' questions from the operator's shell: `pnpm cli questions | answer-question | hide-question` act as the
// named user with exactly their permissions (the same services as the API), print JSON and fail with codes.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { queryRows, type DbHandle } from '@mingbai/db/client';
import { askerKeyOf, askQuestion } from '@mingbai/db/ledger/questions';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { cli } from '../support/cli.ts';
import { openTestDb } from '../support/db.ts';
import { aUser } from '../support/users.ts';

describe('pnpm cli questions, answer-question and hide-question', () => {
  const onServer = Boolean(inject('databaseUrl'));
  let handle: DbHandle | undefined;
  beforeAll(async () => {
    if (onServer) handle = await openTestDb();
  });
  afterAll(() => handle?.close());

  // PGlite serves one process: the CLI can only share the test's database on a PostgreSQL server. A dozen CLI
  // processes of ~3 s of CPU each to start: 47 s on a quiet CI machine, over 60 s under load.
  it.skipIf(!onServer)(
    'lists, answers and hides, and refuses the wrong people and bad input with codes',
    async () => {
      // Setup: a published month, an overdue question with a contact, and an open one.
      const db = handle!.db;
      const village = await aVillage(db, '命令行村');
      await aMonth(db, village.id, 2025, 6, [
        aVoucher(1, '2025-06-02', '收到镇拨运转经费', debit('102', 500_000), credit('503', 500_000)),
        aVoucher(
          2,
          '2025-06-12',
          '支付保洁费',
          debit('51301', 60_000, { accountName: '保洁费' }),
          credit('102', 60_000),
        ),
      ]);
      const base = {
        villageId: village.id,
        askerKey: askerKeyOf('198.51.100.60', 'cli-test'),
        defaultDueDays: 10,
        limits: { perAddressHour: 100, perVillageHour: 100 },
        year: 2025,
        month: 6,
      };
      const overdue = await db.transaction((tx) =>
        askQuestion(tx, {
          ...base,
          voucherNumber: 2,
          body: '保洁费付给了谁？',
          contact: '13912345678',
          now: new Date(Date.now() - 15 * 86_400_000),
        }),
      );
      const open = await db.transaction((tx) => askQuestion(tx, { ...base, body: '六月还有别的支出吗？' }));
      const tail = (q: { numberYear: number; seq: number }) => `${q.numberYear}-${String(q.seq).padStart(4, '0')}`;
      const accountant = await aUser(db, ['accountant', village.slug]);
      const supervisor = await aUser(db, ['supervisor', village.slug]);
      const stranger = await aUser(db, ['accountant', (await aVillage(db)).slug]);
      const at = ['--village', village.slug];

      // Action and assertions: the list, newest first, with statuses and the contact masked.
      const listed = await cli('questions', '--as', accountant, ...at);
      expect(listed.failed).toBe(false);
      const questions = listed.report.questions as { number: string; status: string; contact: string | null }[];
      expect(questions.map((q) => [q.number.split('-').slice(1).join('-'), q.status, q.contact])).toEqual([
        [tail(open), 'OPEN', null],
        [tail(overdue), 'OVERDUE', '139****5678'],
      ]);
      const onlyOverdue = await cli('questions', '--as', supervisor, ...at, '--status', 'overdue');
      expect((onlyOverdue.report.questions as unknown[]).length).toBe(1);
      expect(await cli('questions', '--as', accountant, ...at, '--status', 'LATE')).toMatchObject({
        failed: true,
        report: { ok: false, error: { code: 'BAD_USER_INPUT' } },
      });
      expect(await cli('questions', '--as', stranger, ...at)).toMatchObject({
        failed: true,
        report: { error: { code: 'FORBIDDEN' } },
      });

      // Answering: the supervisor may not, a bad voucher is refused, then the accountant answers (late), once.
      const answer = (who: string, ...extra: string[]) =>
        cli(
          'answer-question',
          '--as',
          who,
          ...at,
          '--number',
          tail(overdue),
          '--body',
          '付给了保洁公司，发票在凭证后。',
          ...extra,
        );
      expect(await answer(supervisor)).toMatchObject({ failed: true, report: { error: { code: 'FORBIDDEN' } } });
      expect(await answer(accountant, '--voucher', '9')).toMatchObject({
        failed: true,
        report: { error: { code: 'QUESTION_INVALID', field: 'voucherNumber' } },
      });
      expect(await answer(accountant, '--voucher', 'two')).toMatchObject({
        failed: true,
        report: { error: { code: 'BAD_USER_INPUT' } },
      });
      const answered = await answer(accountant, '--voucher', '2');
      expect(answered.report).toMatchObject({
        ok: true,
        question: { status: 'ANSWERED', answer: { role: 'accountant', late: true, voucherNumber: 2 } },
      });
      expect(await answer(accountant)).toMatchObject({
        failed: true,
        report: { error: { code: 'QUESTION_ANSWERED' } },
      });

      // Hiding: the accountant may not; the supervisor hides with a reason; the text stays.
      const hide = (who: string) =>
        cli('hide-question', '--as', who, ...at, '--number', `${tail(open)}`, '--reason', '与本村账目无关的广告');
      expect(await hide(accountant)).toMatchObject({ failed: true, report: { error: { code: 'FORBIDDEN' } } });
      const hidden = await hide(supervisor);
      expect(hidden.report).toMatchObject({ ok: true, question: { hidden: { reason: '与本村账目无关的广告' } } });
      expect(
        await cli('hide-question', '--as', supervisor, ...at, '--number', '2019-0001', '--reason', '无'),
      ).toMatchObject({
        failed: true,
        report: { error: { code: 'QUESTION_NOT_FOUND' } },
      });
      const [kept] = await queryRows<{ body: string }>(
        db,
        sql`select body from questions where village_id = ${village.id} and seq = ${open.seq} and number_year = ${open.numberYear}`,
      );
      expect(kept!.body).toBe('六月还有别的支出吗？');
    },
    180_000,
  );
});
