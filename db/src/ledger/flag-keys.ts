import type { RuleCode } from './red-flag-rules.ts';

/**
 * A flag's stable key within a revision, by which the committee's answer (`flag_answers.flag_key`) finds it: an
 * automatic flag by its rule and voucher number (`CASH_OVER_LIMIT:12`) or its rule alone for a flag on the whole
 * month (`CASH_ON_HAND:month`); a supervisor's flag by its row (`supervisor:7`). Evaluating the same content again
 * gives the same keys, so an answer stays with its flag.
 */
export function ruleFlagKey(rule: RuleCode, voucherNumber: number | null): string {
  return `${rule}:${voucherNumber ?? 'month'}`;
}

export function supervisorFlagKey(voucherFlagId: number): string {
  return `supervisor:${voucherFlagId}`;
}
