import type { Command } from 'commander';
import { answerFlag, approveMonth, returnMonth } from '../review/review.service.ts';
import { actorAs, parseMonth, withDb } from './session.ts';

interface ReviewOptions {
  as: string;
  village: string;
  month: string;
}

/**
 * The review of a submitted month, as the API's `approveMonth`, `returnMonth` and `answerFlag` (the same service):
 * `pnpm cli approve --as jiandu-1 --village fucun --month 2026-10 [--note …]`,
 * `pnpm cli return … --reason …`, `pnpm cli answer … --flag CASH_OVER_LIMIT:12 --body …`.
 */
export function registerReviewCommands(program: Command): void {
  const monthOptions = (name: string, description: string, who: string) =>
    program
      .command(name)
      .description(description)
      .requiredOption('--as <user>', `act as this user (${who})`)
      .requiredOption('--village <slug>')
      .requiredOption('--month <YYYY-MM>');

  monthOptions('approve', 'approve the submitted month’s current upload', 'a supervisor assigned to the village')
    .option('--note <text>', 'the approval note, public with the month')
    .action((opts: ReviewOptions & { note?: string }) =>
      withDb(async (handle) => {
        const actor = await actorAs(handle, opts.as);
        await approveMonth(handle.db, actor, { villageSlug: opts.village, ...parseMonth(opts.month), note: opts.note });
        return { ok: true, village: opts.village, month: opts.month, result: { decision: 'approved' } };
      }),
    );

  monthOptions('return', 'send the submitted month back to the committee, with reasons', 'a supervisor')
    .requiredOption('--reason <text>', 'why it goes back')
    .action((opts: ReviewOptions & { reason: string }) =>
      withDb(async (handle) => {
        const actor = await actorAs(handle, opts.as);
        await returnMonth(handle.db, actor, {
          villageSlug: opts.village,
          ...parseMonth(opts.month),
          reason: opts.reason,
        });
        return { ok: true, village: opts.village, month: opts.month, result: { decision: 'returned' } };
      }),
    );

  monthOptions('answer', 'answer a red flag of the month in writing', 'the accountant or director')
    .requiredOption('--flag <key>', 'the flag’s key, e.g. CASH_OVER_LIMIT:12 or supervisor:7')
    .requiredOption('--body <text>', 'the answer, public with the month')
    .action((opts: ReviewOptions & { flag: string; body: string }) =>
      withDb(async (handle) => {
        const actor = await actorAs(handle, opts.as);
        const ref = { villageSlug: opts.village, ...parseMonth(opts.month) };
        await answerFlag(handle.db, actor, { ...ref, flagKey: opts.flag, body: opts.body });
        return { ok: true, village: opts.village, month: opts.month, result: { flagKey: opts.flag } };
      }),
    );
}
