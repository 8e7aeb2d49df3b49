// The questions' reads: a village's list (newest first, a window of it and the total in one statement), the questions
// of many months at once (a month page and every voucher on it: one statement), one question by its number, and the
// overdue questions of many villages (the township's list).
import { sql, type SQL } from 'drizzle-orm';
import { questionStatusSql, type QuestionRecordRow, type QuestionStatus } from '@mingbai/db/ledger/questions';
import { windowSql, type Window } from '../graphql/relay/connection.ts';
import { anyInt, keysIn } from '../sql-helpers.ts';
import type { MonthKey } from '../statements/period-keys.ts';

/** A question with the name and slug of its village, which its public number and URL carry. */
export type QuestionRow = QuestionRecordRow & { villageName: string; villageSlug: string };

export interface QuestionDbRow {
  village_id: number;
  id: number | string;
  year: number | null;
  month: number | null;
  voucher_number: number | null;
  number_year: number;
  seq: number;
  body: string;
  body_public: string;
  contact: string | null;
  asker_key: string;
  asked_at: string | Date;
  due_at: string | Date;
  answer_body: string | null;
  answer_public: string | null;
  answered_at: string | Date | null;
  answered_by: string | null;
  answered_by_role: string | null;
  answer_revision: number | null;
  answer_voucher_number: number | null;
  hidden_at: string | Date | null;
  hidden_by: string | null;
  hidden_reason: string | null;
  village_name: string;
  village_slug: string;
}

/** The columns every read selects, from `questions q join villages v`. */
export const QUESTION_COLUMNS = sql`q.village_id, q.id, q.year, q.month, q.voucher_number, q.number_year, q.seq,
  q.body, q.body_public, q.contact, q.asker_key, q.asked_at, q.due_at, q.answer_body, q.answer_public, q.answered_at,
  q.answered_by, q.answered_by_role, q.answer_revision, q.answer_voucher_number, q.hidden_at, q.hidden_by,
  q.hidden_reason, v.name as village_name, v.slug as village_slug`;

/** Newest first; the number breaks ties of the same instant. */
const NEWEST_FIRST = sql`q.asked_at desc, q.number_year desc, q.seq desc`;

export function toQuestionRow(r: QuestionDbRow): QuestionRow {
  const date = (d: string | Date) => new Date(d);
  return {
    villageId: Number(r.village_id),
    id: Number(r.id),
    about:
      r.year !== null && r.month !== null ? { year: r.year, month: r.month, voucherNumber: r.voucher_number } : null,
    numberYear: r.number_year,
    seq: r.seq,
    body: r.body,
    bodyPublic: r.body_public,
    contact: r.contact,
    askerKey: r.asker_key,
    askedAt: date(r.asked_at),
    dueAt: date(r.due_at),
    answer:
      r.answered_at !== null && r.answer_body !== null && r.answer_public !== null
        ? {
            body: r.answer_body,
            bodyPublic: r.answer_public,
            answeredAt: date(r.answered_at),
            answeredBy: r.answered_by ?? '',
            answeredByRole: r.answered_by_role ?? '',
            revision: r.answer_revision,
            voucherNumber: r.answer_voucher_number,
          }
        : null,
    hidden:
      r.hidden_at !== null ? { at: date(r.hidden_at), by: r.hidden_by ?? '', reason: r.hidden_reason ?? '' } : null,
    villageName: r.village_name,
    villageSlug: r.village_slug,
  };
}

export type QuestionPageDbRow = Partial<QuestionDbRow> & { rn: number | null; all_total: number };

/**
 * A window of a village's questions, newest first, optionally of one status at `now`, with the total in the same
 * statement (one row carries it when the window is past the end).
 */
export function villageQuestionsSql(villageId: number, status: QuestionStatus | undefined, now: Date, window: Window) {
  const filter = status ? questionStatusSql(status, now) : sql`true`;
  return sql`with f as (
          select ${QUESTION_COLUMNS}, row_number() over (order by ${NEWEST_FIRST})::int as rn, count(*) over ()::int as total
            from questions q join villages v on v.id = q.village_id
           where q.village_id = ${villageId} and ${filter}
        )
        select n.all_total, w.* from (select count(*)::int as all_total from f) n
          left join lateral (select * from f where ${windowSql(window, sql`f.rn`, sql`f.total`)} order by f.rn) w on true
         order by w.rn`;
}

/** Every question about any of the months (the month itself or one of its vouchers), newest first. */
export function questionsOfMonthsSql(keys: readonly MonthKey[]): SQL {
  return sql`select ${QUESTION_COLUMNS}
               from questions q join villages v on v.id = q.village_id
              where ${keysIn(
                'q.village_id, q.year, q.month',
                keys.map((k) => [k.villageId, k.year, k.month]),
              )}
              order by ${NEWEST_FIRST}`;
}

/** Every question of a village, optionally of one status, newest first (the committee's list: short, unpaged). */
export function committeeQuestionsSql(villageId: number, status: QuestionStatus | undefined, now: Date): SQL {
  const filter = status ? questionStatusSql(status, now) : sql`true`;
  return sql`select ${QUESTION_COLUMNS}
               from questions q join villages v on v.id = q.village_id
              where q.village_id = ${villageId} and ${filter}
              order by ${NEWEST_FIRST}`;
}

export function questionByNumberSql(villageId: number, numberYear: number, seq: number): SQL {
  return sql`select ${QUESTION_COLUMNS}
               from questions q join villages v on v.id = q.village_id
              where q.village_id = ${villageId} and q.number_year = ${numberYear} and q.seq = ${seq}`;
}

/** The unanswered questions past their due date in any of the villages, the longest overdue first. */
export function overdueQuestionsSql(villageIds: readonly number[], now: Date): SQL {
  return sql`select ${QUESTION_COLUMNS}
               from questions q join villages v on v.id = q.village_id
              where ${anyInt('q.village_id', villageIds)}
                and ${questionStatusSql('OVERDUE', now)}
              order by q.due_at, v.code, q.number_year, q.seq`;
}
