import DataLoader from 'dataloader';
import { queryRows, type DbOrTx } from '@mingbai/db/client';
import { questionRecords, type QuestionRecord } from '@mingbai/db/ledger/questions';
import { BATCH_PER_TICK } from '../batching.ts';
import { groupBy } from '../sql-helpers.ts';
import { monthKey, type MonthKey } from '../statements/period-keys.ts';
import { questionsOfMonthsSql, toQuestionRow, type QuestionDbRow, type QuestionRow } from './question.sql.ts';

/**
 * The questions domain's DataLoaders, one set per request: a month page asking for the questions of the month and of
 * each of its vouchers reads them in one statement, a list of villages their records in one more.
 */
export function createQuestionLoaders(db: DbOrTx, now: Date) {
  return {
    /** Every question about a month or any voucher of it, newest first. */
    questionsOfMonth: new DataLoader<MonthKey, QuestionRow[], string>(
      async (keys) => {
        const rows = (await queryRows<QuestionDbRow>(db, questionsOfMonthsSql(keys))).map(toQuestionRow);
        const byMonth = groupBy(rows, (r) =>
          monthKey({ villageId: r.villageId, year: r.about!.year, month: r.about!.month }),
        );
        return keys.map((k) => byMonth.get(monthKey(k)) ?? []);
      },
      { ...BATCH_PER_TICK, cacheKeyFn: monthKey },
    ),
    /** A village's record over the last 12 months, judged at the request's clock. */
    questionRecord: new DataLoader<number, QuestionRecord>(async (ids) => {
      const records = await questionRecords(db, ids, now);
      return ids.map((id) => records.get(id)!);
    }, BATCH_PER_TICK),
  };
}
