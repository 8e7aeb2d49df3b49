import type { Command } from 'commander';
import { formatQuestionNumber, maskContact, questionStatus, type QuestionStatus } from '@mingbai/db/ledger/questions';
import { badInput } from '../errors.ts';
import { answerQuestion, committeeQuestions, hideQuestion } from '../questions/question.service.ts';
import type { QuestionRow } from '../questions/question.sql.ts';
import { actorAs, withDb } from './session.ts';

interface QuestionOptions {
  as: string;
  village: string;
}

const STATUSES: readonly QuestionStatus[] = ['OPEN', 'ANSWERED', 'OVERDUE'];

/** A question as the committee reads it at the shell: the text as asked, the contact masked as in the lists. */
function report(q: QuestionRow, now: Date) {
  return {
    number: formatQuestionNumber(q.villageName, q.numberYear, q.seq),
    status: questionStatus(q, now),
    askedAt: q.askedAt.toISOString(),
    dueAt: q.dueAt.toISOString(),
    about: q.about,
    body: q.body,
    contact: q.contact === null ? null : maskContact(q.contact),
    answer: q.answer && {
      body: q.answer.body,
      answeredAt: q.answer.answeredAt.toISOString(),
      by: q.answer.answeredBy,
      role: q.answer.answeredByRole,
      late: q.answer.answeredAt.getTime() > q.dueAt.getTime(),
      correctionRevision: q.answer.revision,
      voucherNumber: q.answer.voucherNumber,
    },
    hidden: q.hidden && { reason: q.hidden.reason, by: q.hidden.by, at: q.hidden.at.toISOString() },
  };
}

function whole(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text.trim())) throw badInput(`${option} 应是正整数，收到“${text}”`, option.replace(/^--/, ''));
  return Number(text);
}

/**
 * Villagers' questions at the operator's shell, the same services as the API's `committeeQuestions`,
 * `answerQuestion` and `hideQuestion`: `pnpm cli questions --as kuaiji-1 --village fucun [--status OVERDUE]`,
 * `pnpm cli answer-question … --number 2026-0001 --body "…" [--revision 2] [--voucher 12]`,
 * `pnpm cli hide-question … --number 2026-0001 --reason "…"`.
 */
export function registerQuestionCommands(program: Command): void {
  const villageOptions = (name: string, description: string, who: string) =>
    program
      .command(name)
      .description(description)
      .requiredOption('--as <user>', `act as this user (${who})`)
      .requiredOption('--village <slug>');

  villageOptions('questions', 'list the village’s questions, newest first, as asked', 'the committee or a supervisor')
    .option('--status <status>', `only ${STATUSES.join(', ')}`)
    .action((opts: QuestionOptions & { status?: string }) =>
      withDb(async (handle) => {
        const status = opts.status?.trim().toUpperCase();
        if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
          throw badInput(`--status 应为 ${STATUSES.join('、')} 之一，收到“${opts.status}”`, 'status');
        }
        const actor = await actorAs(handle, opts.as);
        const now = new Date();
        const rows = await committeeQuestions(
          handle.db,
          actor,
          { villageSlug: opts.village, status: status as QuestionStatus | undefined },
          now,
        );
        return { ok: true, village: opts.village, questions: rows.map((q) => report(q, now)) };
      }),
    );

  villageOptions('answer-question', 'answer a question in public, once', 'the accountant or director')
    .requiredOption('--number <number>', 'the question’s number, e.g. 2026-0001 or 付村-2026-0001')
    .requiredOption('--body <text>', 'the answer, public')
    .option('--revision <n>', 'a correction: a published revision of the month asked about')
    .option('--voucher <n>', 'a payment or receipt: a voucher number of the month asked about')
    .action((opts: QuestionOptions & { number: string; body: string; revision?: string; voucher?: string }) =>
      withDb(async (handle) => {
        const actor = await actorAs(handle, opts.as);
        const row = await answerQuestion(handle.db, actor, {
          villageSlug: opts.village,
          number: opts.number,
          body: opts.body,
          correctionRevision: whole(opts.revision, '--revision'),
          voucherNumber: whole(opts.voucher, '--voucher'),
        });
        return { ok: true, village: opts.village, question: report(row, new Date()) };
      }),
    );

  villageOptions('hide-question', 'hide a question (abuse, private data) with a public reason', 'a supervisor')
    .requiredOption('--number <number>', 'the question’s number')
    .requiredOption('--reason <text>', 'why, shown in public instead of the text')
    .action((opts: QuestionOptions & { number: string; reason: string }) =>
      withDb(async (handle) => {
        const actor = await actorAs(handle, opts.as);
        const row = await hideQuestion(handle.db, actor, {
          villageSlug: opts.village,
          number: opts.number,
          reason: opts.reason,
        });
        return { ok: true, village: opts.village, question: report(row, new Date()) };
      }),
    );
}
